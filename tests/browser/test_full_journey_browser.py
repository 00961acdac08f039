"""A seller goes from registration to a released APP in Chromium, with a reviewer acting at
every step: every form, button and confirmation on the way is used as a person would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.live import PAGE_TIMEOUT_MS, browser_desk, serving
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.support import PASSWORD
from top.evidence import stand_in_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from workflow import audit
from workflow.extensions import db
from workflow.models import Journey, OutboxMessage, Role, SellerList, User
from workflow.models.base import utcnow

SELLER_ID = "2200800011122"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """CSRF on, a file-backed database, and the desk's gateway pointing at a local one."""
    base = tmp_path_factory.mktemp("full-journey")
    with LocalGateway() as gateway:
        app = browser_desk(base, TOP_GATEWAY_URL=gateway.url)
        with app.app_context():
            reviewer = User(
                email="reviewer@example.com",
                role=Role.reviewer,
                name="Rita",
                email_verified_at=utcnow(),
            )
            reviewer.set_password(PASSWORD)
            db.session.add(reviewer)
            db.session.commit()
        with serving(app) as base_url:
            yield app, base_url


def _page(browser, base_url):  # noqa: F811
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation dialogs
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.base_url = base_url
    return page


def _sign_in(page, email):
    page.goto(f"{page.base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _mailed_link(app, to_addr: str, path: str) -> str:
    """The desk-relative link to ``path`` in the newest message queued for ``to_addr``."""
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_addr == to_addr)
            .order_by(OutboxMessage.id.desc())
        ).first()
        [link] = re.findall(rf"https?://[^/\s]+({re.escape(path)}\S*)", message.body)
        db.session.rollback()
    return link


def _ok(page, text):
    """The flash after an action says it worked."""
    flash = page.locator(".flash").first
    flash.wait_for()
    assert text in flash.inner_text(), flash.inner_text()


def _step(page, label, expect_state):
    page.click(f"#actions button:has-text('{label}')")
    _ok(page, f"the journey is now “{expect_state}”")


