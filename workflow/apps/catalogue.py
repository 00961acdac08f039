"""The APIs an APP may ask for: the six of the guide's §4, described, and any other TOP API by name.

Each §4 API carries the guide's usage rules (``top.rules``), the same table the local gateway
enforces and the checker reports, so what the applicant reads beside an API is what TOP does.
Any other TOP method may be requested by its name (``top.methods`` says what a name looks like);
it has no typed helper, no probe and no rules shown.

Which requested APIs are *customer-information* APIs, authorized one by one (§3.5), is the
``CUSTOMER_INFO_APIS`` setting (by default the six of §4), plus the ones a reviewer marks on the
request (``ApiRequest.is_customer_info_marked``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app

from top.rules import (
    FULLINFO_GET,
    GUIDE_APIS,
    INCREMENT_GET,
    OFFLINE_SEND,
    ORDERS_DETAIL_GET,
    SOLD_GET,
    TRACE_SEARCH,
    UsageRule,
    needs_customer_authorization,
    rules_for,
)
from workflow.i18n import _l

GROUP_NAMES = {"order": _l("order"), "delivery": _l("delivery")}
#: What the applicant reads beside each API, by the rule's API and key: ``top.rules`` keeps the
#: English for the checker and the gateway; the desk shows it in the reader's language.
RULE_TEXTS = {
    (SOLD_GET, "three-months"): _l(
        "Returns orders created during the past 3 months; start_created further back is refused."
    ),
    (SOLD_GET, "initialise-once"): _l(
        "Slow: use it once, to initialise the APP's copy of the orders; then keep it up to date "
        "with taobao.trades.sold.increment.get."
    ),
    (SOLD_GET, "to-deliver"): _l('Orders waiting to be shipped: status="WAIT_SELLER_SEND_GOODS".'),
    (INCREMENT_GET, "one-day"): _l(
        "Returns orders changed in a window of at most one day (end_modified − start_modified "
        "≤ 1 day), within the past 3 months."
    ),
    (FULLINFO_GET, "details"): _l(
        "The two trades APIs return an order's basic facts; this one returns its details."
    ),
    (OFFLINE_SEND, "own-delivery"): _l(
        "Only for a seller who delivers with their own delivery system. To use Taobao's delivery "
        "service, ship in the Taobao online delivery system (L8): no TOP API provides it."
    ),
    (OFFLINE_SEND, "no-cod"): _l(
        "Cash on delivery (COD) is not supported: a COD order is refused."
    ),
    (OFFLINE_SEND, "split"): _l(
        "Give tid, out_sid (waybill number) and company_code. An order shipped in parts also "
        "takes is_split=1 and sub_tid (its sub-order IDs, comma-separated)."
    ),
    (ORDERS_DETAIL_GET, "query"): _l(
        "Returns the seller's logistics orders for a buyer (buyer_nick), an order ID (tid) or a "
        "time frame (start_created, end_created)."
    ),
    (TRACE_SEARCH, "tracking"): _l(
        "Returns the transit steps of one order's shipment, by its order ID (tid)."
    ),
}


@dataclass(frozen=True)
class ApiInfo:
    method: str
    group: str
    summary: str

    @property
    def group_name(self):
        """The API's group as the reader says it: "order", "delivery"."""
        return GROUP_NAMES.get(self.group, self.group)

    @property
    def rules(self) -> list[UsageRule]:
        """The API's usage rules, their text in the reader's language."""
        return [
            replace(rule, text=RULE_TEXTS.get((rule.api, rule.key), rule.text))
            for rule in rules_for(self.method)
        ]

    @property
    def is_https_only(self) -> bool:
        """It needs the customer's authorization, and TOP serves it over https only (§3.1 a)."""
        return needs_customer_authorization(self.method)


CUSTOMER_APIS: tuple[ApiInfo, ...] = (
    ApiInfo("taobao.trades.sold.get", "order", _l("Orders sold, by creation time")),
    ApiInfo("taobao.trades.sold.increment.get", "order", _l("Orders changed in a time window")),
    ApiInfo("taobao.trade.fullinfo.get", "order", _l("One order with buyer and address details")),
    ApiInfo("taobao.logistics.offline.send", "delivery", _l("Mark an order shipped offline")),
    ApiInfo("taobao.logistics.orders.detail.get", "delivery", _l("Shipment details of orders")),
    ApiInfo("taobao.logistics.trace.search", "delivery", _l("Tracking events of a shipment")),
)

API_METHODS = tuple(api.method for api in CUSTOMER_APIS)
assert API_METHODS == GUIDE_APIS, "the catalogue describes exactly the guide's six APIs"
API_INFO = {api.method: api for api in CUSTOMER_APIS}
#: Shown with the APIs: refunds have no API (§4.3).
REFUNDS = _l(
    "Refunds are not supported through the TOP API: the seller handles them in the Taobao "
    "online delivery system (L8), guide §4.3."
)
#: The most APIs beyond the six that one APP asks for in one request.
MAX_OTHER_APIS = 100


def customer_info_apis(config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The catalogue's customer-information APIs (the ``CUSTOMER_INFO_APIS`` setting)."""
    config = current_app.config if config is None else config
    return tuple(config["CUSTOMER_INFO_APIS"])


def customer_info_source(request, config: Mapping[str, Any] | None = None) -> str | None:
    """Why a requested API is a customer-information API: ``"catalogue"``, ``"reviewer"``
    (marked on this request), or None when it is not one."""
    if request.method in customer_info_apis(config):
        return "catalogue"
    return "reviewer" if request.is_customer_info_marked else None
