"""The REST API under ``/api/v1``: journeys, their steps, and the review queue.

Every route declares its action like a page does, so the access gate asks the same policy
(``workflow.policy``) with the token's user; writes go through the same doors
(``operations.fire``, ``decisions.decide`` through the review operations), and are recorded in
the trail under the user, marked "via API" (``workflow.api.auth``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from workflow import operations, requirements
from workflow.api import schemas
from workflow.api.problems import SLUGS, Problem, field_errors, problem_for
from workflow.api.spec import Param, build_spec, documented
from workflow.apps import operations as apps
from workflow.deployment import operations as deployment
from workflow.deployment.forms import stage_form_class
from workflow.deployment.operations import form_action
from workflow.deployment.specs import SPECS
from workflow.distribution import operations as distribution
from workflow.distribution.operations import SellerListProblems, parse_seller_input
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    ApiRequest,
    Event,
    FormKind,
    IdempotentResponse,
    Journey,
    Packet,
    SellerListKind,
    User,
)
from workflow.packets.operations import filename as packet_filename
from workflow.packets.operations import get_packet_for
from workflow.policy import Action, authorize, event_action
from workflow.retention import ensure_file_kept
from workflow.review.operations import assign_journey
from workflow.stages import REVIEW_STATES, event_label, stage_of, state_name, waiting_for
from workflow.storage_setup import get_storage
from workflow.web.access import journey_of, public, requires_action, row_on_journey
from workflow.web.limits import rate_limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
#: The longest Idempotency-Key kept.
MAX_KEY = 200

#: A page's cursor is where the page before ended, spelled so that any value of the pattern
#: is one the list can start from: a journey id; for the queue, the waiting time's start in
#: microseconds since 1970 and the journey id.
_CURSOR = Param(
    "cursor", "query", "The next_cursor of the page before; none for the first page.",
    {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"},
)  # fmt: skip
_QUEUE_CURSOR = Param(
    "cursor", "query", "The next_cursor of the page before; none for the first page.",
    {"type": "string", "pattern": "^[0-9]{1,16}_[1-9][0-9]{0,8}$"},
)  # fmt: skip
_LIMIT = Param(
    "limit", "query", "Items per page.",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)  # fmt: skip
#: An entity tag as the journey's GET gives it: its version in quotes, e.g. "3" (a bare 3
#: and a weak W/"3" are taken too).
VERSION_TAG = re.compile(r'(?:W/)?"?([0-9]{1,10})"?')
_IF_MATCH = Param(
    "If-Match", "header", "The journey's version as its GET's ETag gave it, e.g. \"3\".",
    {"type": "string", "pattern": "^" + VERSION_TAG.pattern + "$"}, required=True,
)  # fmt: skip
_IF_MATCH_OPTIONAL = Param(
    "If-Match", "header", "The journey's version as its GET's ETag gave it, e.g. \"3\".",
    {"type": "string", "pattern": "^" + VERSION_TAG.pattern + "$"},
)  # fmt: skip
#: Printable ASCII, no space at either end (HTTP would drop it).
IDEMPOTENCY_KEY = re.compile(r"[!-~](?:[ -~]*[!-~])?")
_IDEMPOTENCY_KEY = Param(
    "Idempotency-Key", "header",
    "Any unique string per intended action: a retry with the same key and body gets the first "
    "answer again and acts once.",
    {"type": "string", "maxLength": MAX_KEY, "pattern": "^" + IDEMPOTENCY_KEY.pattern + "$"},
)  # fmt: skip


def _event_action(event: str, **_ignored) -> Action:
    action = event_action(event)
    if action is None:
        raise NotFound(_l("The journey has no step “%(event)s”.", event=event))
    return action


# --- errors: every refusal of the blueprint is a problem document ------------------------------


@bp.errorhandler(Exception)
def _problem(exc: Exception):
    return problem_for(exc)


# --- the document and its reference -----------------------------------------------------------


@bp.get("/openapi.json")
@public("the API's description, for anyone writing a client")
@documented(summary="This API's OpenAPI 3.1 document", tag="reference", public=True)
def openapi():
    return Response(
        json.dumps(build_spec(current_app), ensure_ascii=False, indent=1),
        mimetype="application/json",
    )


@bp.get("/docs")
@public("the API's reference, for anyone writing a client")
@documented(
    summary="The API's reference as a page", tag="reference", public=True, media_type="text/html"
)
def docs():
    return render_template("api/docs.html", spec=build_spec(current_app), slugs=SLUGS)


# --- journeys ----------------------------------------------------------------------------------


@bp.get("/journeys")
@requires_action(Action.use_desk)
@rate_limit("api")
@documented(
    summary="The journeys this token's user may see, oldest first",
    tag="journeys",
    response=schemas.JourneyPage,
    params=(_CURSOR, _LIMIT),
)
def list_journeys():
    user = current_user._get_current_object()
    limit = _limit()
    after = _cursor(JOURNEY_CURSOR)
    stmt = select(Journey).options(joinedload(Journey.account), joinedload(Journey.app))
    if not user.is_staff:
        stmt = stmt.where(Journey.account_id == (user.account_id or -1))
    if after:
        stmt = stmt.where(Journey.id > int(after[1]))
    rows = list(db.session.scalars(stmt.order_by(Journey.id).limit(limit + 1)).unique())
    for journey in rows:
        authorize(user, Action.view_journey, journey)
    more = len(rows) > limit
    rows = rows[:limit]
    page = schemas.JourneyPage(
        items=[_summary(j) for j in rows],
        next_cursor=str(rows[-1].id) if more else None,
    )
    return _json(page)


@bp.get("/journeys/<int:journey_id>")
@requires_action(Action.view_journey, target=journey_of)
@rate_limit("api")
@documented(
    summary="One journey: its stage and state, what it needs, the steps you may take",
    tag="journeys",
    response=schemas.JourneyDetail,
    problems=(404,),
    etag=True,
)
def show_journey(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    return _json(_detail(journey), etag=journey.version_id)


@bp.post("/journeys/<int:journey_id>/events/<event>")
@requires_action(_event_action, target=journey_of)
@rate_limit("api")
@documented(
    summary="Take a step of the journey (submit, approve, request changes…)",
    tag="journeys",
    body=schemas.EventIn,
    response=schemas.StepResult,
    status=201,
    params=(_IF_MATCH, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422, 428),
    etag=True,
    description=(
        "The events you may take are the journey's `events`. A reviewer's request_changes, "
        "reject and refuse_exemption need a `comment`, the reason the applicant reads."
    ),
)
def fire_event(journey_id: int, event: str):
    user = current_user._get_current_object()

    def act():
        body = _body(schemas.EventIn)
        journey = operations.get_journey_for(user, journey_id)
        version = _required_version(journey)
        row = operations.fire(
            journey, event, user, comment=body.comment, note=body.note, seen_version=version
        )
        result = schemas.StepResult(event=_event_out(row), journey=_detail(journey))
        return 201, result, journey.version_id

    return _write(user, act)


@bp.post("/journeys/<int:journey_id>/sellers/<kind>")
@requires_action(Action.edit_seller_list, target=journey_of)
@rate_limit("api")
@documented(
    summary="Save the authorization or distribution list of seller IDs (kind: authorization, "
    "distribution)",
    tag="journeys",
    body=schemas.SellerListIn,
    response=schemas.SellerListOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422),
    etag=True,
    description="The same checks as the journey page: a seller's own ID is always on its "
    "authorization list, a distribution list names only authorized sellers. A list with "
    "malformed lines is refused whole; `errors` names each line.",
)
def save_seller_list(journey_id: int, kind: str):
    user = current_user._get_current_object()
    try:
        list_kind = SellerListKind(kind)
    except ValueError:
        raise NotFound(_l("No such seller list.")) from None

    def act():
        body = _body(schemas.SellerListIn)
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        try:
            ids = parse_seller_input(body.text)
            saved = distribution.save_seller_list(journey, list_kind, user, ids)
        except SellerListProblems as exc:
            errors = [{"field": "text", "detail": line} for line in exc.lines]
            raise Problem(422, exc.message, errors) from None
        db.session.flush()
        result = schemas.SellerListOut(
            id=saved.id,
            kind=list_kind.value,
            count=saved.count,
            added=saved.added_count,
            removed=saved.removed_count,
            journey_version=journey.version_id,
        )
        return 201, result, journey.version_id

    return _write(user, act)


def _stage_forms_described() -> str:
    lines = ["The fields of each form (kind):"]
    for kind, spec in SPECS.items():
        names = ", ".join(
            f"`{f.name}`" + (" (tick)" if f.type == "check" else "") for f in spec.fields
        )
        lines.append(f"- `{kind.value}`: {names}")
    return "\n".join(lines)


@bp.post("/journeys/<int:journey_id>/forms/<kind>")
@requires_action(form_action, target=journey_of)
@rate_limit("api")
@documented(
    summary="Save a stage form (MRD, PRD, cloud plan, exemption…; staff: meeting minutes, the "
    "configured environment)",
    tag="journeys",
    body=schemas.StageFormIn,
    response=schemas.StageFormOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422),
    etag=True,
    description=_stage_forms_described(),
)
def save_stage_form(journey_id: int, kind: str):
    user = current_user._get_current_object()
    form_kind = FormKind(kind)  # the gate's form_action refused any other kind

    def act():
        body = _body(schemas.StageFormIn)
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        values = _checked_form_values(form_kind, body.values)
        saved = deployment.save_stage_form(journey, form_kind, user, values)
        result = schemas.StageFormOut(
            id=saved.id, kind=form_kind.value, journey_version=journey.version_id
        )
        return 201, result, journey.version_id

    return _write(user, act)


def _checked_form_values(kind: FormKind, values: dict) -> dict:
    """The page's form checks the values; each problem names its field."""
    form_class = stage_form_class(kind)
    known = {f.name for f in SPECS[kind].fields}
    errors = [
        {"field": f"values.{name}", "detail": "the form has no such field"}
        for name in sorted(set(values) - known)
    ]
    formdata = MultiDict(
        {k: ("y" if v is True else v) for k, v in values.items() if v not in (None, False)}
    )
    form = form_class(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        errors += [
            {"field": f"values.{name}", "detail": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
    if errors:
        raise Problem(422, _l("A field of the form is not valid."), errors)
    return values


@bp.get("/journeys/<int:journey_id>/packets/<int:packet_id>.pdf")
@requires_action(Action.download_packet, target=row_on_journey(Packet, "packet_id", "packet"))
@rate_limit("api")
@documented(
    summary="Download a packet: the PDF/A-3 of a submission, with its documents embedded",
    tag="journeys",
    media_type="application/pdf",
    problems=(404,),
)
def download_packet(journey_id: int, packet_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    packet = get_packet_for(current_user, journey, packet_id)
    return get_storage().download_response(
        ensure_file_kept(packet), filename=packet_filename(packet), content_type="application/pdf"
    )


@bp.post("/journeys/<int:journey_id>/apis/<int:request_id>/decision")
@requires_action(Action.decide_api, target=journey_of)
@rate_limit("api")
@documented(
    summary="Grant or refuse one requested TOP API (reviewers)",
    tag="review",
    body=schemas.ApiDecisionIn,
    response=schemas.ApiDecisionOut,
    params=(_IF_MATCH, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422, 428),
    etag=True,
)
def decide_api(journey_id: int, request_id: int):
    user = current_user._get_current_object()

    def act():
        body = _body(schemas.ApiDecisionIn)
        journey = operations.get_journey_for(user, journey_id)
        # No such request is a 404 whatever If-Match says (RFC 9110 §13.2.1: preconditions
        # apply only to a request that would otherwise succeed).
        _api_request_on(journey, request_id)
        _required_version(journey)
        decided = apps.decide_api(
            journey, user, request_id, grant=body.decision == "grant", reason=body.reason
        )
        result = schemas.ApiDecisionOut(
            id=decided.id,
            method=decided.method,
            decision=str(decided.decision.value if decided.decision else "pending"),
            reason=decided.decision_reason or "",
            journey_version=journey.version_id,
        )
        return 200, result, journey.version_id

    return _write(user, act)


# --- the review queue -------------------------------------------------------------------------


@bp.get("/queue")
@requires_action(Action.view_queue)
@rate_limit("api")
@documented(
    summary="The review queue: journeys waiting for Tmall Global, longest waiting first",
    tag="review",
    response=schemas.QueuePage,
    params=(_QUEUE_CURSOR, _LIMIT),
)
def queue():
    limit = _limit()
    after = _cursor(QUEUE_CURSOR)
    stmt = (
        select(Journey)
        .options(joinedload(Journey.account), joinedload(Journey.app))
        .where(Journey.state.in_(REVIEW_STATES))
    )
    if after:
        since, last_id = _moment(int(after[1])), int(after[2])
        stmt = stmt.where(
            or_(
                Journey.state_changed_at > since,
                and_(Journey.state_changed_at == since, Journey.id > last_id),
            )
        )
    stmt = stmt.order_by(Journey.state_changed_at, Journey.id).limit(limit + 1)
    rows = list(db.session.scalars(stmt).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    page = schemas.QueuePage(
        items=[
            schemas.QueueItem(
                **_summary(j).model_dump(), account=j.account.name, assignee_id=j.assignee_id
            )
            for j in rows
        ],
        next_cursor=f"{_micros(last.state_changed_at)}_{last.id}" if more and last else None,
    )
    return _json(page)


@bp.post("/queue/<int:journey_id>/claim")
@requires_action(Action.assign_journey, target=journey_of)
@rate_limit("api")
@documented(
    summary="Claim a queue item: it is yours to review",
    tag="review",
    response=schemas.ClaimResult,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 422),
    etag=True,
)
def claim(journey_id: int):
    user = current_user._get_current_object()

    def act():
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        assign_journey(journey, user, user)
        result = schemas.ClaimResult(
            journey_id=journey.id, assignee_id=journey.assignee_id, version=journey.version_id
        )
        return 200, result, journey.version_id

    return _write(user, act)


# --- what the routes share -------------------------------------------------------------------


def _api_request_on(journey: Journey, request_id: int) -> ApiRequest:
    row = db.session.get(ApiRequest, request_id)
    if row is None or journey.app is None or row.app_id != journey.app.id:
        raise NotFound(_l("No such API request on this APP."))
    return row


def _summary(journey: Journey) -> schemas.JourneySummary:
    stage = stage_of(journey.state)
    return schemas.JourneySummary(
        id=journey.id,
        title=str(journey.title),  # a journey without an APP has a lazy title
        state=journey.state,
        state_name=state_name(journey.state),
        stage=schemas.StageOut(number=stage.number, title=stage.title) if stage else None,
        version=journey.version_id,
        state_changed_at=journey.state_changed_at,
    )


def _detail(journey: Journey) -> schemas.JourneyDetail:
    user = current_user._get_current_object()
    waiting = waiting_for(journey)
    return schemas.JourneyDetail(
        **_summary(journey).model_dump(),
        needs=[str(p) for p in requirements.missing_for_next_step(journey)],
        waiting_for=waiting.doing if waiting else None,
        events=[
            schemas.EventChoice(name=e, label=event_label(e))
            for e in operations.events_for(user, journey)
        ],
        assignee_id=journey.assignee_id,
    )


def _event_out(row: Event) -> schemas.EventOut:
    return schemas.EventOut(
        id=row.id,
        event=row.event,
        from_state=row.from_state,
        to_state=row.to_state,
        at=row.created_at,
        via=row.via,
    )


def _json(model: BaseModel, status: int = 200, etag: int | None = None) -> Response:
    response = Response(model.model_dump_json(), status=status, mimetype="application/json")
    if etag is not None:
        response.headers["ETag"] = f'"{etag}"'
    return response


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_LIMIT:
        raise Problem(
            400,
            _l("The page size is a whole number from 1 to %(max)d.", max=MAX_LIMIT),
            [{"field": "limit", "detail": f"must be 1 to {MAX_LIMIT}"}],
        )
    return int(raw)


JOURNEY_CURSOR = re.compile(r"([1-9][0-9]{0,8})")
QUEUE_CURSOR = re.compile(r"([0-9]{1,16})_([1-9][0-9]{0,8})")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(pattern: re.Pattern) -> re.Match | None:
    raw = request.args.get("cursor")
    if raw is None:
        return None
    found = pattern.fullmatch(raw) if raw.isascii() else None
    if found is None:
        raise Problem(
            400,
            _l("This cursor is not one the API gave; start again without it."),
            [{"field": "cursor", "detail": "not a cursor of this list"}],
        )
    return found


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _body(model: type[schemas.Body]) -> schemas.Body:
    data = request.get_data(cache=True)
    if not data.strip():
        # No body is an empty object: a model with required fields names them.
        return _validated(model, {})
    if request.mimetype != "application/json":
        raise Problem(
            415,
            _l("Send the body as JSON (Content-Type: application/json)."),
            [{"field": "Content-Type", "detail": "must be application/json"}],
        )
    try:
        payload = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise Problem(
            400, _l("The body is not JSON."), [{"field": "body", "detail": "not valid JSON"}]
        ) from None
    return _validated(model, payload)


def _validated(model: type[schemas.Body], payload: object) -> schemas.Body:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise Problem(422, _l("A field of the body is not valid."), field_errors(exc)) from None


def _version_in(header: str) -> int | None:
    found = VERSION_TAG.fullmatch(header.strip())
    return int(found[1]) if found else None


def _required_version(journey: Journey) -> int:
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(
            428,
            _l("Send If-Match with the journey's version (its ETag) to act on it."),
            [{"field": "If-Match", "detail": "required"}],
        )
    return _checked_version(journey, header)


def _optional_version(journey: Journey) -> int | None:
    header = request.headers.get("If-Match")
    return None if header is None else _checked_version(journey, header)


def _sent_version(header: str) -> int:
    version = _version_in(header)
    if version is None:
        raise Problem(
            400,
            _l('If-Match holds the journey\'s version, e.g. "3".'),
            [{"field": "If-Match", "detail": "not a version"}],
        )
    return version


def _checked_version(journey: Journey, header: str) -> int:
    version = _sent_version(header)
    if version != journey.version_id:
        raise Problem(
            412,
            _l(
                "The journey is at version %(now)d, not %(sent)d: read it again before acting.",
                now=journey.version_id,
                sent=version,
            ),
            [{"field": "If-Match", "detail": f"the journey's version is {journey.version_id}"}],
        )
    return version


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if len(key) > MAX_KEY or IDEMPOTENCY_KEY.fullmatch(key) is None:
        raise Problem(
            400,
            _l("An Idempotency-Key is 1 to %(max)d printable ASCII characters.", max=MAX_KEY),
            [{"field": "Idempotency-Key", "detail": "not a usable key"}],
        )
    return key


def _request_digest() -> str:
    digest = hashlib.sha256()
    # An empty If-Match is not an absent one: "-" marks absence, "=" a value, however empty.
    if_match = request.headers.get("If-Match")
    sent = "-" if if_match is None else "=" + if_match
    for part in (request.method, request.path, sent):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(stored: IdempotentResponse) -> Response:
    response = Response(stored.body, status=stored.status, mimetype="application/json")
    if stored.etag:
        response.headers["ETag"] = stored.etag
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _write(
    user: User,
    act: Callable[[], tuple[int, BaseModel, int | None]],
    *,
    digest: str | None = None,
) -> Response:
    """Run a write once per Idempotency-Key, commit it with its stored answer, answer.

    An upload passes the ``digest`` of what it received (its parts were streamed to storage,
    so the body is not there to hash again)."""
    key = _idempotency_key()
    if request.headers.get("If-Match") is not None:
        # A malformed If-Match is refused before any stored answer is replayed for it.
        _sent_version(request.headers["If-Match"])
    digest = digest or _request_digest()
    if key is not None:
        stored = db.session.scalar(
            select(IdempotentResponse).where(
                IdempotentResponse.user_id == user.id, IdempotentResponse.key == key
            )
        )
        if stored is not None:
            if stored.request_sha256 != digest:
                raise Problem(
                    422,
                    _l("This Idempotency-Key was used for another request; use a new key."),
                    [{"field": "Idempotency-Key", "detail": "used for another request"}],
                )
            return _replay(stored)
    status, result, version = act()
    response = _json(result, status=status, etag=version)
    if key is not None:
        db.session.add(
            IdempotentResponse(
                user_id=user.id,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_sha256=digest,
                status=status,
                body=response.get_data(as_text=True),
                etag=response.headers.get("ETag"),
            )
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Problem(
            409,
            _l("Another request with this Idempotency-Key was handled at the same moment."),
            [{"field": "Idempotency-Key", "detail": "in use"}],
        ) from None
    return response


# Routes kept in modules of their own, registered on the same blueprint (imported last: they
# use the helpers above).
from workflow.api import documents as _documents  # noqa: E402, F401
from workflow.api import evidence as _evidence  # noqa: E402, F401
from workflow.api import sellers as _sellers  # noqa: E402, F401