def _run_on_host(token, gateway_url, output):
    """The applicant's cloud host runs the checker it downloaded, signing with the token."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TOP_APP_SECRET": DEMO_APP_SECRET, "PYTHONPATH": str(root)}
    run = subprocess.run(
        [sys.executable, "-m", "top", "check", "--evidence-token", token, "--gateway",
         gateway_url, "--app-key", DEMO_APP_KEY, "--session", DEMO_SESSION,
         "--output", str(output)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr


def _fill_form(page, kind, values):
    form = page.locator(f"#form-{kind} form.stack-form")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if value is True:
            field.check()
        else:
            field.fill(value)
    form.locator("button").click()
    _ok(page, "")


def test_seller_reaches_release_in_the_browser(desk, browser, tmp_path):  # noqa: F811
    app, base_url = desk
    gateway_url = app.config["TOP_GATEWAY_URL"]
    seller, reviewer = _page(browser, base_url), _page(browser, base_url)

    seller.goto(f"{base_url}/register")
    seller.fill("input[name=email]", "shop@example.com")
    seller.fill("input[name=password]", PASSWORD)
    seller.fill("input[name=confirm]", PASSWORD)
    seller.check("input[name=account_kind][value=seller]")
    seller.fill("input[name=account_name]", "天猫国际 Demo Store")
    seller.fill("input[name=taobao_account_id]", "tb_browser_shop")
    seller.click("button[type=submit]")
    seller.locator("h1:has-text('Check your mailbox')").wait_for()
    seller.goto(base_url + _mailed_link(app, "shop@example.com", "/account/verify"))
    seller.click("button:has-text('Confirm my address')")
    _ok(seller, "Your e-mail address is confirmed")
    _sign_in(seller, "shop@example.com")
    seller.click("a.ji-title")
    journey_url = seller.url
    seller.fill("input[name=seller_id]", SELLER_ID)
    seller.fill("input[name=shop_name]", "Demo Store")
    seller.fill("input[name=contact_name]", "Li Na")
    seller.fill("input[name=contact_email]", "li@example.com")
    seller.fill("textarea[name=reason]", "Sync orders with our warehouse.")
    seller.click("text=Save request")
    _ok(seller, "Saved")
    _step(seller, "Submit for review", "Enablement submitted")

    _sign_in(reviewer, "reviewer@example.com")
    reviewer.click(f"a[href='{journey_url.removeprefix(base_url)}']")  # from the queue
    _step(reviewer, "Approve", "Account enabled")

    seller.goto(journey_url)
    seller.fill("input[name=app_key]", DEMO_APP_KEY)
    seller.fill("input[name=name]", "Warehouse sync")
    seller.fill("textarea[name=description]", "Pulls orders, pushes tracking numbers.")
    seller.click("text=Register the APP")
    _ok(seller, "")
    assert "APP draft" in seller.inner_text(".badge")
    for method, reason in (
        ("taobao.trades.sold.get", "Import new orders."),
        ("taobao.logistics.offline.send", "Send tracking numbers."),
    ):
        seller.check(f"input[name=api][value='{method}']")
        seller.fill(f"textarea[name='reason-{method}']", reason)
    seller.click("text=Save API requests")
    _ok(seller, "")
    _step(seller, "Submit for review", "API access submitted")

    reviewer.goto(journey_url)
    for index in range(2):
        reviewer.locator("form.inline-decide button[value=grant]").nth(index).click()
        _ok(reviewer, "granted")
    _step(reviewer, "Approve", "API access granted")

    seller.goto(journey_url)
    _step(seller, "Start sandbox verification", "Sandbox verification")
    for kind in ("sandbox",):
        seller.click(f"a[href*='/check/{kind}']")
        seller.check("input[name=gateway][value=stand-in-sandbox]")
        seller.fill("input[name=app_secret]", DEMO_APP_SECRET)
        seller.fill("input[name=session]", DEMO_SESSION)
        seller.click("text=Run and attach as evidence")
        _ok(seller, "attached as evidence")
    _step(seller, "Confirm sandbox verified", "Sandbox verified")
    _step(seller, "Deploy on Taobao cloud", "MRD/PRD draft")
    market = {
        "market": "Cross-border sellers",
        "target_sellers": "Tmall Global shops",
        "features": "Order sync",
        "data_handled": "Orders and addresses, to ship",
    }
    _fill_form(seller, "mrd", market)
    product = {
        "functional_requirements": "Import paid orders; ship them from the ERP",
        "user_flows": "Link the shop once; orders then appear in the ERP",
        "apis_used": "taobao.trades.sold.get, to import orders",
        "data_handled": "Buyer addresses, to print labels",
        "data_retention": "Deleted 90 days after delivery",
        "volumes": "2,000 orders a day",
        "peak_load": "20 calls a second on 11.11",
        "error_handling": "Retried with back-off, then alerted",
    }
    _fill_form(seller, "prd", product)
    _step(seller, "Submit for review", "MRD/PRD submitted")

    reviewer.goto(journey_url)
    _step(reviewer, "Approve", "Cloud plan draft")

    seller.goto(journey_url)
    _fill_form(
        seller,
        "cloud_plan",
        {
            "compute": "2 × ECS 4 vCPU",
            "database": "RDS MySQL 100 GB",
            "storage": "OSS 50 GB",
            "network": "5 Mbps, one SLB",
            "architecture": "Web and worker",
            "data_flows": "Pull orders every minute",
            "security": "VPC, encrypted disks",
        },
    )
    _step(seller, "Submit for review", "Cloud plan submitted")

    reviewer.goto(journey_url)
    _step(reviewer, "Approve", "Cloud provisioning")

    seller.goto(journey_url)
    order = {
        "order_reference": "ALY-2026-0042",
        "ordered_on": "2026-11-24",
        "services_ordered": "2 × ECS 4 vCPU, RDS MySQL 100 GB",
    }
    _fill_form(seller, "cloud_order", order)

    reviewer.goto(journey_url)
    assert "ALY-2026-0042" in reviewer.locator("#form-cloud_order").inner_text()
    environment = {
        "configured_on": "2026-11-25",
        "region": "cn-hangzhou-h",
        "resources": "2 ECS, RDS MySQL, SLB",
        "access": "VPC vpc-demo through the bastion host",
    }
    _fill_form(reviewer, "cloud_environment", environment)
    _step(reviewer, "Cloud environment configured", "Cloud verification")

    seller.goto(journey_url)
    configured = seller.locator("#form-cloud_environment").inner_text()
    assert "cn-hangzhou-h" in configured and "VPC vpc-demo through the bastion host" in configured
    _fill_form(seller, "deployment_confirmation", {"app_ported": True})
    seller.click("text=Get an evidence token for a run on your host")
    token = seller.locator("#evidence-token").inner_text()
    command = seller.locator("pre.command").inner_text()
    assert token in command and "--gateway" in command
    _run_on_host(token, stand_in_url(gateway_url, "production"), tmp_path / "evidence.json")
    seller.goto(journey_url)
    seller.set_input_files("#report-cloud", str(tmp_path / "evidence.json"))
    seller.locator("#evidence form:has(#report-cloud) button").click()
    _ok(seller, "verified and attached as evidence")
    _step(seller, "Submit for review", "Cloud verification submitted")

    reviewer.goto(journey_url)
    assert "on the applicant’s host" in reviewer.content()
    _step(reviewer, "Approve", "Deployed")

    seller.goto(journey_url)
    _step(seller, "Start distribution", "Distribution setup")

    # The APP was registered for the seller's own shop; it is to serve two other sellers too.
    seller.check("input[name=audience][value=other_sellers]")
    seller.click("button:has-text('Change who the APP serves')")
    seller.locator(".flash").first.wait_for()
    ids = seller.locator("textarea[name=ids]").first
    assert SELLER_ID in ids.input_value()  # the seller's own ID is on the list by default
    ids.fill(f"{SELLER_ID}\n1001\n1002")
    seller.locator("#sellers-authorization button:has-text('Save the list')").click()
    _ok(seller, "Saved 3 seller IDs")
    _step(seller, "Submit for review", "Authorization submitted")

    reviewer.goto(journey_url)
    _step(reviewer, "Approve", "Distribution draft")

    seller.goto(journey_url)
    seller.locator("#sellers-distribution textarea[name=ids]").fill(f"{SELLER_ID}\n1001")
    seller.locator("#sellers-distribution button:has-text('Save the list')").click()
    _ok(seller, "Saved 2 seller IDs")
    seller.click("button:has-text('I confirm the APP is configured in the TOP console')")
    seller.locator(".flash").first.wait_for()
    _step(seller, "Submit for review", "Distribution submitted")

    reviewer.goto(journey_url)
    _step(reviewer, "Approve", "Released")

    seller.goto(journey_url)
    assert "Released" in seller.inner_text(".badge")
    assert seller.locator("#packets a[href$='.pdf']").count() == 7  # one per submission
    with app.app_context():
        journey = db.session.get(Journey, int(journey_url.rsplit("/", 1)[1]))
        assert journey.state == "released" and journey.released_at is not None
        in_force = [sl for sl in db.session.query(SellerList).all() if sl.is_in_force]
        assert sorted((sl.kind.value, sl.count) for sl in in_force) == [
            ("authorization", 3),
            ("distribution", 2),
        ]
        assert audit.verify_chain().ok


def test_pages_fit_a_360_px_screen(desk, browser):  # noqa: F811
    """After the journey above, every page both roles use fits a phone without side-scrolling."""
    _, base_url = desk
    pages = {
        "shop@example.com": ["/journeys", "/journeys/1", "/journeys/1/check/cloud"],
        "reviewer@example.com": ["/review/", "/review/journeys", "/journeys/1"],
    }
    for email, urls in pages.items():
        page = browser.new_page(viewport={"width": 360, "height": 800})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.base_url = base_url
        _sign_in(page, email)
        for url in urls:
            page.goto(base_url + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        page.close()
