"""The settings pages: register (the secret shown once), keep what was typed, delete and
send again only when confirmed, and the admin's page for the desk's own endpoints."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from tests.seeding import seed_webhook
from workflow.errors import NotFound, NotPermitted
from workflow.extensions import db
from workflow.models import DeliveryStatus, Job, Role, WebhookDelivery, WebhookEndpoint
from workflow.webhooks.operations import register_endpoint

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")


def _endpoints():
    return db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def test_registering_shows_the_secret_once_and_never_logs_it(
    make_account, make_user, login, caplog
):
    account = make_account(name="Hook Ltd")
    applicant = make_user(Role.applicant, account)
    client = login(applicant)
    assert "No endpoint is registered." in client.get("/account/webhooks").text
    caplog.set_level(logging.DEBUG)
    page = client.post(
        "/account/webhooks",
        data={
            "url": "https://hooks.example.com/desk",
            "description": "Our ERP",
            "event_types": ["journey.moved", "packet.ready"],
        },
    )
    assert page.status_code == 200
    [secret] = SECRET.findall(page.text)
    [endpoint] = _endpoints()
    assert endpoint.account_id == account.id and endpoint.created_by_id == applicant.id
    assert endpoint.event_types == ["journey.moved", "packet.ready"]
    assert all(secret not in str(getattr(endpoint, c.key)) for c in endpoint.__table__.columns)
    for later in ("/account/webhooks", f"/webhooks/{endpoint.id}", "/account/settings"):
        text = client.get(later).text
        assert secret not in text and not SECRET.search(text)
    assert "hooks.example.com/desk" in client.get("/account/webhooks").text
    assert secret not in caplog.text


def test_a_refused_address_keeps_what_was_typed(make_account, make_user, login):
    applicant = make_user(Role.applicant, make_account())
    client = login(applicant)
    page = client.post(
        "/account/webhooks",
        data={
            "url": "http://hooks.example.com/plain",
            "description": "Typed with care",
            "event_types": ["document.decided"],
        },
    )
    assert page.status_code == 200
    assert "Use https://." in page.text
    assert 'value="http://hooks.example.com/plain"' in page.text
    assert 'value="Typed with care"' in page.text
    assert re.search(
        r'value="document.decided"[^>]*checked|checked[^>]*value="document.decided"', page.text
    )
    assert _endpoints() == []
    nothing = client.post("/account/webhooks", data={"url": "https://hooks.example.com/x"})
    assert "Choose at least one event type." in nothing.text and _endpoints() == []


def test_delete_and_redeliver_need_the_confirmation(make_account, make_user, login):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    endpoint_id, delivery_id = seed_webhook(account.id, "page")
    client = login(applicant)
    log = client.get(f"/webhooks/{endpoint_id}").text
    assert "Send again" in log and "HTTP 503" in log

    client.post(f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", data={})
    assert db.session.get(WebhookDelivery, delivery_id).status is DeliveryStatus.failed
    client.post(
        f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver", data={"confirm": "y"}
    )
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    assert delivery.status is DeliveryStatus.pending
    [job] = db.session.scalars(select(Job).where(Job.kind == "webhook")).all()
    assert job.payload == {"delivery": delivery_id, "attempt": 9, "first": 9}

    client.post(f"/webhooks/{endpoint_id}/delete", data={})
    assert db.session.get(WebhookEndpoint, endpoint_id) is not None
    answer = client.post(f"/webhooks/{endpoint_id}/delete", data={"confirm": "y"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/webhooks")
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint_id) is None
    assert db.session.get(WebhookDelivery, delivery_id) is None


def test_the_admin_registers_the_desks_own_endpoints(make_user, login):
    admin = make_user(Role.admin)
    client = login(admin)
    assert "Webhooks of Tmall Global" in client.get("/admin/users").text
    page = client.post(
        "/admin/webhooks",
        data={"url": "https://tmall.example.com/in", "event_types": ["journey.released"]},
    )
    assert SECRET.search(page.text)
    [endpoint] = _endpoints()
    assert endpoint.account_id is None and endpoint.is_desk_endpoint


def test_the_pages_read_in_chinese(make_account, make_user, login):
    applicant = make_user(Role.applicant, make_account())
    applicant.language = "zh_Hans_CN"
    client = login(applicant)
    page = client.get("/account/webhooks").text
    assert "注册端点" in page and "尚未注册任何端点。" in page


def test_only_the_accounts_applicants_register_its_endpoints(make_account, make_user):
    account, other = make_account(), make_account()
    outsider = make_user(Role.applicant, other)
    for actor in (make_user(Role.admin), make_user(Role.reviewer), outsider):
        with pytest.raises((NotFound, NotPermitted)):
            register_endpoint(actor, account, "https://hooks.example.com/x", ["journey.moved"])
    with pytest.raises((NotFound, NotPermitted)):
        register_endpoint(outsider, None, "https://hooks.example.com/x", ["journey.moved"])
    assert _endpoints() == []
