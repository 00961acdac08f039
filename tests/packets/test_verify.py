"""verify_packet on good packets and on packets tampered with after rendering."""

import copy
import hashlib
import json
from io import BytesIO

from pypdf import PdfWriter

from workflow.packets import render_packet, verify_packet


def rewrite(pdf: bytes, change) -> bytes:
    """Apply ``change`` to a pypdf copy of the packet, as someone editing it would."""
    writer = PdfWriter(clone_from=BytesIO(pdf))
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def replace_attachment(name: str, content: bytes):
    def change(writer: PdfWriter) -> None:
        for item in writer.attachment_list:
            if item.alternative_name == name:
                item.content = content

    return change


def failures(report) -> dict[str, str]:
    return {check.check: check.detail for check in report.checks if not check.ok}


def test_good_packet_verifies_with_expected_hashes(isv_packet) -> None:
    data, pdf = isv_packet
    report = verify_packet(
        pdf, expected_sha256=hashlib.sha256(pdf).hexdigest(), expected_chain_hash=data.chain_hash
    )
    assert report.ok, report.lines()
    checked = {check.check for check in report.checks}
    assert {"packet sha256", "chain hash", "pdf/a-3b identification", "manifest"} <= checked
    assert sum(name.startswith("attachment doc") for name in checked) == len(data.documents)
    assert report.manifest["reference"] == data.reference
    assert report.lines()[-1] == "packet verified"


def test_verify_reads_a_stream(isv_packet) -> None:
    _, pdf = isv_packet
    assert verify_packet(BytesIO(pdf)).ok


def test_seller_list_is_verified(samples) -> None:
    pdf = render_packet(samples.make("distribution"))
    report = verify_packet(pdf)
    assert report.ok, report.lines()
    assert any(c.check == "seller list count" and "40 IDs" in c.detail for c in report.checks)

    tampered = verify_packet(rewrite(pdf, replace_attachment("seller-ids.txt", b"1\n2\n")))
    assert not tampered.ok
    assert "sha256" in failures(tampered)["attachment seller-ids.txt"]


def test_tampered_attachment_fails(isv_packet) -> None:
    data, pdf = isv_packet
    name = "doc02-scan-1.png"
    report = verify_packet(rewrite(pdf, replace_attachment(name, b"not the bank proof")))
    assert not report.ok
    assert f"manifest says {data.documents[1].sha256}" in failures(report)[f"attachment {name}"]
    assert report.lines()[-1] == "packet FAILED verification"


def test_manifest_rewritten_to_match_still_fails_on_packet_hash(isv_packet) -> None:
    """Changing a file and the manifest together passes the internal checks, but the packet's own
    hash, recorded on the Event, gives it away."""
    _, pdf = isv_packet
    name = "doc02-scan-1.png"
    manifest = copy.deepcopy(verify_packet(pdf).manifest)
    forged = b"forged bank proof"
    for document in manifest["documents"]:
        if document["attachment"] == name:
            document.update(size=len(forged), sha256=hashlib.sha256(forged).hexdigest())

    def forge(writer: PdfWriter) -> None:
        replace_attachment(name, forged)(writer)
        replace_attachment("manifest.json", json.dumps(manifest).encode())(writer)

    forged_pdf = rewrite(pdf, forge)
    assert verify_packet(forged_pdf).ok
    report = verify_packet(forged_pdf, expected_sha256=hashlib.sha256(pdf).hexdigest())
    assert set(failures(report)) == {"packet sha256"}


def test_unlisted_attachment_fails(isv_packet) -> None:
    _, pdf = isv_packet
    report = verify_packet(rewrite(pdf, lambda w: w.add_attachment("extra.exe", b"MZ")))
    assert failures(report) == {"attachment extra.exe": "embedded but not listed in the manifest"}


def test_wrong_expected_hashes_fail(isv_packet) -> None:
    _, pdf = isv_packet
    report = verify_packet(pdf, expected_sha256="0" * 64, expected_chain_hash="d" * 64)
    assert set(failures(report)) == {"packet sha256", "chain hash"}


def test_not_a_pdf_fails() -> None:
    report = verify_packet(b"GIF89a not a packet")
    assert not report.ok
    assert "pdf readable" in failures(report)


def test_pdf_without_manifest_fails(samples) -> None:
    report = verify_packet(samples.tiny_pdf("some other PDF"))
    assert failures(report).keys() == {"pdf/a-3b identification", "manifest"}


def test_duplicate_seller_ids_count_once(samples) -> None:
    pdf = render_packet(samples.make("distribution", seller_ids=[2208000000005, 2208000000003] * 2))
    report = verify_packet(pdf)
    assert report.ok, report.lines()
    assert report.manifest["seller_list"]["count"] == 2
