"""A refused form comes back as a 400 with what was typed, and nothing is written; "Submit for
review" saves the stage's carried edits and submits in one request, or neither (issue 13, item 2).
"""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from tests.deployment.test_records import PRD
from workflow.apps.demo import register_demo_app
from workflow.deployment.operations import latest_form, save_stage_form
from workflow.extensions import db
from workflow.models import AccountKind, ApiRequest, Event, FormKind, Journey, Role, StageForm

MRD = {
    "market": "Cross-border shoppers in Shanghai.",
    "target_sellers": "Flagship stores.",
    "features": "Order sync.",
    "data_handled": "Order addresses.",
}
EXEMPTION = {
    "reason": "The APP must run beside the seller's own warehouse system.",
    "hosting_provider": "Example Hosting Ltd",
    "hosting_location": "Hong Kong, Tseung Kwan O DC2",
    "region": "ap-east",
    "servers": "2 x 8 vCPU, 32 GB",
    "data_flows": "TOP to our API over HTTPS only.",
    "data_protection": "Encrypted at rest; access logged.",
    "responsible_name": "Li Lei",
    "responsible_email": "not an address",
}


@pytest.fixture
def party(make_account, make_user, make_journey):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant, state="app_draft")
    register_demo_app(journey, applicant)
    journey.state = "mrd_prd_draft"
    db.session.commit()
    return journey, applicant, reviewer


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _counts(journey_id: int) -> tuple[int, int]:
    db.session.expire_all()
    forms = db.session.scalar(
        select(func.count()).select_from(StageForm).where(StageForm.journey_id == journey_id)
    )
    events = db.session.scalar(
        select(func.count()).select_from(Event).where(Event.journey_id == journey_id)
    )
    return forms, events


def _field_wrapper(page: str, name: str) -> str:
    """The HTML of the field macro's wrapper for the field ``name``."""
    start = page.index(f'data-field="{name}"')
    ends = [page.find(end, start + 1) for end in ('data-field="', "</form>")]
    return page[start : min(end for end in ends if end > 0)]


def test_an_invalid_exemption_keeps_every_field_and_names_the_bad_one(party, login):
    journey, applicant, _ = party
    journey.state = "exemption_draft"
    client = login(applicant)
    before = _counts(journey.id)
    response = client.post(f"/journeys/{journey.id}/forms/exemption", data=EXEMPTION)
    assert response.status_code == 400
    page = _text(response)
    for value in EXEMPTION.values():
        assert value in page, value
    beside = _field_wrapper(page, "responsible_email")
    assert "not an e-mail address" in beside and 'aria-invalid="true"' in beside
    assert _counts(journey.id) == before


def test_an_mrd_with_one_field_filled_keeps_it(party, login):
    journey, applicant, _ = party
    client = login(applicant)
    response = client.post(f"/journeys/{journey.id}/forms/mrd", data={"market": MRD["market"]})
    assert response.status_code == 400
    page = _text(response)
    assert f"{MRD['market']}</textarea>" in page
    assert "required" in _field_wrapper(page, "target_sellers")
    assert latest_form(journey, FormKind.mrd) is None


def test_a_refused_step_keeps_the_reviewers_note_and_comment(party, login):
    journey, _, reviewer = party
    journey.state = "mrd_prd_submitted"
    client = login(reviewer)
    before = _counts(journey.id)
    note = "Checked the market figures against last year's; they hold."
    response = client.post(
        f"/journeys/{journey.id}/events/request_changes",
        data={"version": journey.version_id, "comment": "", "note": note},
    )
    assert response.status_code == 400
    page = _text(response)
    assert f"{note}</textarea>" in page
    assert _counts(journey.id) == before
    db.session.refresh(journey)
    assert journey.state == "mrd_prd_submitted"


def _ready_to_submit(journey, applicant) -> None:
    save_stage_form(journey, FormKind.mrd, applicant, MRD)
    save_stage_form(journey, FormKind.prd, applicant, PRD)
    db.session.commit()


def test_submit_saves_the_carried_edits_first(party, login):
    journey, applicant, _ = party
    _ready_to_submit(journey, applicant)
    client = login(applicant)
    edited = {f"stage-mrd:{name}": value for name, value in MRD.items()}
    edited["stage-mrd:market"] = "Edited just before submitting."
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={"version": journey.version_id, "stage_form": "stage-mrd", **edited},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "mrd_prd_submitted"
    assert latest_form(journey, FormKind.mrd).data["market"] == "Edited just before submitting."


def test_the_stage_forms_own_submit_button_posts_its_fields_unprefixed(party, login):
    journey, applicant, _ = party
    _ready_to_submit(journey, applicant)
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={
            "version": journey.version_id,
            "stage_form": "stage-prd",
            **{**PRD, "volumes": "5,000 orders a day"},
        },  # fmt: skip
    )
    assert response.status_code == 302
    assert latest_form(journey, FormKind.prd).data["volumes"] == "5,000 orders a day"
    assert db.session.get(Journey, journey.id).state == "mrd_prd_submitted"


def test_invalid_carried_edits_submit_nothing_and_show_beside_their_field(party, login):
    journey, applicant, _ = party
    _ready_to_submit(journey, applicant)
    client = login(applicant)
    before = _counts(journey.id)
    edited = {f"stage-mrd:{name}": value for name, value in MRD.items()}
    edited["stage-mrd:features"] = ""
    edited["stage-mrd:market"] = "A new market text that must stay on the page."
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={
            "version": journey.version_id,
            "stage_form": "stage-mrd",
            "comment": "Please look at the new market.",
            **edited,
        },  # fmt: skip
    )
    assert response.status_code == 400
    page = _text(response)
    assert "required" in _field_wrapper(page, "features")
    assert "A new market text that must stay on the page.</textarea>" in page
    assert "Please look at the new market.</textarea>" in page  # the "Next steps" comment
    assert _counts(journey.id) == before
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "mrd_prd_draft"
    assert latest_form(journey, FormKind.mrd).data["market"] == MRD["market"]


def test_carried_api_reasons_are_what_is_submitted(party, login):
    journey, applicant, _ = party
    journey.state = "app_draft"
    db.session.commit()
    client = login(applicant)
    methods = [r.method for r in journey.app.api_requests]
    carried = {"stage_form": "apis"}
    carried["apis:api"] = methods
    for method in methods:
        carried[f"apis:reason-{method}"] = f"New reason for {method}."
    response = client.post(
        f"/journeys/{journey.id}/events/submit", data={"version": journey.version_id, **carried}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "api_access_submitted"
    reasons = {r.method: r.reason for r in db.session.scalars(select(ApiRequest))}
    assert reasons == {method: f"New reason for {method}." for method in methods}


def test_an_unknown_carried_form_is_not_found_and_submits_nothing(party, login):
    journey, applicant, _ = party
    _ready_to_submit(journey, applicant)
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={"version": journey.version_id, "stage_form": "no-such-form"},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "mrd_prd_draft"


def test_a_form_the_user_may_not_save_cannot_be_carried(party, login):
    journey, applicant, _ = party
    _ready_to_submit(journey, applicant)
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/events/submit",
        data={
            "version": journey.version_id,
            "stage_form": "stage-meeting",
            "stage-meeting:held_on": "2026-11-30",
            "stage-meeting:minutes": "Forged.",
        },  # fmt: skip
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Journey, journey.id).state == "mrd_prd_draft"
    assert latest_form(journey, FormKind.meeting) is None
