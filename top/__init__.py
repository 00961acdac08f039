"""TOP (Taobao Open Platform) client, connectivity checker and local gateway.

Nothing here imports Flask: the package is used by the web app, by the ``top`` CLI group
and by tests alike.
"""

from top.checker import CheckReport, CheckResult, run_check, run_checks_concurrently
from top.client import TopClient, resolve_gateway
from top.errors import TopError, TopTransportError
from top.signing import sign, top_timestamp

__all__ = [
    "CheckReport",
    "CheckResult",
    "TopClient",
    "TopError",
    "TopTransportError",
    "resolve_gateway",
    "run_check",
    "run_checks_concurrently",
    "sign",
    "top_timestamp",
]
