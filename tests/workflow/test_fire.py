"""The one door: roles, the event log, stale pages and the hash chain."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from workflow import requirements
from workflow.audit import GENESIS_HASH, verify_chain
from workflow.chart import JourneyChart
from workflow.errors import ConcurrentChange, DomainError, EventNotAllowed, NotFound, NotPermitted
from workflow.extensions import db
from workflow.models import Event, Journey, Role
from workflow.operations import fire


@pytest.fixture
def no_content_checks(monkeypatch):
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))


@pytest.fixture
def people(make_account, make_user):
    account = make_account()
    return {
        Role.applicant: make_user(Role.applicant, account),
        Role.reviewer: make_user(Role.reviewer),
        Role.admin: make_user(Role.admin),
        Role.system: make_user(Role.system),
    }


EVENTS = [event.id for event in JourneyChart.events]

#: Who fires each chart event, written out by hand: the applicant takes the steps, reviewers
#: (and admins, standing in) decide. A new event without a line here fails the test below.
FIRED_BY = {
    "submit": {Role.applicant},
    "withdraw": {Role.applicant},
    "register_app": {Role.applicant},
    "start_sandbox": {Role.applicant},
    "confirm_sandbox": {Role.applicant},
    "skip_sandbox": {Role.applicant},
    "choose_cloud": {Role.applicant},
    "choose_exemption": {Role.applicant},
    "start_distribution": {Role.applicant},
    "change_authorizations": {Role.applicant},
    "approve": {Role.reviewer, Role.admin},
    "request_changes": {Role.reviewer, Role.admin},
    "reject": {Role.reviewer, Role.admin},
    "refuse_exemption": {Role.reviewer, Role.admin},
    "call_meeting": {Role.reviewer, Role.admin},
    "environment_ready": {Role.reviewer, Role.admin},
}


def test_every_event_has_a_hand_written_line():
    assert sorted(FIRED_BY) == sorted(EVENTS)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("event", EVENTS)
def test_role_checks_on_every_event(event, role, people, make_journey, no_content_checks):
    actor = people[role]
    journey = make_journey(people[Role.applicant].account, state=_state_offering(event))
    if role in FIRED_BY[event]:
        fire(journey, event, actor, comment="A reason")
        assert journey.state != _state_offering(event)
        assert db.session.scalars(select(Event).where(Event.event == event)).one().actor == actor
    else:
        with pytest.raises(NotPermitted):
            fire(journey, event, actor, comment="A reason")
        assert journey.state == _state_offering(event)


def _state_offering(event: str) -> str:
    for state in JourneyChart.states:
        for transition in state.transitions:
            if event in transition.event.split():
                return state.id
    raise AssertionError(event)


def test_applicants_only_see_their_own_account(people, make_account, make_user, make_journey):
    other = make_user(Role.applicant, make_account())
    journey = make_journey(people[Role.applicant].account)
    with pytest.raises(NotFound):
        fire(journey, "submit", other)


def test_fire_writes_one_chained_event(people, make_journey, no_content_checks):
    journey = make_journey(people[Role.applicant].account, state="enablement_submitted")
    version = journey.version_id
    row = fire(
        journey, "request_changes", people[Role.reviewer], comment="Fix d", note="Called them"
    )
    db.session.commit()
    assert (row.from_state, row.to_state) == (
        "enablement_submitted",
        "enablement_changes_requested",
    )
    assert (row.comment, row.note) == ("Fix d", "Called them")
    assert journey.version_id == version + 1
    previous = db.session.scalars(select(Event).where(Event.id < row.id).order_by(Event.id)).all()
    assert row.prev_hash == previous[-1].hash
    assert previous[0].prev_hash == GENESIS_HASH
    assert verify_chain().ok


def test_reasons_are_required_for_changes_and_rejection(people, make_journey):
    journey = make_journey(people[Role.applicant].account, state="enablement_submitted")
    for event in ("request_changes", "reject"):
        with pytest.raises(DomainError, match="reason"):
            fire(journey, event, people[Role.reviewer], comment="   ")
    assert journey.state == "enablement_submitted"


def test_event_not_offered_in_state_is_refused(people, make_journey):
    journey = make_journey(people[Role.applicant].account)
    with pytest.raises(EventNotAllowed, match="not possible"):
        fire(journey, "approve", people[Role.reviewer])


def test_stale_page_version_is_a_conflict(people, make_journey, no_content_checks):
    journey = make_journey(people[Role.applicant].account, state="enablement_submitted")
    seen = journey.version_id
    fire(journey, "approve", people[Role.reviewer], seen_version=seen)
    db.session.commit()
    with pytest.raises(ConcurrentChange):
        fire(journey, "reject", people[Role.admin], comment="No", seen_version=seen)


def test_applicants_cannot_write_internal_notes(people, make_journey, no_content_checks):
    journey = make_journey(people[Role.applicant].account)
    with pytest.raises(NotPermitted):
        fire(journey, "submit", people[Role.applicant], note="secret")


def test_verify_finds_an_edited_row(people, make_journey, no_content_checks):
    journey = make_journey(people[Role.applicant].account)
    fire(journey, "submit", people[Role.applicant], comment="Please review")
    db.session.commit()
    target = db.session.scalars(select(Event).where(Event.event == "submit")).one()
    db.session.execute(
        text("UPDATE events SET comment = 'tampered' WHERE id = :id"), {"id": target.id}
    )
    db.session.commit()
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok
    assert report.broken_event_id == target.id


def test_released_journey_records_release_time(people, make_journey, no_content_checks):
    journey = make_journey(people[Role.applicant].account, state="distribution_submitted")
    fire(journey, "approve", people[Role.reviewer])
    assert journey.released_at is not None
    assert db.session.get(Journey, journey.id).state == "released"
