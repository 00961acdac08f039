"""The native libraries that shape a packet's bytes, and the refusal when one is missing.

WeasyPrint lays out text with Pango, shapes it with HarfBuzz, finds fonts through fontconfig and
cuts each embedded font down to the glyphs a packet uses with HarfBuzz's subsetter. Without the
subsetter WeasyPrint falls back to fontTools, whose output is not even stable from one render to
the next, so a packet could no longer be rebuilt to the same bytes. The desk refuses to render
instead of falling back silently, and the packet cache key names the versions of all of them.
"""

from __future__ import annotations

import ctypes
import logging
import warnings
from functools import cache

from workflow.errors import DomainError

with warnings.catch_warnings():
    # WeasyPrint warns at import when the subsetter is missing. The desk says it itself, in one
    # line with the fix, when a packet is asked for (``ensure_renderer``).
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    import pydyf
    import weasyprint
    from weasyprint.text import ffi as weasyprint_ffi

log = logging.getLogger(__name__)

INSTALL_COMMAND = "apt-get install libharfbuzz-subset0"
#: HarfBuzz below this has no subsetter WeasyPrint uses.
MIN_HARFBUZZ = (4, 1, 0)


class RendererUnavailable(DomainError):
    """This machine cannot render packets that stay byte-identical; the message says the fix."""

    status_code = 503


def harfbuzz_subset_available() -> bool:
    """True when WeasyPrint will subset fonts with HarfBuzz (its own test, on its own handles)."""
    if weasyprint_ffi.harfbuzz_subset is None:
        return False
    return bool(weasyprint_ffi.harfbuzz.hb_version_atleast(*MIN_HARFBUZZ))


def missing_renderer_message() -> str:
    return (
        "Packets cannot be rendered on this server: HarfBuzz subsetting (libharfbuzz-subset0) is "
        f"missing. Install it with `{INSTALL_COMMAND}` (or `make system-deps`)."
    )


def ensure_renderer() -> None:
    """Refuse, in one line that names the fix, to render without HarfBuzz subsetting."""
    if not harfbuzz_subset_available():
        message = missing_renderer_message()
        log.error(message)
        raise RendererUnavailable(message)


@cache
def native_versions() -> dict[str, str]:
    """The version of every library whose change can change a packet's bytes."""
    return {
        "weasyprint": weasyprint.__version__,
        "pydyf": pydyf.__version__,
        "harfbuzz": _c_string("libharfbuzz.so.0", "hb_version_string"),
        "harfbuzz-subset": "yes" if harfbuzz_subset_available() else "no",
        "pango": _c_string("libpango-1.0.so.0", "pango_version_string"),
        "fontconfig": _c_int("libfontconfig.so.1", "FcGetVersion"),
    }


def _c_string(library: str, function: str) -> str:
    try:
        fn = getattr(ctypes.CDLL(library), function)
    except (OSError, AttributeError):
        return "unknown"
    fn.restype = ctypes.c_char_p
    return fn().decode("ascii", "replace")


def _c_int(library: str, function: str) -> str:
    try:
        fn = getattr(ctypes.CDLL(library), function)
    except (OSError, AttributeError):
        return "unknown"
    fn.restype = ctypes.c_int
    return str(fn())
