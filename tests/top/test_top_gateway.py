"""The local gateway speaks the TOP protocol: raw requests, real envelopes and codes."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from top.client import TopClient
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from top.signing import sign, top_timestamp


def signed(method="taobao.time.get", secret=DEMO_APP_SECRET, **overrides):
    params = {
        "method": method,
        "app_key": DEMO_APP_KEY,
        "timestamp": top_timestamp(datetime.now(UTC)),
        "format": "json",
        "v": "2.0",
        "sign_method": "hmac-sha256",
        **overrides,
    }
    params = {key: value for key, value in params.items() if value is not None}
    params["sign"] = sign(params, secret, params.get("sign_method", "md5"))
    return params


def post(gateway, params):
    return requests.post(gateway.url, data=params, timeout=5).json()


def error_code(body):
    return body["error_response"]["code"]


def test_success_envelope(gateway):
    body = post(gateway, signed())
    assert set(body) == {"time_get_response"}
    assert body["time_get_response"]["time"][:4].isdigit()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"method": None}, 21),
        ({"method": "taobao.nothing.here"}, 22),
        ({"app_key": None}, 28),
        ({"app_key": "99999999"}, 29),
        ({"timestamp": None}, 30),
        ({"timestamp": "yesterday"}, 31),
        ({"v": None}, 32),
        ({"v": "1.0"}, 33),
        ({"method": "taobao.trades.sold.get"}, 26),
        ({"method": "taobao.trades.sold.get", "session": "no-such-session"}, 27),
        ({"method": "taobao.trades.sold.get", "session": DEMO_SESSION}, 40),
        (
            {
                "method": "taobao.trades.sold.get",
                "session": DEMO_SESSION,
                "fields": "tid",
                "page_size": "500",
            },
            41,
        ),
    ],
)
def test_protocol_errors(gateway, params, code):
    body = post(gateway, signed(**params))
    assert error_code(body) == code
    assert body["error_response"]["request_id"]


def test_missing_and_wrong_signature(gateway):
    params = signed()
    params["sign"] = "0" * 64
    assert error_code(post(gateway, params)) == 25
    del params["sign"]
    assert error_code(post(gateway, params)) == 24


def test_timestamp_window_is_ten_minutes(gateway):
    now = datetime.now(UTC)
    inside = signed(timestamp=top_timestamp(now - timedelta(minutes=9)))
    outside = signed(timestamp=top_timestamp(now - timedelta(minutes=11)))
    assert "time_get_response" in post(gateway, inside)
    body = post(gateway, outside)
    assert (error_code(body), body["error_response"]["sub_code"]) == (31, "isv.invalid-timestamp")


def test_epoch_millisecond_timestamps_are_accepted(gateway):
    body = post(gateway, signed(timestamp=str(int(time.time() * 1000))))
    assert "time_get_response" in body


def test_same_seed_gives_same_trades():
    anchor = datetime(2024, 6, 1, tzinfo=UTC)
    first, second = (LocalGateway(clock=lambda: anchor) for _ in range(2))
    try:
        assert first.dataset.trades("shop") == second.dataset.trades("shop")
        statuses = {trade.status for trade in first.dataset.trades("shop")}
        assert {"WAIT_SELLER_SEND_GOODS", "TRADE_FINISHED", "WAIT_BUYER_PAY"} <= statuses
    finally:
        first.stop()
        second.stop()


def test_admin_knob_refuses_an_api_and_resets(gateway, demo_client):
    command = {"refuse_api": {"app_key": DEMO_APP_KEY, "method": "taobao.trades.sold.get"}}
    state = requests.post(gateway.admin_url, json=command, timeout=5).json()
    assert state["refused_apis"] == [command["refuse_api"]]
    body = post(gateway, signed("taobao.trades.sold.get", session=DEMO_SESSION, fields="tid"))
    assert error_code(body) == 11
    requests.post(gateway.admin_url, json={"reset": True}, timeout=5)
    assert demo_client.call("taobao.trades.sold.get", fields="tid")["total_results"] > 0


def test_admin_knob_rejects_unknown_keys(gateway):
    answer = requests.post(gateway.admin_url, json={"explode": True}, timeout=5)
    assert answer.status_code == 400
    assert "explode" in answer.json()["error"]


def test_rate_limit_allows_max_calls_then_code_7(gateway, demo_client):
    gateway.faults.rate_limit(DEMO_APP_KEY, max_calls=2, window_seconds=60)
    demo_client.call("taobao.time.get")
    demo_client.call("taobao.time.get")
    body = post(gateway, signed())
    assert error_code(body) == 7
    assert body["error_response"]["sub_code"] == "accesscontrol.limited-by-app-access-count"


def test_latency_is_added(gateway, demo_client):
    gateway.faults.set_latency(150)
    started = time.perf_counter()
    demo_client.call("taobao.time.get")
    assert time.perf_counter() - started >= 0.15


def test_other_paths_are_not_found(gateway):
    answer = requests.get(gateway.base_url + "/", timeout=5)
    assert answer.status_code == 404


def test_client_against_gateway_with_extra_app(gateway):
    gateway.add_app("11112222", "another-secret")
    client = TopClient(gateway.url, "11112222", "another-secret", "hmac")
    assert "time" in client.call("taobao.time.get")
