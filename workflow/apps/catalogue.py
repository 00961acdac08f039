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
from dataclasses import dataclass
from typing import Any

from flask import current_app

from top.rules import GUIDE_APIS, REFUND_NOTE, UsageRule, needs_customer_authorization, rules_for


@dataclass(frozen=True)
class ApiInfo:
    method: str
    group: str
    summary: str

    @property
    def rules(self) -> list[UsageRule]:
        return rules_for(self.method)

    @property
    def is_https_only(self) -> bool:
        """It needs the customer's authorization, and TOP serves it over https only (§3.1 a)."""
        return needs_customer_authorization(self.method)


CUSTOMER_APIS: tuple[ApiInfo, ...] = (
    ApiInfo("taobao.trades.sold.get", "order", "Orders sold, by creation time"),
    ApiInfo("taobao.trades.sold.increment.get", "order", "Orders changed in a time window"),
    ApiInfo("taobao.trade.fullinfo.get", "order", "One order with buyer and address details"),
    ApiInfo("taobao.logistics.offline.send", "delivery", "Mark an order shipped offline"),
    ApiInfo("taobao.logistics.orders.detail.get", "delivery", "Shipment details of orders"),
    ApiInfo("taobao.logistics.trace.search", "delivery", "Tracking events of a shipment"),
)

API_METHODS = tuple(api.method for api in CUSTOMER_APIS)
assert API_METHODS == GUIDE_APIS, "the catalogue describes exactly the guide's six APIs"
API_INFO = {api.method: api for api in CUSTOMER_APIS}
#: Shown with the APIs: refunds have no API (§4.3).
REFUNDS = REFUND_NOTE
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
