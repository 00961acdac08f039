"""Stage 3 and 4a evidence: connectivity-checker reports proving the APP reaches TOP.

The APP secret passes through :func:`run_checker` only; it is never stored, logged or
rendered back. What is kept is the report dict, which the checker already scrubs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, BinaryIO

from sqlalchemy import select

from storage import StoredObject
from workflow import files
from workflow.decisions import decide
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.models import DecisionKind, Evidence, EvidenceKind, Journey, User
from workflow.models.base import utcnow
from workflow.policy import Action, authorize

#: The state in which each kind of evidence is collected.
EVIDENCE_STATE = {
    EvidenceKind.sandbox: "sandbox_verification",
    EvidenceKind.cloud: "cloud_verification",
}
#: An uploaded report is a checker JSON file; anything bigger is not one.
MAX_REPORT_BYTES = 1024 * 1024


def run_checker(
    gateway: str,
    app_key: str,
    app_secret: str,
    sign_method: str,
    session: str | None,
    apis: Iterable[str],
) -> dict[str, Any]:
    """Run the TOP checker once and return its report dict (which never holds the secret)."""
    from top.checker import run_check

    try:
        report = run_check(gateway, app_key, app_secret, sign_method, session or None, tuple(apis))
    except ValueError as exc:  # a malformed gateway URL or sign method
        raise DomainError(str(exc).replace(app_secret, "***") if app_secret else str(exc)) from None
    return report.to_dict()


def attach_evidence(
    journey: Journey,
    kind: EvidenceKind,
    actor: User,
    report: dict[str, Any],
    *,
    source: str = "checker",
    stored: StoredObject | None = None,
    filename: str = "",
) -> Evidence:
    """Keep a checker report (and the uploaded file it came in) as evidence for the stage the
    journey is in; the chain records it with its verdict."""
    authorize(actor, Action.attach_evidence, journey)
    _ensure_collecting(journey, kind)
    evidence = Evidence(
        journey_id=journey.id,
        kind=kind,
        source=source,
        is_passing=report_passes(report),
        report=report,
        created_by_id=actor.id,
    )
    if stored is not None:
        evidence.file_id, evidence.filename = stored.file_id, filename[:255]
        evidence.sha256, evidence.size = stored.sha256, stored.size
    db.session.add(evidence)
    db.session.flush()
    about = {"evidence": kind.value, "passing": evidence.is_passing}
    decide(journey, actor, DecisionKind.evidence_attached, [evidence], about)
    return evidence


def withdraw_evidence(journey: Journey, actor: User, evidence_id: int) -> Evidence:
    """The applicant takes a report back while its check is still collecting evidence.

    The row and its file stay on record; it no longer counts towards the stage.
    """
    authorize(actor, Action.withdraw_evidence, journey)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.journey_id != journey.id:
        raise NotFound("No such evidence.")
    _ensure_collecting(journey, evidence.kind)
    if evidence.withdrawn_at is not None:
        raise DomainError("This report is already withdrawn.")
    evidence.withdrawn_at = utcnow()
    db.session.flush()
    about = {"evidence": evidence.kind.value, "passing": evidence.is_passing}
    decide(journey, actor, DecisionKind.evidence_withdrawn, [evidence], about)
    return evidence


def attach_uploaded_report(
    journey: Journey, kind: EvidenceKind, actor: User, stream: BinaryIO, filename: str
) -> Evidence:
    """Store an uploaded checker JSON report (``top check --json``) and keep it as evidence."""
    authorize(actor, Action.attach_evidence, journey)
    _ensure_collecting(journey, kind)
    head = stream.read(MAX_REPORT_BYTES + 1)
    if len(head) > MAX_REPORT_BYTES:
        raise DomainError("A checker report is at most 1 MB; upload the JSON the checker printed.")
    report = _parse_report(head, journey.app.app_key if journey.app else "")
    with files.stored(_bytes_stream(head), content_type="application/json") as obj:
        evidence = attach_evidence(
            journey, kind, actor, report, source="upload", stored=obj, filename=filename
        )
    return evidence


def report_passes(report: dict[str, Any]) -> bool:
    checks = report.get("checks") or []
    return bool(report.get("ok")) and bool(checks) and all(c.get("ok") for c in checks)


def has_passing_evidence(journey: Journey, kind: EvidenceKind) -> bool:
    stmt = select(Evidence.id).where(
        Evidence.journey_id == journey.id,
        Evidence.kind == kind,
        Evidence.is_passing.is_(True),
        Evidence.withdrawn_at.is_(None),
    )
    return db.session.scalar(stmt.limit(1)) is not None


def evidence_of(journey: Journey, kind: EvidenceKind) -> list[Evidence]:
    stmt = select(Evidence).where(Evidence.journey_id == journey.id, Evidence.kind == kind)
    return list(db.session.scalars(stmt.order_by(Evidence.id.desc())))


def _ensure_collecting(journey: Journey, kind: EvidenceKind) -> None:
    if journey.state != EVIDENCE_STATE[kind]:
        raise DomainError(
            f"{kind.value.capitalize()} evidence is collected only during that check."
        )


def _parse_report(raw: bytes, app_key: str) -> dict[str, Any]:
    try:
        report = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError("The file is not a checker JSON report.") from None
    if isinstance(report, dict) and isinstance(report.get("apps"), list):
        # The checker's many-APP form: keep the run of this journey's APP.
        mine = [a.get("report") for a in report["apps"] if a.get("app_key") == app_key]
        report = mine[0] if mine else None
    if not isinstance(report, dict) or not isinstance(report.get("checks"), list):
        raise DomainError("The JSON has no list of checks; upload the checker's report.")
    if not all(isinstance(c, dict) and "name" in c and "ok" in c for c in report["checks"]):
        raise DomainError("Each check in the report needs a name and a result.")
    return report


def _bytes_stream(data: bytes) -> BinaryIO:
    return io.BytesIO(data)
