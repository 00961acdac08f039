"""A decision repeated as it stands (a double click, a second tab) records nothing new."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.workflow.test_policy import w  # noqa: F401  (fixture)
from workflow.apps.operations import decide_api
from workflow.enablement.operations import decide_document
from workflow.extensions import db
from workflow.models import Event


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def test_granting_an_api_twice_records_one_decision(w):  # noqa: F811
    w.app.state = "api_access_submitted"
    request = w.app.app.api_requests[0]
    decide_api(w.app, w.reviewer, request.id, grant=True)
    events, version = _events(), w.app.version_id
    decide_api(w.app, w.reviewer, request.id, grant=True)
    assert (_events(), w.app.version_id) == (events, version)
    decide_api(w.app, w.reviewer, request.id, grant=False, reason="Not for this APP")
    assert _events() == events + 1 and w.app.version_id == version + 1


def test_accepting_a_document_twice_records_one_decision(w):  # noqa: F811
    decide_document(w.enable, w.reviewer, w.document, "accept")
    events, version = _events(), w.enable.version_id
    decide_document(w.enable, w.reviewer, w.document, "accept", seen_status="accepted")
    assert (_events(), w.enable.version_id) == (events, version)
    decide_document(w.enable, w.reviewer, w.document, "reject", "Blurred", seen_status="accepted")
    assert _events() == events + 1
