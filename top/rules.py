"""The usage rules of the APIs in the Tmall Global developer guide (§3.1 a, §4).

One table serves three readers: the local gateway refuses calls that break an enforced rule with
the error a real TOP gateway answers, the checker explains such an error (and, with its rules
pass, proves the gateway enforces the rule), and the desk shows each rule beside its API.

The sub-codes follow TOP's conventions: argument problems are code 41 with
``isv.invalid-parameter:<name>``; the delivery service's own checks are code 15 with
``isv.logistics-offline-service-error:<code>`` (CD25, CD26, CD29 for the split flags, B06 for
sub-orders that do not belong to the order, B98 for an order of a kind offline shipping does not
serve).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: ``taobao.trades.sold.get`` and the increment API reach back three months at most (§4.1).
HISTORY = timedelta(days=90)
#: ``taobao.trades.sold.increment.get`` asks for a window of one day at most (§4.1.2).
INCREMENT_WINDOW = timedelta(days=1)

SOLD_GET = "taobao.trades.sold.get"
INCREMENT_GET = "taobao.trades.sold.increment.get"
FULLINFO_GET = "taobao.trade.fullinfo.get"
OFFLINE_SEND = "taobao.logistics.offline.send"
ORDERS_DETAIL_GET = "taobao.logistics.orders.detail.get"
TRACE_SEARCH = "taobao.logistics.trace.search"

#: The six APIs of the guide's §4, in its order: the ones with typed helpers and probes.
GUIDE_APIS = (SOLD_GET, INCREMENT_GET, FULLINFO_GET, OFFLINE_SEND, ORDERS_DETAIL_GET, TRACE_SEARCH)
#: APIs that read or change a customer's data: they need the seller's authorization (a
#: session), and TOP serves them over https only (§3.1 a, §3.5).
CUSTOMER_AUTHORIZED_APIS = frozenset(GUIDE_APIS)

OFFLINE_ERROR = "isv.logistics-offline-service-error"
#: is_split and sub_tid must be given together, or neither.
SPLIT_FLAGS_APART = f"{OFFLINE_ERROR}:CD25"
#: is_split=1 without sub_tid.
SPLIT_WITHOUT_SUB_TID = f"{OFFLINE_ERROR}:CD26"
#: A split asked for an order that cannot be split (it has a single sub-order).
NOT_A_SPLIT_ORDER = f"{OFFLINE_ERROR}:CD29"
#: sub_tid names a sub-order that is not one of the order's, or one already shipped.
SUB_TID_MISMATCH = f"{OFFLINE_ERROR}:B06"
#: Offline shipping does not serve this kind of order (cash on delivery).
KIND_NOT_SERVED = f"{OFFLINE_ERROR}:B98"
#: A partly shipped order: the rest ships only as a split.
ALREADY_SPLIT = f"{OFFLINE_ERROR}:CD27"

HTTPS_ONLY_ADVICE = (
    "called over http, but {api} needs the customer's authorization and TOP serves it over "
    "https only (guide §3.1 a): use an https:// gateway such as https://eco.taobao.com/router/rest"
)


def invalid_parameter(name: str) -> str:
    return f"isv.invalid-parameter:{name}"


Arguments = Callable[[datetime], dict[str, object]]


@dataclass(frozen=True)
class UsageRule:
    api: str
    #: Short and stable: it names the checker's ``rule:<api>:<key>`` step.
    key: str
    section: str
    #: What the applicant reads beside the API.
    text: str
    #: What to do when a call broke the rule.
    advice: str = ""
    #: The sub-codes a gateway answers when a call breaks the rule; empty for guidance only.
    sub_codes: tuple[str, ...] = ()
    #: A call that breaks the rule and can neither read a customer's data nor change anything,
    #: for the checker's rules pass; None when there is no such call.
    probe: Arguments | None = None
    links: tuple[str, ...] = field(default=())

    @property
    def is_enforced(self) -> bool:
        return bool(self.sub_codes)


def _older_than_history(now: datetime) -> dict[str, object]:
    return {
        "fields": "tid",
        "start_created": now - HISTORY - timedelta(days=2),
        "end_created": now - HISTORY - timedelta(days=1),
        "page_no": 1,
        "page_size": 1,
    }


def _two_day_window(now: datetime) -> dict[str, object]:
    return {
        "fields": "tid",
        "start_modified": now - 2 * INCREMENT_WINDOW,
        "end_modified": now,
        "page_no": 1,
        "page_size": 1,
        "use_has_next": True,
    }


def _split_without_sub_tid(now: datetime) -> dict[str, object]:
    # tid 1 belongs to no seller: whatever a gateway checks first, nothing can ship.
    return {"tid": 1, "out_sid": "RULEPROBE0", "company_code": "SF", "is_split": 1}


RULES: tuple[UsageRule, ...] = (
    UsageRule(
        SOLD_GET,
        "three-months",
        "§4.1",
        "Returns orders created during the past 3 months; start_created further back is refused.",
        "taobao.trades.sold.get reaches back 3 months only (guide §4.1): keep start_created "
        "within the last 90 days, and keep older orders in the APP's own store",
        (invalid_parameter("start_created"),),
        _older_than_history,
    ),
    UsageRule(
        SOLD_GET,
        "initialise-once",
        "§4.1.2",
        "Slow: use it once, to initialise the APP's copy of the orders; then keep it up to date "
        "with taobao.trades.sold.increment.get.",
    ),
    UsageRule(
        SOLD_GET,
        "to-deliver",
        "§4.2.3 a",
        'Orders waiting to be shipped: status="WAIT_SELLER_SEND_GOODS".',
    ),
    UsageRule(
        INCREMENT_GET,
        "one-day",
        "§4.1.2",
        "Returns orders changed in a window of at most one day (end_modified − start_modified "
        "≤ 1 day), within the past 3 months.",
        "taobao.trades.sold.increment.get accepts at most one day between start_modified and "
        "end_modified, within the last 3 months (guide §4.1.2): split a longer span into "
        "one-day slices, and initialise older history once with taobao.trades.sold.get",
        (invalid_parameter("end_modified"), invalid_parameter("start_modified")),
        _two_day_window,
    ),
    UsageRule(
        FULLINFO_GET,
        "details",
        "§4.1.2",
        "The two trades APIs return an order's basic facts; this one returns its details.",
    ),
    UsageRule(
        OFFLINE_SEND,
        "own-delivery",
        "§4.2.2",
        "Only for a seller who delivers with their own delivery system. To use Taobao's delivery "
        "service, ship in the Taobao online delivery system (L8): no TOP API provides it.",
        links=("L8",),
    ),
    UsageRule(
        OFFLINE_SEND,
        "no-cod",
        "§4.2.2",
        "Cash on delivery (COD) is not supported: a COD order is refused.",
        "taobao.logistics.offline.send does not ship cash-on-delivery orders (guide §4.2.2): "
        "ship them in the Taobao online delivery system (L8)",
        (KIND_NOT_SERVED,),
        links=("L8",),
    ),
    UsageRule(
        OFFLINE_SEND,
        "split",
        "§4.2.3 b",
        "Give tid, out_sid (waybill number) and company_code. An order shipped in parts also "
        "takes is_split=1 and sub_tid (its sub-order IDs, comma-separated).",
        "a split shipment takes is_split=1 together with sub_tid, the order's own sub-order IDs "
        "(oid) comma-separated (guide §4.2.3 b); an order shipped in one piece takes neither, and "
        "the rest of a partly shipped order ships as a split",
        (
            SPLIT_FLAGS_APART,
            SPLIT_WITHOUT_SUB_TID,
            NOT_A_SPLIT_ORDER,
            SUB_TID_MISMATCH,
            ALREADY_SPLIT,
            invalid_parameter("is_split"),
            invalid_parameter("sub_tid"),
        ),
        _split_without_sub_tid,
    ),
    UsageRule(
        ORDERS_DETAIL_GET,
        "query",
        "§4.2.1",
        "Returns the seller's logistics orders for a buyer (buyer_nick), an order ID (tid) or a "
        "time frame (start_created, end_created).",
        "taobao.logistics.orders.detail.get selects by buyer_nick, tid or a time frame whose "
        "end_created is not before its start_created (guide §4.2.1)",
        (invalid_parameter("end_created"),),
    ),
    UsageRule(
        TRACE_SEARCH,
        "tracking",
        "§4.2.2",
        "Returns the transit steps of one order's shipment, by its order ID (tid).",
    ),
)

#: Refunds are not an API at all (§4.3).
REFUND_NOTE = (
    "Refunds are not supported through the TOP API: the seller handles them in the Taobao "
    "online delivery system (L8), guide §4.3."
)


def rules_for(api: str) -> list[UsageRule]:
    return [rule for rule in RULES if rule.api == api]


def rule_broken(api: str, sub_code: str | None) -> UsageRule | None:
    """The rule of ``api`` that an error with ``sub_code`` says was broken, if any."""
    if not sub_code:
        return None
    return next((rule for rule in rules_for(api) if sub_code in rule.sub_codes), None)


def probed_rules(apis: list[str]) -> list[UsageRule]:
    """The rules the checker's rules pass can prove, for the APIs asked for, in their order."""
    return [rule for api in dict.fromkeys(apis) for rule in rules_for(api) if rule.probe]


def needs_customer_authorization(api: str) -> bool:
    return api in CUSTOMER_AUTHORIZED_APIS
