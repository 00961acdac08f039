"""The reviewer queue: filters, claiming, the SLA marker and a constant number of statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from tests.support import counting_statements
from workflow.extensions import db
from workflow.models import Account, AccountKind, Journey, Role
from workflow.stages import REVIEW_STATES


def _bulk_journeys(count: int) -> None:
    now = datetime.now(UTC)
    db.session.execute(
        insert(Account),
        [{"id": 9000 + i, "kind": AccountKind.isv, "name": f"Bulk {i}",
          "taobao_account_id": f"bulk_{i}", "created_at": now} for i in range(10)],
    )  # fmt: skip
    rows = [
        {"account_id": 9000 + i % 10, "state": REVIEW_STATES[i % len(REVIEW_STATES)],
         "version_id": 1, "created_at": now, "state_changed_at": now - timedelta(minutes=i)}
        for i in range(count)
    ]  # fmt: skip
    db.session.execute(insert(Journey), rows)
    db.session.commit()


def test_one_page_costs_the_same_statements_whatever_its_size(database, make_user, login):
    _bulk_journeys(10_000)
    client = login(make_user(Role.reviewer))
    counts = {}
    for per_page in (5, 50, 200):
        # Each request as a fresh worker sees it: nothing an earlier one loaded spares a statement.
        db.session.expire_all()
        with counting_statements() as statements:
            response = client.get(f"/review/?per_page={per_page}")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('data-label="Waiting"') == per_page
        counts[per_page] = len(statements)
    assert len(set(counts.values())) == 1, counts
    assert "1000+ waiting" in response.get_data(as_text=True)


def test_queue_is_oldest_first_and_filters_by_stage_and_wait(
    database, make_account, make_user, make_journey, login
):
    account = make_account(AccountKind.seller)
    old = make_journey(account, state="api_access_submitted")
    new = make_journey(account, state="enablement_submitted")
    old.state_changed_at = datetime.now(UTC) - timedelta(days=5)
    db.session.commit()
    client = login(make_user(Role.reviewer))
    page = client.get("/review/").get_data(as_text=True)
    assert page.index(f"#{old.id} ") < page.index(f"#{new.id} ")
    assert page.count("overdue</span>") == 1  # only the 5-day-old item passes the 3-day SLA
    stage_2 = client.get("/review/?stage=2").get_data(as_text=True)
    assert f"#{old.id} " in stage_2 and f"#{new.id} " not in stage_2
    waiting = client.get("/review/?waiting=3").get_data(as_text=True)
    assert f"#{old.id} " in waiting and f"#{new.id} " not in waiting


def test_claim_and_assign_filter_by_assignee(
    database, make_account, make_user, make_journey, login
):
    account = make_account(AccountKind.isv)
    mine = make_journey(account, state="enablement_submitted")
    other = make_journey(account, state="mrd_prd_submitted")
    reviewer, colleague = make_user(Role.reviewer), make_user(Role.reviewer)
    applicant = make_user(Role.applicant, account)
    db.session.commit()
    client = login(reviewer)
    assert (
        client.post(f"/review/journeys/{mine.id}/assign", data={"assignee": "me"}).status_code
        == 302
    )
    response = client.post(
        f"/review/journeys/{other.id}/assign", data={"assignee": str(colleague.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (mine.assignee_id, other.assignee_id) == (reviewer.id, colleague.id)
    page = client.get("/review/?assignee=me").get_data(as_text=True)
    assert f"#{mine.id} " in page and f"#{other.id} " not in page
    unassigned = client.get("/review/?assignee=none").get_data(as_text=True)
    assert "Nothing is waiting for review with these filters" in unassigned
    client.post(f"/review/journeys/{other.id}/assign", data={"assignee": str(applicant.id)})
    db.session.expire_all()
    assert other.assignee_id == colleague.id  # applicants cannot be assignees
