"""Compare what the database references with what the storage holds."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


def sweep_orphans(
    storage: Storage, referenced: Collection[str], *, older_than: timedelta, now: datetime
) -> list[str]:
    """Delete the objects no row references that were stored before ``now - older_than``.

    Only for what the rollback hook could not delete (the process died before its commit, or a
    commit failed while the database could not say whether it was applied). ``older_than`` must
    exceed the longest request, so that an upload whose row is about to commit is spared.
    """
    cutoff = now - older_than
    swept = []
    for file_id in sorted(set(storage.iter_ids()) - set(referenced)):
        try:
            if storage.stored_at(file_id) >= cutoff:
                continue
        except ObjectNotFound:
            continue
        storage.delete(file_id)
        swept.append(file_id)
    return swept
