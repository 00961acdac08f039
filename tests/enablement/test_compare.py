"""A document version beside the one before it, for the reviewer and the applicant."""

from __future__ import annotations

import html

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    desk_storage,
    file_for,
    isv,
    sha256,
    upload,
    upload_all,
    versions,
)


def test_a_replaced_document_shows_beside_its_previous_version(isv, client_for):  # noqa: F811
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    upload_all(applicant, isv)
    fixed = file_for("f", isv.account.taobao_account_id)[0] + b"\n% signed\n"
    assert upload(applicant, isv.journey.id, "f", fixed, "letter-signed.pdf").status_code == 302
    by_version = {v.version: v for v in versions(isv.journey.id) if v.kind.value == "f"}
    first, second = by_version[1], by_version[2]

    for client in (reviewer, applicant):
        response = client.get(f"/enablement/documents/{second.id}/compare")
        assert response.status_code == 200
        page = html.unescape(response.get_data(as_text=True))
        assert "Before: version 1" in page and "Now: version 2" in page
        assert first.sha256 in page and second.sha256 == sha256(fixed) and second.sha256 in page
        assert f"/enablement/documents/{first.id}/file" in page
        assert f"/enablement/documents/{second.id}/file" in page
        assert "letter-signed.pdf" in page

    journey_page = reviewer.get(f"/journeys/{isv.journey.id}").get_data(as_text=True)
    assert f"/enablement/documents/{second.id}/compare" in journey_page

    alone = reviewer.get(f"/enablement/documents/{first.id}/compare")
    assert alone.status_code == 200
    assert "nothing earlier to compare it with" in alone.get_data(as_text=True)


def test_another_account_cannot_compare(isv, client_for, make_account, make_user):  # noqa: F811
    upload_all(client_for(isv.applicant), isv)
    document = versions(isv.journey.id)[0]
    stranger = make_user(isv.applicant.role, make_account(isv.account.kind))
    response = client_for(stranger).get(f"/enablement/documents/{document.id}/compare")
    assert response.status_code == 404
