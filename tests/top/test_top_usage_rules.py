"""The guide's API usage rules (§4): the local gateway refuses what TOP refuses, the typed
helpers refuse it before sending, and the checker reports each broken rule with its advice."""

from datetime import timedelta

import pytest

from top import apis, rules
from top.advice import advice_for
from top.checker import run_check
from top.client import TopClient
from top.errors import InvalidRequestError, TopError
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SELLER_NICK, DEMO_SESSION

SOLD, INCREMENT = "taobao.trades.sold.get", "taobao.trades.sold.increment.get"
SEND, DETAIL = "taobao.logistics.offline.send", "taobao.logistics.orders.detail.get"


def refused(client: TopClient, method: str, **params) -> TopError:
    with pytest.raises(TopError) as raised:
        client.call(method, **params)
    return raised.value


def waiting(gateway, *, orders: int | None = None, cod: bool = False):
    """A trade of the demo seller waiting to ship, with one or several sub-orders."""
    for trade in gateway.dataset.trades(DEMO_SELLER_NICK):
        if trade.status != "WAIT_SELLER_SEND_GOODS" or (trade.kind == "cod") != cod:
            continue
        if orders is None or (len(trade.orders) == 1) == (orders == 1):
            return trade
    raise AssertionError("the demo data has no such trade")


def status_of(client: TopClient, tid: int) -> str:
    return apis.get_trade_fullinfo(client, tid, fields="tid,status")["status"]


# --- taobao.trades.sold.get: the last 3 months (§4.1) ---------------------------------------


def test_sold_get_reaches_back_three_months_and_no_further(demo_client):
    now = demo_client.clock()
    inside = demo_client.call(SOLD, fields="tid", start_created=now - timedelta(days=89))
    assert inside["total_results"] > 0
    error = refused(demo_client, SOLD, fields="tid", start_created=now - timedelta(days=91))
    assert (error.code, error.sub_code) == (41, "isv.invalid-parameter:start_created")
    assert "within the last 3 months" in error.sub_msg


def test_sold_get_refuses_an_end_before_its_start(demo_client):
    now = demo_client.clock()
    error = refused(
        demo_client, SOLD, fields="tid", start_created=now, end_created=now - timedelta(hours=1)
    )
    assert (error.code, error.sub_code) == (41, "isv.invalid-parameter:end_created")


# --- taobao.trades.sold.increment.get: one day at most (§4.1.2) -----------------------------


def test_increment_window_is_one_day_at_most(demo_client):
    end = demo_client.clock()
    exactly = demo_client.call(
        INCREMENT, fields="tid", start_modified=end - timedelta(days=1), end_modified=end
    )
    assert "total_results" in exactly
    error = refused(
        demo_client,
        INCREMENT,
        fields="tid",
        start_modified=end - timedelta(days=1, seconds=1),
        end_modified=end,
    )
    assert (error.code, error.sub_code) == (41, "isv.invalid-parameter:end_modified")
    assert "at most one day" in error.sub_msg


def test_increment_window_must_lie_in_the_last_three_months(demo_client):
    start = demo_client.clock() - timedelta(days=95)
    error = refused(
        demo_client,
        INCREMENT,
        fields="tid",
        start_modified=start,
        end_modified=start + timedelta(hours=1),
    )
    assert (error.code, error.sub_code) == (41, "isv.invalid-parameter:start_modified")


def test_typed_helpers_refuse_the_windows_before_anything_is_sent(gateway, demo_client):
    # With no call allowed, any request that reached the gateway would answer code 7.
    gateway.faults.rate_limit(DEMO_APP_KEY, max_calls=0, window_seconds=60)
    now = demo_client.clock()
    with pytest.raises(InvalidRequestError, match="3 months"):
        apis.get_sold_trades(demo_client, start_created=now - timedelta(days=91))
    with pytest.raises(InvalidRequestError, match="one day"):
        apis.get_sold_trades_increment(
            demo_client, start_modified=now - timedelta(days=2), end_modified=now
        )
    with pytest.raises(InvalidRequestError, match="3 months"):
        apis.get_sold_trades_increment(
            demo_client,
            start_modified=now - timedelta(days=95),
            end_modified=now - timedelta(days=94, hours=12),
        )
    with pytest.raises(TopError) as limited:
        apis.get_sold_trades(demo_client, start_created=now - timedelta(days=1))
    assert limited.value.code == 7


# --- taobao.logistics.offline.send: sub_tid and is_split (§4.2.3 b), no COD (§4.2.2) --------


