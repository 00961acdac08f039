"""What the reviewer is told about documents d and f: does the text name the taobao account ID
and the authorized signatory? Pure functions over the text a document version keeps.

The findings are worked out when they are shown, from the kept text and the current names, so a
signatory named after the upload is still looked for. The text is the PDF's own text layer, or
what OCR read from a scan (in the background: until it finishes the finding says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workflow.enablement.prechecks import mentions
from workflow.i18n import _l

Subject = Literal["account_id", "signatory"]
Status = Literal["found", "not_found", "unknown", "running", "failed", "unchecked"]

#: Which names each searched document must carry (letters as in the guide, §2.2).
SEARCHED: dict[str, tuple[Subject, ...]] = {
    "d": ("account_id", "signatory"),
    "f": ("signatory",),
}
_SUBJECT = {"account_id": _l("taobao account ID"), "signatory": _l("authorized signatory")}
_SOURCE = {"pdf": _l("in the PDF's text"), "ocr": _l("by OCR")}


@dataclass(frozen=True)
class Finding:
    subject: Subject
    status: Status
    message: str

    @property
    def level(self) -> str:
        """As a precheck's level, so both lists look alike."""
        return {"found": "ok", "running": "running"}.get(self.status, "warning")


def document_findings(
    letter: str,
    *,
    text: str,
    text_source: str | None,
    ocr_status: str | None,
    ocr_error: str = "",
    account_id: str,
    signatory_name: str,
) -> list[Finding]:
    """One finding per name the document ``letter`` must carry; none for other documents."""
    wanted = {"account_id": account_id, "signatory": signatory_name}
    return [
        _finding(subject, " ".join((wanted[subject] or "").split()), text, text_source,
                 ocr_status, ocr_error)
        for subject in SEARCHED.get(letter, ())
    ]  # fmt: skip


def _finding(
    subject: Subject,
    name: str,
    text: str,
    text_source: str | None,
    ocr_status: str | None,
    ocr_error: str,
) -> Finding:
    what = _SUBJECT[subject]
    if ocr_status == "running":
        return Finding(
            subject,
            "running",
            _l("OCR running: the %(what)s is looked for when it ends.", what=what),
        )
    if not name:
        absent = (
            _l("No taobao account ID is known, so it could not be looked for.")
            if subject == "account_id"
            else _l(
                "No authorized signatory is named in the company details, so it could not be "
                "looked for."
            )
        )
        return Finding(subject, "unknown", absent)
    if text.strip() and text_source in _SOURCE:
        where = _SOURCE[text_source]
        found = dict(what=what, name=name, where=where)
        if mentions(text, name, loose=text_source == "ocr"):
            return Finding(
                subject, "found", _l("The %(what)s %(name)s was found %(where)s.", **found)
            )
        return Finding(
            subject, "not_found", _l("The %(what)s %(name)s was not found %(where)s.", **found)
        )
    if ocr_status == "failed":
        message = (
            _l(
                "OCR could not read the document (%(reason)s): check the %(what)s by eye.",
                reason=ocr_error,
                what=what,
            )
            if ocr_error
            else _l("OCR could not read the document: check the %(what)s by eye.", what=what)
        )
        return Finding(subject, "failed", message)
    return Finding(
        subject,
        "unchecked",
        _l("No text to search: check the %(what)s %(name)s by eye.", what=what, name=name),
    )


def account_id_found(findings: list[Finding]) -> bool:
    return any(f.subject == "account_id" and f.status == "found" for f in findings)
