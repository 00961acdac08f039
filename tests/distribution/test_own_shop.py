"""§3.4.1 a: a seller's own shop needs no authorization review; who the APP serves decides
whether other sellers' IDs are needed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support import PASSWORD
from workflow import requirements
from workflow.distribution.operations import (
    change_audience,
    ids_of,
    list_in_force,
    own_seller_id,
    proposed_list,
    save_seller_list,
)
from workflow.errors import DomainError, RequirementsNotMet
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    App,
    Audience,
    EnablementRequest,
    Event,
    Role,
    SellerList,
    SellerListKind,
    User,
)
from workflow.operations import fire
from workflow.policy import Action, may
from workflow.rules import OWN_SHOP, desk_actor

OWN = 2200812345678
AUTH = SellerListKind.authorization


@pytest.fixture
def shop(make_account, make_user, make_journey):
    """A seller's APP journey at distribution setup; ``audience`` is set by each test."""

    def make(kind=AccountKind.seller, audience=Audience.own_shop):
        account = make_account(kind)
        applicant = make_user(Role.applicant, account)
        journey = make_journey(account, applicant, state="distribution_setup")
        if kind is AccountKind.seller:
            db.session.add(EnablementRequest(journey_id=journey.id, seller_id=str(OWN)))
        db.session.add(
            App(account_id=account.id, journey=journey, app_key="12345678", name="Sync",
                audience=audience)
        )  # fmt: skip
        db.session.commit()
        return journey, applicant

    return make


def test_the_own_id_is_always_on_the_list(shop):
    journey, applicant = shop(audience=Audience.other_sellers)
    saved = save_seller_list(journey, AUTH, applicant, [1001])
    assert ids_of(saved) == [1001, OWN]


def test_a_list_of_only_the_own_shop_is_in_force_at_once_by_the_desk(shop):
    journey, applicant = shop()
    save_seller_list(journey, AUTH, applicant, [OWN])
    fire(journey, "submit", applicant)
    db.session.commit()
    assert journey.state == "distribution_draft"
    assert ids_of(list_in_force(journey, AUTH)) == [OWN]
    decision = db.session.scalars(
        select(Event).where(Event.journey_id == journey.id).order_by(Event.id.desc())
    ).first()
    assert (decision.event, decision.actor.email, decision.comment) == (
        "seller_list.in_force", OWN_SHOP.actor_email, OWN_SHOP.text,
    )  # fmt: skip


def test_other_sellers_go_to_tmall_global(shop):
    journey, applicant = shop(audience=Audience.other_sellers)
    save_seller_list(journey, AUTH, applicant, [OWN, 1001])
    fire(journey, "submit", applicant)
    assert journey.state == "authorization_submitted"
    assert list_in_force(journey, AUTH) is None


def test_an_own_shop_app_is_refused_other_sellers_and_told_how_to_change(shop):
    journey, applicant = shop()
    with pytest.raises(DomainError) as refused:
        save_seller_list(journey, AUTH, applicant, [1001, OWN, 1002])
    message = refused.value.message
    assert f"only your own seller ID {OWN}" in message and "2 other seller ID(s)" in message
    assert "(1001, 1002)" in message
    assert 'change who the APP serves to "other sellers"' in message
    db.session.rollback()
    assert db.session.scalars(select(SellerList)).all() == []
    # The APP changes its audience; the same list is an authorization request now.
    change_audience(journey, applicant, Audience.other_sellers)
    save_seller_list(journey, AUTH, applicant, [1001, OWN, 1002])
    fire(journey, "submit", applicant)
    assert journey.state == "authorization_submitted"
    trail = [
        e.event for e in db.session.scalars(select(Event).where(Event.journey_id == journey.id))
    ]
    assert "app.audience" in trail


def test_an_own_shop_app_never_goes_to_authorization_review(shop):
    journey, applicant = shop()
    save_seller_list(journey, AUTH, applicant, [])  # the own ID is added
    fire(journey, "submit", applicant)
    assert journey.state == "distribution_draft"
    assert not db.session.scalars(
        select(Event).where(
            Event.journey_id == journey.id, Event.to_state == "authorization_submitted"
        )
    ).all()


def test_an_isv_cannot_serve_an_own_shop(shop):
    journey, applicant = shop(kind=AccountKind.isv, audience=Audience.own_shop)
    with pytest.raises(DomainError, match="an ISV has no shop of its own"):
        save_seller_list(journey, AUTH, applicant, [1001])
    db.session.rollback()
    with pytest.raises(DomainError, match="An ISV has no shop of its own"):
        change_audience(journey, applicant, Audience.own_shop)


def test_an_app_serving_other_sellers_needs_their_ids(shop):
    journey, applicant = shop(audience=Audience.other_sellers)
    save_seller_list(journey, AUTH, applicant, [OWN])
    with pytest.raises(RequirementsNotMet, match="This APP serves other sellers"):
        fire(journey, "submit", applicant)
    db.session.rollback()
    save_seller_list(journey, AUTH, applicant, [OWN, 1001])
    fire(journey, "submit", applicant)
    assert journey.state == "authorization_submitted"


def test_an_isv_list_is_always_reviewed(shop):
    journey, applicant = shop(kind=AccountKind.isv, audience=Audience.other_sellers)
    save_seller_list(journey, AUTH, applicant, [1001])
    assert ids_of(proposed_list(journey, AUTH)) == [1001]
    fire(journey, "submit", applicant)
    assert journey.state == "authorization_submitted"


def test_the_desk_actor_may_only_apply_its_rule_and_cannot_sign_in(shop, client):
    journey, _ = shop()
    actor = desk_actor(OWN_SHOP)
    db.session.commit()
    assert desk_actor(OWN_SHOP).id == actor.id  # one actor per rule
    assert may(actor, Action.apply_desk_rule, journey)
    for action in (Action.view_journey, Action.decide_step, Action.take_step, Action.use_desk):
        assert not may(actor, action, journey), action
    response = client.post("/login", data={"email": actor.email, "password": PASSWORD})
    assert response.status_code == 200  # the form again: no password matches
    assert client.get("/journeys").status_code == 302
    assert db.session.scalar(select(User).where(User.role == Role.system)).name == (
        "Onboarding desk, guide §3.4.1 a"
    )


def test_the_own_id_comes_from_the_enablement_that_enabled_the_account(
    make_account, make_user, make_journey, monkeypatch
):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    first = make_journey(account, applicant, state="enablement_submitted")
    db.session.add(EnablementRequest(journey_id=first.id, seller_id="111"))
    second = make_journey(account, applicant, state="enablement_submitted")
    db.session.add(EnablementRequest(journey_id=second.id, seller_id="222"))
    db.session.flush()
    assert own_seller_id(second) == "222"  # none approved yet: the newest request
    # The enablement's content checks are not what this is about.
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    fire(first, "approve", reviewer)
    assert own_seller_id(second) == "111"
