"""Compare what the database references with what the storage holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from .base import ObjectNotFound, Storage


class Mismatch(NamedTuple):
    file_id: str
    expected_sha256: str
    actual_sha256: str


@dataclass
class ConsistencyReport:
    #: Referenced by a row, but no object exists.
    missing: list[str] = field(default_factory=list)
    #: The object exists, but its bytes no longer hash to the recorded SHA-256.
    mismatched: list[Mismatch] = field(default_factory=list)
    #: Stored, but no row references it (an upload whose transaction rolled back, say).
    orphans: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def is_consistent(self) -> bool:
        return not (self.missing or self.mismatched or self.orphans)


def check_consistency(storage: Storage, referenced: Mapping[str, str]) -> ConsistencyReport:
    """Hash every referenced object and list the stored objects nobody references.

    An upload in flight (saved, its row not yet committed) shows up as an orphan, so callers
    that delete orphans should only do so for objects older than any request can run.
    """
    stored_ids = set(storage.iter_ids())
    report = ConsistencyReport(orphans=sorted(stored_ids - referenced.keys()))
    for file_id in sorted(referenced):
        expected = referenced[file_id].lower()
        actual = _checksum_or_none(storage, file_id) if file_id in stored_ids else None
        report.checked += 1
        if actual is None:
            report.missing.append(file_id)
        elif actual != expected:
            report.mismatched.append(Mismatch(file_id, expected, actual))
    return report


def _checksum_or_none(storage: Storage, file_id: str) -> str | None:
    try:
        return storage.checksum(file_id)
    except ObjectNotFound:  # deleted between the listing and the read
        return None
