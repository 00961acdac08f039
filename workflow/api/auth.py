"""Who a request to ``/api/v1`` comes from: the personal token of its ``Authorization`` header,
never the browser's session cookie.

The access gate (``workflow.web.access``) calls :func:`authenticate_request` first for every
route of the API blueprint. It makes the token's user the request's user (Flask-Login's
``current_user``) without touching the session, or an anonymous user when no token came, so a
signed-in browser is anonymous here. Then the gate asks the policy as for any page. CSRF does
not apply: nothing on the API is authorised by a cookie (``install``).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request

from workflow import audit
from workflow.api.problems import Problem
from workflow.api.tokens import TokenRefused, authenticate, note_use
from workflow.extensions import csrf, db
from workflow.i18n import _l

log = logging.getLogger("workflow.api.access")

#: Where the request keeps its token row (``flask.g``).
TOKEN_KEY = "api_token"
#: Methods a read-only token may use.
READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The mark of a view that an evidence token authorises (``workflow.api.evidence``): the
#: function that checks such a token for the request and returns its row and its user.
EVIDENCE_AUTHENTICATOR = "evidence_token_authenticator"
#: Where the request keeps the evidence token row that authorised it (``flask.g``).
EVIDENCE_TOKEN_KEY = "api_evidence_token"


def authenticate_request(*, is_public: bool) -> None:
    """Make the bearer token's user the request's user; refuse a bad token with 401."""
    g.pop(TOKEN_KEY, None)
    g.pop(EVIDENCE_TOKEN_KEY, None)
    g._login_user = current_app.login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    if header is None and is_public:
        return
    evidence = getattr(current_app.view_functions[request.endpoint], EVIDENCE_AUTHENTICATOR, None)
    if evidence is not None:
        found = evidence(header, request.view_args or {})
        if found is not None:
            # The one upload the token allows; no personal token is involved.
            row, user = found
            g._login_user = user
            setattr(g, EVIDENCE_TOKEN_KEY, row)
            setattr(g, audit.CHANNEL_KEY, user.id)
            return
    row = authenticate(header)
    scope = "read" if request.method in READS else "write"
    if scope not in row.scope_set:
        raise Problem(
            403,
            _l("This token may not %(scope)s; make one that may.", scope=scope),
            [{"field": "Authorization", "detail": f"the token's scopes: {row.scopes}"}],
        )
    note_use(row)
    db.session.commit()  # its last use counts even if the request is refused later
    g._login_user = row.user
    g.setdefault(TOKEN_KEY, row)
    if request.method not in READS:
        setattr(g, audit.CHANNEL_KEY, row.user_id)


def token_of_request():
    return g.get(TOKEN_KEY)


def _forget(exc=None) -> None:
    # Requests in one test share an app context; what one token set must not reach the next.
    for key in (TOKEN_KEY, EVIDENCE_TOKEN_KEY, audit.CHANNEL_KEY):
        g.pop(key, None)


def _log_request(response):
    row = g.get(TOKEN_KEY)
    if row is not None:
        # What a token reads is its user's alone: no shared cache keeps it.
        response.headers.setdefault("Cache-Control", "no-store")
    log.info(
        "api %s %s %s user=%s token=%s",
        request.method,
        request.path,
        response.status_code,
        row.user_id if row is not None else "-",
        row.prefix if row is not None else "-",
    )
    return response


def install(app: Flask, blueprint) -> None:
    """Authenticate the blueprint's routes by token, and exempt them from CSRF."""
    csrf.exempt(blueprint)
    app.extensions.setdefault("access_authenticators", {})[blueprint.name] = authenticate_request
    blueprint_after = app.after_request_funcs.setdefault(blueprint.name, [])
    blueprint_after.append(_log_request)
    app.teardown_request(_forget)


__all__ = ["TokenRefused", "authenticate_request", "install", "token_of_request"]
