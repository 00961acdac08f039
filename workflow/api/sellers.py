"""Seller lists sent as CSV or XLSX files (``multipart/form-data``), as on the journey page.

The typed-text route (``workflow.api.views.save_seller_list``) takes JSON; this one takes the
file the page's upload takes, read by the same parser with the same limits (sniffed, not
trusted by name), and saved by the same operation, so the same checks apply and each bad line
is named.
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import RequestEntityTooLarge

from workflow import operations
from workflow.api import schemas
from workflow.api.problems import Problem
from workflow.api.spec import documented
from workflow.api.views import _IDEMPOTENCY_KEY, _IF_MATCH_OPTIONAL, _optional_version, _write, bp
from workflow.distribution import operations as distribution
from workflow.distribution.operations import SellerListProblems, parse_seller_input
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import SellerListKind
from workflow.policy import Action
from workflow.web.access import journey_of, requires_action
from workflow.web.limits import rate_limit


class SellerListFileIn(BaseModel):
    """One part, ``file``: a CSV (one seller ID a row, or a column headed seller_id) or XLSX."""

    model_config = ConfigDict(extra="forbid")

    file: bytes = Field(
        description="The list as a CSV or XLSX file; its kind is read from its bytes, not its name."
    )


@bp.post("/journeys/<int:journey_id>/sellers/<kind>/file")
@requires_action(Action.edit_seller_list, target=journey_of)
@rate_limit("api")
@documented(
    summary="Save the authorization or distribution list from a CSV or XLSX file (kind: "
    "authorization, distribution)",
    tag="journeys",
    body=SellerListFileIn,
    body_media_type="multipart/form-data",
    response=schemas.SellerListOut,
    status=201,
    params=(_IF_MATCH_OPTIONAL, _IDEMPOTENCY_KEY),
    problems=(404, 409, 412, 413, 415, 422),
    etag=True,
    description="The file the journey page's upload takes, in a `multipart/form-data` part "
    "named `file`, with the same checks; a file with bad lines is refused whole, `errors` "
    "naming each line (`file`).",
)
def save_seller_list_file(journey_id: int, kind: str):
    user = current_user._get_current_object()
    try:
        list_kind = SellerListKind(kind)
    except ValueError:
        raise NotFound(_l("No such seller list.")) from None

    _uploaded_file()  # before the body is read for the request's digest

    def act():
        upload = _uploaded_file()
        journey = operations.get_journey_for(user, journey_id)
        _optional_version(journey)
        try:
            ids = parse_seller_input(upload=upload.stream)
            saved = distribution.save_seller_list(journey, list_kind, user, ids)
        except SellerListProblems as exc:
            errors = [{"field": "file", "detail": line} for line in exc.lines]
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


def _uploaded_file():
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if request.mimetype != "multipart/form-data":
        raise Problem(
            415,
            _l("Send the file as multipart/form-data, in a part named “file”."),
            [{"field": "Content-Type", "detail": "must be multipart/form-data"}],
        )
    unknown = sorted(set(request.files) - {"file"}) + sorted(request.form)
    if unknown:
        raise Problem(
            422,
            _l("Send the list in one part named “file”, and nothing else."),
            [{"field": name, "detail": "no such part"} for name in unknown],
        )
    upload = request.files.get("file")
    if upload is None:
        raise Problem(
            422,
            _l("Send the list in one part named “file”, and nothing else."),
            [{"field": "file", "detail": "required"}],
        )
    return upload
