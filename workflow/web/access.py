"""Routes declare their action; one gate asks the policy before any view runs.

Every view is marked either ``@requires_action(Action.X, target=loader)`` or ``@public(why)``.
The gate (installed first among the app's ``before_request`` hooks) reads the mark of the
endpoint being served: a public route passes, an anonymous user is sent to sign in, and anyone
else is asked :func:`workflow.policy.authorize` about the action on the loaded target, which
ends the request with 404 or 403 before the view has done anything. A route without a mark is
refused (and the route inventory test fails), so forgetting is never an open door.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from flask_login import current_user

from workflow.errors import NotFound, NotPermitted
from workflow.extensions import db
from workflow.i18n import _, _l
from workflow.models import Journey
from workflow.policy import Action, authorize

log = logging.getLogger(__name__)

#: The attribute a route's declaration is kept in on its view function.
ACCESS_ATTRIBUTE = "access"

ActionOf = Action | Callable[..., Action]
Loader = Callable[..., object]


@dataclass(frozen=True)
class Access:
    """What a route asks of the policy; ``action`` is ``None`` for a public route."""

    action: ActionOf | None
    target: Loader | None = None
    why_public: str = ""

    @property
    def is_public(self) -> bool:
        return self.action is None

    def action_for(self, view_args: dict[str, Any]) -> Action:
        assert self.action is not None
        return self.action(**view_args) if callable(self.action) else self.action

    def target_for(self, view_args: dict[str, Any]) -> object:
        return self.target(**view_args) if self.target is not None else None


def requires_action(action: ActionOf, *, target: Loader | None = None):
    """Declare the action a route performs, and how to load what it acts on.

    ``action`` is an :class:`Action`, or a function of the URL's arguments that returns one
    (the event of ``/events/<event>``). ``target`` is called with the URL's arguments and
    returns the object the policy judges; it raises :class:`NotFound` when there is none.
    """

    def mark(view):
        setattr(view, ACCESS_ATTRIBUTE, Access(action, target))
        return view

    return mark


def public(why: str):
    """Declare a route open to everyone, signed in or not, and say why."""

    def mark(view):
        setattr(view, ACCESS_ATTRIBUTE, Access(None, why_public=why))
        return view

    return mark


def declared_access(view) -> Access | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def install_access_gate(app: Flask) -> None:
    """Ask first, in one place: the gate runs before every other ``before_request`` hook."""
    static = app.view_functions.get("static")
    if static is not None and declared_access(static) is None:

        @functools.wraps(static)
        def static_files(**kwargs):
            return static(**kwargs)

        app.view_functions["static"] = public("the desk's stylesheets and scripts")(static_files)
    app.before_request_funcs.setdefault(None, []).insert(0, check_access)


def check_access():
    if request.routing_exception is not None or request.endpoint is None:
        return None  # no such page: routing answers 404/405 itself
    access = declared_access(current_app.view_functions[request.endpoint])
    if access is None:
        log.error("the route %s declares no action; refusing it", request.endpoint)
        raise NotPermitted(_l("This page is not available."))
    # A blueprint with its own way of knowing the user (the API's tokens) says who it is first.
    authenticator = current_app.extensions.get("access_authenticators", {}).get(request.blueprint)
    if authenticator is not None:
        authenticator(is_public=access.is_public)
    if access.is_public:
        return None
    if not current_user.is_authenticated:
        if request.accept_mimetypes.best == "application/json":
            # The upload script cannot follow a redirect to a page; it shows this message.
            message = _("You are signed out. Sign in again and retry.")
            return jsonify(ok=False, message=message), 401
        return current_app.login_manager.unauthorized()
    args = request.view_args or {}
    target = access.target_for(args)
    # The user itself, not the proxy: each of the policy's reads through it costs a lookup.
    authorize(current_user._get_current_object(), access.action_for(args), target)
    # Held for the request: the session keeps rows only while someone refers to them, and
    # the view's own lookup of the same row would otherwise cost a statement again.
    g.access_target = target
    return None


# --- loaders for the targets routes act on ---------------------------------------------------


def journey_of(journey_id: int, **_) -> Journey:
    journey = db.session.get(Journey, journey_id)
    if journey is None:
        raise NotFound(_l("No such journey."))
    return journey


#: What a missing row's page says, by the noun its route names it with.
NOT_FOUND = {
    "user": _l("No such user."),
    "packet": _l("No such packet."),
    "document": _l("No such document."),
    "evidence": _l("No such evidence."),
}


def row_of(model, id_arg: str, noun: str) -> Loader:
    """A loader for the row of ``model`` whose id is the URL argument ``id_arg``."""
    missing = NOT_FOUND.get(noun, _l("Not found."))

    def load(**view_args):
        row = db.session.get(model, view_args[id_arg])
        if row is None:
            raise NotFound(missing)
        return row

    return load


def row_on_journey(model, id_arg: str, noun: str) -> Loader:
    """Like :func:`row_of`, for a row that must also belong to the URL's journey."""
    load_row = row_of(model, id_arg, noun)
    missing = NOT_FOUND.get(noun, _l("Not found."))

    def load(**view_args):
        row = load_row(**view_args)
        if row.journey_id != view_args["journey_id"]:
            raise NotFound(missing)
        return row

    return load


def own_account(**_):
    account = current_user.account
    if account is None:
        raise NotFound(_l("You have no developer account."))
    return account
