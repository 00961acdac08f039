"""Regenerate the screenshots of docs/applicant.md and docs/reviewer.md from the live pages.

    make screenshots        (or: .venv/bin/python docs/screenshots.py [--chromium PATH])

A throw-away desk (a temporary directory, the desk's local TOP gateway) is served on loopback.
A seller's and an ISV's journeys are walked to "released" through HTTP, as the browser tests
do (``tests/browser/workspace_walk.py``), and Chromium takes each picture at the stop it shows.
Nothing is written outside that directory but the PNG files in docs/img/.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.live import browser_desk, serving, signed_in  # noqa: E402
from tests.browser.workspace_walk import walk_isv, walk_seller  # noqa: E402
from tests.enablement.conftest import Party  # noqa: E402
from tests.support import PASSWORD, OwnUserClient  # noqa: E402
from top.gateway import LocalGateway  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import Account, AccountKind, Role, User  # noqa: E402
from workflow.models.base import utcnow  # noqa: E402
from workflow.operations import open_journey  # noqa: E402

IMG = ROOT / "docs" / "img"
ARGS = ["--no-sandbox", "--disable-gpu"]
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 360, "height": 800}

#: ``(journey, stop) -> [(who, file, path after /journeys/<id>, viewport, full page)]``.
SHOTS = {
    ("seller", "api_access_changes_requested"): [
        ("applicant", "applicant-journey.png", "", WIDE, False),
    ],
    ("seller", "released"): [
        ("applicant", "applicant-released.png", "", WIDE, True),
        ("reviewer", "journey-timeline.png", "/timeline", WIDE, False),
    ],
    ("isv", "enablement_changes_requested"): [
        ("applicant", "applicant-documents-360.png", "", PHONE, False),
    ],
    ("isv", "enablement_submitted"): [
        ("reviewer", "review-documents.png", "", WIDE, False),
        ("reviewer", "review-queue.png", "/review/", WIDE, False),
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        try:
            for kind in ("seller", "isv"):
                # A desk each: both journeys register the local gateway's one APP key.
                _shoot(Path(tmp) / kind, kind, browser)
        finally:
            browser.close()


def _shoot(base: Path, kind: str, browser) -> None:
    base.mkdir()
    with LocalGateway() as gateway:
        app = browser_desk(base, TOP_GATEWAY_URL=gateway.url)
        app.config["WTF_CSRF_ENABLED"] = False  # the walk posts through test clients
        app.test_client_class = OwnUserClient
        with app.app_context(), serving(app) as base_url:
            party = _party(kind)
            emails = {"applicant": party.applicant.email, "reviewer": party.reviewer.email}
            db.session.commit()
            pages = {who: _signed_in(browser, base_url, email) for who, email in emails.items()}

            def at(stop: str, jid: int) -> None:
                db.session.rollback()  # the served desk may write now
                for who, name, path, viewport, full in SHOTS.get((kind, stop), []):
                    page = pages[who]
                    page.set_viewport_size(viewport)
                    url = path if path.startswith("/review") else f"/journeys/{jid}{path}"
                    page.goto(base_url + url)
                    page.screenshot(path=str(IMG / name), full_page=full)
                    print(f"docs/img/{name}: {kind} at {stop}, {who}")

            applicant = _client(app, party.applicant)
            reviewer = _client(app, party.reviewer)
            if kind == "seller":
                walk_seller(applicant, reviewer, party.journey.id, gateway, at)
            else:
                walk_isv(applicant, reviewer, party, gateway, at)
            for page in pages.values():
                page.close()


def _party(kind: str) -> Party:
    if kind == "seller":
        account = Account(kind=AccountKind.seller, name="Demo Global Flagship Store",
                          taobao_account_id="tg_demo_seller")  # fmt: skip
    else:
        account = Account(kind=AccountKind.isv, name="Demo Software Ltd",
                          taobao_account_id="demo_isv_account")  # fmt: skip
    applicant = _user(f"{kind}@demo.example.com", Role.applicant, account, "Li Na")
    reviewer = _user("reviewer@demo.example.com", Role.reviewer, None, "Rita Reviewer")
    db.session.flush()
    return Party(account, applicant, reviewer, open_journey(account, applicant))


def _user(email: str, role: Role, account: Account | None, name: str) -> User:
    user = User(email=email, role=role, account=account, name=name, email_verified_at=utcnow())
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _signed_in(browser, base_url: str, email: str):
    return signed_in(browser, base_url, email, width=WIDE["width"], height=WIDE["height"])


def _client(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, "sign-in failed"
    return client


if __name__ == "__main__":
    main()
