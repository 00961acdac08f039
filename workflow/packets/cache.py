"""A key that names a packet's bytes before they are rendered.

The key covers every input field (documents by their SHA-256, never by their bytes) and the
renderer itself: templates, this package's code, the font files, WeasyPrint and the native
libraries under it (HarfBuzz, Pango, fontconfig). A deploy or a machine that changes any of them
gives new keys instead of serving stale packets.
"""

import hashlib
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from workflow.distribution import sellerids

from .bilingual import CATALOG
from .context import TEMPLATE_DIR
from .data import PacketData
from .fetcher import FONT_FILES
from .manifest import canonical_json
from .native import native_versions

_PACKAGE_DIR = Path(__file__).resolve().parent


def packet_cache_key(data: PacketData, *, renderer: str | None = None) -> str:
    """The key of ``data`` rendered by ``renderer`` (a ``renderer_digest``; this machine's by
    default, another to ask whether the data alone still matches a recorded packet)."""
    payload = {"renderer": renderer or renderer_digest(), "data": plain(data)}
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def plain(value: Any) -> Any:
    """A JSON-ready copy of the input; fields declared ``compare=False`` (``open``) are skipped."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name))
            for field in fields(value)
            if field.compare
        }
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


@cache
def renderer_digest() -> str:
    """Digest of everything besides the data that shapes the output; computed once a process."""
    digest = hashlib.sha256()
    for name, version in sorted(native_versions().items()):
        digest.update(f"{name} {version}\n".encode())
    sources = [
        *sorted(TEMPLATE_DIR.rglob("*")),
        *sorted(_PACKAGE_DIR.glob("*.py")),
        Path(sellerids.__file__),  # defines the canonical seller list the packet embeds
        CATALOG,  # the Chinese beside each heading and label
    ]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name, path in sorted(FONT_FILES.items()):
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        digest.update(f"{name} {content}\n".encode())
    return digest.hexdigest()
