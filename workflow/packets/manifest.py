"""The machine-readable manifest embedded in every packet, and the names of its attachments.

``manifest.json`` lets anyone check a packet from the PDF alone: it lists every embedded file with
its size and SHA-256, the seller list's count and checksum, and the chain hash of the trail.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from workflow.distribution.sellerids import canonical_bytes

from .data import DocumentEntry, PacketData

MANIFEST_NAME = "manifest.json"
SELLER_LIST_NAME = "seller-ids.txt"
MANIFEST_FORMAT = "top-onboarding-packet/1"

_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class EmbeddedDocument:
    """A document as it sits in the packet: its entry plus the unique attachment name."""

    number: int
    attachment_name: str
    entry: DocumentEntry


def attachment_name(number: int, filename: str) -> str:
    """``doc03-Bank proof.pdf``: unique, sortable, and still the name the applicant gave."""
    cleaned = _UNSAFE_NAME_CHARS.sub("_", unicodedata.normalize("NFC", filename)).strip(" .")
    return f"doc{number:02d}-{cleaned or 'file'}"


def embedded_documents(data: PacketData) -> list[EmbeddedDocument]:
    return [
        EmbeddedDocument(number, attachment_name(number, entry.filename), entry)
        for number, entry in enumerate(data.documents, start=1)
    ]


def seller_list_summary(data: PacketData) -> dict[str, Any] | None:
    """Count and SHA-256 of the canonical list (distinct IDs ascending, one a line, UTF-8)."""
    canonical = seller_list_bytes(data)
    if canonical is None:
        return None
    return {
        "attachment": SELLER_LIST_NAME,
        "count": canonical.count(b"\n"),
        "sha256": hashlib.sha256(canonical).hexdigest(),
    }


def seller_list_bytes(data: PacketData) -> bytes | None:
    return None if data.seller_ids is None else canonical_bytes(data.seller_ids)


def build_manifest(data: PacketData) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "reference": data.reference,
        "kind": data.kind,
        "account_name": data.account_name,
        "taobao_account_id": data.taobao_account_id,
        "app_key": data.app_key,
        "submitted_at": data.submitted_at.astimezone(UTC).isoformat(),
        "documents": [_document_record(document) for document in embedded_documents(data)],
        "seller_list": seller_list_summary(data),
        "chain_hash": data.chain_hash,
    }


def manifest_bytes(data: PacketData) -> bytes:
    return canonical_json(build_manifest(data))


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _document_record(document: EmbeddedDocument) -> dict[str, Any]:
    entry = document.entry
    return {
        "attachment": document.attachment_name,
        "filename": entry.filename,
        "kind": entry.kind_label,
        "version": entry.version,
        "review_status": entry.review_status,
        "content_type": entry.content_type,
        "size": entry.size,
        "sha256": entry.sha256,
    }
