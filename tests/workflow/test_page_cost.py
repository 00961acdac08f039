"""What the applicant's pages cost in SQL, counted over the whole request (the user load and
the session check too): the journey page stays within its budget mid-way through
enablement, and the dashboard does not grow with the account's journeys."""

from __future__ import annotations

import io

from tests.page_cost import JOURNEY_PAGE_STATEMENTS, signed_in_client, statements_of
from tests.seeding import journey_with_app
from workflow.enablement.operations import save_enablement_request, upload_document
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.models import AccountKind, Audience, DocumentKind, Role
from workflow.models.base import utcnow
from workflow.operations import open_journey

#: Where an enabled account's journeys stand: drafts with something missing, waiting, live.
STATES = ["app_draft", "api_access_submitted", "sandbox_verification", "mrd_prd_draft",
          "distribution_setup", "released"]  # fmt: skip


def _enablement_with_documents(account, applicant, state: str):
    """An ISV's enablement journey with two documents, the first of them uploaded twice."""
    journey = open_journey(account, applicant)
    journey.state = "enablement_draft"
    save_enablement_request(journey, applicant, {"company_name": f"Company {account.id}"})
    for kind, filename in [
        (DocumentKind.certificate_of_incorporation, "certificate-1.pdf"),
        (DocumentKind.certificate_of_incorporation, "certificate-2.pdf"),
        (DocumentKind.bank_account_proof, "bank-proof.pdf"),
    ]:
        pdf = io.BytesIO(sample_pdf(f"Document {filename}", f"Company {account.id}"))
        upload_document(journey, applicant, kind, pdf, filename)
    journey.state = state
    return journey


def _journeys(account, applicant, count: int) -> None:
    """``count`` journeys of an account enabled after its enablement journeys (every fifth,
    with documents, asked for changes) were opened."""
    for _ in range(0, count, 5):
        _enablement_with_documents(account, applicant, "enablement_changes_requested")
    account.enabled_at = utcnow()
    for i in (i for i in range(count) if i % 5):
        n = account.id * 100 + i
        journey_with_app(
            account, applicant, STATES[n % len(STATES)], app_key=f"{70_000 + n}",
            name=f"Shop APP {n}", audience=Audience.other_sellers,
        )  # fmt: skip
    db.session.commit()


def test_the_dashboard_costs_the_same_for_1_and_20_journeys(app, make_account, make_user):
    counts = {}
    for count in (1, 20):
        account = make_account(AccountKind.isv)
        applicant = make_user(Role.applicant, account)
        _journeys(account, applicant, count)
        client = signed_in_client(app, applicant)
        statements = statements_of(client, "/journeys")
        page = client.get("/journeys").get_data(as_text=True)
        assert page.count("Developer account enablement") == (count + 4) // 5, page
        counts[count] = len(statements)
    assert counts[1] == counts[20], counts


def test_the_journey_page_mid_way_through_enablement_stays_in_budget(app, make_account, make_user):
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = _enablement_with_documents(account, applicant, "enablement_draft")
    db.session.commit()
    for user in (applicant, reviewer):
        client = signed_in_client(app, user)
        statements = statements_of(client, f"/journeys/{journey.id}")
        assert len(statements) <= JOURNEY_PAGE_STATEMENTS, "\n\n".join(statements)
        page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
        assert "certificate-2.pdf" in page and "bank-proof.pdf" in page, page
