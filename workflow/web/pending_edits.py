"""Stage forms whose unsaved edits travel with "Submit for review".

An applicant who edits a stage form (an API reason, an MRD field) and then presses "Submit for
review" expects the new text to be what is submitted. So the submit request carries the edited
forms along: each as ``stage_form=<key>``, with its fields either posted as ``<key>:<name>`` (the
page's script copies a changed form into the "Next steps" form) or, when no field carries the
prefix, as the request's own fields (the "Save and submit for review" button inside the stage
form). The fire route parses and saves every carried form first, in the same transaction as the
transition: if one does not validate or its save is refused, nothing is saved or submitted and
the form comes back with its errors beside its fields.

Each area registers its forms with :func:`carries_edits`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from workflow.errors import DomainError, NotFound, NotPermitted
from workflow.i18n import _
from workflow.models import Journey, User
from workflow.policy import Action, may
from workflow.web.units import RAISED

#: The request field naming each carried form.
CARRIED = "stage_form"
#: A carried form has no CSRF token of its own: the submit form's was checked.
NO_CSRF = {"csrf": False}


@dataclass(frozen=True)
class PendingEdits:
    #: Who may save the form (the save route's own action).
    action: Action
    #: The form bound to the carried fields (no CSRF of its own: the submit form has one).
    build: Callable[[Journey, MultiDict], Any]
    #: Saves a valid form; flushes, never commits; raises a DomainError to refuse.
    save: Callable[[Journey, User, Any], Any]


_registered: dict[str, PendingEdits] = {}


def carries_edits(key: str, action: Action, build, save) -> None:
    """Let "Submit for review" carry the form kept under ``key`` (see ``journeys.actions``)."""
    _registered[key] = PendingEdits(action, build, save)


class EditsRefused(DomainError):
    """A carried form did not validate, or its save was refused; nothing is submitted."""

    def __init__(self, key: str, form, refusal: DomainError | None = None):
        super().__init__(refusal.message if refusal is not None else form.error_summary())
        self.key, self.form, self.refusal = key, form, refusal


def carried_fields(posted: MultiDict, key: str) -> MultiDict:
    """The fields the request carries for ``key``: the prefixed ones, else the request's own."""
    prefix = f"{key}:"
    fields = MultiDict(
        [
            (name[len(prefix) :], value)
            for name, value in posted.items(multi=True)
            if name.startswith(prefix)
        ]  # fmt: skip
    )
    return fields or posted


def save_pending_edits(journey: Journey, user: User, posted: MultiDict) -> list[str]:
    """Save every form the request carries; the keys saved, in order.

    :raises EditsRefused: the first carried form that is invalid or whose save is refused.
    :raises NotFound: a key no area registered.
    """
    saved = []
    for key in dict.fromkeys(posted.getlist(CARRIED)):
        edits = _registered.get(key)
        if edits is None:
            raise NotFound(_("No such form."))
        if not may(user, edits.action, journey):
            raise NotPermitted(_("You may not change that form."))
        form = edits.build(journey, carried_fields(posted, key))
        if not form.validate():
            raise EditsRefused(key, form)
        try:
            edits.save(journey, user, form)
        except RAISED:
            raise
        except DomainError as exc:
            raise EditsRefused(key, form, exc) from exc
        saved.append(key)
    return saved
