"""The journey pages in Chromium: the diagram tab opens on the current state with legible labels
and its legend in view, and at 360 px nothing scrolls sideways and checker messages keep a
readable column (issue 13, items 5 and 6)."""

from __future__ import annotations

import pytest

from tests.browser.live import browser_desk, serving, signed_in
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.support import PASSWORD
from top.evidence import stand_in_url
from top.gateway import DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from workflow.apps import operations as app_ops
from workflow.apps.demo import register_demo_app
from workflow.apps.evidence import attach_desk_run, run_checker
from workflow.extensions import db
from workflow.models import Account, AccountKind, EvidenceKind, ReviewStatus, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

#: The smallest label of the chart as drawn, in CSS px: each text's font size in the SVG's
#: units, times what those units measure on screen inside the <object>, times the object's
#: own scale in the page.
SMALLEST_LABEL_PX = """() => {
  const chart = document.querySelector("#diagram-box object.chart");
  const svg = chart.contentDocument.querySelector("svg");
  const scale = chart.getBoundingClientRect().width / chart.contentWindow.innerWidth;
  const sizes = [...svg.querySelectorAll("text")].map(
    (t) => parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a * scale);
  return {count: sizes.length, smallest: Math.min(...sizes)};
}"""
#: Where the current state is drawn, in page viewport px, and the box that shows it.
CURRENT_STATE = """() => {
  const box = document.getElementById("diagram-box");
  const chart = box.querySelector("object.chart");
  const node = chart.contentDocument.querySelector(".current").getBoundingClientRect();
  const frame = chart.getBoundingClientRect();
  const scale = frame.width / chart.contentWindow.innerWidth;
  const shown = box.getBoundingClientRect();
  return {
    left: frame.left + node.left * scale, right: frame.left + node.right * scale,
    top: frame.top + node.top * scale, bottom: frame.top + node.bottom * scale,
    box: {left: shown.left, right: shown.right, top: shown.top, bottom: shown.bottom},
    scrolled: box.scrollTop,
  };
}"""
RECT = "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, " \
    "left: r.left, right: r.right, width: r.width, height: r.height}; }"  # fmt: skip


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A seller with two journeys: one at the business meeting, one released with a signed
    sandbox run (a passing rules pass and a failed run with skipped checks)."""
    base = tmp_path_factory.mktemp("pages-desk")
    with LocalGateway() as gateway:
        app = browser_desk(base, TOP_GATEWAY_URL=gateway.url)
        with app.app_context():
            journeys = _seed(gateway.url)
        with serving(app) as base_url:
            yield base_url, journeys


def _seed(gateway_url: str) -> dict[str, int]:
    account = Account(kind=AccountKind.seller, name="Pages Flagship Store 页面旗舰店",
                      taobao_account_id="tb_pages_shop")  # fmt: skip
    applicant = User(email="seller@example.com", role=Role.applicant, account=account)
    reviewer = User(email="rita@example.com", role=Role.reviewer, name="Rita")
    for user in (applicant, reviewer):
        user.set_password(PASSWORD)
        user.email_verified_at = utcnow()
        db.session.add(user)
    meeting = open_journey(account, applicant)
    meeting.state = "confabulation"
    account.enabled_at = utcnow()
    released = open_journey(account, applicant)
    register_demo_app(released, applicant, app_key="12345670")
    for request in released.app.api_requests:
        request.decision = ReviewStatus.accepted
    released.state = "sandbox_verification"
    db.session.flush()
    apis = app_ops.granted_apis(released)
    sandbox = stand_in_url(gateway_url, "sandbox")
    for secret, rules in (("not-the-secret", False), (DEMO_APP_SECRET, True)):
        key = released.app.app_key
        report = run_checker(sandbox, key, secret, "hmac-sha256", DEMO_SESSION, apis, rules=rules)
        attach_desk_run(released, EvidenceKind.sandbox, applicant, report)
    released.state = "released"
    released.released_at = utcnow()
    db.session.commit()
    return {"meeting": meeting.id, "released": released.id}


def _signed_in(browser, base_url, email, width, height=900):  # noqa: F811
    return signed_in(browser, base_url, email, width=width, height=height)


def _open_journey(page, base_url, journey_id):
    """The journey's workspace with every finished stage unfolded."""
    page.goto(f"{base_url}/journeys/{journey_id}")
    for summary in page.locator(".done-stage > summary").all():
        summary.click()


def _open_diagram(page, base_url, journey_id):
    page.goto(f"{base_url}/journeys/{journey_id}/diagram")
    page.wait_for_function(
        "() => { const c = document.querySelector('#diagram-box object.chart');"
        " return c && c.contentDocument && c.contentDocument.querySelector('svg .current')"
        " && document.getElementById('diagram-box').scrollTop > 0; }"
    )


@pytest.mark.parametrize("width", [1280, 360])
def test_the_diagram_opens_on_the_current_state_legibly(desk, browser, width):  # noqa: F811
    base_url, journeys = desk
    page = _signed_in(browser, base_url, "seller@example.com", width)
    _open_diagram(page, base_url, journeys["meeting"])
    labels = page.evaluate(SMALLEST_LABEL_PX)
    assert labels["count"] > 40 and labels["smallest"] >= 11, labels

    card = page.locator("#diagram")
    card.scroll_into_view_if_needed()
    where = page.evaluate(CURRENT_STATE)
    box = where["box"]
    assert where["scrolled"] > 300  # the business meeting is far below the chart's top
    assert box["left"] <= where["left"] and where["right"] <= box["right"] + 1, where
    assert box["top"] <= where["top"] and where["bottom"] <= box["bottom"], where
    # The legend and the current state are on screen together, and the card has no blank.
    legend = page.locator(".diagram-legend").evaluate(RECT)
    viewport = page.viewport_size
    assert legend["top"] >= 0 and where["bottom"] <= viewport["height"], (legend, where)
    assert "Now: Business meeting" in page.locator(".diagram-legend").inner_text()
    card_box = card.evaluate(RECT)
    assert card_box["bottom"] - box["bottom"] < 40, (card_box, box)
    assert card_box["height"] < 900
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width

    page.click("button[data-diagram-zoom=out]")
    page.click("button[data-diagram-zoom=current]")
    labels = page.evaluate(SMALLEST_LABEL_PX)
    assert labels["smallest"] >= 11  # back at 100%
    page.close()


@pytest.mark.parametrize("email", ["seller@example.com", "rita@example.com"])
def test_at_360_px_nothing_scrolls_sideways_and_messages_have_room(desk, browser, email):  # noqa: F811
    base_url, journeys = desk
    page = _signed_in(browser, base_url, email, 360)
    for name in ("meeting", "released"):
        _open_diagram(page, base_url, journeys[name])
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, (name, "diagram", width)
        _open_journey(page, base_url, journeys[name])
        for details in page.locator("#evidence details").all():
            details.locator("summary").click()
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 360, (name, width)
    # Each message and its advice form one block as wide as the card allows, not a column.
    blocks = page.locator("#evidence td[data-label=Message] .check-message")
    assert blocks.count() > 10
    widths = [block.evaluate(RECT)["width"] for block in blocks.all()]
    hints = page.locator("#evidence .check-message .hint").all()
    advice = [hint.evaluate(RECT)["width"] for hint in hints]
    assert advice and min(widths + advice) >= 240, (widths, advice)
    skipped = page.locator("#evidence tr.check-skipped .badge.skipped")
    assert skipped.count() > 0 and skipped.first.inner_text() == "Skipped"
    page.goto(f"{base_url}/journeys")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.close()
