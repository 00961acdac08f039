"""§3.4: the sellers on the distribution list must be on the authorization list in force; the
reviewer sees the distribution list against both lists."""

from __future__ import annotations

import html
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from tests.enablement.conftest import fire_event
from tests.support import PASSWORD
from workflow.distribution.operations import (
    ids_of,
    proposed_list,
    put_proposal_in_force,
    save_seller_list,
)
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    App,
    Audience,
    EnablementRequest,
    Role,
    SellerList,
    SellerListKind,
    User,
)
from workflow.operations import fire

OWN = 2200812345678
DIST = SellerListKind.distribution


@pytest.fixture
def drafted(app, make_account, make_user, make_journey, login):
    """An APP serving other sellers with ``[OWN, 1001, 1002, 1003]`` authorized, at the
    distribution draft: ``(journey, applicant client, reviewer client)``."""
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant, state="distribution_setup")
    db.session.add(EnablementRequest(journey_id=journey.id, seller_id=str(OWN)))
    db.session.add(
        App(account_id=account.id, journey=journey, app_key="12345678", name="Sync",
            audience=Audience.other_sellers)
    )  # fmt: skip
    db.session.flush()
    save_seller_list(journey, SellerListKind.authorization, applicant, [1001, 1002, 1003])
    fire(journey, "submit", applicant)
    fire(journey, "approve", reviewer)
    db.session.commit()
    assert journey.state == "distribution_draft"
    staff = app.test_client()
    assert staff.post("/login", data={"email": reviewer.email, "password": PASSWORD}).status_code
    return journey, login(applicant), staff


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_typed_ids_outside_the_authorization_list_are_refused_with_their_lines(drafted):
    journey, applicant, _ = drafted
    typed = "1001\n\n4004, 1002\n5005\n"
    response = applicant.post(f"/journeys/{journey.id}/sellers/distribution", data={"ids": typed})
    assert response.status_code == 400
    page = _page(response)
    assert "2 problem(s) in the list; nothing was saved." in page
    assert "line 3: '4004' is not on the authorization list in force" in page
    assert "line 4: '5005' is not on the authorization list in force" in page
    problems = page.split('class="field-problems"')[1].split("</div>")[0]
    assert "1001" not in problems  # the problems sit above the list, which is kept as typed
    kept = f'aria-describedby="ids-distribution-problems">{typed}</textarea>'
    assert kept in page
    assert db.session.scalars(select(SellerList).where(SellerList.kind == DIST)).all() == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_uploaded_ids_outside_it_are_refused_with_their_rows(drafted, kind):
    journey, applicant, _ = drafted
    if kind == "csv":
        data, name = b"seller_id\n1001\n7007\n\n1003\n", "d.csv"
        line = 3
    else:
        data, name = _xlsx([["seller_id"], [1001], [None], ["7007"], [1003]]), "d.xlsx"
        line = 4
    response = applicant.post(
        f"/journeys/{journey.id}/sellers/distribution", data={"file": (io.BytesIO(data), name)}
    )
    assert response.status_code == 400
    assert f"line {line}: '7007' is not on the authorization list in force" in _page(response)
    assert proposed_list(journey, DIST) is None


def test_a_list_within_the_authorization_list_is_saved(drafted):
    journey, applicant, _ = drafted
    response = applicant.post(
        f"/journeys/{journey.id}/sellers/distribution", data={"ids": "1003\n1001"}
    )
    assert response.status_code == 302
    assert ids_of(proposed_list(journey, DIST)) == [1001, 1003]


def _shrink_authorizations(journey, ids):
    """Put a smaller authorization list in force under the saved distribution list (a test's
    placement: the app reaches this only through a later authorization change)."""
    applicant = db.session.scalars(select(User).where(User.role == Role.applicant)).first()
    reviewer = db.session.scalars(select(User).where(User.role == Role.reviewer)).first()
    journey.state = "distribution_setup"
    save_seller_list(journey, SellerListKind.authorization, applicant, ids)
    put_proposal_in_force(journey, SellerListKind.authorization, reviewer)
    journey.state = "distribution_draft"
    db.session.commit()


def test_the_reviewer_sees_the_list_against_both_lists(drafted):
    journey, applicant, reviewer = drafted
    applicant.post(f"/journeys/{journey.id}/sellers/distribution", data={"ids": "1001\n1002"})
    page = _page(reviewer.get(f"/journeys/{journey.id}"))
    assert "Against the authorization list in force (4 seller IDs)" in page
    assert "every seller authorized" in page and "2 authorized but not on this list" in page
    assert "Against the previous distribution list:" in page and "+2 added" in page

    _shrink_authorizations(journey, [1002])
    page = _page(reviewer.get(f"/journeys/{journey.id}"))
    assert "Against the authorization list in force (2 seller IDs)" in page
    assert "1 not authorized" in page and "Not authorized: 1001" in page


def test_unauthorized_sellers_are_refused_at_submission_too(drafted):
    journey, applicant, _ = drafted
    assert applicant.post(f"/journeys/{journey.id}/configs/console/confirm").status_code == 302
    applicant.post(f"/journeys/{journey.id}/sellers/distribution", data={"ids": "1001\n1002"})
    _shrink_authorizations(journey, [1002])
    response = fire_event(applicant, journey.id, "submit")
    page = _page(applicant.get(f"/journeys/{journey.id}")) + _page(response)
    assert (
        "1 seller(s) on the distribution list are not on the authorization list in force "
        "(1001)" in page
    )
    db.session.refresh(journey)
    assert journey.state == "distribution_draft"
