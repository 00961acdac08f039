"""What the reader chose: the language the desk speaks to them and the zone their times are in.

The language is kept in the session for everyone (pages before sign-in read it) and on the user
when someone is signed in, so it follows them to another browser and into their mail. The time
zone is the user's own; an applicant's first one comes from their browser (``static/js/app.js``),
and staff start in Hangzhou's (``workflow.i18n.default_time_zone``).
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from flask import session
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Length, ValidationError

from workflow.extensions import db
from workflow.i18n import LANGUAGES, SESSION_KEY, _l, language_of
from workflow.models import User
from workflow.web.forms import DeskForm
from workflow.web.urls import MAX_NEXT_LENGTH

#: The longest IANA zone name the ``users.time_zone`` column holds.
MAX_TIME_ZONE = 64


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone the system's database knows, sorted, ``UTC`` first."""
    names = zoneinfo.available_timezones() - {"UTC", "localtime", "Factory"}
    return ("UTC", *sorted(n for n in names if len(n) <= MAX_TIME_ZONE))


def is_time_zone(name: str | None) -> bool:
    if not name or name not in time_zones():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class KnownTimeZone:
    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        if not is_time_zone(field.data):
            raise ValidationError(_l("Choose a time zone from the list."))


class LanguageForm(DeskForm):
    """The top bar's switch: one button per language, and the page to return to."""

    language = HiddenField(validators=[DataRequired(), Length(max=16)])
    next = HiddenField(validators=[Length(max=MAX_NEXT_LENGTH)])

    def validate_language(self, field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_l("The desk has no such language."))


class TimeZoneForm(DeskForm):
    """The settings page's select, and the browser's one-time report of its own zone."""

    time_zone = SelectField(
        _l("Time zone"),
        choices=(),
        validate_choice=False,  # KnownTimeZone says which, in words
        validators=[DataRequired(message=_l("Choose a time zone.")), KnownTimeZone()],
    )
    #: Set by the browser's report: it only fills a zone nobody chose yet.
    detected = HiddenField(validators=[Length(max=3)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name.replace("_", " ")) for name in time_zones()]


def choose_language(user: User | None, language: str) -> str:
    """Speak ``language`` to this session, and to ``user`` wherever they sign in; flushes."""
    chosen = language_of(language)
    if chosen is None:
        raise ValueError(f"no language {language!r}")
    session[SESSION_KEY] = chosen
    if user is not None:
        user.language = chosen
        db.session.flush()
    return chosen


def adopt_session_language(user: User) -> bool:
    """At sign-in, a language chosen before it becomes the user's, unless they have one;
    flushes, and says whether it did. Their mail then speaks it too."""
    chosen = language_of(session.get(SESSION_KEY))
    if not chosen or user.language:
        return False
    user.language = chosen
    db.session.flush()
    return True


def choose_time_zone(user: User, name: str, *, detected: bool = False) -> bool:
    """Show ``user``'s times in zone ``name``.

    A ``detected`` zone (the browser's) only fills an applicant's empty setting.

    Returns whether the user's zone changed. Flushes.
    """
    if not is_time_zone(name):
        raise ValueError(f"no time zone {name!r}")
    if detected and (user.time_zone or user.is_staff):
        return False  # staff start in Hangzhou's zone; a chosen zone stays
    changed = user.time_zone != name
    user.time_zone = name
    db.session.flush()
    return changed
