"""The language and time zone a mail is written in: its recipient's.

A mail is composed for one reader at a time, under ``written_for(user)``: the subject and body
read the catalogs in the user's language (``users.language``, else the desk's default), and
``mail_time`` writes a moment in their zone, named. The reviewers' shared mailbox has no user:
it reads the default language, in the staff's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.i18n import (
    DEFAULT_LANGUAGE,
    STAFF_TIME_ZONE,
    default_time_zone,
    force_locale,
    language_of,
)


def language_for(user) -> str:
    """The locale a mail to ``user`` is written in; None (a mailbox) reads the default."""
    return language_of(getattr(user, "language", None)) or DEFAULT_LANGUAGE


def zone_for(user) -> str:
    """The time zone a mail to ``user`` writes times in; None (the reviewers' mailbox) is
    the staff's."""
    if user is None:
        return STAFF_TIME_ZONE
    return getattr(user, "time_zone", None) or default_time_zone(user)


@contextmanager
def written_for(user) -> Iterator[None]:
    """Compose a mail to ``user`` in their language."""
    with force_locale(language_for(user)):
        yield


def mail_time(moment: datetime, user) -> str:
    """``moment`` in ``user``'s zone, with the zone named: ``2026-12-01 18:00 Asia/Shanghai``."""
    name = zone_for(user)
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        name, zone = "UTC", UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} {name}"
