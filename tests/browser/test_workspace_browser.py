"""The journey workspace in Chromium, measured at every stop of both journeys.

A seller (Taobao cloud, a new APP) and an ISV (documents a–f, the own-server exemption) are
walked to "released" through HTTP (``tests/browser/workspace_walk.py``). At every submitted
stage the reviewer's page is opened at 1280×900: the decision controls start in the first
screen. At every stop, each page of the journey (workspace, timeline, diagram), as applicant
and as reviewer, is opened at 360 px: none scrolls sideways. A change request leads the
applicant's page with the reviewer's comment and the reasons per item. At the end a released
journey's page is under 2,500 px tall at 1280 px.

The walk posts through the desk's test clients, so CSRF is switched off for this served desk;
the browser only reads pages and signs in.
"""

from __future__ import annotations

import pytest

from tests.browser.live import browser_desk, serving, signed_in
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.browser.workspace_walk import (
    API_CHANGES,
    API_REFUSED,
    DOCUMENT_CHANGES,
    DOCUMENT_REJECTED,
    walk_isv,
    walk_seller,
)
from tests.enablement.conftest import Party
from tests.support import PASSWORD, OwnUserClient
from top.gateway import LocalGateway
from workflow.extensions import db
from workflow.models import Account, AccountKind, Journey, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

FIRST_SCREEN = 900
RELEASED_MAX = 2500
#: Where the reviewer's decision controls start, from the top of the page.
CONTROLS_Y = "() => document.querySelector('#actions form').getBoundingClientRect().y + scrollY"
HEIGHT = "document.scrollingElement.scrollHeight"
SIDEWAYS = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
TABS = ("", "/timeline", "/diagram")


@pytest.fixture(params=["seller", "isv"])
def desk(request, tmp_path_factory):
    """A desk of its own for each journey: both register the local gateway's one APP key."""
    base = tmp_path_factory.mktemp(f"workspace-{request.param}")
    with LocalGateway() as gateway:
        app = browser_desk(base, TOP_GATEWAY_URL=gateway.url)
        app.config["WTF_CSRF_ENABLED"] = False  # the walk's test clients post without tokens
        app.test_client_class = OwnUserClient  # each client its own user, in one app context
        with app.app_context():
            made = {
                "seller": _party(AccountKind.seller, "Demo Flagship Store", "tb_ws_seller"),
                "isv": _party(AccountKind.isv, "Demo Software Ltd", "tb_ws_isv"),
            }
            db.session.commit()
            parties = {
                kind: (p.account.id, p.applicant.id, p.reviewer.id, p.journey.id)
                for kind, p in made.items()
            }
            emails = {kind: (p.applicant.email, p.reviewer.email) for kind, p in made.items()}
        with serving(app) as base_url:
            yield request.param, app, base_url, gateway, parties, emails


def _user(email: str, role: Role, account: Account | None = None) -> User:
    user = User(email=email, role=role, account=account, email_verified_at=utcnow())
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def _party(kind: AccountKind, name: str, taobao_id: str) -> Party:
    account = Account(kind=kind, name=name, taobao_account_id=taobao_id)
    applicant = _user(f"{kind.value}@workspace.example.com", Role.applicant, account)
    reviewer = _user(f"reviewer-{kind.value}@workspace.example.com", Role.reviewer)
    db.session.flush()
    return Party(account, applicant, reviewer, open_journey(account, applicant))


def _signed_in(browser, base_url, email):  # noqa: F811
    return signed_in(browser, base_url, email)


