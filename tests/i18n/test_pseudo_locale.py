"""Every word a page shows comes from a catalog, or is user data, an identifier or a code.

The test swaps the desk's translations (both domains, every message) for a pseudo-locale that
wraps each translated message in ⟦…⟧, renders the pages of both journeys (a seller's and an
ISV's, in every state of the chart, as the applicant and as a reviewer) and the pages around
them, and collects the visible text left outside the markers once user data and codes are
taken out. What is left was written in English straight into a template or a view.

Each page's leftovers are printed (``pytest -s`` shows them). The assertion holds for the pages
in :data:`CHECKED`; a page joins it once its strings are wrapped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

import pytest
from flask_babel import Domain

from tests.seeding import journey_with_app, seed_webhook
from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import AccountKind, Audience, Role
from workflow.models.base import utcnow
from workflow.operations import open_journey
from workflow.stages import STATE_NAMES

OPEN, CLOSE = "⟦", "⟧"
#: Between two text nodes of a page.
NODE = "\x00"

#: Pages whose every word must come from a catalog: the frame and the pages around the journeys.
CHECKED = {
    "login",
    "register",
    "forgotten password",
    "settings",
    "password",
    "review queue",
    "all journeys",
    "reports",
    "users",
    "retention",
    "not found",
    "webhooks",
    "webhook log",
    "desk webhooks",
    "dashboard: seller",
    "dashboard: isv",
}
#: Journey pages, by state, whose strings are wrapped (the stages' and the journey's templates);
#: ``"*"`` checks them all, as the reviewer and as the applicant.
CHECKED_JOURNEY_STATES: set[str] = {"*"}
#: Codes and names that stay as they are in every language.
CODES = {
    "TOP", "APP", "APPs", "API", "APIs", "ISV", "TP", "MRD", "PRD", "SLA", "SHA-256", "CSV",
    "XLSX", "JSON", "PDF", "UTC", "GMT+8", "KB", "MB", "GB", "AppKey", "AppSecret", "EN",
    "中文", "p90", "#",
}  # fmt: skip
#: A word that is a number, a date or time, an e-mail address, a key or a dotted API name.
IDENTIFIER = re.compile(
    r"^(#?\d[\d,.:\-/]*|[\w.+-]+@[\w.-]+|[a-z0-9]+(\.[a-z0-9_]+)+|[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*"
    r"|[0-9a-f]{8,})$"
)
PUNCTUATION = re.compile(r"^[\W_]+$")
#: The zone names Babel writes (locale data, not the desk's catalogs).
ZONE_NAMES = re.compile(r"\b(Coordinated Universal Time|China Standard Time|[A-Z][a-z]+ Time)\b")
#: Attributes people read: a tooltip, a screen reader's label, a confirmation.
READ_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "data-confirm")


class PseudoTranslations:
    """The desk's translations with every message wrapped in markers (English underneath)."""

    def __init__(self, translations):
        self.translations = translations

    def ugettext(self, message):
        return OPEN + self.translations.ugettext(message) + CLOSE

    def ungettext(self, singular, plural, n):
        return OPEN + self.translations.ungettext(singular, plural, n) + CLOSE

    def upgettext(self, context, message):
        return OPEN + self.translations.upgettext(context, message) + CLOSE

    def unpgettext(self, context, singular, plural, n):
        return OPEN + self.translations.unpgettext(context, singular, plural, n) + CLOSE

    gettext, ngettext, pgettext, npgettext = ugettext, ungettext, upgettext, unpgettext


@pytest.fixture
def pseudo_locale(monkeypatch):
    real = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: PseudoTranslations(real(self)))


