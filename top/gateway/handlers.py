"""The APIs the local gateway serves, each a function of the verified call."""

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from top import rules
from top.gateway.dataset import LOGISTICS_COMPANIES, PART_SHIPPED, Dataset, Trade
from top.gateway.errors import GatewayError, invalid, missing
from top.signing import parse_top_timestamp, top_timestamp

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Call:
    """A call that passed the protocol checks (app key, timestamp, signature, session)."""

    method: str
    params: dict[str, str]
    app_key: str
    seller_nick: str | None
    now: datetime
    dataset: Dataset

    def text(self, name: str) -> str:
        value = self.params.get(name, "")
        if not value:
            raise missing(name)
        return value

    def number(self, name: str, default: int | None = None, low: int = 1, high: int = 2**63) -> int:
        raw = self.params.get(name, "")
        if raw == "" and default is not None:
            return default
        if raw == "":
            raise missing(name)
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise invalid(name, f"{name} must be a whole number between {low} and {high}")
        return int(raw)

    def moment(self, name: str) -> datetime | None:
        return self.required_moment(name) if self.params.get(name) else None

    def required_moment(self, name: str) -> datetime:
        raw = self.text(name)
        try:
            return parse_top_timestamp(raw)
        except ValueError:
            raise invalid(name, f"{name} must look like 2024-01-31 23:59:59") from None

    def fields(self) -> set[str]:
        return {name.strip() for name in self.text("fields").split(",") if name.strip()}

    def trade(self) -> Trade:
        trade = self.dataset.find(self.seller_nick or "", self.number("tid"))
        if trade is None:
            raise GatewayError(15, "isv.trade-not-exist", "no trade with this tid for the seller")
        return trade


Handler = Callable[[Call], dict[str, Any]]


def time_get(call: Call) -> dict[str, Any]:
    return {"time": top_timestamp(call.now)}


def user_seller_get(call: Call) -> dict[str, Any]:
    call.fields()
    nick = call.seller_nick or ""
    return {"user": {"nick": nick, "user_id": zlib.crc32(nick.encode()), "type": "B"}}


def trades_sold_get(call: Call) -> dict[str, Any]:
    fields = call.fields()
    start, end = call.moment("start_created"), call.moment("end_created")
    _within_history(call, "start_created", start)
    if start is not None and end is not None and end < start:
        raise invalid("end_created", "end_created must not be before start_created")
    status, buyer = call.params.get("status"), call.params.get("buyer_nick")
    trades = [
        trade
        for trade in call.dataset.trades(call.seller_nick or "")
        if (start is None or trade.created >= start)
        and (end is None or trade.created <= end)
        and (not status or trade.status == status)
        and (not buyer or trade.buyer_nick == buyer)
    ]
    return _trade_page(call, trades, fields)


def trades_sold_increment_get(call: Call) -> dict[str, Any]:
    fields = call.fields()
    start, end = call.required_moment("start_modified"), call.required_moment("end_modified")
    if end < start or end - start > rules.INCREMENT_WINDOW:
        raise invalid(
            "end_modified",
            "end_modified must be after start_modified and at most one day later "
            f"(asked for {end - start})",
        )
    _within_history(call, "start_modified", start)
    status = call.params.get("status")
    trades = [
        trade
        for trade in call.dataset.trades(call.seller_nick or "")
        if start <= trade.modified <= end and (not status or trade.status == status)
    ]
    trades.sort(key=lambda trade: trade.modified, reverse=True)
    return _trade_page(call, trades, fields)


def trade_fullinfo_get(call: Call) -> dict[str, Any]:
    fields = call.fields()
    return {"trade": call.trade().render(fields)}


def logistics_offline_send(call: Call) -> dict[str, Any]:
    call.number("tid")
    out_sid, company_code = call.text("out_sid"), call.text("company_code").upper()
    split = _split_arguments(call)
    trade = call.trade()
    if company_code not in LOGISTICS_COMPANIES:
        raise GatewayError(15, "isv.logistics-company-not-exist", f"unknown company {company_code}")
    if trade.kind == "cod":
        raise GatewayError(
            15,
            rules.KIND_NOT_SERVED,
            "cash-on-delivery orders cannot be shipped offline; use the Taobao delivery system",
        )
    if trade.status not in ("WAIT_SELLER_SEND_GOODS", PART_SHIPPED):
        raise GatewayError(
            15,
            "isv.logistics-offline-service-error:B04",
            f"trade status is {trade.status}; only WAIT_SELLER_SEND_GOODS can be shipped",
        )
    oids = _sub_orders_to_ship(trade, split)
    call.dataset.ship(trade, out_sid, company_code, call.now, oids)
    return {"shipping": {"is_success": True}}


