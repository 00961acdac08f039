"""Stage 3 and 4a evidence: signed connectivity-checker reports proving the APP reaches TOP.

The APP secret passes through :func:`run_checker` only; it is never stored, logged or
rendered back. What is kept is a signed envelope (``top.evidence``): the desk signs its own
sandbox runs; a run on the applicant's host (the only way to prove the cloud) is signed with a
one-time evidence token. Whether evidence counts is recomputed from the stored envelope every
time it is shown or relied on, never taken from a flag or from the report's own claims.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from storage import StoredObject, safe_download_name
from top import evidence as signed
from top.egress import EgressPolicy
from top.report import CheckReport
from workflow import files
from workflow.apps import provenance
from workflow.apps.provenance import Verdict
from workflow.apps.report_schema import Payload, ReportProblem, load_report
from workflow.decisions import decide
from workflow.errors import DomainError, NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    DecisionKind,
    Evidence,
    EvidenceKind,
    EvidenceToken,
    Journey,
    User,
)
from workflow.models.base import utcnow
from workflow.policy import Action, authorize

#: The state in which each kind of evidence is collected.
EVIDENCE_STATE = {
    EvidenceKind.sandbox: "sandbox_verification",
    EvidenceKind.cloud: "cloud_verification",
}
#: An uploaded report is a checker JSON file; anything bigger is not one.
MAX_REPORT_BYTES = 256 * 1024
ENVIRONMENT_NAMES = {"sandbox": _l("the TOP sandbox"), "production": _l("TOP production")}
NO_ENVIRONMENT = _l("no TOP environment")
NOT_AN_ENVIRONMENT = _l("not a TOP environment")
REQUIRED_GATEWAY = {
    EvidenceKind.sandbox: _l(
        "Sandbox evidence must come from the TOP sandbox gateway (gw.api.tbsandbox.com)"
    ),
    EvidenceKind.cloud: _l(
        "Cloud evidence must come from a TOP production gateway "
        "(gw.api.taobao.com, eco.taobao.com or api.taobao.com)"
    ),
}

#: Each check by name, mid-sentence ("this journey's sandbox check").
CHECK_NAMES = {EvidenceKind.sandbox: _l("sandbox"), EvidenceKind.cloud: _l("cloud")}
COLLECTED_ONLY = {
    EvidenceKind.sandbox: _l("Sandbox evidence is collected only during that check."),
    EvidenceKind.cloud: _l("Cloud evidence is collected only during that check."),
}


def _check_name(stage: str):
    """A report's stage as a check's name; a stage the desk does not know, as it came."""
    try:
        return CHECK_NAMES[EvidenceKind(stage)]
    except ValueError:
        return stage


def run_checker(
    gateway: str,
    app_key: str,
    app_secret: str,
    sign_method: str,
    session: str | None,
    apis: Iterable[str],
    rules: bool = False,
    egress: EgressPolicy | None = None,
) -> CheckReport:
    """Run the TOP checker once from the desk (the secret is used for this run only).

    With ``rules`` it also proves the gateway enforces each API's usage rules (``top.rules``).
    ``egress`` guards a gateway URL the applicant typed (``top.egress``); the gateways this
    desk names itself are configuration and need none.
    """
    from top.checker import run_check

    try:
        return run_check(
            gateway,
            app_key,
            app_secret,
            sign_method,
            session or None,
            tuple(apis),
            rules=rules,
            egress=egress,
        )
    except ValueError as exc:  # a malformed gateway URL or sign method
        raise DomainError(str(exc).replace(app_secret, "***") if app_secret else str(exc)) from None


def attach_desk_run(
    journey: Journey, kind: EvidenceKind, actor: User, report: CheckReport
) -> Evidence:
    """Sign a run the desk made itself and keep it as sandbox evidence."""
    authorize(actor, Action.attach_evidence, journey)
    _ensure_collecting(journey, kind)
    if kind is EvidenceKind.cloud:
        raise DomainError(
            _l(
                "Cloud evidence must be a run on the cloud host itself, not from this desk: get an "
                "evidence token and run the checker there."
            )
        )
    _refuse_gateway(kind, report.gateway)
    payload = signed.build_payload(
        report,
        journey_id=journey.id,
        stage=kind.value,
        source="desk",
        host=signed.host_facts(report.gateway_address),
    )
    envelope = provenance.sign_desk_run(payload)
    return _record(journey, kind, actor, envelope, source="checker", passing=report.ok)


def issue_evidence_token(journey: Journey, kind: EvidenceKind, actor: User) -> signed.EvidenceToken:
    """A one-time token for running the checker on the applicant's own host."""
    authorize(actor, Action.issue_evidence_token, journey)
    _ensure_collecting(journey, kind)
    if journey.app is None:
        raise DomainError(_l("Register the APP first."))
    return provenance.issue_token(journey, kind, actor)


