"""Helpers the templates share: names, stages, times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from flask import Flask

from workflow.formatting import file_size
from workflow.guide import links_for
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


def waited(since: datetime, now: datetime | None = None) -> str:
    """A short human duration: '3 d 4 h', '5 h 12 min', '4 min'."""
    delta = (now or datetime.now(UTC)) - since
    minutes = int(delta.total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{max(mins, 0)} min"


def utc(dt: datetime | None) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if dt else ""


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
    )
    # One size format everywhere; Jinja's own ``filesizeformat`` (decimal kB) would be a second.
    app.jinja_env.filters.update(
        waited=waited, utc=utc, gmt8=gmt8, filesize=file_size, filesizeformat=file_size
    )