def _split_arguments(call: Call) -> list[int] | None:
    """The sub-orders of a split shipment, or None for the whole order (§4.2.3 b)."""
    flag, raw = call.params.get("is_split", ""), call.params.get("sub_tid", "")
    if flag not in ("", "0", "1"):
        raise invalid("is_split", "is_split must be 0 or 1")
    parts = [part.strip() for part in raw.split(",")] if raw else []
    if any(not part.isdigit() for part in parts):
        raise invalid("sub_tid", "sub_tid must be sub-order IDs (oid) separated by commas")
    if flag == "1" and not parts:
        raise GatewayError(
            15, rules.SPLIT_WITHOUT_SUB_TID, "is_split=1 needs sub_tid, the sub-orders to ship"
        )
    if parts and flag != "1":
        raise GatewayError(
            15, rules.SPLIT_FLAGS_APART, "sub_tid and is_split=1 go together, or neither is given"
        )
    return [int(part) for part in parts] if flag == "1" else None


def _sub_orders_to_ship(trade: Trade, split: list[int] | None) -> list[int] | None:
    if split is None:
        if trade.status == PART_SHIPPED:
            raise GatewayError(
                15,
                rules.ALREADY_SPLIT,
                "the order is partly shipped: ship the rest with is_split=1 and sub_tid",
            )
        return None
    if len(trade.oids) < 2:
        raise GatewayError(
            15, rules.NOT_A_SPLIT_ORDER, "the order has one sub-order; ship it without a split"
        )
    unknown = [oid for oid in split if oid not in trade.waiting_oids]
    if unknown:
        raise GatewayError(
            15,
            rules.SUB_TID_MISMATCH,
            f"sub_tid {unknown[0]} is not a sub-order of this order waiting to be shipped",
        )
    return split


def logistics_orders_detail_get(call: Call) -> dict[str, Any]:
    """Shipments of the seller's orders, by buyer, order ID or time frame (§4.2.1)."""
    fields = call.fields() | {"tid"}
    tid = call.number("tid", default=0, low=0)
    buyer = call.params.get("buyer_nick", "")
    start, end = call.moment("start_created"), call.moment("end_created")
    if start is not None and end is not None and end < start:
        raise invalid("end_created", "end_created must not be before start_created")
    shippings = [
        {key: value for key, value in trade.shipping.items() if key in fields}
        for trade in call.dataset.trades(call.seller_nick or "")
        if trade.shipping
        and (tid == 0 or trade.tid == tid)
        and (not buyer or trade.buyer_nick == buyer)
        and (start is None or trade.created >= start)
        and (end is None or trade.created <= end)
    ]
    page_no, page_size = _page(call)
    chunk = shippings[(page_no - 1) * page_size : page_no * page_size]
    return {"shippings": {"shipping": chunk}, "total_results": len(shippings)}


def logistics_trace_search(call: Call) -> dict[str, Any]:
    trade = call.trade()
    if not trade.shipping:
        raise GatewayError(15, "isv.logistics-trace-not-exist", "the trade has not shipped")
    steps = [{"status_time": top_timestamp(at), "action": text} for at, text in trade.trace]
    return {
        "tid": trade.tid,
        "out_sid": trade.shipping["out_sid"],
        "company_name": trade.shipping["company_name"],
        "status": "签收 signed" if trade.status == "TRADE_FINISHED" else "在途中 in transit",
        "trace_list": {"transit_step_info": steps},
    }


def _within_history(call: Call, name: str, moment: datetime | None) -> None:
    """The trades APIs reach back three months (§4.1)."""
    earliest = call.now - rules.HISTORY
    if moment is not None and moment < earliest:
        raise invalid(
            name,
            f"{name} must be within the last 3 months (not before {top_timestamp(earliest)})",
        )


def _page(call: Call) -> tuple[int, int]:
    return call.number("page_no", default=1), call.number("page_size", 40, high=MAX_PAGE_SIZE)


def _trade_page(call: Call, trades: list[Trade], fields: set[str]) -> dict[str, Any]:
    page_no, page_size = _page(call)
    chunk = trades[(page_no - 1) * page_size : page_no * page_size]
    return {
        "total_results": len(trades),
        "has_next": page_no * page_size < len(trades),
        "trades": {"trade": [trade.render(fields) for trade in chunk]},
    }


@dataclass(frozen=True)
class Api:
    handler: Handler
    needs_session: bool


#: Every API the local gateway serves. ``taobao.user.seller.get`` is here because the checker
#: uses it to test a session without touching orders.
APIS: dict[str, Api] = {
    "taobao.time.get": Api(time_get, needs_session=False),
    "taobao.user.seller.get": Api(user_seller_get, needs_session=True),
    "taobao.trades.sold.get": Api(trades_sold_get, needs_session=True),
    "taobao.trades.sold.increment.get": Api(trades_sold_increment_get, needs_session=True),
    "taobao.trade.fullinfo.get": Api(trade_fullinfo_get, needs_session=True),
    "taobao.logistics.offline.send": Api(logistics_offline_send, needs_session=True),
    "taobao.logistics.orders.detail.get": Api(logistics_orders_detail_get, needs_session=True),
    "taobao.logistics.trace.search": Api(logistics_trace_search, needs_session=True),
}
