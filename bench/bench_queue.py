"""Reviewer queue page latency at 1,000 and at 100,000 journeys; prints the ratio (goal < 1.5).

Builds a fresh SQLite database through the migrations, bulk-inserts journeys with core
inserts, and times GET /review/ through the Flask test client as a signed-in reviewer.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ONBOARDING_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench-queue-"))

from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from tests.support import PASSWORD, desk_config, reset_schema  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Account, AccountKind, Journey, Role, User  # noqa: E402
from workflow.stages import REVIEW_STATES  # noqa: E402

SIZES = (1_000, 100_000)
REPEATS = 30
BATCH = 10_000


def fill(total: int, start: int) -> None:
    """Add journeys until ``total`` exist; all wait for review, spread over the states."""
    now = datetime.now(UTC)
    for first in range(start, total, BATCH):
        rows = [
            {"account_id": 1 + i % 100, "state": REVIEW_STATES[i % len(REVIEW_STATES)],
             "version_id": 1, "created_at": now, "state_changed_at": now - timedelta(seconds=i)}
            for i in range(first, min(first + BATCH, total))
        ]  # fmt: skip
        db.session.execute(insert(Journey), rows)
    db.session.commit()


def median_ms(client) -> float:
    client.get("/review/")  # warm caches and templates
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        response = client.get("/review/")
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="bench-queue-db-"))
    app = create_app(desk_config(base, f"sqlite:///{base / 'bench.sqlite3'}"))
    with app.app_context():
        reset_schema()
        now = datetime.now(UTC)
        db.session.execute(
            insert(Account),
            [{"id": n, "kind": AccountKind.isv, "name": f"Bench {n}",
              "taobao_account_id": f"bench_{n}", "created_at": now} for n in range(1, 101)],
        )  # fmt: skip
        reviewer = User(email="bench-reviewer@example.com", role=Role.reviewer)
        reviewer.set_password(PASSWORD)
        db.session.add(reviewer)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": reviewer.email, "password": PASSWORD})
        results, filled = {}, 0
        for size in SIZES:
            fill(size, filled)
            filled = size
            results[size] = median_ms(client)
            print(f"queue page at {size:>7,} journeys: median {results[size]:.2f} ms")
        ratio = results[SIZES[1]] / results[SIZES[0]]
        print(f"ratio {SIZES[1]:,} / {SIZES[0]:,}: {ratio:.2f} (goal < 1.5)")


if __name__ == "__main__":
    main()
