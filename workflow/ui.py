"""Helpers the templates share: names, stages, times, sizes, in the reader's language and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from babel import Locale, dates, numbers
from flask import Flask, request
from flask_babel import format_datetime, get_locale, get_timezone

from workflow.guide import links_for
from workflow.i18n import _, _l, current_language, ngettext
from workflow.models import AccountKind, Role
from workflow.policy import Action, may
from workflow.stages import (
    DESTRUCTIVE_EVENTS,
    STAGES,
    event_label,
    stage_of,
    state_name,
)
from workflow.trail import event_kind, event_title

GMT8 = timezone(timedelta(hours=8), "GMT+8")


#: A moment on a page, per language: the date and time in the reader's zone (``Babel`` patterns).
MOMENT_PATTERNS = {"en": "yyyy-MM-dd HH:mm", "zh_Hans_CN": "yyyy年M月d日 HH:mm"}
ACCOUNT_KIND_NAMES = {
    AccountKind.seller: _l("Seller"),
    AccountKind.isv: _l("ISV"),
    AccountKind.tp: _l("TP"),
}
ROLE_NAMES = {
    Role.applicant: _l("applicant"),
    Role.reviewer: _l("reviewer"),
    Role.admin: _l("admin"),
    Role.system: _l("the desk"),
}


def waited(since: datetime, now: datetime | None = None) -> str:
    """A short human duration: '3 d 4 h', '5 h 12 min', '4 min' (in Chinese '3 天 4 小时')."""
    delta = (now or datetime.now(UTC)) - since
    minutes = int(delta.total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return _("%(days)d d %(hours)d h", days=days, hours=hours)
    if hours:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=mins)
    return _("%(minutes)d min", minutes=max(mins, 0))


def zone_name(moment: datetime) -> str:
    """The reader's zone as people name it at ``moment``: 'UTC', 'China Standard Time',
    'British Summer Time' (in Chinese '中国标准时间')."""
    zone = get_timezone()
    if str(zone) in ("UTC", "Etc/UTC"):
        return "UTC"
    return format_datetime(moment, "zzzz")


def local_time(dt: datetime | None) -> str:
    """A moment in the reader's zone and language, with the zone named.

    English keeps the desk's ISO-like '2026-05-06 10:30 UTC'; Chinese reads '2026年5月6日 18:30
    中国标准时间'. Packets do not use this: they keep UTC and GMT+8 side by side.
    """
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    locale = get_locale()
    if locale is None:  # outside a request: Babel's own defaults, as before
        pattern = MOMENT_PATTERNS["en"]
        return f"{format_datetime(dt, pattern)} {zone_name(dt)}"
    return _moment(dt, locale, get_timezone())


@lru_cache(maxsize=4096)
def _moment(dt: datetime, locale: Locale, zone: tzinfo) -> str:
    """:func:`local_time` for one reader's locale and zone, kept: a page shows the same few
    moments (an event's, a stage's) again and again, and Babel's formatting is the page's
    dearest filter."""
    pattern = MOMENT_PATTERNS.get(str(locale), MOMENT_PATTERNS["en"])
    text = dates.format_datetime(dt, pattern, tzinfo=zone, locale=locale)
    if str(zone) in ("UTC", "Etc/UTC"):
        return f"{text} UTC"
    return f"{text} {dates.format_datetime(dt, 'zzzz', tzinfo=zone, locale=locale)}"


def _decimal(value: float | int, format: str | None = None) -> str:
    """``flask_babel.format_decimal``, kept per value and locale (a page repeats its sizes)."""
    return _decimal_in(value, format, get_locale())


@lru_cache(maxsize=4096, typed=True)
def _decimal_in(value: float | int, format: str | None, locale: Locale | None) -> str:
    return numbers.format_decimal(value, format=format, locale=locale)


def file_size(size: int | None) -> str:
    """A file's size on a page: '812 bytes', '1.9 KB', '25.1 MB', its number in the reader's
    locale (packets keep ``workflow.formatting.file_size``)."""
    if size is None:
        return ""
    if size < 1024:
        return ngettext("%(size)s byte", "%(size)s bytes", size, size=_decimal(size))
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{_decimal(value, '#,##0.0')} {unit}"
    raise AssertionError("unreachable")


def number(value: float | int | None) -> str:
    """A count or figure in the reader's locale: '1,234' (Chinese writes it the same)."""
    return "" if value is None else _decimal(value)


def account_kind_name(kind: AccountKind) -> str:
    return str(ACCOUNT_KIND_NAMES.get(kind, kind.value))


def role_name(role: Role) -> str:
    return str(ROLE_NAMES.get(role, role.value))


def back_here() -> str:
    """This page's path, for a form that comes back to it (the language switch); a POST's
    page cannot be fetched again, so its form returns home instead."""
    if request.method != "GET":
        return ""
    return request.full_path.rstrip("?")


def gmt8(dt: datetime | None) -> str:
    return dt.astimezone(GMT8).strftime("%Y-%m-%d %H:%M GMT+8") if dt else ""


def stage_progress(state: str) -> list[dict]:
    """The stepper: each stage marked done, current or todo."""
    current = stage_of(state)
    index = STAGES.index(current) if current else (len(STAGES) if state == "released" else -1)
    steps = []
    for i, stage in enumerate(STAGES):
        status = "done" if i < index else "current" if i == index else "todo"
        if state == "released" and stage is current:
            status = "done"
        steps.append({"number": stage.number, "title": stage.title, "status": status})
    return steps


#: A check the checker did not run, because an earlier step failed (``top.checkflow``).
SKIPPED_PREFIX = "skipped:"


def check_outcome(check) -> str:
    """``ok``, ``skipped`` or ``failed`` for one row of a checker report (object or dict)."""

    def field(name: str):
        return check.get(name) if isinstance(check, dict) else getattr(check, name, None)

    if field("ok"):
        return "ok"
    if str(field("message") or "").startswith(SKIPPED_PREFIX):
        return "skipped"
    return "failed"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        state_name=state_name,
        event_label=event_label,
        event_title=event_title,
        event_kind=event_kind,
        stage_of=stage_of,
        stage_progress=stage_progress,
        destructive_events=DESTRUCTIVE_EVENTS,
        may=may,
        Action=Action,
        guide_links=links_for,
        check_outcome=check_outcome,
        role_name=role_name,
        account_kind_name=account_kind_name,
        back_here=back_here,
        current_language=current_language,
    )
    # One size format everywhere; Jinja's own ``filesizeformat`` (decimal kB) would be a second.
    # ``utc`` is the filter's older name: every page's times now show in the reader's zone.
    app.jinja_env.filters.update(
        waited=waited,
        local_time=local_time,
        number=number,
        utc=local_time,
        gmt8=gmt8,
        filesize=file_size,
        filesizeformat=file_size,
    )
