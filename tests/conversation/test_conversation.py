"""A conversation per stage: both sides post, the chain records it, mail goes to the other side,
and internal notes never join it."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.support import database_fingerprint
from workflow import audit
from workflow.conversation.operations import AlreadyPosted, StageMovedOn, post_message
from workflow.errors import NotFound, NotPermitted
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    DecisionKind,
    Event,
    OutboxMessage,
    Packet,
    Role,
    StageMessage,
)
from workflow.operations import fire
from workflow.replay import replay_log
from workflow.storage_setup import get_storage

NONCE = "n" * 24


@pytest.fixture
def cloud(make_account, make_user, make_journey):
    """An ISV journey on the cloud path, with its applicant, a colleague and a reviewer."""
    account = make_account(AccountKind.isv, name="Hangzhou Example Software")
    applicant = make_user(Role.applicant, account)
    colleague = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant, state="cloud_plan_submitted")
    return journey, applicant, colleague, reviewer


def _nonce(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def _post(client, journey, body, *, stage="4", nonce=None):
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    data = {"body": body, "stage": stage, "nonce": nonce or _nonce(page)}
    return client.post(f"/journeys/{journey.id}/conversation", data=data)


def _messages(journey):
    return list(
        db.session.scalars(
            select(StageMessage)
            .where(StageMessage.journey_id == journey.id)
            .order_by(StageMessage.id)
        )
    )


def _mail_to(address):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)))


def test_applicant_posts_and_the_reviewers_mailbox_gets_it(app, cloud, login):
    journey, applicant, _, _ = cloud
    client = login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Conversation on stage 4: Deployment" in page
    assert "No messages on this stage yet." in page

    response = _post(client, journey, "Which ECS region does the architecture review expect?")
    assert response.status_code == 302 and response.location.endswith("#conversation")

    [message] = _messages(journey)
    assert (message.stage, message.state, message.author_id) == (
        "4",
        "cloud_plan_submitted",
        applicant.id,
    )
    assert message.body == "Which ECS region does the architecture review expect?"
    assert not message.is_from_staff
    event = db.session.get(Event, message.event_id)
    assert event.event == DecisionKind.message.value and event.actor_id == applicant.id
    assert event.comment == message.body and event.note == ""
    assert event.from_state == event.to_state == "cloud_plan_submitted"
    assert event.data["about"] == {"stage": "4", "stage_title": "Deployment", "from_staff": False}
    assert audit.verify_chain().ok and replay_log().ok

    [mail] = _mail_to(app.config["TMALL_MAILBOX"])
    assert "Which ECS region" in mail.body and f"/journeys/{journey.id}#conversation" in mail.body
    assert mail.subject == "[TOP onboarding] Message from Hangzhou Example Software: Deployment"

    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Which ECS region does the architecture review expect?" in page
    assert "No messages on this stage yet." not in page
    trail = client.get(f"/journeys/{journey.id}/timeline").get_data(as_text=True)
    assert "Message to Tmall Global on stage 4, Deployment" in trail  # the timeline's entry
    assert "message · in Cloud plan submitted" in trail and "decision ·" not in trail


def test_reviewer_answers_and_every_applicant_of_the_account_gets_it(app, cloud, login):
    journey, applicant, colleague, reviewer = cloud
    client = login(reviewer)
    response = _post(client, journey, "Hangzhou, please; two ECS instances behind an SLB.")
    assert response.status_code == 302

    [message] = _messages(journey)
    assert message.is_from_staff and message.author_id == reviewer.id
    for user in (applicant, colleague):
        [mail] = _mail_to(user.email)
        assert "two ECS instances behind an SLB" in mail.body
        assert mail.subject == "[TOP onboarding] Message from Tmall Global: Deployment"
    assert _mail_to(app.config["TMALL_MAILBOX"]) == []
    assert audit.verify_chain().ok and replay_log().ok


def test_applicant_message_goes_to_the_assigned_reviewer(app, cloud, login):
    journey, applicant, _, reviewer = cloud
    journey.assignee_id = reviewer.id
    db.session.commit()
    assert _post(login(applicant), journey, "Is the plan complete?").status_code == 302
    [mail] = _mail_to(reviewer.email)
    assert "Is the plan complete?" in mail.body
    assert _mail_to(app.config["TMALL_MAILBOX"]) == []


def test_a_message_does_not_make_an_open_decision_stale(cloud, login):
    journey, applicant, _, reviewer = cloud
    version = journey.version_id
    assert _post(login(applicant), journey, "One more detail about the plan.").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(journey), journey.id).version_id == version


def test_a_double_submit_posts_once(cloud, login):
    journey, applicant, _, _ = cloud
    client = login(applicant)
    first = _post(client, journey, "Posted once", nonce=NONCE)
    second = _post(client, journey, "Posted once", nonce=NONCE)
    assert first.status_code == second.status_code == 302
    assert len(_messages(journey)) == 1
    count = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.event == DecisionKind.message.value)
    )
    assert count == 1
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "That message was already posted; the second click changed nothing." in page


def test_a_stale_form_posts_nothing_and_keeps_the_text(cloud, login):
    journey, applicant, _, _ = cloud
    client = login(applicant)
    before = database_fingerprint()
    response = _post(client, journey, "Written while the journey was at stage 3", stage="3")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The journey moved on to stage 4, Deployment, since this page was opened." in page
    assert ">Written while the journey was at stage 3</textarea>" in page
    assert 'name="stage" value="4"' in page  # posting it again goes to the current stage
    assert database_fingerprint() == before


def test_an_empty_or_hostile_message_is_refused_beside_its_field(cloud, login):
    journey, applicant, _, _ = cloud
    client = login(applicant)
    before = database_fingerprint()
    response = _post(client, journey, "   ")
    assert response.status_code == 400
    assert "Write a message first." in response.get_data(as_text=True)
    response = _post(client, journey, "bidi \u202e text")
    assert response.status_code == 400
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.get_data(as_text=True)
    assert ">bidi" in response.get_data(as_text=True)
    assert database_fingerprint() == before


def test_an_ended_journey_closes_its_conversations(cloud, login):
    journey, applicant, _, _ = cloud
    post_message(journey, applicant, "Before the end", nonce=NONCE)
    db.session.commit()
    journey.state = "withdrawn"
    db.session.commit()
    client = login(applicant)
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "its conversations are closed" in page
    assert "Stage 4, Deployment: 1 message" in page and "Before the end" in page
    before = database_fingerprint()
    response = _post(client, journey, "After the end", nonce="m" * 24)
    assert response.status_code == 400 and "its conversations are closed" in response.text
    assert database_fingerprint() == before


def test_earlier_stages_keep_their_conversations(cloud, login):
    journey, applicant, _, reviewer = cloud
    journey.state = "sandbox_verification"
    db.session.commit()
    post_message(journey, applicant, "Sandbox question", nonce=NONCE, stage="3")
    journey.state = "cloud_plan_draft"
    db.session.commit()
    page = login(reviewer).get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Stage 3, Sandbox verification: 1 message" in page and "Sandbox question" in page
    assert "Conversation on stage 4: Deployment" in page
    with pytest.raises(StageMovedOn):
        post_message(journey, applicant, "Late", nonce="m" * 24, stage="3")


def test_the_policy_refuses_other_accounts_and_unconfirmed_colleagues(
    cloud, make_account, make_user, login
):
    journey, _, colleague, _ = cloud
    stranger = make_user(Role.applicant, make_account(AccountKind.isv))
    with pytest.raises(NotFound):
        post_message(journey, stranger, "Not my journey", nonce=NONCE)
    colleague.email_verified_at = None
    db.session.commit()
    with pytest.raises(NotPermitted):
        post_message(journey, colleague, "Not confirmed yet", nonce=NONCE)
    db.session.rollback()
    before = database_fingerprint()
    response = login(stranger).post(
        f"/journeys/{journey.id}/conversation",
        data={"body": "Not mine", "stage": "4", "nonce": NONCE},
    )
    assert response.status_code == 404
    assert database_fingerprint() == before


def test_the_same_nonce_twice_in_operations_raises(cloud):
    journey, applicant, _, _ = cloud
    post_message(journey, applicant, "Once", nonce=NONCE)
    with pytest.raises(AlreadyPosted):
        post_message(journey, applicant, "Once", nonce=NONCE)


def test_an_edited_message_fails_the_replay(cloud):
    journey, applicant, _, _ = cloud
    message = post_message(journey, applicant, "What I wrote", nonce=NONCE)
    db.session.commit()
    assert replay_log().ok
    message.body = "What I did not write"
    db.session.commit()
    report = replay_log()
    assert not report.ok
    assert f"stage_messages {message.id}, body_sha256" in str(report.first)


def test_internal_notes_never_reach_the_conversation_mail_or_packet(
    seller_submission, make_user, login
):
    journey, applicant, submit = seller_submission
    reviewer = make_user(Role.reviewer)
    post_message(journey, applicant, "Is our shop name right?", nonce=NONCE)
    submit()
    fire(
        journey,
        "request_changes",
        reviewer,
        comment="Use the name on the licence.",
        note="INTERNAL-ONLY the licence looked doctored",
    )
    post_message(journey, reviewer, "The licence shows another name.", nonce="r" * 24)
    db.session.commit()
    submit()

    page = login(applicant).get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "The licence shows another name." in page and "Is our shop name right?" in page
    assert "INTERNAL-ONLY" not in page
    mails = list(db.session.scalars(select(OutboxMessage)))
    assert any("The licence shows another name." in m.body for m in mails)
    assert not any("INTERNAL-ONLY" in m.body for m in mails)
    assert all("INTERNAL-ONLY" not in m.body for m in _messages(journey))

    newest = db.session.scalars(select(Packet).order_by(Packet.id.desc())).first()
    with get_storage().open(newest.file_id) as fh:
        pdf = PdfReader(io.BytesIO(fh.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "Is our shop name right?" in text and "The licence shows another name." in text
    assert "Message to Tmall Global on stage 1" in text
    assert "INTERNAL-ONLY" not in text and "doctored" not in text
    assert audit.verify_chain().ok and replay_log().ok


def test_the_dashboard_never_shows_the_applicants_own_message_as_the_reviewers(cloud, login):
    journey, applicant, _, reviewer = cloud
    post_message(journey, reviewer, "Please add the Redis sizing.", nonce=NONCE)
    post_message(journey, applicant, "Added it to the appendix.", nonce="a" * 24)
    db.session.commit()
    page = login(applicant).get("/journeys").get_data(as_text=True)
    assert "Latest comment from Tmall Global</strong>" in page
    assert "Please add the Redis sizing." in page
    assert "Added it to the appendix." not in page


def test_an_unconfirmed_colleague_reads_but_is_told_to_confirm_before_writing(cloud, login):
    journey, applicant, colleague, _ = cloud
    post_message(journey, applicant, "Visible to colleagues", nonce=NONCE)
    db.session.commit()
    client = login(colleague)
    colleague.email_verified_at = None
    db.session.commit()
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Visible to colleagues" in page
    assert "Confirm your e-mail address to write here" in page
    assert 'id="message-body"' not in page
