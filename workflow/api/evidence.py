"""Checker evidence posted to ``/api/v1`` from the host where the checker ran.

The request is authorised by the journey's evidence token alone (``Authorization: Bearer
tev1.…``), never by a personal token: the token allows exactly one thing, posting the one
report it signed to its own journey's check. :func:`authenticate_evidence_token` checks the
token for the route's journey and check and makes the user who got the token the request's
user; the gate then asks the policy about ``attach_evidence`` as for the page, and the view
calls the page's operation (``attach_uploaded_report``), which spends the token.
"""

from __future__ import annotations

import hmac
import io
from typing import Any, Literal

from flask import g, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from top import evidence as signed
from workflow import operations
from workflow.api.auth import EVIDENCE_AUTHENTICATOR, EVIDENCE_TOKEN_KEY
from workflow.api.problems import Problem, field_errors
from workflow.api.spec import documented
from workflow.api.views import _IDEMPOTENCY_KEY, _IF_MATCH_OPTIONAL, _optional_version, _write, bp
from workflow.apps import provenance
from workflow.apps.evidence import MAX_REPORT_BYTES, attach_uploaded_report, view_of
from workflow.apps.report_schema import ReportProblem
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import EvidenceKind, EvidenceToken, User
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action
from workflow.web.limits import rate_limit


class SignedReportIn(BaseModel):
    """The file ``top check --evidence-token`` writes, sent as it is."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["top-evidence/1"]
    payload: dict[str, Any] = Field(description="The run: checks, host, APP key, gateway.")
    signature: dict[str, Any] = Field(description="HMAC-SHA256 over the payload, by the token.")


class EvidenceOut(BaseModel):
    id: int
    kind: str
    passing: bool = Field(description="Every check of the run passed.")
    verdict: str = Field(description="The signature as checked now: verified, bad_signature…")
    counts: bool = Field(description="Whether the report counts as the check's evidence.")
    result: str = Field(description="What the journey's evidence page says of the report.")
    key_id: str
    journey_version: int


def authenticate_evidence_token(
    header: str | None, view_args: dict
) -> tuple[EvidenceToken, User] | None:
    """The evidence token of a ``Bearer tev1.…`` header and its user, if the token is this
    desk's and was issued for the route's journey and check; None for any other header."""
    scheme, _, text = (header or "").partition(" ")
    text = text.strip()
    if scheme.lower() != "bearer" or not text.startswith(signed.TOKEN_PREFIX + "."):
        return None
    refused = Problem(
        401,
        _l(
            "This evidence token is not one this desk issued; copy it whole from the evidence page."
        ),
        [{"field": "Authorization", "detail": "not an evidence token of this desk"}],
    )
    try:
        token = signed.EvidenceToken.parse(text)
    except ValueError:
        raise refused from None
    row = provenance.token_row(token.token_id)
    issued = provenance.token_of(row) if row is not None else None
    if issued is None or not hmac.compare_digest(issued.secret.encode(), token.secret.encode()):
        raise refused
    if (row.journey_id, row.kind.value) != (view_args.get("journey_id"), view_args.get("kind")):
        raise Problem(
            403,
            _l(
                "This evidence token allows posting its report to journey %(id)d's %(check)s "
                "check only.",
                id=row.journey_id,
                check=row.kind.value,
            ),
            [{"field": "Authorization", "detail": "issued for another journey or check"}],
        )
    user = db.session.get(User, row.created_by_id) if row.created_by_id else None
    if user is None or not user.is_active:
        raise Problem(
            401,
            _l("The person who got this evidence token can no longer use the desk."),
            [{"field": "Authorization", "detail": "its user is switched off"}],
        )
    return row, user


def _takes_evidence_token(view):
    setattr(view, EVIDENCE_AUTHENTICATOR, authenticate_evidence_token)
    return view


@bp.post("/journeys/<int:journey_id>/evidence/<kind>")
@requires_action(Action.attach_evidence, target=journey_of)
@rate_limit("api")
@documented(
    summary="Post a signed checker report with its evidence token (kind: sandbox, cloud)",
    tag="journeys",
    body=SignedReportIn,
    response=EvidenceOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 413, 415, 422),
    etag=True,
    security="evidenceToken",
    description="What `top check --evidence-token TOKEN --post-to URL` sends from the host "
    "where it ran. Authorised by that evidence token alone (`Authorization: Bearer tev1.…`), "
    "which allows this one upload: its journey, its check, its APP key, once. The same checks "
    "as the report uploaded on the evidence page; a refused report leaves the token unused.",
)
@_takes_evidence_token
def post_evidence(journey_id: int, kind: str):
    row = g.get(EVIDENCE_TOKEN_KEY)
    if row is None:
        raise Problem(
            403,
            _l(
                "Checker evidence is posted with its evidence token "
                "(Authorization: Bearer tev1.…), not with a personal token."
            ),
            [{"field": "Authorization", "detail": "an evidence token is needed"}],
        )
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        raise NotFound(_l("No such check.")) from None
    user = current_user._get_current_object()

    def act():
        data = _report_bytes()
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        try:
            evidence = attach_uploaded_report(
                journey,
                evidence_kind,
                user,
                io.BytesIO(data),
                f"top-evidence-{journey_id}-{kind}.json",
                only_token=row.public_id,
            )
        except ReportProblem as exc:
            raise Problem(422, exc.message, [{"field": "body", "detail": exc.message}]) from None
        view = view_of(evidence, journey)
        result = EvidenceOut(
            id=evidence.id,
            kind=evidence_kind.value,
            passing=evidence.is_passing,
            verdict=view.verdict.status,
            counts=view.counts,
            result=str(view.result_label),
            key_id=evidence.key_id,
            journey_version=journey.version_id,
        )
        return 201, result, journey.version_id

    return _write(user, act)


def _report_bytes() -> bytes:
    """The body, if it is a report's shape at all; the operation checks everything in it."""
    if (request.content_length or 0) > MAX_REPORT_BYTES:
        raise Problem(
            413,
            _l("A signed report is at most %(size)d KB.", size=MAX_REPORT_BYTES // 1024),
            [{"field": "body", "detail": f"at most {MAX_REPORT_BYTES} bytes"}],
        )
    if request.mimetype != "application/json":
        raise Problem(
            415,
            _l("Send the body as JSON (Content-Type: application/json)."),
            [{"field": "Content-Type", "detail": "must be application/json"}],
        )
    data = request.get_data(cache=True)
    try:
        SignedReportIn.model_validate_json(data)
    except ValidationError as exc:
        raise Problem(
            422, _l("The body is not a signed checker report."), field_errors(exc)
        ) from None
    return data
