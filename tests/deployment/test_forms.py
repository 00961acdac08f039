"""Stage 4 forms: required fields, reviewer-only meeting, PDF sniffing."""

from __future__ import annotations

import io

import pytest

from workflow.deployment.operations import latest_form, save_stage_form
from workflow.deployment.specs import SPECS
from workflow.errors import DomainError, NotPermitted
from workflow.extensions import db
from workflow.i18n import force_locale
from workflow.models import AccountKind, FormKind, Role


@pytest.fixture
def party(make_account, make_user, make_journey):
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    return make_journey(account, applicant, state="exemption_draft"), applicant


def test_exemption_lists_every_missing_field(party):
    journey, applicant = party
    with pytest.raises(DomainError) as error:
        save_stage_form(journey, FormKind.exemption, applicant, {"reason": "On premises."})
    for label in ("Hosting provider", "Person responsible (name)"):
        assert label in error.value.message
    assert latest_form(journey, FormKind.exemption) is None


def test_meeting_is_for_reviewers_only(party):
    journey, applicant = party
    journey.state = "confabulation"
    with pytest.raises(NotPermitted):
        save_stage_form(journey, FormKind.meeting, applicant, {"held_on": "2026-01-01"})


def test_document_upload_refuses_a_non_pdf(party, login):
    journey, applicant = party
    journey.state = "mrd_prd_draft"
    db.session.commit()
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/forms/mrd/document",
        data={"document": (io.BytesIO(b"PK\x03\x04 a docx"), "mrd.pdf")},
    )
    assert response.status_code == 400  # the page again, with the reason
    assert latest_form(journey, FormKind.mrd) is None
    page = response.get_data(as_text=True)
    assert "Upload the document as a PDF." in page and str(SPECS[FormKind.prd].title) in page


def test_an_uploaded_documents_name_loses_its_directories(party, login):
    from workflow.enablement.samples import sample_pdf

    journey, applicant = party
    journey.state = "mrd_prd_draft"
    db.session.commit()
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/forms/mrd/document",
        data={"document": (io.BytesIO(sample_pdf("MRD")), "../plans/mrd.pdf")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert latest_form(journey, FormKind.mrd).filename == "mrd.pdf"


def test_an_uploaded_documents_name_with_control_characters_is_refused(party, login):
    from workflow.enablement.samples import sample_pdf

    journey, applicant = party
    journey.state = "mrd_prd_draft"
    db.session.commit()
    response = login(applicant).post(
        f"/journeys/{journey.id}/forms/mrd/document",
        data={"document": (io.BytesIO(sample_pdf("MRD")), "m\x00r\u202ed.pdf")},
    )
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    db.session.expire_all()
    assert latest_form(journey, FormKind.mrd) is None


def test_missing_fields_read_in_the_language_of_whoever_is_shown_them(party, app):
    journey, applicant = party
    with pytest.raises(DomainError) as error:  # raised where no reader's language is known
        save_stage_form(journey, FormKind.exemption, applicant, {"reason": "On premises."})
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        chinese = error.value.message
    with app.test_request_context(), force_locale("en"):
        english = error.value.message
    assert "托管服务提供方：必填" in chinese and "Hosting provider" not in chinese
    assert "Hosting provider: required" in english
