"""Validation at the edge, through HTTP: each hostile value is a 400 (or the form shown again)
that names the field, and no row or stored object changes.

On PostgreSQL (``DATABASE_URL``) a NUL byte that reached a text column would be a DataError and
a 500; here it must never get that far.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.seeding import journey_with_app
from tests.support import PASSWORD, database_fingerprint
from workflow.enablement.operations import upload_document
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.models import Account, AccountKind, DocumentKind, Journey, Role, User
from workflow.models.base import utcnow
from workflow.operations import open_journey

API = "taobao.trades.sold.get"
NUL = "U+0000 NUL"


@dataclass
class Desk:
    applicant: User
    reviewer: User
    admin: User
    ids: dict[str, int]


@pytest.fixture
def desk(app, make_account, make_user, tmp_path, monkeypatch) -> Desk:
    from storage import FsStorage

    monkeypatch.setitem(app.extensions, "storage", FsStorage(tmp_path / "objects"))
    account = make_account(AccountKind.isv, name="Edge Ltd")
    applicant = make_user(Role.applicant, account)
    reviewer, admin = make_user(Role.reviewer), make_user(Role.admin)
    enable = open_journey(account, applicant)
    review = open_journey(account, applicant)
    document = upload_document(
        review,
        applicant,
        DocumentKind.certificate_of_incorporation,
        io.BytesIO(sample_pdf("Certificate", "Edge Ltd")),
        "a.pdf",
    )
    review.state = "enablement_submitted"
    account.enabled_at = utcnow()
    journeys = {"enable": enable, "review": review}
    for name, state in [
        ("app", "app_draft"),
        ("api", "api_access_submitted"),
        ("sandbox", "sandbox_verification"),
        ("mrd", "mrd_prd_draft"),
        ("exemption", "exemption_draft"),
        ("meeting", "confabulation"),
        ("dist", "distribution_setup"),
    ]:
        key = f"1{len(journeys):07d}"
        journeys[name] = journey_with_app(
            account, applicant, state, app_key=key, name=f"APP {name}"
        )
    db.session.commit()
    ids = {name: journey.id for name, journey in journeys.items()}
    ids.update(
        document=document.id,
        api_request=journeys["api"].app.api_requests[0].id,
        api_version=journeys["api"].version_id,
        enable_version=enable.version_id,
    )
    return Desk(applicant, reviewer, admin, ids)


def _signed_in(app, user: User | None):
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return client


def _pdf(name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(sample_pdf(name)), name


@dataclass(frozen=True)
class Case:
    who: str  # "applicant", "reviewer", "admin" or "anonymous"
    url: str
    data: object
    expected: tuple[str, ...]
    status: int = 400


REGISTER = {
    "email": "new@example.com",
    "password": "long enough password",
    "confirm": "long enough password",
    "account_kind": "isv",
    "account_name": "New Ltd",
    "taobao_account_id": "new_member",
}

# fmt: off
NUL_CASES = {
    "register": Case("anonymous", "/register", {**REGISTER, "account_name": "New\x00Ltd"},
                     (NUL,), 200),
    "login": Case("anonymous", "/login", {"email": "a\x00@example.com", "password": "x"},
                  (NUL,), 200),
    "admin": Case("admin", "/admin/users", {"email": "added@example.com", "role": "reviewer",
                                            "name": "Added\x00", "password": "long enough pw"},
                  (NUL,), 200),
    "enablement": Case("applicant", "/journeys/{enable}/enablement/request",
                       {"company_name": "Edge\x00Ltd"}, (NUL,)),
    "comment": Case("applicant", "/journeys/{enable}/events/submit",
                    lambda ids: {"version": ids["enable_version"], "comment": "Hi\x00"},
                    ("Reason shown to the applicant: contains a control character", NUL)),
    "note": Case("reviewer", "/journeys/{api}/events/request_changes",
                 lambda ids: {"version": ids["api_version"], "comment": "More",
                              "note": "internal\x00"},
                 ("Internal note (reviewers only): contains a control character",)),
    "app": Case("applicant", "/journeys/{app}/app",
                {"app_key": "12345678", "name": "My\x00APP", "description": "x",
                 "origin": "new", "audience": "own_shop"},
                ("APP name: contains a control character", NUL)),
    "api reason": Case("applicant", "/journeys/{app}/apis",
                       {"api": API, f"reason-{API}": "orders\x00"},
                       (f"Reason for {API}: contains a control character",)),
    "api decision": Case("reviewer", "/journeys/{api}/apis/{api_request}/decision",
                         {"decision": "refuse", "reason": "no\x00"},
                         ("Reason if refused: contains a control character",)),
    "document decision": Case("reviewer", "/enablement/documents/{document}/decision",
                              {"decision": "reject", "reason": "Blurred\x00"},
                              ("Reason shown to the applicant: contains a control character",)),
    # An upload refused is flashed on the page it came from (the upload script gets JSON).
    "document file name": Case("applicant", "/journeys/{enable}/enablement/documents/b",
                               lambda ids: {"file": (io.BytesIO(sample_pdf("b")), "b\x00.pdf")},
                               ("File: The file name contains a control character",), 302),
    "stage form": Case("applicant", "/journeys/{exemption}/forms/exemption",
                       {"reason": "On premises\x00", "hosting_location": "Frankfurt"},
                       ("Why the APP cannot run on Taobao cloud (in detail): contains a control",
                        "Frankfurt")),
    "stage document file name": Case("applicant", "/journeys/{mrd}/forms/mrd/document",
                                     lambda ids: {"document": (io.BytesIO(b"%PDF-1.4"),
                                                               "mrd\x00.pdf")},
                                     ("Document: The file name contains a control character",)),
    "report file name": Case("applicant", "/journeys/{sandbox}/check/sandbox/upload",
                             lambda ids: {"report": (io.BytesIO(b"{}"), "r\x00.json")},
                             ("Signed report: The file name contains a control character",)),
    "seller list": Case("applicant", "/journeys/{dist}/sellers/authorization",
                        {"ids": "1001\n1002\x00"},
                        ("Seller IDs: contains a control character",)),
    "seller list file name": Case("applicant", "/journeys/{dist}/sellers/authorization",
                                  lambda ids: {"file": (io.BytesIO(b"1001\n"), "l\x00.csv")},
                                  ("Seller list file: The file name contains a control",)),
    "search": Case("reviewer", "/review/journeys?q=a%00b", None,
                   ("Search: contains a control character", NUL)),
    "checker": Case("applicant", "/journeys/{sandbox}/check/sandbox",
                    {"gateway": "default", "sign_method": "md5", "app_secret": "s",
                     "session": "s\x00"}, (NUL,), 200),
    "assign next": Case("reviewer", "/review/journeys/{api}/assign",
                        {"assignee": "me", "next": "/review/\x00"},
                        ("Next page: contains a control character",)),
}

OTHER_CASES = {
    "zero-width space in a taobao ID": Case(
        "anonymous", "/register", {**REGISTER, "taobao_account_id": "new\u200bmember"},
        ("U+200B ZERO WIDTH SPACE",), 200),
    "bidi override in an APP name": Case(
        "applicant", "/journeys/{app}/app",
        {"app_key": "12345678", "name": "APP\u202egnp.exe", "description": "x",
         "origin": "new", "audience": "own_shop"},
        ("APP name: contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)",)),
    "byte-order mark in a comment": Case(
        "applicant", "/journeys/{enable}/events/submit",
        lambda ids: {"version": ids["enable_version"], "comment": "\ufeffHi"},
        ("U+FEFF ZERO WIDTH NO-BREAK SPACE",)),
    "tab in a one-line field": Case(
        "applicant", "/journeys/{enable}/enablement/request",
        {"company_name": "Edge\tLtd"}, ("U+0009 TAB",)),
    "Arabic-Indic digits as an APP key": Case(
        "applicant", "/journeys/{app}/app",
        {"app_key": "١٢٣٤٥٦٧٨", "name": "APP", "description": "x", "origin": "new",
         "audience": "own_shop"},
        ("APP key: The APP key is 4 to 20 digits 0-9",)),
    "an API not in the catalogue": Case(
        "applicant", "/journeys/{app}/apis", {"api": "taobao.user.seller.get"},
        ("APIs: Choose APIs from the list on the page.",)),
    "an API decision that is neither": Case(
        "reviewer", "/journeys/{api}/apis/{api_request}/decision", {"decision": "maybe"},
        ("Decision: Not a valid choice",)),
    "a document status that does not exist": Case(
        "reviewer", "/enablement/documents/{document}/decision",
        {"decision": "accept", "seen_status": "approved-ish"},
        ("Status you saw: Not a status a document can have.",)),
    "a stage form date that is not one": Case(
        "reviewer", "/journeys/{meeting}/forms/meeting",
        {"held_on": "31/12/2026", "minutes": "Ok"}, ("Date held: Use the form YYYY-MM-DD.",)),
    "an over-long stage form field": Case(
        "applicant", "/journeys/{exemption}/forms/exemption",
        {"hosting_provider": "x" * 301},
        ("Hosting provider: at most 300 characters", "Person responsible (name): required")),
    "a journey version past what the database holds": Case(
        "applicant", "/journeys/{enable}/events/submit", {"version": str(10**30)},
        ("Journey version: Expected a whole number from 1 to 2147483647.",)),
}
# fmt: on


def _run(app, desk: Desk, case: Case):
    user = {"applicant": desk.applicant, "reviewer": desk.reviewer, "admin": desk.admin}
    client = _signed_in(app, user.get(case.who))
    url = case.url.format(**desk.ids)
    data = case.data(desk.ids) if callable(case.data) else case.data
    before = database_fingerprint()
    response = client.get(url) if data is None else client.post(url, data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == case.status, page[-1500:]
    if response.status_code == 302:
        page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    for text in case.expected:
        assert text in page, page[page.find("<main") :][:1500]
    if case.who == "anonymous":
        return  # a refused sign-in attempt is counted, by design; nothing else may change
    assert database_fingerprint() == before


@pytest.mark.parametrize("case", NUL_CASES.values(), ids=NUL_CASES.keys())
def test_a_nul_byte_in_any_text_field_is_a_form_error(app, desk, case):
    _run(app, desk, case)


@pytest.mark.parametrize("case", OTHER_CASES.values(), ids=OTHER_CASES.keys())
def test_values_outside_a_fields_alphabet_are_refused_by_name(app, desk, case):
    _run(app, desk, case)


@pytest.mark.parametrize("seller_id", ["²²", "١٢٣٤", "12 34", "1" * 21])
def test_a_seller_id_is_ascii_digits(app, make_account, make_user, make_journey, seller_id):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant)
    client = _signed_in(app, applicant)
    before = database_fingerprint()
    response = client.post(
        f"/journeys/{journey.id}/enablement/request",
        data={"seller_id": seller_id, "shop_name": "Kept Shop"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "A seller ID is a number in digits 0-9" in page and "Kept Shop" in page
    assert database_fingerprint() == before
    saved = client.post(
        f"/journeys/{journey.id}/enablement/request", data={"seller_id": " 2200812345678 "}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).enablement_request.seller_id == "2200812345678"


def test_a_refused_sign_up_writes_no_account(app, desk):
    client = _signed_in(app, None)
    for account_name in ("New\x00Ltd", "New\u200dLtd"):
        client.post("/register", data={**REGISTER, "account_name": account_name})
    assert db.session.scalar(select(Account).where(Account.name.like("New%"))) is None
    assert db.session.scalar(select(User).where(User.email == REGISTER["email"])) is None


def test_a_taobao_id_is_kept_in_nfc_whatever_the_keyboard_sent(app, desk):
    client = _signed_in(app, None)
    decomposed = "cafe\u0301_shop"  # e + combining acute accent
    response = client.post("/register", data={**REGISTER, "taobao_account_id": decomposed})
    assert "Check your mailbox" in response.get_data(as_text=True)
    stored = db.session.scalar(select(Account).where(Account.name == "New Ltd"))
    assert stored.taobao_account_id == "caf\u00e9_shop"


def test_a_chinese_member_name_is_a_taobao_id(app, desk):
    client = _signed_in(app, None)
    response = client.post("/register", data={**REGISTER, "taobao_account_id": "杭州示例旗舰店"})
    assert "Check your mailbox" in response.get_data(as_text=True)
    stored = db.session.scalar(select(Account).where(Account.name == "New Ltd"))
    assert stored.taobao_account_id == "杭州示例旗舰店"


def test_stage_form_refusal_keeps_what_was_typed_next_to_the_error(app, desk):
    client = _signed_in(app, desk.applicant)
    response = client.post(
        f"/journeys/{desk.ids['exemption']}/forms/exemption",
        data={"reason": "Our data must stay in the EU.", "responsible_email": "not-mail"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Our data must stay in the EU.</textarea>" in page
    assert 'value="not-mail"' in page
    assert "Person responsible (e-mail): not an e-mail address" in page


def test_a_valid_stage_form_is_saved_from_the_spec_fields(app, desk):
    from workflow.deployment.operations import latest_form
    from workflow.models import FormKind

    client = _signed_in(app, desk.applicant)
    fields = {
        "reason": "Data residency.",
        "hosting_location": "Frankfurt, DE",
        "hosting_provider": "Example Hosting",
        "data_protection": "Encrypted at rest.",
        "responsible_name": "Li Lei",
        "responsible_email": "li@example.com",
    }
    composed = {**fields, "hosting_provider": "Exa\u0301mple Hosting", "ignored": "x"}
    response = client.post(f"/journeys/{desk.ids['exemption']}/forms/exemption", data=composed)
    assert response.status_code == 302
    saved = latest_form(db.session.get(Journey, desk.ids["exemption"]), FormKind.exemption)
    assert saved.data == {**fields, "hosting_provider": "Exámple Hosting"}


def test_app_key_refusal_keeps_what_was_typed(app, desk):
    client = _signed_in(app, desk.applicant)
    response = client.post(
        f"/journeys/{desk.ids['app']}/app",
        data={"app_key": "12a4", "name": "Kept name", "description": "Kept description",
              "origin": "new", "audience": "own_shop"},
    )  # fmt: skip
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert 'value="Kept name"' in page and "Kept description" in page


QUEUE_CASES = {
    "waiting=1e12": ("waiting=1e12", "Waiting at least: Expected a whole number from 0 to 3650."),
    "waiting huge": (f"waiting={10**40}", "Waiting at least: Expected a whole number"),
    "assignee=²": ("assignee=%C2%B2", "Assignee: Choose a reviewer from the list."),
    "assignee huge": (f"assignee={10**40}", "Assignee: Field cannot be longer than 10"),
    "assignee past the ids": ("assignee=9999999999", "Assignee: Choose a reviewer from the list."),
    "page huge": (f"page={10**30}", "Page: Expected a whole number from 1 to 10000."),
    "page Arabic-Indic": ("page=%D9%A2", "Page: Expected a whole number"),
    "per_page huge": ("per_page=1000000", "Per page: Expected a whole number from 1 to 200."),
    "per_page zero": ("per_page=0", "Per page: Expected a whole number from 1 to 200."),
    "stage": ("stage=9", "Stage: Not a valid choice."),
}


@pytest.mark.parametrize("query,message", QUEUE_CASES.values(), ids=QUEUE_CASES.keys())
def test_bad_queue_parameters_are_a_400_naming_the_field(app, desk, query, message):
    client = _signed_in(app, desk.reviewer)
    response = client.get(f"/review/?{query}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, page[-800:]
    assert message in page


SEARCH_CASES = {
    "q of 100k characters": ("q=" + "a" * 100_000, "Search: Field cannot be longer than 200"),
    "state": ("state=nowhere", "State: Not a valid choice."),
    "page": (f"page={2**63}", "Page: Expected a whole number from 1 to 10000."),
    "zero-width q": ("q=a%E2%80%8Bb", "Search: contains an invisible character (U+200B"),
}


@pytest.mark.parametrize("query,message", SEARCH_CASES.values(), ids=SEARCH_CASES.keys())
def test_bad_search_parameters_are_a_400_naming_the_field(app, desk, query, message):
    client = _signed_in(app, desk.reviewer)
    response = client.get(f"/review/journeys?{query}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, page[-800:]
    assert message in page


def test_good_queue_and_search_parameters_still_filter(app, desk):
    client = _signed_in(app, desk.reviewer)
    queue = client.get(f"/review/?stage=2&waiting=0&assignee=none&page=1&per_page=5&x={'y' * 50}")
    assert queue.status_code == 200
    assert "APP api" in queue.get_data(as_text=True)
    found = client.get("/review/journeys?q=Edge&state=app_draft&page=1")
    assert found.status_code == 200
    text = found.get_data(as_text=True)
    assert "APP app" in text and "APP api" not in text


@pytest.mark.parametrize(
    "assignee,message",
    [
        ("²", "Assignee: Choose a reviewer from the list."),
        (str(10**40), "Assignee: Field cannot be longer than 10 characters."),
        ("", "Assignee: Choose a reviewer from the list."),
        ("2147483647", "Assignee: no such reviewer"),
    ],
    ids=["superscript", "huge", "empty", "nobody"],
)
def test_bad_assignees_are_refused_and_nothing_is_assigned(app, desk, assignee, message):
    client = _signed_in(app, desk.reviewer)
    before = database_fingerprint()
    response = client.post(
        f"/review/journeys/{desk.ids['api']}/assign", data={"assignee": assignee}
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, page[-800:]
    assert message in page
    assert database_fingerprint() == before


def test_assigning_by_id_still_works(app, desk):
    client = _signed_in(app, desk.reviewer)
    response = client.post(
        f"/review/journeys/{desk.ids['api']}/assign",
        data={"assignee": str(desk.admin.id), "next": "/review/?stage=2"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/?stage=2"
    db.session.expire_all()
    assert db.session.get(Journey, desk.ids["api"]).assignee_id == desk.admin.id
