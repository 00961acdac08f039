"""What the API tests share: a token for a user, and requests that carry it."""

from __future__ import annotations

import pytest

from workflow.api.tokens import create_token
from workflow.extensions import db


@pytest.fixture
def token_for(database):
    """``token_for(user, scopes=("read", "write"))``: a fresh personal token, committed."""

    def make(user, scopes=("read", "write"), days: int = 30) -> str:
        _row, token = create_token(user, "tests", list(scopes), days)
        db.session.commit()
        return token

    return make


def bearer(token: str, **headers) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}
