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

from app import create_app  # noqa: E402
from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from tests.support import PASSWORD, desk_config, reset_schema  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Account, AccountKind, Event, Journey, Role, User  # noqa: E402

SIZES = (1_000, 100_000)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
BATCH = 5_000
REVIEWER = "bench-reviewer@example.com"
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
    base = Path(tempfile.mkdtemp(prefix=f"bench-reports-{size}-"))
    app = create_app(desk_config(base, f"sqlite:///{base / 'bench.sqlite3'}"))
    with app.app_context():
        reset_schema()
        now = datetime.now(UTC)
        db.session.execute(
            insert(Account),
            [{"id": n, "kind": AccountKind.isv, "name": f"Bench {n}",
              "taobao_account_id": f"bench_{n}", "created_at": now} for n in range(1, 101)],
        )  # fmt: skip
        reviewer = User(email=REVIEWER, role=Role.reviewer, email_verified_at=now)
        reviewer.set_password(PASSWORD)
        db.session.add(reviewer)
        db.session.commit()
        events = fill(size, now)
        db.session.remove()
    return app, events


def reports_request(app: Flask):
    client = app.test_client()
    signed_in = client.post("/login", data={"email": REVIEWER, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code

    def get() -> None:
        response = client.get("/reports/")
        assert response.status_code == 200, response.status_code

    return get


def main() -> None:
    sides = {}
    for size in SIZES:
        app, events = seeded_app(size)
        sides[f"{size:,} journeys ({events:,} events)"] = reports_request(app)
    rounds = alternate(sides, ROUNDS, warmup=1)
    print(f"GET /reports/ as a signed-in reviewer, {ROUNDS} alternated rounds")
    show(rounds)
    small, large = list(sides)
    show_ratio(f"ratio {large} / {small}", ratio(rounds, large, small))


if __name__ == "__main__":
    main()
