"""Forms that keep what people typed, in Chromium (issue 13, item 2 and its "Done when").

For every form of both journeys (a seller's and an ISV's), every field is filled, one is broken
with a zero-width space (which the desk refuses in any text), and the form is sent: the page
comes back as a 400 with every typed value still in its field and the error inside the broken
field's own wrapper. And "Submit for review" pressed over unsaved edits submits the new text.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.browser.live import browser_desk, serving, signed_in
from tests.browser.test_enablement_browser import browser  # noqa: F401  (fixture)
from tests.support import PASSWORD
from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.models import (
    Account,
    AccountKind,
    FormKind,
    Journey,
    Packet,
    ReviewStatus,
    Role,
    StageForm,
    User,
)
from workflow.models.base import utcnow
from workflow.operations import open_journey
from workflow.storage_setup import get_storage

#: What breaks a field: no typed text may hold an invisible character.
BREAK = "\u200b"
#: Values a field needs to be otherwise valid; any other text field gets "Kept <name> 已填".
VALUES = {
    "app_key": "23456781",
    "seller_id": "2200001",
    "ids": "1001\n2002\n3003",
    "other_apis": "taobao.item.seller.get — shows the seller's items in the APP",
    "contact_phone": "+86 21 5555 0100",
}

#: Fill every field of the form; what each holds afterwards, by name (a box by name=value).
FILL = """(form, values) => {
  const filled = {};
  for (const f of form.elements) {
    if (!f.name || f.disabled || ["hidden", "file", "submit", "button"].includes(f.type)) continue;
    if (f.tagName === "BUTTON" || f.tagName === "SELECT") continue;
    if (f.type === "checkbox") {
      f.checked = true;
      filled[`${f.name}=${f.value}`] = true;
      continue;
    }
    if (f.type === "radio") {
      const last = [...form.querySelectorAll(`input[type=radio][name="${f.name}"]`)].pop();
      last.checked = true;
      filled[`${f.name}=${last.value}`] = true;
      continue;
    }
    const email = `kept.${f.name.replace(/\\W/g, "")}@example.com`;
    const value = values[f.name] || (f.type === "date" ? "2026-11-30"
      : f.type === "email" || /email/.test(f.name) ? email : `Kept ${f.name} 已填`);
    f.value = value;
    f.dispatchEvent(new Event("input", {bubbles: true}));
    filled[f.name] = f.value;
  }
  return filled;
}"""
#: What the form holds now, in FILL's shape, for the names FILL filled.
READ = """(form, names) => Object.fromEntries(names.map((key) => {
  const [name, value] = key.split("=");
  if (value !== undefined) {
    const box = form.querySelector(`input[name="${name}"][value="${value}"]`);
    return [key, Boolean(box && box.checked)];
  }
  const field = form.querySelector(`[name="${name}"]`);
  return [key, field ? field.value : null];
}))"""
#: The broken field's error: inside the wrapper that holds the field, and tied to it.
ERROR_BESIDE = """(form, name) => {
  const field = form.querySelector(`[name="${name}"]`);
  const wrapper = field.closest("[data-field]");
  const error = wrapper && wrapper.querySelector(".error");
  return {
    wrapper: wrapper ? wrapper.dataset.field : null,
    error: error ? error.textContent.trim() : null,
    visible: Boolean(error && error.offsetParent),
    invalid: field.getAttribute("aria-invalid"),
    described: (field.getAttribute("aria-describedby") || "").split(" ")
      .some((id) => id && document.getElementById(id)?.contains(error)),
  };
}"""

#: (form, journey state, who fills it, the form on the page, the field to break)
FORMS = [
    ("enablement request", "enablement_draft", "applicant",
     "form[data-stage-form=enablement-request]", "contact_name"),
    ("APP", "app_draft", "applicant", "form[data-stage-form=app]", "name"),
    ("API requests", "app_draft+app", "applicant", "form[data-stage-form=apis]",
     "reason-taobao.trades.sold.get"),
    ("applicant's next steps", "app_draft+app", "applicant", "#actions-form", "comment"),
    ("reviewer's next steps", "api_access_submitted", "reviewer", "#actions-form", "note"),
    ("API decision", "api_access_submitted", "reviewer", "form.inline-decide[action$=decision]",
     "reason"),
    ("sandbox requirement", "api_access_granted", "reviewer",
     "form[action$='/sandbox/requirement']", "reason"),
    ("MRD", "mrd_prd_draft", "applicant", "form[data-stage-form=stage-mrd]", "market"),
    ("PRD", "mrd_prd_draft", "applicant", "form[data-stage-form=stage-prd]",
     "functional_requirements"),
    ("business meeting", "confabulation", "reviewer", "form[data-stage-form=stage-meeting]",
     "minutes"),
    ("cloud plan", "cloud_plan_draft", "applicant", "form[data-stage-form=stage-cloud_plan]",
     "compute"),
    ("cloud order", "cloud_provisioning", "applicant",
     "form[data-stage-form=stage-cloud_order]", "order_reference"),
    ("cloud environment", "cloud_provisioning", "reviewer",
     "form[data-stage-form=stage-cloud_environment]", "region"),
    ("deployment confirmation", "cloud_verification", "applicant",
     "form[data-stage-form=stage-deployment_confirmation]", "notes"),
    ("own-server exemption", "exemption_draft", "applicant",
     "form[data-stage-form=stage-exemption]", "responsible_name"),
    ("authorization list", "distribution_setup", "applicant",
     "form[data-stage-form=sellers-authorization]", "ids"),
    ("distribution list", "distribution_draft", "applicant",
     "form[data-stage-form=sellers-distribution]", "ids"),
    ("required configurations", "distribution_setup", "reviewer",
     "form[action$='/configs/required']", "security_details"),
    ("configuration confirmation", "distribution_setup+config", "applicant",
     "form[action$='/configs/security/confirm']", "details"),
    ("conversation message", "confabulation", "applicant", "form.message-form", "body"),
    ("continuation", "rejected", "applicant", "form[action$='/continue']", "reason"),
]  # fmt: skip
KINDS = {"seller": AccountKind.seller, "ISV": AccountKind.isv}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One journey per (account kind, state) the forms need, for a seller and an ISV."""
    base = tmp_path_factory.mktemp("keep-forms-desk")
    app = browser_desk(base)
    with app.app_context():
        journeys = _seed()
    with serving(app) as base_url:
        yield app, base_url, journeys


