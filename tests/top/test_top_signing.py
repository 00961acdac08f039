"""Signing vectors. Expected values come from the TOP documentation's worked example or are
computed here with hashlib/hmac directly, never by calling sign()."""

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from top.signing import param_text, parse_top_timestamp, sign, signing_string, top_timestamp

#: The worked example of the TOP "API call protocol" page (open.taobao.com docId=101617).
DOC_PARAMS = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2016-01-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "sign_method": "md5",
    "fields": "num_iid,title,nick,price,num",
    "num_iid": "11223344",
}
DOC_SECRET = "helloworld"
DOC_STRING = (
    "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get"
    "num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0"
)


def test_worked_example_string_and_md5_sign():
    assert signing_string(DOC_PARAMS) == DOC_STRING
    assert sign(DOC_PARAMS, DOC_SECRET, "md5") == "66987CB115214E59E6EC978214934FB8"


def test_worked_example_hmac_md5():
    assert sign(DOC_PARAMS, DOC_SECRET, "hmac") == "B4DDA503460D60A86B16E950E5D303E9"


def test_hmac_sha256_matches_hmac_module():
    expected = hmac.new(b"helloworld", DOC_STRING.encode(), hashlib.sha256).hexdigest().upper()
    assert sign(DOC_PARAMS, DOC_SECRET, "hmac-sha256") == expected
    assert len(expected) == 64


@pytest.mark.parametrize(
    ("method", "digest"),
    [
        ("md5", lambda s, m: hashlib.md5(s + m + s).hexdigest()),
        ("hmac", lambda s, m: hmac.new(s, m, hashlib.md5).hexdigest()),
        ("hmac-sha256", lambda s, m: hmac.new(s, m, hashlib.sha256).hexdigest()),
    ],
)
def test_non_ascii_values_are_signed_as_utf8(method, digest):
    params = {"buyer_nick": "海淘达人", "method": "taobao.trades.sold.get", "title": "蜂蜜 250g"}
    secret = "密钥-secret"
    message = "buyer_nick海淘达人methodtaobao.trades.sold.gettitle蜂蜜 250g".encode()
    assert sign(params, secret, method) == digest(secret.encode(), message).upper()


def test_sign_empty_none_and_file_values_are_left_out():
    params = {"b": "2", "a": "1", "sign": "X", "empty": "", "none": None, "image": b"\x89PNG"}
    assert signing_string(params) == "a1b2"


def test_keys_sort_in_byte_order():
    # Uppercase sorts before lowercase and "_" (0x5F) before lowercase letters, as in Java.
    params = {"foobar": 4, "foo_bar": 3, "bar": 2, "foo": 1, "Zed": 0}
    assert signing_string(params) == "Zed0bar2foo1foo_bar3foobar4"


def test_param_text_matches_what_is_sent():
    assert param_text(True) == "true"
    assert param_text([1, 2, 3]) == "1,2,3"
    moment = datetime(2024, 1, 1, 4, 0, tzinfo=UTC)
    assert param_text(moment) == "2024-01-01 12:00:00"


def test_unknown_sign_method_is_refused():
    with pytest.raises(ValueError, match="hmac-sha256"):
        sign({"a": "1"}, "s", "sha1")


def test_timestamp_is_gmt8_whatever_the_host_timezone(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        before = time.gmtime(time.time() + 8 * 3600)
        stamp = top_timestamp()
        after = time.gmtime(time.time() + 8 * 3600)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert stamp in {time.strftime("%Y-%m-%d %H:%M:%S", t) for t in (before, after)}
    moment = datetime(2024, 3, 1, 23, 30, 5, tzinfo=UTC)
    assert top_timestamp(moment) == "2024-03-02 07:30:05"
    assert top_timestamp(moment.astimezone(timezone(timedelta(hours=-8)))) == "2024-03-02 07:30:05"


def test_timestamp_round_trip_and_naive_refused():
    assert parse_top_timestamp("2024-03-02 07:30:05") == datetime(2024, 3, 1, 23, 30, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        top_timestamp(datetime(2024, 1, 1))
