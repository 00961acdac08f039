"""Reviewer queue page latency at 1,000 and at 100,000 journeys; prints the ratio (goal < 1.5).

Builds two fresh SQLite databases through the migrations, one per size, bulk-inserts journeys
with core inserts, and times GET /review/ through the Flask test client as a signed-in reviewer.
Every request is a fresh one, made outside any app context, so each loads the user and checks
the session as a real request does. The two sizes alternate request by request.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ONBOARDING_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-queue-"))

from flask import Flask  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.seeding import desk_with_reviewer, reviewer_page  # noqa: E402
from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Journey  # noqa: E402
from workflow.stages import REVIEW_STATES  # noqa: E402

SIZES = (1_000, 100_000)
ROUNDS = 30
BATCH = 10_000


def fill(total: int) -> None:
    """Add ``total`` journeys; all wait for review, spread over the states."""
    now = datetime.now(UTC)
    for first in range(0, total, BATCH):
        rows = [
            {"account_id": 1 + i % 100, "state": REVIEW_STATES[i % len(REVIEW_STATES)],
             "version_id": 1, "created_at": now, "state_changed_at": now - timedelta(seconds=i)}
            for i in range(first, min(first + BATCH, total))
        ]  # fmt: skip
        db.session.execute(insert(Journey), rows)
    db.session.commit()


def seeded_app(size: int) -> Flask:
    """An app on a database of its own holding ``size`` journeys and one reviewer."""
    with desk_with_reviewer(f"bench-queue-{size}-") as app:
        fill(size)
    return app


def main() -> None:
    names = [f"{size:,} journeys" for size in SIZES]
    sides = {
        name: reviewer_page(seeded_app(size), "/review/")
        for name, size in zip(names, SIZES, strict=True)
    }
    rounds = alternate(sides, ROUNDS, warmup=2)  # warm-up: caches and templates
    print(f"GET /review/ as a signed-in reviewer, {ROUNDS} alternated rounds")
    show(rounds)
    show_ratio(f"ratio {names[1]} / {names[0]}", ratio(rounds, names[1], names[0]), goal=1.5)


if __name__ == "__main__":
    main()
