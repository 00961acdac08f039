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

from app import create_app  # noqa: E402
from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from tests.support import PASSWORD, desk_config, reset_schema  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Account, AccountKind, Journey, Role, User  # noqa: E402
from workflow.stages import REVIEW_STATES  # noqa: E402

SIZES = (1_000, 100_000)
ROUNDS = 30
BATCH = 10_000
REVIEWER = "bench-reviewer@example.com"


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
    base = Path(tempfile.mkdtemp(prefix=f"bench-queue-{size}-"))
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
        fill(size)
        db.session.remove()
    return app


def queue_request(app: Flask):
    client = app.test_client()
    signed_in = client.post("/login", data={"email": REVIEWER, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code

    def get() -> None:
        response = client.get("/review/")  # no app context around it: a request of its own
        assert response.status_code == 200, response.status_code

    return get


def main() -> None:
    names = [f"{size:,} journeys" for size in SIZES]
    sides = {name: queue_request(seeded_app(size)) for name, size in zip(names, SIZES, strict=True)}
    rounds = alternate(sides, ROUNDS, warmup=2)  # warm-up: caches and templates
    print(f"GET /review/ as a signed-in reviewer, {ROUNDS} alternated rounds")
    show(rounds)
    show_ratio(f"ratio {names[1]} / {names[0]}", ratio(rounds, names[1], names[0]), goal=1.5)


if __name__ == "__main__":
    main()