@pytest.mark.parametrize(
    ("split", "code", "sub_code"),
    [
        ({"is_split": 1}, 15, rules.SPLIT_WITHOUT_SUB_TID),
        ({"sub_tid": "{oid}"}, 15, rules.SPLIT_FLAGS_APART),
        ({"is_split": 0, "sub_tid": "{oid}"}, 15, rules.SPLIT_FLAGS_APART),
        ({"is_split": 2, "sub_tid": "{oid}"}, 41, "isv.invalid-parameter:is_split"),
        ({"is_split": 1, "sub_tid": "{oid},x"}, 41, "isv.invalid-parameter:sub_tid"),
        ({"is_split": 1, "sub_tid": "123"}, 15, rules.SUB_TID_MISMATCH),
    ],
)
def test_split_flags_are_validated_and_nothing_ships(gateway, demo_client, split, code, sub_code):
    trade = waiting(gateway, orders=2)
    params = {k: str(v).format(oid=trade.oids[0]) for k, v in split.items()}
    error = refused(demo_client, SEND, tid=trade.tid, out_sid="SF1", company_code="SF", **params)
    assert (error.code, error.sub_code) == (code, sub_code)
    assert status_of(demo_client, trade.tid) == "WAIT_SELLER_SEND_GOODS"
    assert trade.shipped_oids == set()


def test_an_order_with_one_sub_order_cannot_be_split(gateway, demo_client):
    trade = waiting(gateway, orders=1)
    error = refused(
        demo_client, SEND, tid=trade.tid, out_sid="SF1", company_code="SF", is_split=1,
        sub_tid=str(trade.oids[0]),
    )  # fmt: skip
    assert (error.code, error.sub_code) == (15, rules.NOT_A_SPLIT_ORDER)
    assert status_of(demo_client, trade.tid) == "WAIT_SELLER_SEND_GOODS"


def test_a_split_ships_part_then_the_rest_only_as_a_split(gateway, demo_client):
    trade = waiting(gateway, orders=2)
    first, rest = trade.oids[0], trade.oids[1:]
    assert apis.send_offline(demo_client, trade.tid, "SF100", "SF", sub_tids=[first]) is True
    full = apis.get_trade_fullinfo(demo_client, trade.tid, fields="tid,status,orders")
    assert full["status"] == "SELLER_CONSIGNED_PART"
    statuses = {order["oid"]: order["status"] for order in full["orders"]["order"]}
    assert statuses[first] == "WAIT_BUYER_CONFIRM_GOODS"
    assert {statuses[oid] for oid in rest} == {"WAIT_SELLER_SEND_GOODS"}

    whole = refused(demo_client, SEND, tid=trade.tid, out_sid="SF101", company_code="SF")
    assert (whole.code, whole.sub_code) == (15, rules.ALREADY_SPLIT)
    again = refused(
        demo_client, SEND, tid=trade.tid, out_sid="SF101", company_code="SF", is_split=1,
        sub_tid=str(first),
    )  # fmt: skip
    assert (again.code, again.sub_code) == (15, rules.SUB_TID_MISMATCH)

    assert apis.send_offline(demo_client, trade.tid, "SF102", "SF", sub_tids=rest) is True
    assert status_of(demo_client, trade.tid) == "WAIT_BUYER_CONFIRM_GOODS"


def test_cash_on_delivery_orders_are_refused(gateway, demo_client):
    trade = waiting(gateway, cod=True)
    assert apis.get_trade_fullinfo(demo_client, trade.tid, fields="tid,type")["type"] == "cod"
    with pytest.raises(TopError) as raised:
        apis.send_offline(demo_client, trade.tid, "SF200", "SF")
    assert (raised.value.code, raised.value.sub_code) == (15, rules.KIND_NOT_SERVED)
    assert status_of(demo_client, trade.tid) == "WAIT_SELLER_SEND_GOODS"


# --- taobao.logistics.orders.detail.get: a buyer, an order ID or a time frame (§4.2.1) -------


def test_logistics_orders_by_buyer_order_or_time_frame(gateway, demo_client):
    shipped = [t for t in gateway.dataset.trades(DEMO_SELLER_NICK) if t.shipping]
    one = shipped[0]
    by_tid = apis.get_logistics_orders_detail(demo_client, tid=one.tid)
    assert [s["tid"] for s in by_tid.shippings] == [one.tid]

    by_buyer = apis.get_logistics_orders_detail(demo_client, buyer_nick=one.buyer_nick)
    expected = {t.tid for t in shipped if t.buyer_nick == one.buyer_nick}
    assert {s["tid"] for s in by_buyer.shippings} == expected and by_buyer.total_results >= 1

    start, end = one.created - timedelta(hours=12), one.created + timedelta(hours=12)
    by_time = apis.get_logistics_orders_detail(
        demo_client, start_created=start, end_created=end, page_size=100
    )
    assert {s["tid"] for s in by_time.shippings} == {
        t.tid for t in shipped if start <= t.created <= end
    }
    error = refused(demo_client, DETAIL, fields="tid", start_created=end, end_created=start)
    assert (error.code, error.sub_code) == (41, "isv.invalid-parameter:end_created")


