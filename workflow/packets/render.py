"""Render a packet: Jinja2 HTML through WeasyPrint to a PDF/A-3b with the originals embedded.

``render_packet`` is pure: the same ``PacketData`` (and the same templates, fonts and WeasyPrint)
gives the same bytes. The PDF dates come from ``submitted_at``, attachment dates too, and the
trailer /ID is WeasyPrint's digest of the file's own objects, so nothing depends on the clock.
"""

import hashlib
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import pydyf
import weasyprint

from .context import render_html
from .data import PacketData
from .fetcher import PacketAssetFetcher
from .manifest import (
    MANIFEST_NAME,
    SELLER_LIST_NAME,
    EmbeddedDocument,
    embedded_documents,
    manifest_bytes,
    seller_list_bytes,
)
from .native import ensure_renderer

PDF_VARIANT = "pdf/a-3b"

# Files larger than this are probed before compressing: most uploads (PDF, PNG, JPEG, ZIP) are
# already compressed, and deflating them again only costs time.
_PROBE_SIZE = 256 * 1024
_WORTH_COMPRESSING = 0.9
_SAFE_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+$")


class PacketSourceMismatch(ValueError):
    """A stored document's bytes no longer match the size or SHA-256 recorded for it."""


@dataclass(frozen=True)
class _EmbeddedFile:
    name: str
    content: bytes
    media_type: str
    relationship: str  #: PDF/A-3 AFRelationship: Source for originals, Data for derived files
    description: str


def render_packet(data: PacketData, *, fetcher: PacketAssetFetcher | None = None) -> bytes:
    """The packet as PDF/A-3b bytes. Raises ``PacketSourceMismatch`` if a document changed, and
    ``RendererUnavailable`` on a machine whose output would not be reproducible."""
    ensure_renderer()
    files = _embedded_files(data)
    submitted_at = data.submitted_at.astimezone(UTC)  # WeasyPrint writes the fields with a "Z"
    attachments = [
        weasyprint.Attachment(
            string=file.content,
            name=file.name,
            description=file.description,
            created=submitted_at,
            modified=submitted_at,
            relationship=file.relationship,
        )
        for file in files
    ]
    html = weasyprint.HTML(string=render_html(data), url_fetcher=fetcher or PacketAssetFetcher())
    return html.write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=attachments,
        finisher=_embedded_file_finisher(list(zip(attachments, files, strict=True))),
    )


def _embedded_files(data: PacketData) -> list[_EmbeddedFile]:
    """The manifest, the seller list and every document, sorted by name (as a PDF name tree
    must be)."""
    files = [
        _EmbeddedFile(MANIFEST_NAME, manifest_bytes(data), "application/json", "Data", "Manifest")
    ]
    seller_list = seller_list_bytes(data)
    if seller_list is not None:
        description = f"{data.seller_list_title}, canonical list"
        files.append(
            _EmbeddedFile(SELLER_LIST_NAME, seller_list, "text/plain", "Data", description)
        )
    for document in embedded_documents(data):
        files.append(
            _EmbeddedFile(
                document.attachment_name,
                _read_verified(document),
                document.entry.content_type,
                "Source",
                _describe(document),
            )
        )
    return sorted(files, key=lambda file: file.name)


def _read_verified(document: EmbeddedDocument) -> bytes:
    entry = document.entry
    with entry.open() as stream:
        content = stream.read()
    if len(content) != entry.size or hashlib.sha256(content).hexdigest() != entry.sha256:
        raise PacketSourceMismatch(
            f"{entry.filename!r} ({entry.kind_label}) does not match its recorded size and SHA-256"
        )
    return content


def _describe(document: EmbeddedDocument) -> str:
    entry = document.entry
    return f"{entry.kind_label}, version {entry.version}, {entry.review_status}"


def _embedded_file_finisher(
    attachments: list[tuple[weasyprint.Attachment, _EmbeddedFile]],
) -> Callable[[Any, pydyf.PDF], None]:
    def finish(_document: Any, pdf: pydyf.PDF) -> None:
        # WeasyPrint guesses media types from file names and keys embedded files by the MD5 it
        # computed while writing them; put back the content type each document was stored with.
        media_types = {attachment.md5: file.media_type for attachment, file in attachments}
        for pdf_object in pdf.objects:
            if isinstance(pdf_object, pydyf.Stream) and (
                pdf_object.extra.get("Type") == "/EmbeddedFile"
            ):
                _set_media_type(pdf_object, media_types)
                _compress_once(pdf_object)
        _deduplicate_associated_files(pdf)

    return finish


def _deduplicate_associated_files(pdf: pydyf.PDF) -> None:
    """WeasyPrint 70 lists each embedded file twice in the catalog's /AF; list each once."""
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _set_media_type(stream: pydyf.Stream, media_types: dict[str, str]) -> None:
    checksum = str(stream.extra["Params"]["CheckSum"]).strip("<>")
    media_type = media_types.get(checksum, "")
    if _SAFE_MEDIA_TYPE.match(media_type):
        stream.extra["Subtype"] = "/" + media_type.replace("/", "#2f")


def _compress_once(stream: pydyf.Stream) -> None:
    """Deflate an embedded file once, and only if it shrinks.

    pydyf deflates each stream at level 9 and, for the trailer /ID, serialises every object twice;
    for megabytes of attachments that is most of the render time. Handing pydyf finished bytes
    with compression off keeps the output identical in meaning and deterministic.
    """
    if not stream.compress:
        return  # the caller asked for an uncompressed PDF
    content = b"".join(stream.stream)
    stream.compress = False
    probe = content[:_PROBE_SIZE]
    if probe and len(zlib.compress(probe, 1)) > _WORTH_COMPRESSING * len(probe):
        return
    stream.stream = [zlib.compress(content, 6)]
    stream.extra["Filter"] = "/FlateDecode"