def attach_uploaded_report(
    journey: Journey,
    kind: EvidenceKind,
    actor: User,
    stream: BinaryIO,
    filename: str,
    *,
    only_token: str | None = None,
) -> Evidence:
    """Accept a report signed with an evidence token, if every fact in it holds up.

    ``only_token`` is the public ID of the token that authorised the request (the API's
    evidence route): a report signed with any other token is refused. Refusals raise
    :class:`ReportProblem` (a 400) naming the first thing wrong; nothing is stored and the
    token stays as it was.
    """
    authorize(actor, Action.attach_evidence, journey)
    _ensure_collecting(journey, kind)
    head = stream.read(MAX_REPORT_BYTES + 1)
    if len(head) > MAX_REPORT_BYTES:
        raise ReportProblem(
            _l(
                "A signed report is at most %(size)d KB; upload the file the checker wrote.",
                size=MAX_REPORT_BYTES // 1024,
            )
        )
    report = load_report(head)
    if not report.key_id.startswith("token:"):
        raise ReportProblem(
            _l(
                "Uploaded evidence must be signed with an evidence token from this page; runs from "
                "this desk are attached on the checker page."
            )
        )
    public_id = report.key_id.removeprefix("token:")
    if only_token is not None and public_id != only_token:
        raise ReportProblem(
            _l("The report is signed with another evidence token than the one sent with it.")
        )
    token = provenance.token_row(public_id)
    if token is None or token.journey_id != journey.id or token.kind is not kind:
        raise ReportProblem(
            _l(
                "The report is signed with an evidence token that was not issued for this "
                "journey's %(check)s check.",
                check=CHECK_NAMES[kind],
            )
        )
    verdict, _ = provenance.verdict_of(report.raw)
    if not verdict.ok:
        raise ReportProblem(verdict.message)
    _refuse_spent(token)
    for problem in binding_problems(report.payload, journey, kind, token):
        raise ReportProblem(problem)
    _spend(token)
    with files.stored(io.BytesIO(head), content_type="application/json") as obj:
        return _record(
            journey,
            kind,
            actor,
            report.raw,
            source="upload",
            passing=report.payload.all_checks_pass,
            token=token,
            stored=obj,
            filename=filename,
        )


def withdraw_evidence(journey: Journey, actor: User, evidence_id: int) -> Evidence:
    """The applicant takes a report back while its check is still collecting evidence.

    The row and its file stay on record; it no longer counts towards the stage.
    """
    authorize(actor, Action.withdraw_evidence, journey)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.journey_id != journey.id:
        raise NotFound(_l("No such evidence."))
    _ensure_collecting(journey, evidence.kind)
    if evidence.withdrawn_at is not None:
        raise DomainError(_l("This report is already withdrawn."))
    evidence.withdrawn_at = utcnow()
    db.session.flush()
    about = {"evidence": evidence.kind.value, "passing": evidence.is_passing}
    decide(journey, actor, DecisionKind.evidence_withdrawn, [evidence], about)
    return evidence


