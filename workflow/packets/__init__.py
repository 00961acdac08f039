"""PDF packets: every submission as a self-contained PDF/A-3b that anyone can verify later.

Build a ``PacketData`` from the models, ``render_packet`` it (cache the bytes under
``packet_cache_key``), and check a packet with ``verify_packet``. See docs/packets.md.
"""

# First: it imports WeasyPrint, whose import-time warning about a missing HarfBuzz subsetter the
# desk replaces with its own refusal (see native.py).
from .native import RendererUnavailable, ensure_renderer

# isort: split

from .cache import packet_cache_key
from .data import (
    PACKET_KINDS,
    DocumentEntry,
    PacketData,
    Section,
    SellerDiff,
    Table,
    TrailEvent,
)
from .fetcher import PacketAssetFetcher, RefusedURL
from .render import PacketSourceMismatch, render_packet
from .verify import VerifyCheck, VerifyReport, verify_packet

__all__ = [
    "PACKET_KINDS",
    "DocumentEntry",
    "PacketAssetFetcher",
    "PacketData",
    "PacketSourceMismatch",
    "RefusedURL",
    "RendererUnavailable",
    "Section",
    "SellerDiff",
    "Table",
    "TrailEvent",
    "VerifyCheck",
    "VerifyReport",
    "ensure_renderer",
    "packet_cache_key",
    "render_packet",
    "verify_packet",
]
