"""packet_cache_key names the bytes; the canonical seller list has a fixed definition."""

import hashlib
from dataclasses import replace
from io import BytesIO

from workflow.distribution.sellerids import canonical_bytes, canonical_sha256
from workflow.packets import packet_cache_key


def test_equal_inputs_give_equal_keys(samples) -> None:
    first = samples.make("enablement_isv")
    second = samples.make("enablement_isv")
    assert first is not second
    assert packet_cache_key(first) == packet_cache_key(second)
    assert len(packet_cache_key(first)) == 64


def test_how_a_document_is_opened_does_not_change_the_key(samples) -> None:
    data = samples.make("mrd_prd")
    entry = data.documents[0]
    reopened = replace(entry, open=lambda: BytesIO(b"same bytes, other stream"))
    same = replace(data, documents=[reopened, *data.documents[1:]])
    assert packet_cache_key(data) == packet_cache_key(same)


def test_every_input_changes_the_key(samples) -> None:
    data = samples.make("authorization")
    event = replace(data.events[1], comment="Please upload a full scan.")
    document = samples.document("MRD", "mrd.pdf", samples.tiny_pdf("MRD"))
    variants = [
        replace(data, reference="PKT-2024-OTHER"),
        replace(data, seller_ids=data.seller_ids[:-1]),
        replace(data, events=[data.events[0], event, data.events[2]]),
        replace(data, documents=[document]),
        replace(data, documents=[replace(document, sha256="0" * 64)]),
        replace(data, documents=[replace(document, review_status="accepted")]),
        replace(data, submitted_at=data.submitted_at.replace(second=1)),
        replace(data, exemption_note="Exemption approved."),
    ]
    keys = {packet_cache_key(variant) for variant in [data, *variants]}
    assert len(keys) == len(variants) + 1


def test_canonical_seller_list_contract() -> None:
    """Packets print and embed this form; verifiers elsewhere recompute it from the same rule."""
    assert canonical_bytes([30, 2, 100, 2]) == b"2\n30\n100\n"
    assert canonical_sha256([30, 2, 100]) == hashlib.sha256(b"2\n30\n100\n").hexdigest()
    assert canonical_bytes([]) == b""
