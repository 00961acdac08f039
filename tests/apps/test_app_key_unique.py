"""§3.1 a: an APP key identifies one APP, across all accounts, enforced by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.apps.operations import register_app
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import AccountKind, App, Audience, OutboxMessage, Role

KEY = "12345678"


@pytest.fixture
def two_applicants(make_account, make_user, make_journey):
    made = []
    for name in ("First Store", "Second Store"):
        account = make_account(AccountKind.seller, name=name)
        applicant = make_user(Role.applicant, account)
        made.append((make_journey(account, applicant, state="enabled"), applicant))
    return made


def _register(journey, applicant, key=KEY):
    return register_app(
        journey,
        applicant,
        app_key=key,
        name="Order sync",
        description="Syncs orders",
        is_new=True,
        audience=Audience.own_shop,
    )


def _form(key=KEY):
    return {
        "app_key": key,
        "name": "Order sync",
        "description": "Syncs orders",
        "origin": "new",
        "audience": "own_shop",
    }


def test_a_second_account_cannot_register_a_held_key_and_the_first_reviewer_is_told(
    two_applicants, make_user, login
):
    (first, first_applicant), (second, second_applicant) = two_applicants
    reviewer = make_user(Role.reviewer)
    _register(first, first_applicant)
    first.assignee_id = reviewer.id
    db.session.commit()

    client = login(second_applicant)
    page = client.post(f"/journeys/{second.id}/app", data=_form())

    assert page.status_code == 400  # the form again, with what was typed
    assert f"APP key {KEY} is already registered" in page.get_data(as_text=True)
    assert db.session.scalars(select(App).where(App.journey_id == second.id)).first() is None
    db.session.refresh(second)
    assert second.state == "enabled"
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.journey_id == first.id)
    ).all()
    assert [m.to_addr for m in told] == [reviewer.email]
    assert f"APP key {KEY} claimed again" in told[0].subject
    assert "Second Store" in told[0].body


def test_the_same_account_cannot_register_one_key_twice_either(two_applicants, make_journey):
    (first, applicant), _ = two_applicants
    _register(first, applicant)
    db.session.commit()
    again = make_journey(first.account, applicant, state="enabled")
    with pytest.raises(DomainError, match="already registered"):
        _register(again, applicant)


def test_keeping_ones_own_key_on_a_resave_is_not_a_claim(two_applicants):
    (first, applicant), _ = two_applicants
    _register(first, applicant)
    first.state = "app_draft"
    db.session.commit()
    app = _register(first, applicant)
    assert app.app_key == KEY and app.key_held


def test_a_rejected_journeys_key_is_free_for_a_new_journey(two_applicants, make_journey):
    (first, applicant), _ = two_applicants
    old = _register(first, applicant)
    first.state = "rejected"
    db.session.commit()
    again = make_journey(first.account, applicant, state="enabled")
    new = _register(again, applicant)
    db.session.commit()
    db.session.refresh(old)
    assert new.key_held and not old.key_held


def test_the_database_itself_refuses_two_held_apps_with_one_key(two_applicants):
    (first, a), (second, b) = two_applicants
    _register(first, a)
    db.session.commit()
    db.session.add(
        App(account_id=second.account_id, journey_id=second.id, app_key=KEY, name="Copy")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