# --- the checker: each rule with its advice -------------------------------------------------


def check(gateway, **overrides):
    kwargs = {
        "gateway": gateway.url,
        "app_key": DEMO_APP_KEY,
        "app_secret": DEMO_APP_SECRET,
        "session": DEMO_SESSION,
        "apis": [SOLD, INCREMENT, SEND, DETAIL],
        "timeout": 5,
        "rules": True,
        **overrides,
    }
    return run_check(**kwargs)


def test_checker_proves_each_rule_is_enforced_with_its_advice(gateway):
    before = [(t.tid, t.status) for t in gateway.dataset.trades(DEMO_SELLER_NICK)]
    report = check(gateway)
    assert report.ok, report.to_dict()
    three_months = report.check(f"rule:{SOLD}:three-months")
    assert (three_months.code, three_months.sub_code) == (41, "isv.invalid-parameter:start_created")
    assert three_months.message.startswith("enforced: Returns orders created during the past 3")
    assert "keep start_created within the last 90 days" in three_months.advice

    one_day = report.check(f"rule:{INCREMENT}:one-day")
    assert (one_day.code, one_day.sub_code) == (41, "isv.invalid-parameter:end_modified")
    assert "one-day slices" in one_day.advice

    split = report.check(f"rule:{SEND}:split")
    assert (split.code, split.sub_code) == (15, rules.SPLIT_WITHOUT_SUB_TID)
    assert "is_split=1 together with sub_tid" in split.advice
    assert "nothing was read or changed" in split.message
    # The rules pass shipped nothing.
    assert [(t.tid, t.status) for t in gateway.dataset.trades(DEMO_SELLER_NICK)] == before


def test_rules_are_checked_only_when_asked(gateway):
    report = check(gateway, rules=False)
    assert not [c.name for c in report.checks if c.name.startswith("rule:")]


def test_a_rule_whose_api_is_refused_fails_with_the_permission_advice(gateway):
    gateway.faults.refuse_api(DEMO_APP_KEY, INCREMENT)
    report = check(gateway, apis=[INCREMENT])
    result = report.check(f"rule:{INCREMENT}:one-day")
    assert (result.ok, result.code) == (False, 11)
    assert result.advice.startswith(f"code 11: the APP is not granted {INCREMENT}")


def test_a_broken_rule_met_anywhere_gets_the_rules_advice():
    error = TopError(41, "isv.invalid-parameter:end_modified", sub_msg="too wide")
    assert advice_for(error, api=INCREMENT).startswith(
        "code 41: taobao.trades.sold.increment.get accepts at most one day"
    )
    split = TopError(15, rules.SPLIT_FLAGS_APART)
    assert "guide §4.2.3 b" in advice_for(split, api=SEND)
    cod = TopError(15, rules.KIND_NOT_SERVED)
    assert "cash-on-delivery" in advice_for(cod, api=SEND)
    # The same sub-code on another API is not that API's rule.
    assert advice_for(error, api=SOLD) == "code 41: an argument is invalid (too wide)"


def test_checker_warns_when_customer_apis_are_called_over_http(gateway, tls_gateway):
    plain = check(gateway, apis=[SOLD, "taobao.time.get"], rules=False)
    sold = plain.check(f"api:{SOLD}")
    assert sold.ok and "https only (guide §3.1 a)" in sold.advice
    assert plain.check("api:taobao.time.get").advice is None

    secure_gateway, ca_file = tls_gateway
    secure = check(secure_gateway, apis=[SOLD], rules=False, ca_file=ca_file)
    assert secure.ok, secure.to_dict()
    assert secure.check(f"api:{SOLD}").advice is None


def test_a_gateway_that_answers_a_rule_breaking_call_fails_the_rule(demo_client):
    from top.checkflow import CheckRun

    # A rule whose probe is a call the gateway answers: the gateway does not refuse it.
    lenient = rules.UsageRule(
        SOLD,
        "lenient",
        "§4.1",
        "A rule this gateway does not enforce.",
        "keep to the rule",
        ("isv.invalid-parameter:start_created",),
        lambda now: {"fields": "tid", "page_size": 1},
    )
    run = CheckRun(demo_client, [SOLD], timeout=5, ca_file=None, rules=True)
    result = run.rule(lenient)
    assert (result.ok, result.name) == (False, f"rule:{SOLD}:lenient")
    assert result.message.startswith("not enforced: the gateway answered a call that TOP refuses")
    assert result.advice.startswith("keep to the rule; this gateway does not refuse such calls")