def binding_problems(
    payload: Payload, journey: Journey, kind: EvidenceKind, token: EvidenceToken | None
) -> list[str]:
    """What ties the report to another journey, stage, APP or gateway than this one."""
    problems = []
    app_key = journey.app.app_key if journey.app else ""
    if payload.journey_id != journey.id:
        problems.append(
            _l("The report was made for journey %(id)s, not this one.", id=payload.journey_id)
        )
    if payload.stage != kind.value:
        problems.append(
            _l(
                "The report was made for the %(stage)s check, not the %(check)s.",
                stage=_check_name(payload.stage),
                check=CHECK_NAMES[kind],
            )
        )
    if payload.app_key != app_key:
        problems.append(
            _l(
                "The report checks APP %(reported)s, but this journey's APP is %(app_key)s.",
                reported=payload.app_key,
                app_key=app_key,
            )
        )
    if token is not None and (
        payload.token_id != token.public_id
        or (token.journey_id, token.kind, token.app_key) != (journey.id, kind, app_key)
    ):
        problems.append(_l("The report's evidence token was issued for another APP or check."))
    if kind is EvidenceKind.cloud and payload.source != "host":
        problems.append(
            _l(
                "%(required)s, run on the cloud host, not from this desk.",
                required=REQUIRED_GATEWAY[kind],
            )
        )
    problems += _gateway_problems(kind, payload.gateway)
    return problems


def _gateway_problems(kind: EvidenceKind, gateway: str) -> list[str]:
    found = signed.classify_gateway(gateway)
    wanted = signed.STAGE_ENVIRONMENT[kind.value]
    if found.environment != wanted:
        where = ENVIRONMENT_NAMES.get(found.environment, NO_ENVIRONMENT)
        return [
            _l(
                "%(required)s; this run checked %(gateway)s (%(where)s).",
                required=REQUIRED_GATEWAY[kind],
                gateway=gateway,
                where=where,
            )
        ]
    if found.is_stand_in:
        config = current_app.config
        required = REQUIRED_GATEWAY[kind]
        if not config["TOP_DEMO_STAND_INS"]:
            return [
                _l(
                    "%(required)s; stand-in gateways count only on a demo desk.",
                    required=required,
                )
            ]
        if _origin(gateway) != _origin(config["TOP_GATEWAY_URL"]):
            return [
                _l(
                    "%(required)s; the only stand-in is this desk's local gateway.",
                    required=required,
                )
            ]
    return []


def _refuse_gateway(kind: EvidenceKind, gateway: str) -> None:
    for problem in _gateway_problems(kind, gateway):
        raise DomainError(problem)


