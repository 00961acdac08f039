"""A reviewer accepts, in one action, every document whose prechecks all passed."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    file_for,
    fire_event,
    isv,
    save_isv_details,
    upload,
    upload_all,
    versions,
)
from workflow.audit import verify_chain
from workflow.extensions import db
from workflow.models import DecisionKind, Event, ReviewStatus
from workflow.models.enablement import DocumentKind

LISTED = re.compile(r'name="documents" value="([0-9,]+)"')


def _submitted(isv, client_for, *, unsigned_letter=False):  # noqa: F811
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    save_isv_details(applicant, isv.journey.id)
    upload_all(applicant, isv)
    if unsigned_letter:  # f without the signatory's name: its finding is a warning
        data = file_for("a", isv.account.taobao_account_id)[0]
        assert upload(applicant, isv.journey.id, "f", data, "letter.pdf").status_code == 302
    assert fire_event(applicant, isv.journey.id, "submit").status_code == 302
    return applicant, reviewer


def _listed(client, journey_id) -> list[int]:
    page = client.get(f"/journeys/{journey_id}").get_data(as_text=True)
    found = LISTED.search(page)
    return [int(part) for part in found.group(1).split(",")] if found else []


def _accept(client, journey_id, ids):
    return client.post(
        f"/journeys/{journey_id}/enablement/documents/accept-passed",
        data={"documents": ",".join(map(str, ids))},
    )


def test_one_action_accepts_every_passed_document_each_as_its_own_decision(isv, client_for):  # noqa: F811
    applicant, reviewer = _submitted(isv, client_for, unsigned_letter=True)
    current = {v.kind: v for v in versions(isv.journey.id) if v.version == max(
        w.version for w in versions(isv.journey.id) if w.kind == v.kind)}  # fmt: skip
    listed = _listed(reviewer, isv.journey.id)
    letter = current[DocumentKind.authorization_letter]
    assert letter.id not in listed  # its finding needs the reviewer's own eye
    assert sorted(listed) == sorted(v.id for k, v in current.items() if v is not letter)
    assert _listed(applicant, isv.journey.id) == []  # applicants are never offered it
    before = db.session.scalar(select(db.func.count()).select_from(Event))

    response = _accept(reviewer, isv.journey.id, listed)
    assert response.status_code == 302
    page = html.unescape(reviewer.get(response.location).get_data(as_text=True))
    assert "Accepted 5 documents whose prechecks all passed" in page
    statuses = {v.id: v.review_status for v in versions(isv.journey.id)}
    assert all(statuses[i] is ReviewStatus.accepted for i in listed)
    assert statuses[letter.id] is ReviewStatus.pending
    decisions = db.session.scalars(select(Event).order_by(Event.id).offset(before)).all()
    assert [e.event for e in decisions] == [DecisionKind.document.value] * 5
    assert {e.actor_id for e in decisions} == {isv.reviewer.id}
    assert verify_chain().ok
    assert _listed(reviewer, isv.journey.id) == []  # nothing left that passed

    again = _accept(reviewer, isv.journey.id, listed)  # a double click records nothing more
    assert again.status_code == 302
    page = html.unescape(reviewer.get(again.location).get_data(as_text=True))
    assert "Those documents were already accepted." in page
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == before + 5


def test_a_list_that_changed_since_the_page_accepts_nothing(isv, client_for, make_user):  # noqa: F811
    _, reviewer = _submitted(isv, client_for)
    listed = _listed(reviewer, isv.journey.id)
    assert len(listed) == 6
    other = client_for(make_user(isv.reviewer.role))
    assert decide(other, listed[0], "reject", "Blurred").status_code == 302

    response = _accept(reviewer, isv.journey.id, listed)
    assert response.status_code == 409
    assert "reload it and look again" in html.unescape(response.get_data(as_text=True))
    statuses = {v.id: v.review_status for v in versions(isv.journey.id)}
    assert statuses[listed[0]] is ReviewStatus.rejected
    assert all(statuses[i] is ReviewStatus.pending for i in listed[1:])


def test_the_applicant_and_a_malformed_list_are_refused(isv, client_for):  # noqa: F811
    applicant, reviewer = _submitted(isv, client_for)
    listed = _listed(reviewer, isv.journey.id)
    assert _accept(applicant, isv.journey.id, listed).status_code == 403
    bad = reviewer.post(
        f"/journeys/{isv.journey.id}/enablement/documents/accept-passed",
        data={"documents": "1;DROP"},
    )
    assert bad.status_code == 400
    assert "Not a list of documents" in html.unescape(bad.get_data(as_text=True))
    assert all(v.review_status is ReviewStatus.pending for v in versions(isv.journey.id))
