"""A stage's conversation in real Chromium: the applicant asks, the reviewer answers at 360 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.live import browser_desk, serving
from tests.browser.test_enablement_browser import WIDER_THAN_VIEWPORT, _sign_in, browser
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import Account, AccountKind, OutboxMessage, Role, StageMessage, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

__all__ = ["browser"]  # the shared Chromium fixture


@pytest.fixture(scope="module")
def conversation_desk(tmp_path_factory):
    """CSRF on, a file-backed SQLite database, and an ISV journey whose cloud plan waits."""
    base = tmp_path_factory.mktemp("conversation-desk")
    app = browser_desk(base)
    with app.app_context():
        account = Account(kind=AccountKind.isv, name="Browser Cloud ISV", taobao_account_id="tb_c")
        for email, role in (
            ("isv@example.com", Role.applicant),
            ("rev@example.com", Role.reviewer),
        ):
            user = User(email=email, role=role, account=account if role is Role.applicant else None)
            user.set_password(PASSWORD)
            user.email_verified_at = utcnow()
            db.session.add(user)
        journey = open_journey(account, None)
        journey.state = "cloud_plan_submitted"  # placed there directly, as tests may
        db.session.commit()
        journey_id = journey.id
    with serving(app) as base_url:
        yield app, base_url, journey_id


def _messages(app, journey_id):
    with app.app_context():
        rows = db.session.scalars(
            select(StageMessage).where(StageMessage.journey_id == journey_id)
        ).all()
        return [(m.is_from_staff, m.body) for m in rows]


def test_applicant_asks_and_reviewer_answers_on_a_phone(conversation_desk, browser):
    app, base_url, journey_id = conversation_desk
    journey_url = f"{base_url}/journeys/{journey_id}"

    page = _sign_in(browser, base_url, "isv@example.com")
    page.goto(journey_url)
    panel = page.locator("#conversation")
    assert "No messages on this stage yet." in panel.inner_text()
    page.fill("#message-body", "Does the architecture review need our Redis sizing?")
    page.locator("#conversation button[type=submit]").dblclick()  # a double click posts once
    page.wait_for_selector(".flash-success")
    assert "Does the architecture review need our Redis sizing?" in panel.inner_text()
    assert _messages(app, journey_id) == [
        (False, "Does the architecture review need our Redis sizing?")
    ]
    page.close()

    phone = _sign_in(browser, base_url, "rev@example.com")
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(journey_url)
    assert "Redis sizing" in phone.locator("#conversation").inner_text()
    assert phone.evaluate(WIDER_THAN_VIEWPORT, "#conversation") == []
    phone.fill("#message-body", "Yes: peak connections and memory, in the plan's appendix.")
    phone.click("#conversation button[type=submit]")
    phone.wait_for_selector(".flash-success")
    text = phone.locator("#conversation").inner_text()
    assert "peak connections and memory" in text and "Tmall Global" in text
    assert phone.evaluate(WIDER_THAN_VIEWPORT, "#conversation") == []
    phone.close()

    assert _messages(app, journey_id)[-1] == (
        True,
        "Yes: peak connections and memory, in the plan's appendix.",
    )
    with app.app_context():
        mailed = {m.to_addr for m in db.session.scalars(select(OutboxMessage))}
    assert mailed == {app.config["TMALL_MAILBOX"], "isv@example.com"}
