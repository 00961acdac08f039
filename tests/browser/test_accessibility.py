"""axe-core on every page of both journeys, as each role sees it, at 1280 and at 360 px.

The world is the hostile corpus's: a seller's and an ISV's journey at every stage, each with its
APP, API requests, evidence, stage forms, seller lists and packets. Each journey page is checked
as its applicant and as a reviewer; the account, queue, search, reports and admin pages as their
users see them; the pages before sign-in with their mailed-link tokens. A page passes with no
serious or critical violation, and at 360 px it does not scroll sideways.

Playwright bypasses the page's Content-Security-Policy in this test only, so that axe's script
can be injected.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.browser.live import PAGE_TIMEOUT_MS, browser_desk, serving
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.hostile.world import STAGES, build_world
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import User

WIDTHS = (1280, 360)
BLOCKING = frozenset({"serious", "critical"})
SIDEWAYS = "document.scrollingElement.scrollWidth - window.innerWidth"
#: Journeys whose timeline and diagram tabs are checked too: a submission, a draft, the end.
TABBED = ("review", "api", "distdraft", "rejected")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    base = tmp_path_factory.mktemp("accessibility")
    app = browser_desk(base, TOP_GATEWAY_URL="http://127.0.0.1:9/router/rest")
    with app.app_context():
        world = build_world()
        # The sign-in form refuses the special-use .test domain the corpus's users have.
        for user in db.session.scalars(select(User)):
            user.email = user.email.replace("@hostile.test", "@hostile.example.com")
        db.session.commit()
    with serving(app) as base_url:
        yield base_url, world


def pages_by_role(world) -> dict[str, list[str]]:
    """Every page of both journeys, and around them, by who looks at it."""
    isv = world.ids["isv"]
    anonymous = [
        "/login",
        "/register",
        "/password/forgot",
        "/password/reset?" + urlencode({"token": isv["reset_token"]}),
        "/invitation?" + urlencode({"token": isv["invitation_token"]}),
    ]
    account_pages = ["/", "/journeys", "/account/password"]
    journeys = {
        role: [f"/journeys/{ids[name]}" for name in STAGES]
        + [f"/journeys/{ids[name]}/{tab}" for name in TABBED for tab in ("timeline", "diagram")]
        for role, ids in world.ids.items()
    }
    checker = [f"/journeys/{world.ids[role]['sandbox']}/check/sandbox" for role in world.ids]
    compare = [f"/enablement/documents/{isv['document']}/compare"]
    staff = ["/review/", "/review/journeys?" + urlencode({"q": "Hostile"}), "/reports/", *compare]
    return {
        "anonymous": anonymous,
        "seller": account_pages + journeys["seller"] + checker[:1],
        "isv": account_pages + journeys["isv"] + checker[1:],
        "reviewer": staff + journeys["seller"] + journeys["isv"],
        "admin": ["/admin/users", *staff],
    }


def _signed_in(browser, base_url, role):  # noqa: F811
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    if role != "anonymous":
        page.goto(f"{base_url}/login")
        page.fill("input[name=email]", f"{role}@hostile.example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _blocking(results: dict) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


def test_every_page_of_both_journeys_passes_axe_at_both_widths(desk, browser):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    base_url, world = desk
    axe, found, checked = Axe(), {}, 0
    for role, paths in pages_by_role(world).items():
        context, page = _signed_in(browser, base_url, role)
        try:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for path in paths:
                    response = page.goto(base_url + path)
                    assert response.status < 400, f"{role} {path}: HTTP {response.status}"
                    problems = _blocking(axe.run(page).response)
                    if width == 360 and (extra := page.evaluate(SIDEWAYS)) > 0:
                        problems.append(f"scrolls sideways by {extra} px")
                    if problems:
                        found[f"{role} {width}px {path}"] = problems
                    checked += 1
        finally:
            context.close()
    print(f"axe-core checked {checked} pages")
    assert checked >= 2 * (5 + 2 * (15 + 8) + 2 * (15 + 8) + 3)
    assert found == {}, "\n".join(f"{page}: {problems}" for page, problems in found.items())


def test_the_keyboard_reaches_the_skip_link_then_the_form(desk, browser):  # noqa: F811
    base_url, _ = desk
    context, page = _signed_in(browser, base_url, "anonymous")
    try:
        page.goto(f"{base_url}/login")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown once focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "email"
        page.keyboard.type("seller@hostile.example.com")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        assert page.locator(".who").inner_text()
    finally:
        context.close()


def test_leaving_a_changed_form_asks_first_and_sending_it_does_not(desk, browser):  # noqa: F811
    base_url, world = desk
    journey = f"{base_url}/journeys/{world.ids['seller']['enable']}"
    context, page = _signed_in(browser, base_url, "seller")
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    try:
        page.goto(journey)
        field = page.locator("form.request-form input[name=contact_name]")
        field.click()  # a person's click: Chromium prompts only on pages the user touched
        field.fill("Typed and not saved")
        with page.expect_event("dialog"):
            page.close(run_before_unload=True)  # closing the tab: the browser asks first
        assert asked == ["beforeunload"]
        assert not page.is_closed()  # dismissed: the page and what was typed stay

        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
        page.goto(journey)
        name = page.locator("form.request-form input[name=contact_name]")
        loaded = name.get_attribute("value") or ""
        name.click()
        name.fill("Typed, then typed back")
        name.fill(loaded)  # what the page was loaded with again: nothing is changed
        with page.expect_event("close"):
            page.close(run_before_unload=True)
        assert asked == ["beforeunload"]  # not asked again

        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
        page.goto(journey)
        page.locator("form.request-form input[name=contact_name]").fill("Typed and sent")
        page.locator(
            "form.request-form button[type=submit], form.request-form button"
        ).first.click()
        page.wait_for_selector(".flash")
        assert page.locator("form.request-form input[name=contact_name]").input_value() == (
            "Typed and sent"
        )
        assert asked == ["beforeunload"]  # sending the form is not leaving it
    finally:
        context.close()
