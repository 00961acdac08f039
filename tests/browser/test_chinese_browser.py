"""The seller's journey in Chinese, in Chromium: the switch on the sign-in page, the reviewer's
queue and decision pane, the applicant's pages, with CJK glyphs drawn.

The walk to "released" posts through the desk's test clients (``tests/browser/workspace_walk.py``);
the browser signs in with 中文 chosen on the sign-in page and looks at the pages at each stop.
Screenshots at 1280 px go to a temporary directory, or to ``ONBOARDING_TEST_SCREENSHOTS`` when it
is set (``docs/screenshots`` keeps the ones the docs show).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.live import PAGE_TIMEOUT_MS, browser_desk, serving
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.browser.workspace_walk import walk_seller
from tests.enablement.conftest import Party
from tests.support import PASSWORD, OwnUserClient
from top.gateway import LocalGateway
from workflow.extensions import db
from workflow.models import Account, AccountKind, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

WIDE = {"width": 1280, "height": 900}
#: Two different characters draw two different pictures only when a font has their glyphs;
#: without one both are the same "missing glyph" box.
DRAWN = """([a, b]) => {
  const draw = (text) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const context = canvas.getContext("2d");
    context.font = "48px " + getComputedStyle(document.body).fontFamily;
    context.fillText(text, 4, 52);
    return Array.from(context.getImageData(0, 0, 64, 64).data).join(",");
  };
  return draw(a) !== draw(b);
}"""


def _user(email: str, role: Role, account: Account | None, name: str) -> User:
    user = User(email=email, role=role, account=account, name=name, email_verified_at=utcnow())
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _client(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signed_in_in_chinese(browser, base_url: str, email: str, zone: str):  # noqa: F811
    page = browser.new_page(viewport=WIDE, locale="en-GB", timezone_id=zone)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{base_url}/login")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("form.language-switch button[value=zh_Hans_CN]")
    page.wait_for_selector("html[lang=zh-Hans-CN]")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.locator("html").get_attribute("lang") == "zh-Hans-CN"
    return page


@pytest.fixture
def shots(tmp_path) -> Path:
    chosen = os.environ.get("ONBOARDING_TEST_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_the_seller_journey_reads_in_chinese(browser, tmp_path, shots):  # noqa: F811
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no font with Chinese glyphs (make system-deps)"
    with LocalGateway() as gateway:
        app = browser_desk(tmp_path, TOP_GATEWAY_URL=gateway.url)
        app.config["WTF_CSRF_ENABLED"] = False  # the walk's test clients post without tokens
        app.test_client_class = OwnUserClient
        with app.app_context(), serving(app) as base_url:
            account = Account(
                kind=AccountKind.seller, name="环球旗舰店", taobao_account_id="tb_zh_seller"
            )
            applicant = _user("seller@zh.example.com", Role.applicant, account, "李娜")
            reviewer = _user("reviewer@zh.example.com", Role.reviewer, None, "王审核")
            db.session.flush()
            party = Party(account, applicant, reviewer, open_journey(account, applicant))
            emails = {"applicant": applicant.email, "reviewer": reviewer.email}
            journey_id = party.journey.id
            db.session.commit()
            walkers = (_client(app, applicant), _client(app, reviewer))
            db.session.rollback()  # read nothing more here while the browser signs in
            #: The applicant's browser is in Berlin; the reviewer's zone is Hangzhou's anyway.
            zones = {"applicant": "Europe/Berlin", "reviewer": "America/New_York"}
            pages = {
                who: _signed_in_in_chinese(browser, base_url, email, zones[who])
                for who, email in emails.items()
            }
            pages["applicant"].wait_for_function(
                "() => !document.getElementById('time-zone-report')"
            )
            seen: dict[str, str] = {}

            def at(stop: str, jid: int) -> None:
                db.session.rollback()  # the served desk may write now
                page = pages["reviewer"]
                if stop == "api_access_submitted" and "queue" not in seen:
                    page.goto(f"{base_url}/review/")
                    seen["queue"] = page.inner_text("main")
                    assert page.evaluate(DRAWN, ["审", "核"]), "CJK glyphs are drawn"
                    page.screenshot(path=str(shots / "zh-review-queue.png"))
                    page.goto(f"{base_url}/journeys/{jid}")
                    seen["decision"] = page.inner_text("body")
                    page.screenshot(path=str(shots / "zh-review-decision.png"))
                if stop == "api_access_changes_requested":
                    pages["applicant"].goto(f"{base_url}/journeys/{jid}")
                    seen["changes"] = pages["applicant"].inner_text("body")
                    pages["applicant"].screenshot(path=str(shots / "zh-applicant-journey.png"))

            walk_seller(*walkers, journey_id, gateway, at)
            db.session.rollback()
            applicant_page = pages["applicant"]
            applicant_page.goto(f"{base_url}/journeys")
            seen["released"] = applicant_page.inner_text("body")
            applicant_page.screenshot(path=str(shots / "zh-applicant-dashboard.png"))
            for page in pages.values():
                page.close()
    assert "审核队列" in seen["queue"] and "环球旗舰店" in seen["queue"]
    assert "分配" in seen["queue"] or "认领" in seen["queue"]
    assert "退出登录" in seen["decision"] and "天猫国际 · 淘宝开放平台入驻" in seen["decision"]
    assert "我的入驻" in seen["changes"] and "我的入驻" in seen["released"]
    # The reviewer's times are Hangzhou's; the applicant's, their browser's zone.
    assert "中国标准时间" in seen["decision"]
    assert "中欧" in seen["changes"] and " UTC" not in seen["changes"]
    with app.app_context():
        people = select(User.email, User.time_zone).where(User.email.like("%@zh.example.com"))
        zones = dict(db.session.execute(people).all())
    assert zones == {"seller@zh.example.com": "Europe/Berlin", "reviewer@zh.example.com": None}
    for name in ("zh-review-queue", "zh-review-decision", "zh-applicant-journey"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
