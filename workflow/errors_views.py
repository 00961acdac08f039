"""Error pages in the app's style, and the single place domain errors become HTTP codes."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from workflow.api.problems import is_api_request, problem_for
from workflow.conflicts import conflict_page
from workflow.errors import ConcurrentChange, DomainError, EmailNotVerified
from workflow.extensions import db
from workflow.i18n import _, _l
from workflow.web.limits import retry_after

log = logging.getLogger(__name__)

#: How PostgreSQL and SQLite name the partial unique index that keeps one verified account
#: per taobao account ID when it refuses a second.
VERIFIED_TAOBAO_INDEX = ("uq_accounts_verified_taobao_account_key", "accounts.taobao_account_key")

TITLES = {
    400: _l("That request could not be used"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    409: _l("Someone acted first"),
    413: _l("That file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}


def render_error(status: int, message: str, **context):
    return render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status) or _("Error"),
        message=message,
        **context,
    ), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        """Every refusal the domain raises: rolled back, then JSON for scripts or a page."""
        db.session.rollback()
        if request.accept_mimetypes.best == "application/json":
            # The upload script shows the message next to the file it sent.
            return jsonify(ok=False, message=exc.message), exc.status_code
        if isinstance(exc, ConcurrentChange):
            return conflict_page(exc.message, exc.journey_id)
        return render_error(
            exc.status_code, exc.message, offer_resend=isinstance(exc, EmailNotVerified)
        )

    @app.errorhandler(IntegrityError)
    def integrity(exc: IntegrityError):
        if not any(name in str(exc.orig) for name in VERIFIED_TAOBAO_INDEX):
            return unexpected(exc)
        db.session.rollback()  # two approvals of one taobao account ID at the same moment
        return render_error(
            409, _("Another developer account was verified with this taobao account ID just now.")
        )

    @app.errorhandler(StaleDataError)
    def stale(exc):
        db.session.rollback()
        return conflict_page(ConcurrentChange().message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400, _("The form had expired or came from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        if is_api_request():
            return problem_for(exc)
        db.session.rollback()
        seconds = retry_after(exc)
        page, status = render_error(
            429, _("%(why)s Try again within %(seconds)d s.", why=exc.description, seconds=seconds)
        )
        return page, status, {"Retry-After": str(seconds)}

    @app.errorhandler(413)
    def too_large(exc):
        if is_api_request():
            return problem_for(exc)
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_error(
            413, _("Requests are limited to %(size)d MB. Choose a smaller file.", size=limit_mb)
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if is_api_request():  # a path or method the API does not have: a problem too
            return problem_for(exc)
        return render_error(exc.code or 500, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if is_api_request():
            return problem_for(exc)
        log.exception("unhandled error")
        db.session.rollback()
        return render_error(500, _("The error has been logged. Please try again in a moment."))
