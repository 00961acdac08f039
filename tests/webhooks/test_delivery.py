"""Webhooks against a receiver on loopback: signed, retried, never twice, switched off."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from workflow import jobs, requirements
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    DeliveryStatus,
    OutboxMessage,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
)
from workflow.operations import fire
from workflow.webhooks.events import CHANGES_REQUESTED, JOURNEY_MOVED, RELEASED
from workflow.webhooks.operations import redeliver, register_endpoint, switch_on

pytestmark = pytest.mark.usefixtures("loopback_allowed")


@pytest.fixture
def desk(make_account, make_user, make_journey, monkeypatch):
    # No content checks: what a decision needs is not what these tests are about.
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    account = make_account(AccountKind.isv, name="Hook Ltd")
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)

    def submitted_journey():
        return make_journey(account, applicant, state="enablement_submitted")

    return account, applicant, reviewer, submitted_journey


def _register(receiver, account, applicant, types=(JOURNEY_MOVED, CHANGES_REQUESTED)):
    endpoint, secret = register_endpoint(applicant, account, receiver.url, types)
    db.session.commit()
    receiver.secret = secret
    return endpoint


def _send_back(journey, reviewer, comment="Please check the shop name."):
    fire(journey, "request_changes", reviewer, comment=comment)
    db.session.commit()


def _work():
    result = jobs.run_due(kinds=["webhook"])
    db.session.expire_all()
    return result


def _deliveries():
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def test_deliveries_arrive_signed_and_carry_no_comment(desk, receiver, clock):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant)
    receiver.start()
    journey = submitted_journey()
    _send_back(journey, reviewer, comment="The seal on page 2 is unreadable.")

    queued = _deliveries()
    assert [d.event_type for d in queued] == [JOURNEY_MOVED, CHANGES_REQUESTED]
    assert receiver.arrivals == []  # written with the change, sent by the worker

    assert _work().done == 2
    assert len(receiver.arrivals) == 2
    assert all(a.verified for a in receiver.arrivals)
    by_id = {a.delivery_id: a for a in receiver.arrivals}
    for row in _deliveries():
        arrival = by_id[row.delivery_id]
        assert row.status is DeliveryStatus.delivered and row.attempts == 1
        assert row.last_http_status == 204
        assert arrival.event == row.event_type
        data = arrival.data
        assert data["delivery_id"] == row.delivery_id
        assert data["journey"] == {
            "id": journey.id,
            "account_id": account.id,
            "state": "enablement_changes_requested",
            "stage": "1",
        }
        assert data["transition"] == {
            "event": "request_changes",
            "from": "enablement_submitted",
            "to": "enablement_changes_requested",
        }
        assert data["occurred_at"].endswith("Z")
    assert all(
        b"seal" not in a.body and receiver.secret.encode() not in a.body for a in receiver.arrivals
    )


def test_a_change_that_rolls_back_owes_nothing(desk, receiver, clock):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant)
    journey = submitted_journey()
    fire(journey, "request_changes", reviewer, comment="Rolled back.")
    db.session.rollback()
    assert _deliveries() == []
    assert _work().claimed == 0


def test_another_accounts_endpoint_hears_nothing_and_the_desks_hears_all(
    desk, receiver, clock, make_account, make_user
):
    account, applicant, reviewer, submitted_journey = desk
    other = make_account(AccountKind.isv, name="Other Ltd")
    other_applicant = make_user(Role.applicant, other)
    admin = make_user(Role.admin)
    theirs, _ = register_endpoint(other_applicant, other, receiver.url, [JOURNEY_MOVED])
    desks, _ = register_endpoint(admin, None, receiver.url + "/tmall", [JOURNEY_MOVED])
    db.session.commit()
    _send_back(submitted_journey(), reviewer)
    assert [d.endpoint_id for d in _deliveries()] == [desks.id]
    assert theirs.id != desks.id


def test_redelivered_after_the_receiver_was_down(desk, receiver, clock):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    _send_back(submitted_journey(), reviewer)  # the receiver is not listening yet

    assert _work().done == 1
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.pending and delivery.attempts == 1
    assert "cannot connect" in delivery.last_error
    assert delivery.next_attempt_at == clock.now + jobs.backoff(1)
    assert _work().claimed == 0  # not before its backoff ran out

    clock.advance(seconds=31)
    assert _work().done == 1  # still down: the second attempt fails too
    [delivery] = _deliveries()
    assert delivery.attempts == 2 and delivery.next_attempt_at == clock.now + jobs.backoff(2)

    receiver.start()
    clock.advance(seconds=61)
    assert _work().done == 1
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.delivered and delivery.attempts == 3
    assert [a.delivery_id for a in receiver.arrivals] == [delivery.delivery_id]
    assert receiver.arrivals[0].verified
    assert db.session.get(WebhookEndpoint, delivery.endpoint_id).consecutive_failures == 0


def test_never_delivered_twice_to_a_receiver_that_acknowledged(desk, receiver, clock, app):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    receiver.start()
    for n in range(6):
        _send_back(submitted_journey(), reviewer, comment=f"Change {n}.")
    assert len(_deliveries()) == 6
    db.session.rollback()  # this session holds no SQLite lock while the workers run

    def worker():
        with app.app_context():
            jobs.run_due(kinds=["webhook"], limit=3)

    racers = [threading.Thread(target=worker) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    _work()
    clock.advance(hours=2)
    assert _work().claimed == 0  # a second round finds nothing owed

    ids = [a.delivery_id for a in receiver.arrivals]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert {d.status for d in _deliveries()} == {DeliveryStatus.delivered}
    with pytest.raises(DomainError):
        redeliver(applicant, _deliveries()[0])


def test_a_failed_delivery_can_be_sent_again_under_its_id(desk, receiver, clock, monkeypatch):
    import workflow.webhooks.delivery as delivery_module

    monkeypatch.setattr(delivery_module, "MAX_ATTEMPTS", 2)
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    receiver.status = 503
    receiver.start()
    _send_back(submitted_journey(), reviewer)
    _work()
    clock.advance(seconds=31)
    _work()
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 2
    assert delivery.last_http_status == 503

    receiver.status = None
    redeliver(applicant, delivery)
    db.session.commit()
    assert _work().done == 1
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.delivered and delivery.attempts == 3
    assert {a.delivery_id for a in receiver.arrivals} == {delivery.delivery_id}
    assert len(receiver.arrivals) == 3


def test_switched_off_after_the_configured_failures_and_the_owner_mailed(
    desk, receiver, clock, app, monkeypatch, make_user
):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_FAILURES", 3)
    account, applicant, reviewer, submitted_journey = desk
    colleague = make_user(Role.applicant, account)
    colleague.language = "zh_Hans_CN"
    endpoint = _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    receiver.status = 500
    receiver.start()
    _send_back(submitted_journey(), reviewer)
    for _round in range(3):
        _work()
        clock.advance(hours=1)
    assert _work().claimed == 0

    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert endpoint.consecutive_failures == 3
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.failed and delivery.attempts == 3
    assert len(receiver.arrivals) == 3

    outbox = db.session.scalars(select(OutboxMessage)).all()
    mails = {m.to_addr: m for m in outbox if receiver.url in m.subject}
    assert set(mails) == {applicant.email, colleague.email}
    english, chinese = mails[applicant.email], mails[colleague.email]
    assert "switched off" in english.subject and receiver.url in english.subject
    assert "3 failed deliveries in a row" in english.body and "HTTP 500" in english.body
    assert f"http://desk.test/webhooks/{endpoint.id}" in english.body
    assert "已停用" in chinese.subject and receiver.url in chinese.body
    assert receiver.secret not in english.body + chinese.body

    _send_back(submitted_journey(), reviewer)
    assert len(_deliveries()) == 1  # a switched-off endpoint is owed nothing more
    with pytest.raises(DomainError):
        redeliver(applicant, delivery)

    # Once the receiver works, the owner switches it on and sends what it missed.
    receiver.status = None
    switch_on(colleague, endpoint)
    redeliver(colleague, delivery)
    db.session.commit()
    assert _work().done == 1
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.delivered and len(receiver.arrivals) == 4
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.is_active and endpoint.disabled_at is None
    assert endpoint.consecutive_failures == 0


def test_the_egress_guard_refuses_loopback_unless_allowed(desk, receiver, clock, app, monkeypatch):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    receiver.start()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "")
    _send_back(submitted_journey(), reviewer)
    _work()
    [delivery] = _deliveries()
    assert delivery.status is DeliveryStatus.pending and delivery.attempts == 1
    assert "not a public address" in delivery.last_error
    assert receiver.arrivals == []


def test_the_desks_own_reason_reads_in_the_readers_language(
    desk, receiver, clock, app, monkeypatch, login
):
    account, applicant, reviewer, submitted_journey = desk
    endpoint = _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "")
    _send_back(submitted_journey(), reviewer)
    _work()
    [delivery] = _deliveries()
    assert delivery.last_error_code == "not_public"
    assert delivery.last_error_params == {
        "host": "127.0.0.1",
        "setting": "ONBOARDING_WEBHOOK_ALLOWED_NETWORKS",
    }
    client = login(applicant)
    zh = client.get(f"/webhooks/{endpoint.id}", headers={"Accept-Language": "zh-CN"})
    page = zh.get_data(as_text=True)
    assert "已拒绝：127.0.0.1 不是公网地址" in page and "not a public address" not in page
    en = client.get(f"/webhooks/{endpoint.id}", headers={"Accept-Language": "en"})
    assert "refused: 127.0.0.1 is not a public address" in en.get_data(as_text=True)

    # A row from before the codes shows its text as stored.
    delivery.last_error_code = delivery.last_error_params = None
    delivery.last_error = "refused: an older row"
    db.session.commit()
    page = client.get(f"/webhooks/{endpoint.id}", headers={"Accept-Language": "zh-CN"})
    assert "refused: an older row" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://203.0.113.9/hook",  # plain http outside the allow-list
        "http://hooks.example.com/in",  # plain http to a name
        "https://10.0.0.5/hook",  # a private address
        "https://[::1]/hook",  # loopback, IPv6
        "https://user:pw@hooks.example.com/in",
        "ftp://hooks.example.com/in",
        "https://",
    ],
)
def test_registration_refuses_what_the_desk_will_not_send_to(desk, url):
    account, applicant, *_ = desk
    with pytest.raises(DomainError):
        register_endpoint(applicant, account, url, [JOURNEY_MOVED])


def test_release_is_its_own_event_type(desk, receiver, clock, make_journey):
    account, applicant, reviewer, _submitted = desk
    _register(receiver, account, applicant, types=(RELEASED,))
    journey = make_journey(account, applicant, state="distribution_submitted")
    fire(journey, "approve", reviewer)
    db.session.commit()
    assert [d.event_type for d in _deliveries()] == [RELEASED]


def test_a_desk_endpoint_switched_off_mails_the_admins(
    desk, receiver, clock, app, monkeypatch, make_user
):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_FAILURES", 1)
    _account, _applicant, reviewer, submitted_journey = desk
    admin = make_user(Role.admin)
    register_endpoint(admin, None, receiver.url, [JOURNEY_MOVED])
    db.session.commit()
    receiver.status = 502
    receiver.start()
    _send_back(submitted_journey(), reviewer)
    _work()
    [endpoint] = db.session.scalars(select(WebhookEndpoint)).all()
    assert not endpoint.is_active
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_addr for m in mails if "Webhook endpoint" in m.subject] == [admin.email]


def test_only_the_start_of_a_refusals_answer_is_kept(desk, receiver, clock):
    account, applicant, reviewer, submitted_journey = desk
    _register(receiver, account, applicant, types=(JOURNEY_MOVED,))
    receiver.status, receiver.answer = 500, b"Internal trouble. " + b"x" * 5_000_000
    receiver.start()
    _send_back(submitted_journey(), reviewer)
    _work()
    [delivery] = _deliveries()
    assert delivery.last_http_status == 500
    assert delivery.last_error.startswith("HTTP 500 Internal trouble. xxx")
    assert len(delivery.last_error) <= 320
