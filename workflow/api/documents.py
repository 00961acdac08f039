"""The API's routes for documents, the APP and its APIs, and a journey's packets.

Uploads stream like the journey page's: the request's multipart parser writes each file part
into the storage's staging file (``workflow.storage_setup``), and the page's operation checks,
stores and records it (``workflow.files``). The APP and its APIs are checked by the page's own
forms; a reviewer decides a document through the decision door
(``enablement.operations.decide_document``).
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from typing import Annotated, Literal

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel, Field
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from workflow import files, operations
from workflow.api import schemas
from workflow.api.problems import Problem
from workflow.api.spec import documented
from workflow.api.views import (
    _IDEMPOTENCY_KEY,
    _IF_MATCH,
    _IF_MATCH_OPTIONAL,
    _body,
    _json,
    _optional_version,
    _required_version,
    _write,
    bp,
)
from workflow.apps import operations as apps
from workflow.apps.catalogue import API_METHODS
from workflow.apps.forms import MAX_API_REASON, ApiRequestForm, AppForm
from workflow.deployment.operations import form_action, save_stage_document
from workflow.deployment.specs import SPECS
from workflow.enablement import operations as enablement
from workflow.enablement.forms import UploadForm
from workflow.enablement.prechecks import sniff_stream
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    Audience,
    DocumentVersion,
    FormKind,
    Packet,
    PacketSnapshot,
    ReviewStatus,
)
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action, row_on_journey
from workflow.web.limits import rate_limit

#: The part an upload's file comes in.
FILE_PART = "file"


def _upload_form(description: str) -> dict:
    return {
        "type": "object",
        "required": [FILE_PART],
        "properties": {
            FILE_PART: {"type": "string", "format": "binary", "description": description}
        },
    }


# --- bodies -------------------------------------------------------------------------------------


class PrecheckOut(BaseModel):
    code: str
    level: str = Field(description="pass, warn or fail.")
    message: str


class DocumentOut(BaseModel):
    id: int
    kind: str = Field(description="The document's letter in the guide, a to f.")
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    review_status: str = Field(description="pending, accepted or rejected.")
    prechecks: list[PrecheckOut]
    journey_version: int


class StageDocumentOut(BaseModel):
    id: int
    kind: str
    filename: str
    size: int
    sha256: str
    journey_version: int


class DocumentDecisionIn(schemas.Body):
    decision: Literal["accept", "reject"]
    reason: Annotated[schemas.VisibleText, Field(max_length=2000)] = Field(
        default="", description="Shown to the applicant; required to reject."
    )
    seen_status: Literal["pending", "accepted", "rejected"] | None = Field(
        default=None,
        description="The status you saw: the decision applies only if it is still that.",
    )
    account_id_seen: bool = Field(
        default=False,
        description="Document d: you saw the taobao account ID in it yourself (needed where "
        "neither its text nor OCR found it).",
    )


class AppIn(schemas.Body):
    app_key: str = Field(max_length=20, description="4 to 20 digits, as the TOP console shows.")
    name: str = Field(max_length=200)
    description: str = Field(max_length=5000, description="What the APP does.")
    origin: Literal["new", "existing"] = "new"
    audience: Literal["own_shop", "other_sellers"] = "own_shop"


class AppOut(BaseModel):
    id: int
    app_key: str
    name: str
    description: str
    origin: str
    audience: str
    journey_state: str
    journey_version: int


class ApiAsk(schemas.Body):
    method: str = Field(max_length=128, description="A TOP method, e.g. taobao.trades.sold.get.")
    reason: Annotated[schemas.VisibleText, Field(max_length=MAX_API_REASON)] = Field(
        description="Why the APP needs it."
    )


class ApiRequestsIn(schemas.Body):
    apis: list[ApiAsk] = Field(
        max_length=100,
        description="Every API the APP asks for, in order; the list replaces the one before.",
    )


class ApiRequestOut(BaseModel):
    id: int
    method: str
    reason: str
    decision: str = Field(description="pending, accepted or rejected.")


class ApiRequestsOut(BaseModel):
    items: list[ApiRequestOut]
    journey_version: int


class PacketItem(BaseModel):
    id: int | None = Field(description="The packet's id once it is ready; download it as "
                           "/journeys/{id}/packets/{packet_id}.pdf.")  # fmt: skip
    kind: str
    reference: str
    sha256: str | None = Field(description="The PDF's SHA-256 once it is ready.")
    status: Literal["ready", "preparing"]
    created_at: datetime


class PacketList(BaseModel):
    items: list[PacketItem]


# --- uploads ----------------------------------------------------------------------------------


def _uploaded(form_class) -> FileStorage:
    """The request's file part, read by the page's form; refusals name the part."""
    if request.mimetype != "multipart/form-data":
        raise Problem(
            415,
            _l("Send the file as multipart/form-data, in a part named “file”."),
            [{"field": "Content-Type", "detail": "must be multipart/form-data"}],
        )
    try:
        upload = request.files.get(FILE_PART)  # parsing streams the parts into storage
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        raise Problem(
            413,
            _l(
                "Requests are limited to %(size)s MB. Upload a smaller file.",
                size=format(limit / (1024 * 1024), "g"),
            ),
            [{"field": FILE_PART, "detail": f"the body is larger than {limit} bytes"}],
        ) from None
    form = form_class(meta={"csrf": False})  # reads request.files, as on the page
    if upload is None or not upload.filename or not form.validate():
        raise Problem(
            422,
            _l("Choose a file to upload."),
            [{"field": FILE_PART, "detail": "required: a part named file, with a filename"}],
        )
    return upload


def _refused_file(message) -> Problem:
    return Problem(422, message, [{"field": FILE_PART, "detail": str(message)}])


def _checked_size(upload: FileStorage) -> None:
    stream = upload.stream
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if size > limit:
        raise _refused_file(files.too_large_message(limit))


def _upload_digest(upload: FileStorage) -> str:
    """What makes a retried upload the same request: the route, If-Match, name and bytes."""
    digest = hashlib.sha256()
    for part in (
        request.method,
        request.path,
        request.headers.get("If-Match", ""),
        upload.filename or "",
    ):
        digest.update(part.encode() + b"\0")
    stream = upload.stream
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


_UPLOAD_PROBLEMS = (404, 409, 412, 413, 415, 422)


@bp.post("/journeys/<int:journey_id>/documents/<kind>")
@requires_action(Action.upload_document, target=journey_of)
@rate_limit("api")
@documented(
    summary="Upload an enablement document (kind: a to f, the guide's letters)",
    tag="documents",
    form=_upload_form("The document: a PDF, PNG or JPEG."),
    response=DocumentOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=_UPLOAD_PROBLEMS,
    etag=True,
    description="Multipart, as the journey page sends it: the file in a part named `file`. "
    "The same prechecks as the page: an empty file, one over the upload limit, or one that "
    "is not a PDF, PNG or JPEG by its contents is refused (422, `errors` names `file`); a body "
    "over the request limit gets 413. Each upload is a new version of the document.",
)
def upload_document(journey_id: int, kind: str):
    user = current_user._get_current_object()
    document_kind = enablement.parse_kind(kind)
    upload = _uploaded(UploadForm)
    digest = _upload_digest(upload)

    def act():
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        try:
            enablement._check_upload(upload.stream)  # the page's prechecks, to name the part
        except DomainError as exc:
            raise _refused_file(exc.message) from None
        row = enablement.upload_document(
            journey, user, document_kind, upload.stream, upload.filename or ""
        )
        db.session.flush()
        return 201, _document_out(row, journey.version_id), journey.version_id

    return _write(user, act, digest=digest)


def _document_out(row: DocumentVersion, version: int) -> DocumentOut:
    return DocumentOut(
        id=row.id,
        kind=row.kind.value,
        version=row.version,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        review_status=row.review_status.value,
        prechecks=[PrecheckOut(**p) for p in row.prechecks or []],
        journey_version=version,
    )


def _pdf_forms() -> str:
    kinds = ", ".join(f"`{k.value}`" for k, spec in SPECS.items() if spec.allows_document)
    return (
        "Multipart: the PDF in a part named `file`. It stands in for the structured form "
        f"where the stage takes a document ({kinds}). A file that is not a PDF by its "
        "contents, or over the upload limit, is refused (422, `errors` names `file`); a body "
        "over the request limit gets 413."
    )


@bp.post("/journeys/<int:journey_id>/forms/<kind>/document")
@requires_action(form_action, target=journey_of)
@rate_limit("api")
@documented(
    summary="Upload the MRD or PRD as a PDF, in place of its form",
    tag="documents",
    form=_upload_form("The document, as a PDF."),
    response=StageDocumentOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=_UPLOAD_PROBLEMS,
    etag=True,
    description=_pdf_forms(),
)
def upload_stage_document(journey_id: int, kind: str):
    user = current_user._get_current_object()
    form_kind = FormKind(kind)  # the gate's form_action refused any other kind
    upload = _uploaded(UploadForm)
    digest = _upload_digest(upload)

    def act():
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        _checked_size(upload)
        if SPECS[form_kind].allows_document and sniff_stream(upload.stream) != "pdf":
            raise _refused_file(_l("Upload the document as a PDF."))
        row = save_stage_document(journey, form_kind, user, upload.stream, upload.filename or "")
        result = StageDocumentOut(
            id=row.id,
            kind=form_kind.value,
            filename=row.filename or "",
            size=row.size or 0,
            sha256=row.sha256 or "",
            journey_version=journey.version_id,
        )
        return 201, result, journey.version_id

    return _write(user, act, digest=digest)


# --- reviewers decide documents ------------------------------------------------------------------


@bp.post("/journeys/<int:journey_id>/documents/<int:document_id>/decision")
@requires_action(
    Action.decide_document, target=row_on_journey(DocumentVersion, "document_id", "document")
)
@rate_limit("api")
@documented(
    summary="Accept or reject the current version of a document (reviewers)",
    tag="review",
    body=DocumentDecisionIn,
    response=DocumentOut,
    params=(_IF_MATCH, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422, 428),
    etag=True,
    description="A rejection needs a `reason`, which the applicant reads. Accepting the "
    "service agreement (d) needs `account_id_seen` where neither its text nor OCR found the "
    "account's taobao account ID.",
)
def decide_document(journey_id: int, document_id: int):
    user = current_user._get_current_object()

    def act():
        body = _body(DocumentDecisionIn)
        journey = operations.get_journey_for(user, journey_id)
        _required_version(journey)
        document = enablement.get_document_for(user, document_id)
        decided = enablement.decide_document(
            journey,
            user,
            document,
            body.decision,
            body.reason,
            seen_status=body.seen_status,
            account_id_seen=body.account_id_seen,
        )
        db.session.flush()
        return 200, _document_out(decided, journey.version_id), journey.version_id

    return _write(user, act)


# --- the APP and its APIs -------------------------------------------------------------------------


@bp.post("/journeys/<int:journey_id>/app")
@requires_action(Action.register_app, target=journey_of)
@rate_limit("api")
@documented(
    summary="Register the journey's APP, or change it while it may still change",
    tag="apps",
    body=AppIn,
    response=AppOut,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422),
    etag=True,
    description="Checked by the journey page's APP form; each bad field is named. The first "
    "registration takes the journey's `register_app` step. An APP key another APP on the "
    "desk holds is refused.",
)
def register_app(journey_id: int):
    user = current_user._get_current_object()

    def act():
        body = _body(AppIn)
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        form = AppForm(formdata=MultiDict(body.model_dump()), meta={"csrf": False})
        if not form.validate():
            raise Problem(422, _l("A field of the APP is not valid."), _form_errors(form))
        app = apps.register_app(
            journey,
            user,
            app_key=form.app_key.data,
            name=form.name.data,
            description=form.description.data,
            is_new=form.origin.data != "existing",
            audience=Audience(form.audience.data),
        )
        db.session.flush()
        result = AppOut(
            id=app.id,
            app_key=app.app_key,
            name=app.name,
            description=app.description,
            origin="new" if app.is_new else "existing",
            audience=app.audience.value,
            journey_state=journey.state,
            journey_version=journey.version_id,
        )
        return 200, result, journey.version_id

    return _write(user, act)


def _form_errors(form, rename=None) -> list[dict]:
    return [
        {"field": (rename or {}).get(name, name), "detail": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


@bp.post("/journeys/<int:journey_id>/apis")
@requires_action(Action.request_api_access, target=journey_of)
@rate_limit("api")
@documented(
    summary="Ask for the TOP APIs the APP needs, each with its reason",
    tag="apps",
    body=ApiRequestsIn,
    response=ApiRequestsOut,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 415, 422),
    etag=True,
    description="The list replaces the APP's requested APIs, checked by the journey page's "
    "form: a TOP method name, a reason for each. A changed reason, or one refused before, "
    "goes back to the reviewer.",
)
def request_apis(journey_id: int):
    user = current_user._get_current_object()

    def act():
        body = _body(ApiRequestsIn)
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        form = ApiRequestForm(formdata=_api_formdata(body), meta={"csrf": False})
        if not form.validate():
            rename = {f"reason-{m}": _position(body, m) for m in API_METHODS}
            rename.update(api="apis", other_apis="apis")
            raise Problem(422, _l("An API asked for is not valid."), _form_errors(form, rename))
        requested = apps.request_api_access(journey, user, form.reasons())
        db.session.flush()
        result = ApiRequestsOut(
            items=[
                ApiRequestOut(
                    id=r.id,
                    method=r.method,
                    reason=r.reason,
                    decision=(r.decision or ReviewStatus.pending).value,
                )
                for r in requested
            ],
            journey_version=journey.version_id,
        )
        return 200, result, journey.version_id

    return _write(user, act)


def _api_formdata(body: ApiRequestsIn) -> MultiDict:
    """The page's fields: a tick and a reason box per API of the guide, a line per other."""
    data = MultiDict()
    others = []
    for ask in body.apis:
        if ask.method in API_METHODS:
            data.add("api", ask.method)
            data[f"reason-{ask.method}"] = ask.reason
        else:
            others.append(f"{ask.method} — {' '.join(ask.reason.split())}")
    data["other_apis"] = "\n".join(others)
    return data


