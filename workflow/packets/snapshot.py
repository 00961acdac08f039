"""Freeze a packet's inputs at submission, and thaw them for the worker that renders it.

The snapshot is the canonical JSON of the ``PacketData`` (``cache.plain``: what the cache key
covers) plus the stored object of each embedded document. Its SHA-256 goes into the
submission's chained event; the worker renders from the snapshot alone, never from the rows,
so a decision made after the submission cannot reach the packet, and ``flask packets verify``
can render it again and compare byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .cache import plain
from .data import DocumentEntry, PacketData, Section, SellerDiff, Table, TrailEvent
from .manifest import canonical_json

#: Bumped when the snapshot's shape changes; a worker refuses a version it does not know.
SNAPSHOT_VERSION = 1


class SnapshotUnreadable(ValueError):
    """A stored snapshot that this code cannot turn back into packet data."""


@dataclass(frozen=True)
class Frozen:
    text: str
    sha256: str


def freeze(data: PacketData) -> Frozen:
    """The snapshot of ``data``: canonical JSON text and its SHA-256."""
    files = [document.file_id for document in data.documents]
    if any(not file_id for file_id in files):
        raise ValueError("every document in a packet snapshot needs its stored file")
    payload = {"version": SNAPSHOT_VERSION, "data": plain(data), "files": files}
    raw = canonical_json(payload)
    return Frozen(raw.decode(), hashlib.sha256(raw).hexdigest())


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def thaw(text: str, open_file) -> PacketData:
    """The ``PacketData`` a snapshot holds; ``open_file(file_id)`` opens a document's bytes."""
    try:
        payload = json.loads(text)
        if payload.get("version") != SNAPSHOT_VERSION:
            raise SnapshotUnreadable(f"snapshot version {payload.get('version')!r} is unknown")
        return _packet_data(payload["data"], payload["files"], open_file)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, SnapshotUnreadable):
            raise
        raise SnapshotUnreadable(f"the snapshot cannot be read ({error})") from None


def _packet_data(data: dict[str, Any], files: list[str], open_file) -> PacketData:
    if len(files) != len(data["documents"]):
        raise SnapshotUnreadable("the snapshot lists a different number of files and documents")
    documents = [
        DocumentEntry(**entry, open=(lambda file_id=file_id: open_file(file_id)), file_id=file_id)
        for entry, file_id in zip(data["documents"], files, strict=True)
    ]
    diff = data["seller_diff"]
    return PacketData(
        **{
            **data,
            "submitted_at": datetime.fromisoformat(data["submitted_at"]),
            "sections": [_section(s) for s in data["sections"]],
            "documents": documents,
            "seller_diff": SellerDiff(**diff) if diff is not None else None,
            "events": [
                TrailEvent(**{**e, "at": datetime.fromisoformat(e["at"])}) for e in data["events"]
            ],
        }
    )


def _section(section: dict[str, Any]) -> Section:
    table = section["table"]
    return Section(
        title=section["title"],
        rows=[tuple(row) for row in section["rows"]],
        paragraphs=list(section["paragraphs"]),
        table=Table(**table) if table is not None else None,
    )
