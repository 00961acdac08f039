"""The upload script speaks the page's language: a Chinese applicant's slots in real Chromium.

uploads.js holds no text of its own that a reader sees: the page passes the translated texts
in data- attributes. An upload that works shows the server's Chinese message and slot state;
one that cannot reach the server shows the page's Chinese text for that.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.live import browser_desk, serving, signed_in
from tests.browser.test_enablement_browser import CHROMIUM, CHROMIUM_ARGS
from tests.enablement.conftest import file_for
from tests.support import PASSWORD, require_service
from workflow.extensions import db
from workflow.models import Account, AccountKind, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser-desk-zh")
    app = browser_desk(base)
    with app.app_context():
        account = Account(kind=AccountKind.isv, name="浏览器服务商", taobao_account_id="tb_zh")
        applicant = User(email="zh@example.com", role=Role.applicant, account=account)
        applicant.set_password(PASSWORD)
        applicant.email_verified_at = utcnow()
        applicant.language = "zh_Hans_CN"
        db.session.add(applicant)
        journey_id = open_journey(account, applicant).id
        db.session.commit()
    with serving(app) as base_url:
        yield base_url, journey_id


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        require_service("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def test_upload_messages_are_chinese(live_desk, chromium, tmp_path):
    base_url, journey_id = live_desk
    page = signed_in(chromium, base_url, "zh@example.com", width=1000)
    page.goto(f"{base_url}/journeys/{journey_id}")
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"

    data, name = file_for("a", "tb_zh")
    path = tmp_path / name
    path.write_bytes(data)

    # The server cannot be reached: the script says so in the page's language.
    page.route("**/enablement/documents/a", lambda route: route.abort())
    slot = page.locator("#doc-a")
    slot.locator("input[type=file]").set_input_files(str(path))
    message = slot.locator(".slot-message.error")
    message.wait_for()
    assert message.inner_text() == "上传失败：网络未连接。"
    assert slot.get_attribute("data-state") == "missing"

    # Reachable again: the slot comes back from the server, in Chinese.
    page.unroute("**/enablement/documents/a")
    again = tmp_path / f"again-{name}"  # a new choice of file, so the input changes
    again.write_bytes(data)
    slot.locator("input[type=file]").set_input_files(str(again))
    fresh = page.locator("#doc-a[data-state=uploaded]")
    fresh.wait_for()
    assert "已上传" in fresh.locator(".slot-message").inner_text()
    assert "第 1 版" in fresh.locator(".slot-message").inner_text()
    assert fresh.locator(".slot-state").inner_text() == "已上传"
