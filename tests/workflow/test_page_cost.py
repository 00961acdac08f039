"""What the applicant's pages cost in SQL, counted over the whole request (the user load and
the session check too): the dashboard does not grow with the account's journeys."""

from __future__ import annotations

from tests.page_cost import signed_in_client, statements_of
from tests.seeding import journey_with_app
from workflow.extensions import db
from workflow.models import AccountKind, Audience, Role
from workflow.models.base import utcnow

#: Where an enabled account's journeys stand: drafts with something missing, waiting, live.
STATES = ["app_draft", "api_access_submitted", "sandbox_verification", "mrd_prd_draft",
          "distribution_setup", "released"]  # fmt: skip


def _journeys(account, applicant, count: int) -> None:
    for n in range(account.id * 100, account.id * 100 + count):
        journey_with_app(
            account, applicant, STATES[n % len(STATES)], app_key=f"{70_000 + n}",
            name=f"Shop APP {n}", audience=Audience.other_sellers,
        )  # fmt: skip
    db.session.commit()


def test_the_dashboard_costs_the_same_for_1_and_20_journeys(app, make_account, make_user):
    counts = {}
    for count in (1, 20):
        account = make_account(AccountKind.isv)
        account.enabled_at = utcnow()
        applicant = make_user(Role.applicant, account)
        _journeys(account, applicant, count)
        client = signed_in_client(app, applicant)
        statements = statements_of(client, "/journeys")
        counts[count] = len(statements)
        if count == 20:
            print("\n\n".join(statements))
    assert counts[1] == counts[20], counts