def _position(body: ApiRequestsIn, method: str) -> str:
    for index, ask in enumerate(body.apis):
        if ask.method == method:
            return f"apis.{index}.reason"
    return "apis"


# --- packets ------------------------------------------------------------------------------------


@bp.get("/journeys/<int:journey_id>/packets")
@requires_action(Action.view_journey, target=journey_of)
@rate_limit("api")
@documented(
    summary="The journey's packets, oldest first: ready ones to download, others preparing",
    tag="journeys",
    response=PacketList,
    problems=(404,),
)
def list_packets(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    ready = db.session.scalars(
        select(Packet).where(Packet.journey_id == journey.id).order_by(Packet.id)
    )
    items = [
        PacketItem(
            id=p.id,
            kind=p.kind,
            reference=p.reference,
            sha256=p.sha256,
            status="ready",
            created_at=p.created_at,
        )
        for p in ready
    ]
    preparing = db.session.scalars(
        select(PacketSnapshot)
        .where(PacketSnapshot.journey_id == journey.id, PacketSnapshot.packet_id.is_(None))
        .order_by(PacketSnapshot.id)
    )
    items += [
        PacketItem(
            id=None,
            kind=s.kind,
            reference=s.reference,
            sha256=None,
            status="preparing",
            created_at=s.created_at,
        )
        for s in preparing
    ]
    items.sort(key=lambda item: item.created_at)
    return _json(PacketList(items=items))