def _seed() -> dict[tuple[str, str], int]:
    reviewer = _user(User(email="rita@example.com", role=Role.reviewer, name="Rita"))
    journeys = {}
    keys = iter(range(30_000_001, 30_000_999))
    for label, kind in KINDS.items():
        account = Account(kind=kind, name=f"Keep {label}", taobao_account_id=f"tb_keep_{label}")
        applicant = _user(
            User(email=f"{label.lower()}@example.com", role=Role.applicant, account=account)
        )
        account.enabled_at = utcnow()
        for state in {state for _, state, *_ in FORMS} | {"stale"}:
            journey = open_journey(account, applicant)
            if state != "enablement_draft":
                journey.state = "app_draft"
                if state != "app_draft":
                    register_demo_app(journey, applicant, app_key=str(next(keys)))
            base_state = state.split("+")[0]
            journey.state = "mrd_prd_draft" if state == "stale" else base_state
            if state == "distribution_setup+config":
                journey.app.is_security_config_required = True
                journey.app.security_config_details = "Allow-list the APP's IPs."
            if base_state == "api_access_granted":
                for request in journey.app.api_requests:
                    request.decision = ReviewStatus.accepted
            journey.assignee = reviewer
            journeys[label, state] = journey
    db.session.commit()
    return {key: journey.id for key, journey in journeys.items()}


