"""The reports page at 1,000 and at 100,000 journeys; prints each and their ratio.

The page walks the chain's transitions to time the stages, so its cost grows with the log;
this bench says by how much. Each size gets a fresh SQLite database built through the
migrations, filled with core inserts: journeys spread over the first six states of the path,
each with the transitions that brought it there (about 3.5 events a journey, hashes not
chained: the report does not read them). GET /reports/ runs as a signed-in reviewer through
the Flask test client, a fresh request each time, the two sizes alternating round by round.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ONBOARDING_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-reports-"))

from flask import Flask  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.seeding import desk_with_reviewer, reviewer_page  # noqa: E402
from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Event, Journey  # noqa: E402

SIZES = (1_000, 100_000)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BATCH = 5_000
PATH = ("enablement_draft", "enablement_submitted", "enabled", "app_draft",
        "api_access_submitted", "api_access_granted")  # fmt: skip


def fill(total: int, now: datetime) -> int:
    """Add ``total`` journeys with their transitions; return the number of events."""
    event_id = 0
    start = now - timedelta(days=60)
    for first in range(1, total + 1, BATCH):
        journeys, events = [], []
        for jid in range(first, min(first + BATCH, total + 1)):
            depth = jid % len(PATH)
            journeys.append({"id": jid, "account_id": 1 + jid % 100, "state": PATH[depth],
                             "version_id": 1, "created_at": start,
                             "state_changed_at": now - timedelta(hours=jid % 200)})  # fmt: skip
            for step in range(depth + 1):
                event_id += 1
                events.append({
                    "id": event_id, "journey_id": jid, "event": "submit" if step else "open",
                    "from_state": PATH[step - 1] if step else "", "to_state": PATH[step],
                    "comment": "", "note": "", "hash_version": 2, "prev_hash": "0" * 64,
                    "hash": f"{event_id:064x}",
                    "created_at": start + timedelta(hours=30 * step + jid % 40),
                })  # fmt: skip
        db.session.execute(insert(Journey), journeys)
        db.session.execute(insert(Event), events)
    db.session.commit()
    return event_id


def seeded_app(size: int) -> tuple[Flask, int]:
    with desk_with_reviewer(f"bench-reports-{size}-") as app:
        events = fill(size, datetime.now(UTC))
    return app, events


def main() -> None:
    sides = {}
    for size in SIZES:
        app, events = seeded_app(size)
        sides[f"{size:,} journeys ({events:,} events)"] = reviewer_page(app, "/reports/")
    rounds = alternate(sides, ROUNDS, warmup=1)
    print(f"GET /reports/ as a signed-in reviewer, {ROUNDS} alternated rounds")
    show(rounds)
    small, large = list(sides)
    show_ratio(f"ratio {large} / {small}", ratio(rounds, large, small))


if __name__ == "__main__":
    main()
