"""What the queue and reports benches share: a desk on a database of its own, 100 accounts and
a signed-in reviewer who asks for one page again and again, a fresh request each time."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import insert

from app import create_app
from tests.support import PASSWORD, desk_config, reset_schema
from workflow.extensions import db
from workflow.models import Account, AccountKind, Role, User

REVIEWER = "bench-reviewer@example.com"
ACCOUNTS = 100


@contextmanager
def desk_with_reviewer(prefix: str):
    """Yield an app (in its context) on a fresh SQLite file built through the migrations,
    holding accounts 1…100 and one reviewer; what the bench inserts inside is committed."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    app = create_app(desk_config(base, f"sqlite:///{base / 'bench.sqlite3'}"))
    with app.app_context():
        reset_schema()
        now = datetime.now(UTC)
        db.session.execute(
            insert(Account),
            [{"id": n, "kind": AccountKind.isv, "name": f"Bench {n}",
              "taobao_account_id": f"bench_{n}", "created_at": now}
             for n in range(1, ACCOUNTS + 1)],
        )  # fmt: skip
        reviewer = User(email=REVIEWER, role=Role.reviewer, email_verified_at=now)
        reviewer.set_password(PASSWORD)
        db.session.add(reviewer)
        db.session.commit()
        yield app
        db.session.commit()
        db.session.remove()


def reviewer_page(app: Flask, path: str) -> Callable[[], None]:
    """A function that GETs ``path`` as the signed-in reviewer, outside any app context."""
    client = app.test_client()
    signed_in = client.post("/login", data={"email": REVIEWER, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code

    def get() -> None:
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return get