def _client(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


class Measures:
    """What the walk's stops measured, and what failed."""

    def __init__(self, base_url, applicant_page, reviewer_page):
        self.base_url, self.applicant, self.reviewer = base_url, applicant_page, reviewer_page
        self.controls: dict[str, float] = {}
        self.sideways: dict[str, int] = {}
        self.changes: dict[str, str] = {}
        self.heights: dict[str, int] = {}
        self.stops = 0
        #: ``(viewers, files loaded with the page, open after opening two in turn)``.
        self.viewers: tuple[int, int, int] | None = None

    def _one_at_a_time(self, viewers, files: list[str]) -> tuple[int, int, int]:
        """Document viewers start closed and load nothing; opening one closes the other."""
        self.reviewer.wait_for_load_state("networkidle")
        loaded = len(files)
        viewers.nth(0).locator("summary").click()
        viewers.nth(1).locator("summary").click()
        self.reviewer.wait_for_load_state("networkidle")
        is_open = self.reviewer.locator("details.doc-viewer[open]")
        assert viewers.nth(1).evaluate("d => d.open"), "the viewer clicked last is open"
        assert any("/file" in url for url in files[loaded:]), "an opened viewer loads its file"
        return viewers.count(), loaded, is_open.count()

    def at(self, state: str, jid: int) -> None:
        db.session.rollback()  # the walk's reads end here: the served desk may write
        self.stops += 1
        url = f"{self.base_url}/journeys/{jid}"
        if state.endswith("_submitted"):
            self.reviewer.set_viewport_size({"width": 1280, "height": 900})
            files: list[str] = []
            listen = lambda request: "/file" in request.url and files.append(request.url)  # noqa: E731
            self.reviewer.on("request", listen)
            self.reviewer.goto(url)
            self.controls[state] = self.reviewer.evaluate(CONTROLS_Y)
            viewers = self.reviewer.locator("details.doc-viewer")
            if state == "enablement_submitted" and viewers.count():
                self.viewers = self._one_at_a_time(viewers, files)
            self.reviewer.remove_listener("request", listen)
        if state.endswith("_changes_requested"):
            self.applicant.set_viewport_size({"width": 1280, "height": 900})
            self.applicant.goto(url)
            lead = self.applicant.locator("#changes-requested")
            first_card = self.applicant.locator("main .card").first
            assert first_card.get_attribute("id") == "changes-requested", state
            self.changes[state] = lead.inner_text()
        if state == "released":
            self.applicant.set_viewport_size({"width": 1280, "height": 900})
            self.applicant.goto(url)
            self.heights[f"{jid} applicant"] = self.applicant.evaluate(HEIGHT)
            self.reviewer.set_viewport_size({"width": 1280, "height": 900})
            self.reviewer.goto(url)
            self.heights[f"{jid} reviewer"] = self.reviewer.evaluate(HEIGHT)
        for who, page in (("applicant", self.applicant), ("reviewer", self.reviewer)):
            page.set_viewport_size({"width": 360, "height": 800})
            for tab in TABS:
                assert page.goto(url + tab).status == 200, (who, url + tab)
                extra = page.evaluate(SIDEWAYS)
                if extra > 0:
                    self.sideways[f"{state} {who} {tab or '/'}"] = extra


def test_every_stop_of_the_journey_fits_the_workspace(desk, browser):  # noqa: F811
    kind, app, base_url, gateway, parties, emails = desk
    applicant_email, reviewer_email = emails[kind]
    measures = Measures(
        base_url,
        _signed_in(browser, base_url, applicant_email),
        _signed_in(browser, base_url, reviewer_email),
    )
    with app.app_context():
        account_id, applicant_id, reviewer_id, journey_id = parties[kind]
        party = Party(
            db.session.get(Account, account_id),
            db.session.get(User, applicant_id),
            db.session.get(User, reviewer_id),
            db.session.get(Journey, journey_id),
        )
        applicant, reviewer = _client(app, party.applicant), _client(app, party.reviewer)
        if kind == "seller":
            walk_seller(applicant, reviewer, party.journey.id, gateway, measures.at)
        else:
            walk_isv(applicant, reviewer, party, gateway, measures.at)
    starts = {state: round(y) for state, y in measures.controls.items()}
    print(f"{kind}: decision controls start at", starts)
    print(f"{kind}: released page heights", measures.heights)

    submitted = {
        "seller": {"enablement_submitted", "api_access_submitted", "mrd_prd_submitted",
                   "cloud_plan_submitted", "cloud_verification_submitted",
                   "authorization_submitted", "distribution_submitted"},
        "isv": {"enablement_submitted", "api_access_submitted", "exemption_submitted",
                "authorization_submitted", "distribution_submitted"},
    }[kind]  # fmt: skip
    assert set(measures.controls) == submitted
    late = {state: y for state, y in measures.controls.items() if y >= FIRST_SCREEN}
    assert late == {}, f"decision controls below the first {FIRST_SCREEN} px: {late}"
    assert measures.sideways == {}, f"pages that scroll sideways at 360 px: {measures.sideways}"
    assert measures.stops >= len(submitted) + 2
    tall = {who: h for who, h in measures.heights.items() if h >= RELEASED_MAX}
    assert len(measures.heights) == 2 and tall == {}, measures.heights

    if kind == "isv":  # six documents: their viewers start closed and open one at a time
        assert measures.viewers == (6, 0, 1), measures.viewers
    [lead] = measures.changes.values()
    if kind == "seller":
        assert API_CHANGES in lead and f"taobao.trade.fullinfo.get: {API_REFUSED}" in lead
    else:
        assert DOCUMENT_CHANGES in lead and f"Document b: {DOCUMENT_REJECTED}" in lead
