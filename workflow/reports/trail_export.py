"""One journey's trail as JSON lines that can be checked against the chain outside the desk.

The chain runs through every journey's events, so the lines between a journey's first and last
event include other journeys' events. Those appear as their id and hash only: enough to carry
the link from one of this journey's events to the next, and nothing of what they say.

Lines, in chain order:

- ``{"kind": "trail", "format": 1, "journey_id": …, "exported_at": …, "events": n, "links": m}``
- ``{"kind": "event", "id": …, "prev_hash": …, "hash": …, "fields": {…}}``: one of this
  journey's events, with exactly the fields its hash covers (``workflow.audit.HASH_FIELDS``);
  ``hash`` is SHA-256 over ``prev_hash`` followed by ``fields`` as canonical JSON.
- ``{"kind": "link", "id": …, "hash": …}``: another journey's event.

``tools/verify_trail.py`` checks a file with the standard library alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import func, select

from workflow.audit import HASH_FIELDS
from workflow.extensions import db
from workflow.models import Event, Journey

FORMAT = 1
BATCH = 2000


def _line(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def trail_lines(journey: Journey, now: datetime | None = None) -> Iterator[str]:
    """The export, a line at a time; other journeys' rows are read for their hash alone."""
    first, last, count = db.session.execute(
        select(func.min(Event.id), func.max(Event.id), func.count(Event.id)).where(
            Event.journey_id == journey.id
        )
    ).one()
    links = 0
    if first is not None:
        between = Event.id.between(first, last)
        links = db.session.scalar(select(func.count(Event.id)).where(between)) - count
    yield _line(
        {
            "kind": "trail",
            "format": FORMAT,
            "journey_id": journey.id,
            "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
            "events": count,
            "links": links,
        }
    )
    if first is None:
        return
    others = select(Event.id, Event.hash).where(between, Event.journey_id != journey.id)
    own = select(Event).where(Event.journey_id == journey.id).order_by(Event.id)
    yield from _merged(
        db.session.execute(others.order_by(Event.id).execution_options(yield_per=BATCH)),
        db.session.scalars(own.execution_options(yield_per=BATCH)),
    )


def _merged(others, own) -> Iterator[str]:
    """Both streams are in id order; interleave them into chain order."""
    pending = next(others, None)
    for event in own:
        while pending is not None and pending.id < event.id:
            yield _line({"kind": "link", "id": pending.id, "hash": pending.hash})
            pending = next(others, None)
        yield _line(
            {
                "kind": "event",
                "id": event.id,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
                "fields": HASH_FIELDS[event.hash_version or 1](event),
            }
        )
