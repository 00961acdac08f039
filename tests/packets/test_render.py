"""Render every packet kind and read it back with pypdf."""

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from workflow.distribution.sellerids import canonical_bytes, canonical_sha256
from workflow.packets import (
    PACKET_KINDS,
    PacketSourceMismatch,
    render_packet,
)
from workflow.packets.verify import pdfa_identification


def read(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def attachments_by_name(reader: PdfReader) -> dict[str, bytes]:
    return {item.alternative_name: item.content for item in reader.attachment_list}


def font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def render_kind(samples):
    """Render each kind once for the whole module."""
    cache = {}

    def render(kind: str):
        if kind not in cache:
            data = samples.make(kind)
            pdf = render_packet(data)
            cache[kind] = (data, pdf, read(pdf))
        return cache[kind]

    return render


@pytest.fixture(params=PACKET_KINDS)
def rendered(request: pytest.FixtureRequest, render_kind):
    return render_kind(request.param)


def test_cover_shows_the_submission_facts(rendered, samples) -> None:
    data, _, reader = rendered
    cover = page_texts(reader)[0]
    for fact in (
        data.reference,
        data.kind_title,
        samples.company,
        data.taobao_account_id,
        data.app_name,
        data.app_key,
        data.reviewer_mailbox,
        "2024-05-06 02:30:00 UTC",
        "2024-05-06 10:30:00 GMT+8",
    ):
        assert fact in cover


def test_every_page_carries_reference_and_page_of_pages(rendered) -> None:
    data, _, reader = rendered
    texts = page_texts(reader)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert data.reference in text


def test_documents_are_embedded_unchanged_and_listed(rendered) -> None:
    data, _, reader = rendered
    embedded = attachments_by_name(reader)
    text = re.sub(r"\s+", "", "".join(page_texts(reader)))
    for number, entry in enumerate(data.documents, start=1):
        name = next(key for key in embedded if key.startswith(f"doc{number:02d}-"))
        assert hashlib.sha256(embedded[name]).hexdigest() == entry.sha256
        assert entry.sha256 in text
        assert entry.filename in text
    assert "manifest.json" in embedded
    assert len(embedded) == len(data.documents) + 1 + (data.seller_ids is not None)


@pytest.mark.parametrize("kind", ["authorization", "distribution"])
def test_seller_list_count_checksum_and_ids(render_kind, kind: str) -> None:
    data, _, reader = render_kind(kind)
    text = "".join(page_texts(reader))
    assert f"{len(data.seller_ids):,} IDs" in text
    assert canonical_sha256(data.seller_ids) in re.sub(r"\s+", "", text)
    assert str(max(data.seller_ids)) in text and str(min(data.seller_ids)) in text
    embedded = attachments_by_name(reader)["seller-ids.txt"]
    assert embedded == canonical_bytes(data.seller_ids)


def test_pdfa_3b_identification_in_xmp(rendered) -> None:
    _, pdf, reader = rendered
    assert pdfa_identification(reader) == ("3", "B")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert pdf.startswith(b"%PDF-1.7")


def test_attachments_declare_relationship_and_media_type(rendered) -> None:
    data, _, reader = rendered
    relationships = {}
    for item in reader.attachment_list:
        relationships[item.alternative_name] = str(item.pdf_object["/AFRelationship"])
        if item.alternative_name.startswith("doc"):
            assert item.subtype in ("/application/pdf", "/image/png")
    assert relationships.pop("manifest.json") == "/Data"
    assert all(value in ("/Source", "/Data") for value in relationships.values())
    assert len(reader.trailer["/Root"]["/AF"]) == len(data.documents) + 1 + bool(data.seller_ids)


def test_chinese_name_is_real_text_in_the_embedded_cjk_font(rendered, samples) -> None:
    _, _, reader = rendered
    assert samples.company in page_texts(reader)[0]
    # Every font is embedded (PDF/A), and the CJK glyphs come from WenQuanYi, not a fallback.
    assert any(name.endswith("+Packet-CJK") for name in font_names(reader))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]


def test_cjk_font_maps_the_company_name_glyphs(isv_packet, samples) -> None:
    _, pdf = isv_packet
    reader = read(pdf)
    cjk = next(
        font.get_object()
        for font in reader.pages[0]["/Resources"]["/Font"].values()
        if str(font.get_object()["/BaseFont"]).endswith("+Packet-CJK")
    )
    to_unicode = cjk["/ToUnicode"].get_object().get_data().decode("ascii")
    for character in samples.company:
        assert f"<{ord(character):04x}>" in to_unicode.lower()


def test_same_inputs_give_identical_bytes(samples) -> None:
    first = render_packet(samples.make("enablement_isv"))
    second = render_packet(samples.make("enablement_isv"))
    assert first == second


def test_bytes_do_not_depend_on_the_process(isv_packet) -> None:
    """Another interpreter, with another hash seed, renders the very same bytes."""
    here = Path(__file__).resolve().parent
    script = (
        "import hashlib, sys\n"
        f"sys.path[:0] = [{str(here.parents[1])!r}, {str(here)!r}]\n"
        "from conftest import make_packet_data\n"
        "from workflow.packets import render_packet\n"
        "print(hashlib.sha256(render_packet(make_packet_data('enablement_isv'))).hexdigest())\n"
    )
    _, pdf = isv_packet
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == hashlib.sha256(pdf).hexdigest()


def test_metadata_dates_come_from_the_submission(isv_packet) -> None:
    data, pdf = isv_packet
    metadata = read(pdf).metadata
    assert metadata.creation_date.replace(tzinfo=None) == data.submitted_at.replace(tzinfo=None)
    assert metadata.modification_date == metadata.creation_date


def test_trail_shows_comments_and_chain_hash(isv_packet) -> None:
    data, pdf = isv_packet
    text = "".join(page_texts(read(pdf)))
    assert "The signatory's ID is cut off" in text
    assert "request_changes" in text and "reviewer@tmall.example" in text
    assert data.chain_hash in re.sub(r"\s+", "", text)


def test_exemption_note_on_the_cover(samples) -> None:
    data = samples.make("distribution")
    cover = page_texts(read(render_packet(data)))[0]
    assert "Own-server exemption" in cover
    assert "PKT-2024-000087" in cover


def test_user_text_is_escaped_not_interpreted(samples) -> None:
    data = samples.make("cloud_plan", account_name='<img src="file:///etc/passwd">ACME')
    text = page_texts(read(render_packet(data)))[0]
    assert '<img src="file:///etc/passwd">ACME' in text


def test_document_that_changed_in_storage_is_refused(samples) -> None:
    entry = samples.document("MRD", "mrd.pdf", samples.tiny_pdf("MRD"))
    swapped = replace(entry, open=lambda: BytesIO(samples.tiny_pdf("something else")))
    with pytest.raises(PacketSourceMismatch, match="mrd.pdf"):
        render_packet(samples.make("mrd_prd", documents=[swapped]))


def test_naive_submission_time_is_rejected(samples) -> None:
    naive = samples.submitted_at.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        samples.make("exemption", submitted_at=naive)
