"""Staff find any journey by account, taobao ID or APP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from tests.enablement.conftest import desk_storage  # noqa: F401  (fixture)
from tests.seeding import journey_with_app
from tests.support import counting_statements
from workflow.distribution.operations import put_proposal_in_force, save_seller_list
from workflow.extensions import db
from workflow.models import (
    Account,
    AccountKind,
    App,
    Audience,
    InForceSeller,
    Journey,
    Role,
    SellerListKind,
)
from workflow.models.base import utcnow
from workflow.review.search import TEXT_SOURCES


def test_search_by_name_taobao_id_and_app_key(client, login, make_account, make_user, make_journey):
    hz = make_account(AccountKind.isv, name="杭州测试科技有限公司")
    shop = make_account(AccountKind.seller, name="50%_Off Shop")
    hz_journey = make_journey(hz)
    shop_journey = make_journey(shop, state="released")
    db.session.add(
        App(account_id=shop.id, journey_id=shop_journey.id, app_key="87654321", name="Order sync")
    )
    login(make_user(Role.reviewer))

    def found(**args):
        page = client.get("/review/journeys", query_string=args).get_data(as_text=True)
        return {j.id for j in (hz_journey, shop_journey) if f"#{j.id} " in page}

    assert found() == {hz_journey.id, shop_journey.id}
    assert found(q="测试科技") == {hz_journey.id}
    assert found(q=hz.taobao_account_id.upper()) == {hz_journey.id}
    assert found(q="8765") == {shop_journey.id}
    assert found(q="50%_") == {shop_journey.id}
    assert found(q="5_%") == set()  # as wildcards these would match "50%_Off"
    assert found(state="released") == {shop_journey.id}
    assert "No journey matches" in client.get("/review/journeys?q=nothing").get_data(as_text=True)


def test_applicants_cannot_search(client, login, make_account, make_user):
    login(make_user(Role.applicant, make_account()))
    assert client.get("/review/journeys").status_code == 404


def _bulk_journeys_with_apps(count: int) -> None:
    """``count`` journeys of ten accounts, each with its APP: what a page would lazy-load."""
    now = datetime.now(UTC)
    db.session.execute(
        insert(Account),
        [{"id": 9000 + i, "kind": AccountKind.isv, "name": f"Bulk {i}",
          "taobao_account_id": f"bulk_{i}", "created_at": now} for i in range(10)],
    )  # fmt: skip
    db.session.execute(
        insert(Journey),
        [{"id": 20_000 + i, "account_id": 9000 + i % 10, "state": "released", "version_id": 1,
          "created_at": now, "state_changed_at": now - timedelta(minutes=i)}
         for i in range(count)],
    )  # fmt: skip
    db.session.execute(
        insert(App),
        [{"account_id": 9000 + i % 10, "journey_id": 20_000 + i, "app_key": f"{30_000 + i}",
          "name": f"Bulk APP {i}", "created_at": now} for i in range(count)],
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize("rows", [10, 50])
def test_a_page_costs_at_most_five_statements_whatever_its_size(client, login, make_user, rows):
    _bulk_journeys_with_apps(200)
    login(make_user(Role.reviewer))
    with counting_statements() as statements:
        response = client.get(f"/review/journeys?q=Bulk&per_page={rows}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('data-label="Journey"') == rows
    assert "Bulk APP 0 (30000)" in page  # the APP came with its journey
    assert len(statements) <= 5, "\n\n".join(statements)


def test_newest_change_first_across_pages(client, login, make_user):
    _bulk_journeys_with_apps(30)
    login(make_user(Role.reviewer))
    first = client.get("/review/journeys?q=bulk_3&per_page=2").get_data(as_text=True)
    second = client.get("/review/journeys?q=bulk_3&per_page=2&page=2").get_data(as_text=True)
    # Account bulk_3 holds journeys 3, 13 and 23, changed 3, 13 and 23 minutes ago.
    assert first.index("#20003 ") < first.index("#20013 ") and "#20023 " not in first
    assert "#20023 " in second and "Next →" in first and "Next →" not in second


def test_search_by_e_mail_and_after_a_rename(client, login, make_account, make_user, make_journey):
    account = make_account(AccountKind.isv, name="Old Name Trading")
    journey = make_journey(account)
    applicant = make_user(Role.applicant, account)
    other = make_journey(make_account(AccountKind.isv))
    login(make_user(Role.reviewer))

    def found(q):
        page = client.get("/review/journeys", query_string={"q": q}).get_data(as_text=True)
        return {j.id for j in (journey, other) if f"#{j.id} " in page}

    assert found(applicant.email.upper()) == {journey.id}
    assert found(applicant.email.split("@")[0]) == {journey.id}
    assert found("@example") == {journey.id}  # the other account has no users
    account.name = "New Name Trading"
    db.session.commit()
    assert found("New Name") == {journey.id}
    assert found("Old Name") == set()
    assert found("ld") == set() and found("ew") == {journey.id}  # short texts too


def test_seller_id_finds_the_apps_whose_list_in_force_serves_it(
    client, login, make_account, make_user, desk_storage
):
    account = make_account(AccountKind.isv, name="Serving ISV")
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    account.enabled_at = utcnow()  # a new APP of an enabled account starts at app_draft
    journey = journey_with_app(
        account, applicant, "distribution_setup", app_key="55501", name="Multi shop",
        audience=Audience.other_sellers,
    )  # fmt: skip
    kind = SellerListKind.authorization
    save_seller_list(journey, kind, applicant, [1001, 1002])
    db.session.commit()
    login(reviewer)

    def found(q):
        page = client.get("/review/journeys", query_string={"q": q}).get_data(as_text=True)
        return f"#{journey.id} " in page

    assert not found("1001")  # a proposal is not in force
    put_proposal_in_force(journey, kind, reviewer)
    db.session.commit()
    assert found("1001") and found("1002")
    assert not found("100")  # a seller ID matches whole, not as a part
    journey.state = "released"
    save_seller_list(journey, kind, applicant, [1002, 1003])
    db.session.commit()
    assert found("1001") and not found("1003")  # the new list waits for review
    put_proposal_in_force(journey, kind, reviewer)
    db.session.commit()
    assert not found("1001") and found("1002") and found("1003")  # history is not indexed
    assert set(db.session.scalars(select(InForceSeller.seller_id))) == {"1002", "1003"}


def test_the_text_search_indexes_exist_on_either_database(database):
    """PostgreSQL answers text search from pg_trgm GIN indexes, SQLite from FTS5 tables that
    triggers keep in step. A later migration that copies one of the tables (SQLite's batch
    mode) drops its triggers, or one that rebuilds an index can lose its operator class; this
    says so before the search quietly slows down or stops finding renamed rows."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        assert db.session.scalar(text("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'"))
        definitions = dict(
            db.session.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                )
            ).all()
        )
        for table, _, columns in TEXT_SOURCES:
            for column in columns:
                definition = definitions.get(f"ix_{table}_{column}_trgm", "")
                assert f"{table} USING gin ({column} gin_trgm_ops)" in definition, definition
        return
    assert dialect == "sqlite"
    triggers = set(
        db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    )
    for _, fts, _ in TEXT_SOURCES:
        assert {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"} <= triggers
        assert db.session.scalar(text(f"SELECT count(*) FROM {fts}")) is not None
