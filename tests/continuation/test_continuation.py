"""Continuing a rejected journey: who may, what is carried, what both chains record."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow.apps.operations import register_app, request_api_access
from workflow.continuation.operations import carry_options, continue_journey, rejection_reasons
from workflow.errors import DomainError, NotPermitted
from workflow.extensions import db
from workflow.models import AccountKind, Audience, Event, Journey, ReviewStatus, Role
from workflow.models.base import utcnow
from workflow.operations import fire
from workflow.replay import replay_log
from workflow.trail import event_title

API = "taobao.trades.sold.get"


@pytest.fixture
def rejected_app(make_account, make_user, make_journey):
    """An enabled account whose APP journey Tmall Global rejected at API access."""
    account = make_account(AccountKind.isv)
    account.enabled_at = utcnow()
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant)
    register_app(journey, applicant, app_key="12345678", name="Order sync", description="Sync",
                 is_new=False, audience=Audience.other_sellers)  # fmt: skip
    request_api_access(journey, applicant, {API: "Import orders."})
    fire(journey, "submit", applicant)
    fire(journey, "reject", reviewer, comment="The APP duplicates an existing one.", note="dup")
    db.session.commit()
    return journey, applicant, reviewer


def test_the_applicant_continues_with_the_app_carried_over(rejected_app):
    rejected, applicant, _ = rejected_app
    assert carry_options(rejected) == ["app"]
    new = continue_journey(rejected, applicant, carry=["app"])
    db.session.commit()
    assert (new.state, new.follows, rejected.followed_by) == ("app_draft", rejected, new)
    assert (new.app.app_key, new.app.audience, new.app.is_new) == (
        "12345678", Audience.other_sellers, False,
    )  # fmt: skip
    assert [(r.method, r.reason, r.decision) for r in new.app.api_requests] == [
        (API, "Import orders.", ReviewStatus.pending)
    ]
    assert rejected.state == "rejected"  # the rejected journey stays final
    assert (rejected.app.key_held, new.app.key_held) == (False, True)  # the key moved on
    titles = [event_title(e) for e in _events(new.id)]
    assert titles == [
        "Journey opened",
        f"Continues rejected journey #{rejected.id}, carrying over the APP and its API requests",
    ]
    assert event_title(_events(rejected.id)[-1]) == f"Continued in new journey #{new.id}"
    assert replay_log().ok


def test_an_admin_continues_for_the_applicant_only_with_a_reason(rejected_app, make_user):
    rejected, _, _ = rejected_app
    admin = make_user(Role.admin)
    db.session.commit()
    with pytest.raises(DomainError, match="on the applicant's behalf"):
        continue_journey(rejected, admin, carry=[])
    db.session.rollback()
    new = continue_journey(rejected, admin, carry=[], reason="The applicant asked by phone.")
    db.session.commit()
    assert new.app is None  # nothing chosen, nothing carried
    for journey_id in (new.id, rejected.id):
        decision = _events(journey_id)[-1]
        assert decision.actor == admin
        assert decision.comment == "The applicant asked by phone."
        assert decision.data["about"]["on_behalf"] is True
    assert "started by an admin for the applicant" in event_title(_events(new.id)[-1])
    assert replay_log().ok


def test_who_may_not_continue_and_what_cannot_be_continued(rejected_app, make_user, make_journey):
    rejected, applicant, reviewer = rejected_app
    with pytest.raises(NotPermitted):
        continue_journey(rejected, reviewer, reason="Not a reviewer's step.")
    db.session.rollback()
    with pytest.raises(DomainError, match="Nothing of this kind to carry over: documents"):
        continue_journey(rejected, applicant, carry=["documents"])
    db.session.rollback()
    live = make_journey(rejected.account, applicant)
    with pytest.raises(DomainError, match="Only a rejected journey"):
        continue_journey(live, applicant)
    db.session.rollback()
    continue_journey(rejected, applicant)
    db.session.commit()
    with pytest.raises(DomainError, match="already continues this one"):
        continue_journey(rejected, applicant)
    db.session.rollback()
    count = db.session.scalars(select(Journey).where(Journey.follows_journey_id == rejected.id))
    assert len(count.all()) == 1


def test_the_reasons_shown_are_the_rejection_and_the_refusals(rejected_app):
    rejected, _, reviewer = rejected_app
    reasons = rejection_reasons(rejected)
    assert [(e.event, e.comment, e.note) for e in reasons] == [
        ("reject", "The APP duplicates an existing one.", "dup")
    ]


def _events(journey_id):
    db.session.expire_all()
    stmt = select(Event).where(Event.journey_id == journey_id).order_by(Event.id)
    return list(db.session.scalars(stmt))
