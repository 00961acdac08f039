"""RFC 9457 problem details: every refusal of the API, in one place.

The domain's errors (``workflow.errors``) keep their HTTP status; this module gives each status a
``type`` and a ``title`` and writes the body as ``application/problem+json``. A refusal about a
field (the JSON body's validation, a header) names it in ``errors``:
``[{"field": "comment", "detail": "…"}]``.
"""

from __future__ import annotations

import json

from flask import Response, current_app, request
from flask_limiter.errors import RateLimitExceeded
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from workflow.errors import DomainError, RequirementsNotMet
from workflow.extensions import db
from workflow.i18n import _, _l
from workflow.web.limits import rate_text, retry_after

MEDIA_TYPE = "application/problem+json"
#: Where each problem type is explained: the API reference's section on errors.
TYPE_BASE = "/api/v1/docs#problem-"

#: Every status the API answers with a problem, with its title; the spec declares them.
TITLES = {
    400: _l("The request could not be used"),
    401: _l("A valid API token is needed"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Someone acted first, or the step is not possible now"),
    412: _l("The journey changed since you read it"),
    413: _l("The request is too large"),
    415: _l("Send JSON"),
    422: _l("A field is not valid"),
    428: _l("Say which version you act on"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on our side"),
}

#: The short name of each status in ``type``.
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    415: "unsupported-media-type",
    422: "invalid-field",
    428: "precondition-required",
    429: "too-many-requests",
    500: "server-error",
}


class Problem(DomainError):
    """A refusal the API itself makes (a header missing, a version stale, a field invalid)."""

    def __init__(self, status: int, message, errors: list[dict] | None = None):
        super().__init__(message)
        self.status_code = status
        self.errors = errors or []


def problem(
    status: int, detail: str, errors: list[dict] | None = None, headers: dict | None = None
) -> Response:
    body = {
        "type": TYPE_BASE + SLUGS.get(status, "error"),
        "title": str(TITLES.get(status) or _("Error")),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def field_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's findings, one per field, with the field's dotted name."""
    found = []
    for error in exc.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in error.get("loc", ())) or "body"
        found.append({"field": name, "detail": error.get("msg", "")})
    return found


def problem_for(exc: BaseException) -> Response:
    """The one mapping from whatever stopped a request to its problem response."""
    db.session.rollback()
    if isinstance(exc, Problem):
        return problem(exc.status_code, exc.message, exc.errors)
    if isinstance(exc, RequirementsNotMet):
        errors = [{"field": "requirements", "detail": str(p)} for p in exc.problems]
        return problem(409, exc.message, errors)
    if isinstance(exc, DomainError):
        # A plain DomainError is a refusal of what was sent (a reason missing): 422.
        status = 422 if type(exc) is DomainError else exc.status_code
        return problem(status, exc.message)
    if isinstance(exc, RateLimitExceeded):
        seconds = retry_after(exc)
        return problem(
            429,
            _(
                "A token may make at most %(rate)s requests. Try again within %(seconds)d s.",
                rate=rate_text(current_app.config["RATELIMIT_API"]),
                seconds=seconds,
            ),
            headers={"Retry-After": str(seconds)},
        )
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        # A 405 says which methods the path has (RFC 9110 asks for it).
        allow = {k: v for k, v in exc.get_headers() if k == "Allow"}
        return problem(status, str(TITLES.get(status) or exc.description or ""), headers=allow)
    current_app.logger.exception("unhandled error in the API")
    return problem(500, _("The error has been logged. Please try again in a moment."))


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")