def _refuse_spent(token: EvidenceToken) -> None:
    if token.used_at is not None:
        raise ReportProblem(
            _l(
                "This evidence token was already used at %(at)s UTC; a token signs one report. "
                "Get a new token on the evidence page.",
                at=token.used_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    if provenance.is_expired(token, utcnow()):
        raise ReportProblem(
            _l(
                "This evidence token expired at %(at)s UTC. Get a new token on the evidence page "
                "and run the checker again.",
                at=token.expires_at.strftime("%Y-%m-%d %H:%M"),
            )
        )


def _spend(token: EvidenceToken) -> None:
    """Mark the token used, in this transaction; of two uploads at once only one gets it."""
    result = db.session.execute(
        update(EvidenceToken)
        .where(EvidenceToken.id == token.id, EvidenceToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ReportProblem(_l("This evidence token was already used; a token signs one report."))
    db.session.refresh(token)


def _record(
    journey: Journey,
    kind: EvidenceKind,
    actor: User,
    envelope: dict[str, Any],
    *,
    source: str,
    passing: bool,
    token: EvidenceToken | None = None,
    stored: StoredObject | None = None,
    filename: str = "",
) -> Evidence:
    """Keep a signed report (and the file it came in) as evidence; the chain records it."""
    evidence = Evidence(
        journey_id=journey.id,
        kind=kind,
        source=source,
        is_passing=passing,
        report=envelope,
        key_id=envelope["signature"]["key_id"],
        token_id=token.id if token is not None else None,
        created_by_id=actor.id,
    )
    if stored is not None:
        # The name is the uploader's: no directories, control or invisible characters.
        evidence.file_id = stored.file_id
        evidence.filename = safe_download_name(filename, fallback="report.json")
        evidence.sha256, evidence.size = stored.sha256, stored.size
    db.session.add(evidence)
    db.session.flush()
    about = {"evidence": kind.value, "passing": passing, "key_id": evidence.key_id}
    decide(journey, actor, DecisionKind.evidence_attached, [evidence], about)
    return evidence


# --- reading evidence back -----------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    """A stored report as pages and packets show it: read through the schema, verdict fresh."""

    id: int
    kind: EvidenceKind
    created_at: datetime
    source: str
    filename: str | None
    has_file: bool
    withdrawn_at: datetime | None
    verdict: Verdict
    payload: Payload | None
    #: Why verified evidence still does not count here (another APP, the wrong gateway…).
    problem: str | None

    @property
    def counts(self) -> bool:
        return (
            self.withdrawn_at is None
            and self.verdict.ok
            and self.payload is not None
            and self.payload.all_checks_pass
            and self.problem is None
        )

    @property
    def gateway_label(self) -> str:
        if self.payload is None:
            return ""
        kind = signed.classify_gateway(self.payload.gateway)
        name = ENVIRONMENT_NAMES.get(kind.environment, NOT_AN_ENVIRONMENT)
        if kind.is_stand_in:
            return _l(
                "stand-in for %(name)s (the desk's local gateway, not a real TOP gateway)",
                name=name,
            )
        return _l("%(name)s (real TOP gateway)", name=name) if kind.environment != "other" else name

    @property
    def result_label(self) -> str:
        if self.counts:
            return _l("Counts as evidence")
        if self.withdrawn_at is not None:
            return _l("Withdrawn: does not count")
        if not self.verdict.ok:
            return _l("Does not count: signature not verified")
        if self.problem:
            return _l("Does not count")
        return _l("Does not count: some checks failed")


def view_of(evidence: Evidence, journey: Journey) -> EvidenceView:
    tokens = _page_tokens(journey)
    verdict, report = provenance.verdict_of(evidence.report, tokens)
    problem = None
    if report is not None and verdict.ok:
        token = None
        if evidence.token_id:
            token = next((t for t in tokens.values() if t.id == evidence.token_id), None)
            token = token or db.session.get(EvidenceToken, evidence.token_id)
        if report.key_id.startswith("token:") and token is None:
            problem = _l("The evidence row lost its token.")
        found = binding_problems(report.payload, journey, evidence.kind, token)
        problem = problem or (found[0] if found else None)
    return EvidenceView(
        id=evidence.id,
        kind=evidence.kind,
        created_at=evidence.created_at,
        source=evidence.source,
        filename=evidence.filename,
        has_file=bool(evidence.file_id),
        withdrawn_at=evidence.withdrawn_at,
        verdict=verdict,
        payload=report.payload if report is not None else None,
        problem=problem,
    )


def _page_tokens(journey: Journey) -> dict[str, EvidenceToken]:
    """The journey's evidence tokens by public ID, read once for a page; none elsewhere, where
    each report's token is looked up by itself."""
    loaded = journey.preloaded("evidence_tokens")
    if loaded is None:
        return {}
    return journey.page_value("evidence_tokens", lambda: {t.public_id: t for t in loaded})


def evidence_of(journey: Journey, kind: EvidenceKind) -> list[EvidenceView]:
    loaded = journey.preloaded("evidence")
    if loaded is not None:
        rows = [row for row in reversed(loaded) if row.kind == kind]
    else:
        stmt = select(Evidence).where(Evidence.journey_id == journey.id, Evidence.kind == kind)
        rows = db.session.scalars(stmt.order_by(Evidence.id.desc()))
    return [view_of(row, journey) for row in rows]


def has_passing_evidence(journey: Journey, kind: EvidenceKind) -> bool:
    return any(view.counts for view in evidence_of(journey, kind))


def _ensure_collecting(journey: Journey, kind: EvidenceKind) -> None:
    if journey.state != EVIDENCE_STATE[kind]:
        raise DomainError(COLLECTED_ONLY[kind])


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()
