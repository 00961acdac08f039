"""What a page costs in SQL: every statement of the request, the user load and session check too."""

from __future__ import annotations

from tests.support import PASSWORD, counting_statements
from workflow.extensions import db

#: The journey page's budget, whatever the journey, counting the transaction's BEGIN on SQLite,
#: the user load and the access check. The page reads its journey's rows in one statement
#: (``workflow.journeys.page_rows``); a seller's page also looks up its own seller ID.
JOURNEY_PAGE_STATEMENTS = 8


def statements_of(client, url: str) -> list[str]:
    """Requests in a test share the test's session: expire it first, so that nothing the test
    (or an earlier request) loaded spares the request a statement."""
    db.session.commit()
    db.session.expire_all()
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return statements


def assert_journey_page_is_cheap(client, journey_id: int) -> None:
    statements = statements_of(client, f"/journeys/{journey_id}")
    assert len(statements) <= JOURNEY_PAGE_STATEMENTS, "\n\n".join(statements)


def signed_in_client(app, user):
    """A client of its own, signed in as ``user``."""
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client
