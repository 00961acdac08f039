"""The ISV's upload page in real Chromium: progress, slot states, review, rejection reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.live import browser_desk, serving, signed_in
from tests.enablement.conftest import LETTERS, file_for
from tests.support import PASSWORD, require_service
from workflow.extensions import db
from workflow.models import Account, AccountKind, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

CHROMIUM = os.environ.get("ONBOARDING_TEST_CHROMIUM", "/usr/bin/chromium")
#: How long a step may take before a browser test gives up: a shared, loaded machine can take
#: many seconds for a submission that renders a packet. Not a speed goal.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The width of a loaded image, waiting for a lazy one to arrive.
NATURAL_WIDTH = (
    "img => img.complete && img.naturalWidth ? img.naturalWidth"
    " : new Promise(done => img.addEventListener('load', () => done(img.naturalWidth)))"
)
#: Elements under a selector whose right edge is past the viewport.
WIDER_THAN_VIEWPORT = """selector =>
  [...document.querySelectorAll(selector + ', ' + selector + ' *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""
SCREENSHOT = Path("/tmp/enablement-applicant-360.png")


@pytest.fixture(scope="module")
def live_desk(tmp_path_factory):
    """The app with CSRF on and a file-backed SQLite database, served on loopback."""
    base = tmp_path_factory.mktemp("browser-desk")
    app = browser_desk(base)
    with app.app_context():
        account = Account(kind=AccountKind.isv, name="Browser ISV", taobao_account_id="tb_browser")
        users = {
            "applicant": User(email="isv@example.com", role=Role.applicant, account=account),
            "reviewer": User(email="rev@example.com", role=Role.reviewer),
        }
        for user in users.values():
            user.set_password(PASSWORD)
            user.email_verified_at = utcnow()
            db.session.add(user)
        journey_id = open_journey(account, users["applicant"]).id
        db.session.commit()
    with serving(app) as base_url:
        yield base_url, journey_id, base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        require_service("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _sign_in(browser, base_url: str, email: str):
    return signed_in(browser, base_url, email, width=1000)


def _fill_company_details(page) -> None:
    page.fill("#company_name", "Browser Software Ltd")
    page.fill("#registration_number", "REG-1")
    page.fill("#company_address", "1 Loopback Road")
    page.fill("#signatory_name", "Wang Fang")
    page.fill("#contact_name", "Wang Fang")
    page.fill("#contact_email", "wang@example.com")
    page.click("text=Save company details")
    page.wait_for_selector(".flash-success")


def test_isv_uploads_submits_and_sees_the_rejection(live_desk, browser, tmp_path):
    base_url, journey_id, _ = live_desk
    journey_url = f"{base_url}/journeys/{journey_id}"
    page = _sign_in(browser, base_url, "isv@example.com")
    page.goto(journey_url)
    _fill_company_details(page)

    for letter in LETTERS:
        data, name = file_for(letter, "tb_browser")
        path = tmp_path / name
        path.write_bytes(data)
        slot = page.locator(f"#doc-{letter}")
        assert slot.get_attribute("data-state") == "missing"
        slot.locator("input[type=file]").set_input_files(str(path))
        fresh = page.locator(f"#doc-{letter}[data-state=uploaded]")
        fresh.wait_for()
        assert fresh.locator(".progress").is_visible()
        width = fresh.locator(".progress > span").evaluate("el => el.style.width")
        assert width == "100%"
        assert "Uploaded version 1" in fresh.locator(".slot-message").inner_text()
        assert fresh.locator(".slot-state").inner_text() == "uploaded"

    page.goto(journey_url)
    page.click("#actions button:has-text('Submit')")
    page.wait_for_selector(".badge.state-enablement_submitted")

    reviewer = _sign_in(browser, base_url, "rev@example.com")
    reviewer.goto(journey_url)
    reviewer.locator("#doc-c details.doc-viewer summary").click()  # files open on demand
    image = reviewer.locator("#doc-c img.viewer-img")
    image.scroll_into_view_if_needed()
    assert image.evaluate(NATURAL_WIDTH) == 320
    assert reviewer.locator("#doc-d object.viewer").count() == 1
    doc_b = reviewer.locator("#doc-b")
    doc_b.locator("input[value=reject]").check()
    doc_b.locator("textarea[name=reason]").fill("The bank statement is older than three months.")
    doc_b.locator("text=Save decision").click()
    reviewer.wait_for_selector("#doc-b[data-state=rejected]")
    reviewer.fill("#actions #comment", "Please send a recent bank statement.")
    reviewer.click("#actions button:has-text('Request changes')")
    reviewer.wait_for_selector(".badge.state-enablement_changes_requested")

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(journey_url)
    rejected = page.locator("#doc-b")
    assert rejected.get_attribute("data-state") == "rejected"
    assert "older than three months" in rejected.locator(".slot-reason").inner_text()
    assert page.locator(".slot-state.rejected").count() == 1
    rejected.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    # The panel itself must fit; other cards on the page belong to other areas.
    too_wide = page.evaluate(WIDER_THAN_VIEWPORT, "#enablement")
    assert too_wide == [], f"these stick out at 360 px: {too_wide}"
