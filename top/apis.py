"""Typed helpers for the TOP APIs an onboarding APP needs.

Each helper builds the request the way the API documents it and unwraps the answer into plain
data. Checks that TOP would make anyway (the 3-month history of the trades APIs, the one-day
window of the increment API, the split flags of offline shipping; see ``top.rules``) are made
here first, so a wrong call never reaches the gateway.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from top import rules
from top.client import TopClient
from top.errors import InvalidRequestError
from top.signing import parse_top_timestamp

DEFAULT_TRADE_FIELDS = (
    "tid,status,buyer_nick,created,modified,pay_time,payment,post_fee,"
    "receiver_state,receiver_city,orders"
)
MAX_PAGE_SIZE = 100
#: ``taobao.trades.sold.increment.get`` refuses a modified window wider than one day.
MAX_INCREMENT_WINDOW = rules.INCREMENT_WINDOW


@dataclass(frozen=True)
class TradePage:
    trades: list[dict[str, Any]]
    total_results: int
    has_next: bool
    page_no: int
    page_size: int


@dataclass(frozen=True)
class ShippingPage:
    shippings: list[dict[str, Any]]
    total_results: int


@dataclass(frozen=True)
class Trace:
    tid: int
    out_sid: str
    company_name: str
    status: str
    steps: list[dict[str, Any]] = field(default_factory=list)


def get_time(client: TopClient) -> datetime:
    """``taobao.time.get``: the gateway's clock (aware, GMT+8)."""
    return parse_top_timestamp(client.call("taobao.time.get")["time"])


def get_sold_trades(
    client: TopClient,
    *,
    fields: str = DEFAULT_TRADE_FIELDS,
    status: str | None = None,
    start_created: datetime | None = None,
    end_created: datetime | None = None,
    page_no: int = 1,
    page_size: int = 40,
) -> TradePage:
    """``taobao.trades.sold.get``: one page of the seller's trades, newest first.

    It reaches back three months and is slow: use it once to initialise, then keep up with
    :func:`get_sold_trades_increment` (guide §4.1.2).
    """
    _check_history(client, "start_created", start_created)
    if start_created and end_created and end_created < start_created:
        raise InvalidRequestError("end_created is before start_created")
    _check_page(page_no, page_size)
    answer = client.call(
        "taobao.trades.sold.get",
        fields=fields,
        status=status,
        start_created=start_created,
        end_created=end_created,
        page_no=page_no,
        page_size=page_size,
    )
    return _trade_page(answer, page_no, page_size)


def get_sold_trades_increment(
    client: TopClient,
    *,
    start_modified: datetime,
    end_modified: datetime,
    fields: str = DEFAULT_TRADE_FIELDS,
    status: str | None = None,
    page_no: int = 1,
    page_size: int = 40,
) -> TradePage:
    """``taobao.trades.sold.increment.get``: trades modified in a window of at most one day."""
    check_increment_window(start_modified, end_modified)
    _check_history(client, "start_modified", start_modified)
    _check_page(page_no, page_size)
    answer = client.call(
        "taobao.trades.sold.increment.get",
        fields=fields,
        start_modified=start_modified,
        end_modified=end_modified,
        status=status,
        page_no=page_no,
        page_size=page_size,
        use_has_next=True,
    )
    return _trade_page(answer, page_no, page_size)


def check_increment_window(start_modified: datetime, end_modified: datetime) -> None:
    if end_modified < start_modified:
        raise InvalidRequestError("end_modified is before start_modified")
    if end_modified - start_modified > MAX_INCREMENT_WINDOW:
        raise InvalidRequestError(
            "taobao.trades.sold.increment.get accepts at most one day between start_modified "
            f"and end_modified (asked for {end_modified - start_modified}); split the window "
            "into one-day slices"
        )


def get_trade_fullinfo(client: TopClient, tid: int, *, fields: str = DEFAULT_TRADE_FIELDS) -> dict:
    """``taobao.trade.fullinfo.get``: one trade with its orders."""
    return client.call("taobao.trade.fullinfo.get", tid=tid, fields=fields)["trade"]


def send_offline(
    client: TopClient,
    tid: int,
    out_sid: str,
    company_code: str,
    *,
    sub_tids: Sequence[int] = (),
) -> bool:
    """``taobao.logistics.offline.send``: mark a trade shipped with a waybill number. Real!

    For sellers who deliver with their own delivery system only; cash-on-delivery orders are
    refused (guide §4.2.2). ``sub_tids`` ships part of an order: the call then carries
    ``is_split=1`` and ``sub_tid`` (§4.2.3 b).
    """
    split = {"is_split": 1, "sub_tid": ",".join(str(oid) for oid in sub_tids)} if sub_tids else {}
    answer = client.call(
        "taobao.logistics.offline.send",
        tid=tid,
        out_sid=out_sid,
        company_code=company_code,
        **split,
    )
    return bool(answer["shipping"]["is_success"])


def get_logistics_orders_detail(
    client: TopClient,
    *,
    fields: str = "tid,out_sid,company_name,status,created,modified",
    tid: int | None = None,
    buyer_nick: str | None = None,
    start_created: datetime | None = None,
    end_created: datetime | None = None,
    page_no: int = 1,
    page_size: int = 40,
) -> ShippingPage:
    """``taobao.logistics.orders.detail.get``: the seller's shipping records, for a buyer, an
    order ID or a time frame (guide §4.2.1)."""
    if start_created and end_created and end_created < start_created:
        raise InvalidRequestError("end_created is before start_created")
    _check_page(page_no, page_size)
    answer = client.call(
        "taobao.logistics.orders.detail.get",
        fields=fields,
        tid=tid,
        buyer_nick=buyer_nick,
        start_created=start_created,
        end_created=end_created,
        page_no=page_no,
        page_size=page_size,
    )
    shippings = answer.get("shippings", {}).get("shipping", [])
    return ShippingPage(shippings=shippings, total_results=int(answer.get("total_results", 0)))


def search_logistics_trace(client: TopClient, tid: int) -> Trace:
    """``taobao.logistics.trace.search``: the parcel's transit steps for a trade."""
    answer = client.call("taobao.logistics.trace.search", tid=tid)
    return Trace(
        tid=int(answer["tid"]),
        out_sid=answer["out_sid"],
        company_name=answer["company_name"],
        status=answer["status"],
        steps=answer.get("trace_list", {}).get("transit_step_info", []),
    )


def _check_history(client: TopClient, name: str, moment: datetime | None) -> None:
    if moment is not None and moment < client.clock() - rules.HISTORY:
        raise InvalidRequestError(
            f"{name} is more than 3 months back; the trades APIs reach back 3 months only "
            "(keep older orders in the APP's own store)"
        )


def _check_page(page_no: int, page_size: int) -> None:
    if page_no < 1:
        raise InvalidRequestError("page_no starts at 1")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequestError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")


def _trade_page(answer: dict[str, Any], page_no: int, page_size: int) -> TradePage:
    trades = answer.get("trades", {}).get("trade", [])
    total = int(answer.get("total_results", len(trades)))
    has_next = bool(answer.get("has_next", page_no * page_size < total))
    return TradePage(trades, total, has_next, page_no, page_size)
