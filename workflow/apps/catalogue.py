"""The customer-information APIs an APP must ask authorization for, grouped as TOP groups them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiInfo:
    method: str
    group: str
    summary: str


CUSTOMER_APIS: tuple[ApiInfo, ...] = (
    ApiInfo("taobao.trades.sold.get", "order", "Orders sold, by creation time"),
    ApiInfo("taobao.trades.sold.increment.get", "order", "Orders changed in a time window"),
    ApiInfo("taobao.trade.fullinfo.get", "order", "One order with buyer and address details"),
    ApiInfo("taobao.logistics.offline.send", "delivery", "Mark an order shipped offline"),
    ApiInfo("taobao.logistics.orders.detail.get", "delivery", "Shipment details of orders"),
    ApiInfo("taobao.logistics.trace.search", "delivery", "Tracking events of a shipment"),
)

API_METHODS = tuple(api.method for api in CUSTOMER_APIS)
