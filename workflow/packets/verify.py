"""Check a packet from the PDF alone: its embedded files against its manifest, and its hashes
against what the app recorded.

The embedded ``manifest.json`` proves the attachments are the files the packet lists. It cannot
prove the packet itself is the one that was sent: that is what ``expected_sha256`` (the hash on
the journey's Event) is for.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, BinaryIO
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .manifest import MANIFEST_NAME

PDFA_NAMESPACE = "{http://www.aiim.org/pdfa/ns/id/}"


@dataclass(frozen=True)
class VerifyCheck:
    check: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    packet_sha256: str
    checks: list[VerifyCheck] = field(default_factory=list)
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, check: str, ok: bool, detail: str) -> None:
        self.checks.append(VerifyCheck(check, ok, detail))

    def lines(self) -> list[str]:
        """The report as the CLI prints it: one line a check, then a verdict."""
        rows = [f"{'ok  ' if c.ok else 'FAIL'}  {c.check}: {c.detail}" for c in self.checks]
        verdict = "packet verified" if self.ok else "packet FAILED verification"
        return [f"packet sha256 {self.packet_sha256}", *rows, verdict]


def verify_packet(
    pdf: bytes | BinaryIO,
    *,
    expected_sha256: str | None = None,
    expected_chain_hash: str | None = None,
) -> VerifyReport:
    content = pdf if isinstance(pdf, bytes) else pdf.read()
    report = VerifyReport(packet_sha256=hashlib.sha256(content).hexdigest())
    if expected_sha256 is not None:
        _compare(report, "packet sha256", report.packet_sha256, expected_sha256.lower())
    try:
        reader = PdfReader(BytesIO(content))
        files = _embedded_files(reader)
    except (PyPdfError, ValueError, KeyError) as error:
        report.add("pdf readable", False, f"cannot read the PDF ({error})")
        return report
    _check_pdfa(report, reader)
    manifest = _load_manifest(report, files)
    if manifest is None:
        return report
    report.manifest = manifest
    _check_documents(report, manifest, files)
    _check_seller_list(report, manifest, files)
    _check_unlisted(report, manifest, files)
    if expected_chain_hash is not None:
        _compare(report, "chain hash", str(manifest.get("chain_hash")), expected_chain_hash)
    return report


def pdfa_identification(reader: PdfReader) -> tuple[str, str] | None:
    """(part, conformance) from the XMP metadata, e.g. ("3", "B"), or None if not declared."""
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None:
        return None
    values = dict(_pdfa_values(ElementTree.fromstring(metadata.get_object().get_data())))
    if "part" not in values:
        return None
    return values["part"], values.get("conformance", "")


def _pdfa_values(root: ElementTree.Element) -> Iterator[tuple[str, str]]:
    # XMP allows a property both as an attribute and as a child element.
    for element in root.iter():
        for key, value in element.attrib.items():
            if key.startswith(PDFA_NAMESPACE):
                yield key.removeprefix(PDFA_NAMESPACE), value
        if element.tag.startswith(PDFA_NAMESPACE) and element.text:
            yield element.tag.removeprefix(PDFA_NAMESPACE), element.text.strip()


def _embedded_files(reader: PdfReader) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for embedded in reader.attachment_list:
        name = embedded.alternative_name or embedded.name
        if name in files:
            raise ValueError(f"two embedded files are named {name!r}")
        files[name] = embedded.content
    return files


def _check_pdfa(report: VerifyReport, reader: PdfReader) -> None:
    identification = pdfa_identification(reader)
    ok = identification == ("3", "B")
    found = "PDF/A-{}{}".format(*identification) if identification else "no PDF/A identification"
    report.add("pdf/a-3b identification", ok, found)


def _load_manifest(report: VerifyReport, files: dict[str, bytes]) -> dict[str, Any] | None:
    if MANIFEST_NAME not in files:
        report.add("manifest", False, f"no embedded {MANIFEST_NAME}")
        return None
    try:
        manifest = json.loads(files[MANIFEST_NAME])
    except ValueError as error:
        report.add("manifest", False, f"{MANIFEST_NAME} is not valid JSON ({error})")
        return None
    documents = len(manifest.get("documents", []))
    report.add("manifest", True, f"{manifest.get('reference')}, {documents} documents")
    return manifest


def _check_documents(
    report: VerifyReport, manifest: dict[str, Any], files: dict[str, bytes]
) -> None:
    for document in manifest.get("documents", []):
        _check_file(report, document["attachment"], document["size"], document["sha256"], files)


def _check_seller_list(
    report: VerifyReport, manifest: dict[str, Any], files: dict[str, bytes]
) -> None:
    seller_list = manifest.get("seller_list")
    if not seller_list:
        return
    name = seller_list["attachment"]
    if _check_file(report, name, None, seller_list["sha256"], files):
        count = files[name].count(b"\n")
        report.add(
            "seller list count", count == seller_list["count"], f"{count} IDs listed in {name}"
        )


def _check_file(
    report: VerifyReport, name: str, size: int | None, sha256: str, files: dict[str, bytes]
) -> bool:
    label = f"attachment {name}"
    if name not in files:
        report.add(label, False, "listed in the manifest but not embedded")
        return False
    content = files[name]
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        report.add(label, False, f"sha256 {actual}, manifest says {sha256}")
        return False
    if size is not None and len(content) != size:
        report.add(label, False, f"{len(content)} bytes, manifest says {size}")
        return False
    report.add(label, True, f"{len(content)} bytes, sha256 {actual}")
    return True


def _check_unlisted(
    report: VerifyReport, manifest: dict[str, Any], files: dict[str, bytes]
) -> None:
    listed = {MANIFEST_NAME, *(document["attachment"] for document in manifest["documents"])}
    if manifest.get("seller_list"):
        listed.add(manifest["seller_list"]["attachment"])
    for name in sorted(set(files) - listed):
        report.add(f"attachment {name}", False, "embedded but not listed in the manifest")


def _compare(report: VerifyReport, check: str, actual: str, expected: str) -> None:
    detail = actual if actual == expected else f"{actual}, expected {expected}"
    report.add(check, actual == expected, detail)
