import logging
from datetime import UTC, datetime, timedelta

import pytest

from top import apis
from top.client import TopClient, resolve_gateway, response_key
from top.errors import InvalidRequestError, TopError, TopTransportError
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SELLER_NICK, DEMO_SESSION


def test_resolve_gateway_names_and_urls():
    assert resolve_gateway("sandbox") == "https://gw.api.tbsandbox.com/router/rest"
    assert resolve_gateway("production") == "https://eco.taobao.com/router/rest"
    assert resolve_gateway("production-http") == "http://gw.api.taobao.com/router/rest"
    assert resolve_gateway("Overseas") == "https://api.taobao.com/router/rest"
    assert resolve_gateway("http://127.0.0.1:8600/router/rest") == (
        "http://127.0.0.1:8600/router/rest"
    )
    with pytest.raises(ValueError, match="sandbox"):
        resolve_gateway("ftp://example.org")


def test_response_key():
    assert response_key("taobao.time.get") == "time_get_response"
    assert response_key("taobao.trades.sold.increment.get") == "trades_sold_increment_get_response"


def test_time_get_returns_gateway_time(demo_client):
    gateway_time = apis.get_time(demo_client)
    assert abs(gateway_time - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_every_sign_method_with_chinese_arguments(gateway, sign_method):
    client = TopClient(gateway.url, DEMO_APP_KEY, DEMO_APP_SECRET, sign_method, DEMO_SESSION)
    first = apis.get_sold_trades(client, page_size=5)
    buyer = first.trades[0]["buyer_nick"]
    by_buyer = client.call(
        "taobao.trades.sold.get", fields="tid,buyer_nick", buyer_nick=buyer, page_size=100
    )
    nicks = {trade["buyer_nick"] for trade in by_buyer["trades"]["trade"]}
    assert nicks == {buyer}


def test_error_envelope_becomes_top_error(gateway):
    client = TopClient(gateway.url, DEMO_APP_KEY, "wrong-secret", "md5")
    with pytest.raises(TopError) as caught:
        client.call("taobao.time.get")
    assert caught.value.code == 25
    assert caught.value.msg == "Invalid signature"
    assert caught.value.request_id
    assert not caught.value.retryable


def test_transport_error_is_distinct(closed_port):
    client = TopClient(f"http://127.0.0.1:{closed_port}/router/rest", "1", "s", timeout=2)
    with pytest.raises(TopTransportError, match="taobao.time.get"):
        client.call("taobao.time.get")


def test_secret_never_in_repr_or_logs(gateway, caplog):
    secret = "very-secret-value-42"
    gateway.add_app("87654321", secret)
    client = TopClient(gateway.url, "87654321", secret)
    caplog.set_level(logging.DEBUG)
    client.call("taobao.time.get")
    assert secret not in repr(client) and secret not in str(client)
    assert "87654321" in repr(client)
    assert caplog.records and all(secret not in record.getMessage() for record in caplog.records)


def test_paging_covers_every_trade_once(demo_client):
    first = apis.get_sold_trades(demo_client, page_size=50)
    tids = [trade["tid"] for trade in first.trades]
    page = first
    while page.has_next:
        page = apis.get_sold_trades(demo_client, page_no=page.page_no + 1, page_size=50)
        tids += [trade["tid"] for trade in page.trades]
    assert len(tids) == len(set(tids)) == first.total_results > 100
    assert not page.has_next


def test_increment_window_over_one_day_is_refused_before_sending(closed_port):
    # The gateway URL is a closed port: had anything been sent, TopTransportError would follow.
    client = TopClient(f"http://127.0.0.1:{closed_port}/router/rest", "1", "s")
    end = datetime.now(UTC)
    with pytest.raises(InvalidRequestError, match="at most one day"):
        apis.get_sold_trades_increment(
            client, start_modified=end - timedelta(days=1, seconds=1), end_modified=end
        )


def test_increment_returns_trades_modified_in_window(demo_client):
    end = datetime.now(UTC)
    page = apis.get_sold_trades_increment(
        demo_client, start_modified=end - timedelta(days=1), end_modified=end, page_size=100
    )
    assert page.trades
    for trade in page.trades:
        modified = datetime.strptime(trade["modified"], "%Y-%m-%d %H:%M:%S")
        assert modified.replace(tzinfo=UTC) - timedelta(hours=8) >= end - timedelta(
            days=1, seconds=1
        )


def test_ship_a_trade_then_trace_it(demo_client):
    waiting = apis.get_sold_trades(demo_client, status="WAIT_SELLER_SEND_GOODS", page_size=1)
    tid = waiting.trades[0]["tid"]
    assert apis.send_offline(demo_client, tid, "SF1234567890", "SF") is True
    trade = apis.get_trade_fullinfo(demo_client, tid, fields="tid,status,seller_nick")
    assert trade["status"] == "WAIT_BUYER_CONFIRM_GOODS"
    assert (trade["tid"], trade["seller_nick"]) == (tid, DEMO_SELLER_NICK)
    trace = apis.search_logistics_trace(demo_client, tid)
    assert (trace.out_sid, trace.company_name) == ("SF1234567890", "顺丰速运")
    shipped = apis.get_logistics_orders_detail(demo_client, tid=tid)
    assert [s["out_sid"] for s in shipped.shippings] == ["SF1234567890"]
    with pytest.raises(TopError) as again:
        apis.send_offline(demo_client, tid, "SF1234567890", "SF")
    assert (again.value.code, again.value.sub_code) == (
        15,
        "isv.logistics-offline-service-error:B04",
    )