class VisibleText(HTMLParser):
    """The text a reader sees, and the attributes read out, outside ``translate="no"``."""

    SKIPPED = {"script", "style", "textarea", "code", "svg", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = tag in self.SKIPPED or attributes.get("translate") == "no"
        if tag not in {"input", "br", "img", "meta", "link", "hr", "source"}:
            self.stack.append((tag, skip))
        if skip or self._skipping():
            return
        self.attributes.extend(attributes[a] for a in READ_ATTRIBUTES if attributes.get(a))
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.attributes.append(attributes.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.texts.append(data)


def outside_markers(text: str) -> str:
    """What is left of ``text`` once every marked message (nested ones too) is taken out."""
    inner = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
    while True:
        reduced = inner.sub(lambda marked: NODE * marked.group().count(NODE) or " ", text)
        if reduced == text:
            return text
        text = reduced


def offenders(page: str, user_data: Iterable[str]) -> list[str]:
    """The visible words of ``page`` from no catalog that are no user data, code or identifier."""
    parser = VisibleText()
    parser.feed(page)
    found = []
    data = sorted({d for d in user_data if d}, key=len, reverse=True)
    # A message may hold markup (a link, a <strong>): its marked text spans several text nodes,
    # so the markers are taken out of the page's text as a whole, then split at the nodes.
    page_text = outside_markers(NODE.join(parser.texts))
    for text in [*page_text.split(NODE), *map(outside_markers, parser.attributes)]:
        left = text
        for value in data:
            left = left.replace(value, " ")
        left = ZONE_NAMES.sub(" ", left)
        words = [w.strip("()[]{},.;:!?“”‘’\"'") or w for w in left.split()]
        words = [
            w
            for w in words
            if w not in CODES and not IDENTIFIER.match(w) and not PUNCTUATION.match(w)
        ]
        if words:
            found.append(" ".join(left.split()))
    return sorted(set(found))


@pytest.fixture
def world(make_account, make_user, make_journey):
    """A seller and an ISV, each with a journey in every state, an applicant and a reviewer."""
    people = {}
    journeys = {}
    for kind in (AccountKind.seller, AccountKind.isv):
        account = make_account(kind, name=f"{kind.value.upper()} Pseudo Company")
        applicant = make_user(Role.applicant, account)
        applicant.name = f"{kind.value} applicant person"
        people[kind] = applicant
        for n, state in enumerate(STATE_NAMES):
            if state.startswith("enablement") or state == "enabled":
                journey = open_journey(account, applicant)
                journey.state = state
            else:
                account.enabled_at = account.enabled_at or utcnow()
                journey = journey_with_app(
                    account,
                    applicant,
                    state,
                    app_key=f"{3100 + n}{kind is AccountKind.isv:d}",
                    name=f"{kind.value} app {state}",
                    audience=Audience.own_shop,
                )
            journeys[kind, state] = journey
    reviewer = make_user(Role.reviewer)
    reviewer.name = "Pseudo Reviewer"
    admin = make_user(Role.admin)
    db.session.commit()
    user_data = {u.email for u in db.session.query(type(reviewer))} | {
        u.name for u in db.session.query(type(reviewer)) if u.name
    }
    for journey in journeys.values():
        user_data |= {str(journey.title), journey.account.name, journey.account.taobao_account_id}
        if journey.app is not None:
            # What the seeding typed: the APP's name and description, each API's reason.
            user_data |= {journey.app.name, journey.app.description}
            user_data |= {r.reason for r in journey.app.api_requests}
    return people, reviewer, admin, journeys, user_data


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


def test_every_visible_word_comes_from_a_catalog(app, pseudo_locale, world, login, capsys):
    people, reviewer, admin, journeys, user_data = world
    pages: dict[str, str] = {}
    webhooks = {}
    for kind, applicant in people.items():
        webhooks[kind], _delivery = seed_webhook(applicant.account_id, kind.value)
        user_data |= {f"https://hooks.example.com/{kind.value}", "HTTP 503"}
    db.session.commit()
    anonymous = app.test_client()
    for name, url in [
        ("login", "/login"),
        ("register", "/register"),
        ("forgotten password", "/password/forgot"),
    ]:
        pages[name] = _page(anonymous, url)
    staff = login(reviewer)
    pages["review queue"] = _page(staff, "/review/")
    pages["all journeys"] = _page(staff, "/review/journeys?q=Pseudo")
    pages["reports"] = _page(staff, "/reports/")
    pages["not found"] = _page(staff, "/journeys/999999")
    for (kind, state), journey in journeys.items():
        pages[f"reviewer: {kind.value} {state}"] = _page(staff, f"/journeys/{journey.id}")
    boss = app.test_client()
    boss.post("/login", data={"email": admin.email, "password": PASSWORD})
    pages["users"] = _page(boss, "/admin/users")
    pages["retention"] = _page(boss, "/admin/retention")
    pages["desk webhooks"] = _page(boss, "/admin/webhooks")
    for kind, applicant in people.items():
        client = app.test_client()
        client.post("/login", data={"email": applicant.email, "password": PASSWORD})
        pages["settings"] = _page(client, "/account/settings")
        pages["password"] = _page(client, "/account/password")
        pages["webhooks"] = _page(client, "/account/webhooks")
        endpoint_id = webhooks[kind]
        pages["webhook log"] = _page(client, f"/webhooks/{endpoint_id}")
        pages[f"dashboard: {kind.value}"] = _page(client, "/journeys")
        for (owner, state), journey in journeys.items():
            if owner is kind:
                pages[f"applicant: {kind.value} {state}"] = _page(client, f"/journeys/{journey.id}")

    failing = {}
    with capsys.disabled():
        for name, page in pages.items():
            found = offenders(page, user_data)
            if found:
                print(f"\n[pseudo-locale] {name}: {len(found)} text(s) outside the catalogs")
                for text in found[:40]:
                    print(f"    {text[:160]}")
            state = name.rsplit(" ", 1)[-1]
            journey_page = name.startswith(("reviewer: ", "applicant: "))
            checked = name in CHECKED or (
                journey_page and ("*" in CHECKED_JOURNEY_STATES or state in CHECKED_JOURNEY_STATES)
            )
            if checked and found:
                failing[name] = found
    assert failing == {}


def test_the_check_catches_an_unwrapped_word(app, pseudo_locale, client, database):
    """The check itself fails on English outside a catalog, and passes marked text."""
    page = (
        "<p>⟦Sign in⟧ Acme Ltd</p><p>Forgot it?</p><button title='Open it'>⟦x⟧</button>"
        "<span translate='no'>EN</span><p>2026-01-02 10:30 China Standard Time #12</p>"
    )
    assert offenders(page, {"Acme Ltd"}) == ["Forgot it?", "Open it"]
    login_page = client.get("/login").get_data(as_text=True)
    assert "⟦Sign in⟧" in login_page
