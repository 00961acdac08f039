"""The customer-information APIs an APP must ask authorization for, grouped as TOP groups them.

Each API carries the guide's usage rules (``top.rules``), the same table the local gateway
enforces and the checker reports, so what the applicant reads beside an API is what TOP does.
"""

from __future__ import annotations

from dataclasses import dataclass

from top.rules import REFUND_NOTE, UsageRule, needs_customer_authorization, rules_for


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
API_INFO = {api.method: api for api in CUSTOMER_APIS}
#: Shown with the APIs: refunds have no API (§4.3).
REFUNDS = REFUND_NOTE