def _user(user: User) -> User:
    user.set_password(PASSWORD)
    user.email_verified_at = utcnow()
    db.session.add(user)
    return user


def _signed_in(browser, base_url, email):  # noqa: F811
    return signed_in(browser, base_url, email)


def _email(label: str, who: str) -> str:
    return "rita@example.com" if who == "reviewer" else f"{label.lower()}@example.com"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(
    ("name", "state", "who", "selector", "broken"), FORMS, ids=[f[0] for f in FORMS]
)
def test_an_invalid_submit_keeps_every_value_and_the_error_sits_by_its_field(
    desk,
    browser,  # noqa: F811
    kind,
    name,
    state,
    who,
    selector,
    broken,
):
    _, base_url, journeys = desk
    page = _signed_in(browser, base_url, _email(kind, who))
    try:
        page.goto(f"{base_url}/journeys/{journeys[kind, state]}")
        form = page.locator(selector).first
        assert form.count() == 1, f"no {name} form on the page"
        filled = form.evaluate(FILL, VALUES)
        assert broken in filled, filled
        field = form.locator(f"[name='{broken}']")
        field.evaluate("(f, bad) => { f.value = f.value + bad; }", BREAK)
        filled[broken] += BREAK
        button = form.locator("button[type=submit], button:not([type])").first
        with page.expect_navigation() as sent:
            button.click()
        assert sent.value.status == 400, (name, sent.value.status)

        form = page.locator(selector).first
        kept = form.evaluate(READ, list(filled))
        assert kept == filled
        beside = form.evaluate(ERROR_BESIDE, broken)
        assert beside["wrapper"] is not None and beside["error"], beside
        assert "U+200B" in beside["error"] or "invisible" in beside["error"].lower(), beside
        assert beside["visible"] and beside["invalid"] == "true" and beside["described"], beside
    finally:
        page.context.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_submit_for_review_over_unsaved_edits_submits_the_new_text(
    desk,
    browser,  # noqa: F811
    kind,
):
    app, base_url, journeys = desk
    journey_id = journeys[kind, "stale"]
    page = _signed_in(browser, base_url, _email(kind, "applicant"))
    try:
        page.goto(f"{base_url}/journeys/{journey_id}")
        mrd = page.locator("form[data-stage-form=stage-mrd]")
        mrd.evaluate(FILL, {})
        with page.expect_navigation():
            mrd.locator("button.primary").click()
        prd = page.locator("form[data-stage-form=stage-prd]")
        prd.evaluate(FILL, {})
        with page.expect_navigation():
            prd.locator("button.primary").click()
        # Now an edit that is not saved, then "Submit for review".
        page.locator("form[data-stage-form=stage-mrd] [name=market]").fill(
            "Cross-border shoppers in Shanghai, edited just before submitting"
        )
        page.locator("#actions-form [name=comment]").fill("Ready for review.")
        submit = page.locator("#actions-form button", has_text="Submit for review")
        with page.expect_navigation() as sent:
            submit.click()
        assert sent.value.status == 200
        assert "MRD/PRD submitted" in page.locator(".page-head").inner_text()
    finally:
        page.context.close()
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        assert journey.state == "mrd_prd_submitted"
        mrd_rows = db.session.scalars(
            select(StageForm)
            .where(StageForm.journey_id == journey_id, StageForm.kind == FormKind.mrd)
            .order_by(StageForm.id)
        ).all()
        assert mrd_rows[-1].data["market"] == (
            "Cross-border shoppers in Shanghai, edited just before submitting"
        )
        packet = db.session.scalars(
            select(Packet).where(Packet.journey_id == journey_id).order_by(Packet.id.desc())
        ).first()
        with get_storage().open(packet.file_id) as stored:
            pdf = PdfReader(io.BytesIO(stored.read()))
        text = " ".join(page.extract_text() for page in pdf.pages)
        assert "edited just before submitting" in " ".join(text.split())
        assert "Kept market" not in text  # the saved text it replaced
