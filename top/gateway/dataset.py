"""Deterministic, realistic seller data for the local gateway.

Every seller (the nick behind a session) gets the same trades for the same seed and anchor
time, so tests can page through them and get stable answers. Shipping a trade through
``taobao.logistics.offline.send`` changes it in memory; the local gateway is a development
tool, so this state is meant to die with the process.
"""

import random
import threading
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from top.signing import top_timestamp

#: (status, weight): a realistic mix, most trades done, a good share waiting to ship.
STATUSES = (
    ("WAIT_BUYER_PAY", 8),
    ("WAIT_SELLER_SEND_GOODS", 25),
    ("WAIT_BUYER_CONFIRM_GOODS", 20),
    ("TRADE_FINISHED", 35),
    ("TRADE_CLOSED", 7),
    ("TRADE_CLOSED_BY_TAOBAO", 5),
)
#: Shipping moves a trade here while some of its sub-orders are still waiting (a split).
PART_SHIPPED = "SELLER_CONSIGNED_PART"
PAID_STATUSES = {"WAIT_SELLER_SEND_GOODS", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"}
SHIPPED_STATUSES = {"WAIT_BUYER_CONFIRM_GOODS", "TRADE_FINISHED"}
LOGISTICS_COMPANIES = {
    "SF": "顺丰速运",
    "YTO": "圆通速递",
    "ZTO": "中通快递",
    "STO": "申通快递",
    "YUNDA": "韵达快递",
    "EMS": "EMS",
    "DHL": "DHL",
    "FEDEX": "FedEx",
}
BUYER_NICKS = ("小明", "海淘达人", "lucky_star", "王小二", "sunny_buyer", "tb_mama", "阿花", "kiwi")
PRODUCTS = (
    ("Manuka Honey UMF 10+ 250g 麦卢卡蜂蜜", "129.00"),
    ("Infant Formula Stage 1 900g 婴儿奶粉", "238.00"),
    ("Vitamin C 1000mg 150 tablets", "89.90"),
    ("Merino Wool Scarf 美利奴羊毛围巾", "199.00"),
    ("Sunscreen SPF50+ 100ml 防晒霜", "118.00"),
    ("Fish Oil 1000mg 400 capsules 深海鱼油", "159.00"),
)
PLACES = (("浙江省", "杭州市"), ("上海", "上海市"), ("广东省", "深圳市"), ("北京", "北京市"))
TRACE_STEPS = (
    "揽收 picked up",
    "运输中 in transit",
    "清关完成 cleared customs",
    "派送中 out for delivery",
)


@dataclass
class Trade:
    tid: int
    status: str
    buyer_nick: str
    seller_nick: str
    created: datetime
    modified: datetime
    pay_time: datetime | None
    orders: list[dict[str, Any]]
    receiver: tuple[str, str]
    post_fee: str
    shipping: dict[str, Any] | None = None
    trace: list[tuple[datetime, str]] = field(default_factory=list)
    #: Sub-orders (oid) already shipped, for split shipments.
    shipped_oids: set[int] = field(default_factory=set)

    @property
    def kind(self) -> str:
        """TOP's trade ``type``. Derived from the tid so that it draws nothing from the seed's
        random sequence: about one trade in sixteen is cash on delivery."""
        return "cod" if self.tid % 16 == 5 else "fixed"

    def order_status(self, order: dict[str, Any]) -> str:
        if self.status != PART_SHIPPED:
            return self.status
        shipped = order["oid"] in self.shipped_oids
        return "WAIT_BUYER_CONFIRM_GOODS" if shipped else "WAIT_SELLER_SEND_GOODS"

    @property
    def oids(self) -> list[int]:
        return [order["oid"] for order in self.orders]

    @property
    def waiting_oids(self) -> list[int]:
        return [oid for oid in self.oids if oid not in self.shipped_oids]

    @property
    def payment(self) -> str:
        total = sum(float(order["payment"]) for order in self.orders) + float(self.post_fee)
        return f"{total:.2f}"

    def render(self, fields: set[str]) -> dict[str, Any]:
        """The trade as TOP prints it, limited to ``fields``."""
        full: dict[str, Any] = {
            "tid": self.tid,
            "tid_str": str(self.tid),
            "status": self.status,
            "buyer_nick": self.buyer_nick,
            "seller_nick": self.seller_nick,
            "created": top_timestamp(self.created),
            "modified": top_timestamp(self.modified),
            "pay_time": top_timestamp(self.pay_time) if self.pay_time else None,
            "payment": self.payment,
            "post_fee": self.post_fee,
            "receiver_name": self.buyer_nick[0] + "**",
            "receiver_state": self.receiver[0],
            "receiver_city": self.receiver[1],
            "type": self.kind,
            "orders": {
                "order": [dict(order, status=self.order_status(order)) for order in self.orders]
            },
        }
        return {key: value for key, value in full.items() if key in fields and value is not None}


class Dataset:
    """Trades per seller, generated on first use from ``seed`` and ``anchor``."""

    def __init__(self, seed: int, anchor: datetime) -> None:
        self.seed = seed
        self.anchor = anchor
        self._lock = threading.Lock()
        self._trades: dict[str, list[Trade]] = {}

    def trades(self, seller_nick: str) -> list[Trade]:
        """The seller's trades, newest first."""
        with self._lock:
            if seller_nick not in self._trades:
                self._trades[seller_nick] = self._generate(seller_nick)
            return list(self._trades[seller_nick])

    def find(self, seller_nick: str, tid: int) -> Trade | None:
        return next((trade for trade in self.trades(seller_nick) if trade.tid == tid), None)

    def ship(
        self,
        trade: Trade,
        out_sid: str,
        company_code: str,
        now: datetime,
        oids: list[int] | None = None,
    ) -> None:
        """Ship ``oids`` (default: every sub-order still waiting); the rest keep waiting."""
        with self._lock:
            trade.shipped_oids |= set(trade.waiting_oids if oids is None else oids)
            done = not trade.waiting_oids
            trade.status = "WAIT_BUYER_CONFIRM_GOODS" if done else PART_SHIPPED
            trade.modified = now
            trade.shipping = _shipping(trade, out_sid, company_code, now)
            trade.trace = [(now, TRACE_STEPS[0])]

    def _generate(self, seller_nick: str) -> list[Trade]:
        rng = random.Random(self.seed * 1_000_003 + zlib.crc32(seller_nick.encode("utf-8")))
        count = rng.randint(120, 180)
        trades = [self._trade(rng, seller_nick) for _ in range(count)]
        return sorted(trades, key=lambda trade: trade.created, reverse=True)

    def _trade(self, rng: random.Random, seller_nick: str) -> Trade:
        statuses, weights = zip(*STATUSES, strict=True)
        status = rng.choices(statuses, weights)[0]
        created = self.anchor - timedelta(seconds=rng.randint(600, 30 * 86400))
        modified = min(self.anchor, created + timedelta(seconds=rng.randint(0, 3 * 86400)))
        paid = status in PAID_STATUSES
        trade = Trade(
            tid=rng.randrange(10**17, 10**18),
            status=status,
            buyer_nick=f"{rng.choice(BUYER_NICKS)}{rng.randint(1, 999)}",
            seller_nick=seller_nick,
            created=created,
            modified=modified,
            pay_time=created + timedelta(seconds=rng.randint(30, 3600)) if paid else None,
            orders=_orders(rng),
            receiver=rng.choice(PLACES),
            post_fee=rng.choice(("0.00", "0.00", "10.00", "20.00")),
        )
        if status in SHIPPED_STATUSES:
            _add_shipment(rng, trade)
        return trade


def _add_shipment(rng: random.Random, trade: Trade) -> None:
    company = rng.choice(sorted(LOGISTICS_COMPANIES))
    out_sid = f"{company}{rng.randrange(10**11, 10**12)}"
    trade.shipping = _shipping(trade, out_sid, company, trade.modified)
    trade.shipped_oids = set(trade.oids)
    steps = TRACE_STEPS if trade.status == "TRADE_FINISHED" else TRACE_STEPS[:2]
    # Steps end at the trade's last change, so no step lies in the future.
    last = len(steps) - 1
    trade.trace = [
        (trade.modified - timedelta(hours=6 * (last - n)), step) for n, step in enumerate(steps)
    ]


def _orders(rng: random.Random) -> list[dict[str, Any]]:
    orders = []
    for _ in range(rng.randint(1, 3)):
        title, price = rng.choice(PRODUCTS)
        num = rng.randint(1, 3)
        orders.append(
            {
                "oid": rng.randrange(10**17, 10**18),
                "title": title,
                "price": price,
                "num": num,
                "payment": f"{float(price) * num:.2f}",
            }
        )
    return orders


def _shipping(trade: Trade, out_sid: str, company_code: str, now: datetime) -> dict[str, Any]:
    return {
        "tid": trade.tid,
        "order_code": str(trade.tid)[-10:],
        "out_sid": out_sid,
        "company_code": company_code,
        "company_name": LOGISTICS_COMPANIES[company_code],
        "status": "CREATED",
        "created": top_timestamp(now),
        "modified": top_timestamp(now),
        "receiver_name": trade.buyer_nick[0] + "**",
    }
