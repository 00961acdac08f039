"""How the checker calls each API without changing anything.

Read APIs are called for real with the smallest possible page. APIs that need an ID the
checker does not have, and the one write API (``taobao.logistics.offline.send``), are probed:
they are called *without* their required arguments. The gateway checks the APP's permission
(code 11) and the seller's authorization (12) before it looks at arguments, so an answer of
code 40/41 proves the permission is there while nothing can have been shipped or read.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Probe:
    arguments: Callable[[datetime], dict[str, object]]
    #: True when the call deliberately leaves out a required argument.
    permission_only: bool = False


def _none(now: datetime) -> dict[str, object]:
    return {}


def _one_trade(now: datetime) -> dict[str, object]:
    return {"fields": "tid,status", "page_no": 1, "page_size": 1}


def _last_hour(now: datetime) -> dict[str, object]:
    return {
        "fields": "tid,status",
        "start_modified": now - timedelta(hours=1),
        "end_modified": now,
        "page_no": 1,
        "page_size": 1,
        "use_has_next": True,
    }


def _fields_only(now: datetime) -> dict[str, object]:
    return {"fields": "tid,status"}


PROBES: dict[str, Probe] = {
    "taobao.time.get": Probe(_none),
    "taobao.user.seller.get": Probe(lambda now: {"fields": "nick,user_id"}),
    "taobao.trades.sold.get": Probe(_one_trade),
    "taobao.trades.sold.increment.get": Probe(_last_hour),
    "taobao.logistics.orders.detail.get": Probe(_one_trade),
    # No tid: permission is proven without reading a particular buyer's data.
    "taobao.trade.fullinfo.get": Probe(_fields_only, permission_only=True),
    "taobao.logistics.trace.search": Probe(_none, permission_only=True),
    # No tid, out_sid or company_code: nothing can be shipped.
    "taobao.logistics.offline.send": Probe(_none, permission_only=True),
}


def probe_for(method: str) -> Probe | None:
    """The probe of a method the checker knows; any other TOP method is not called at all.

    An APP may ask for any TOP API by name, but only these have a call known to be harmless:
    even a name ending in ``.get`` may read a customer's data when called without arguments.
    """
    return PROBES.get(method)
