"""A journey with every party signed in, and the checks the audit-chain tests share."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    file_for,
    fire_event,
    isv,
    upload,
    versions,
)
from top.gateway import DEMO_APP_KEY, DEMO_SESSION, LocalGateway
from workflow import audit
from workflow.extensions import db
from workflow.models import (
    ApiRequest,
    DecisionKind,
    Event,
    Evidence,
    Journey,
    Role,
)


@pytest.fixture
def gateway(app, monkeypatch):
    with LocalGateway() as running:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", running.url)
        yield running


@pytest.fixture
def desk(isv, client_for, make_user):  # noqa: F811
    return Desk(isv, client_for, make_user)


class Desk:
    """One ISV journey with its applicant, two reviewers and an admin, each signed in."""

    def __init__(self, party, client_for, make_user):  # noqa: F811
        self.party = party
        self.jid = party.journey.id
        self.applicant = client_for(party.applicant)
        self.reviewer = client_for(party.reviewer)
        self.other_reviewer_user = make_user(Role.reviewer)
        self.admin = client_for(make_user(Role.admin))
        db.session.commit()

    def place(self, state: str) -> None:
        """Put the journey at ``state`` and record that in the log, as a seed would."""
        journey = self.journey()
        before = journey.state
        journey.state = state
        db.session.flush()
        audit.append_event(journey, None, "open", before, state)
        db.session.commit()

    def journey(self) -> Journey:
        db.session.expire_all()
        return db.session.get(Journey, self.jid)

    def post(self, client, url: str, data: dict | None = None):
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        response = client.post(url, data=data or {})
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
        with client.session_transaction() as session:
            errors = [m for c, m in session.get("_flashes", []) if c == "error"]
        assert not errors, errors
        return response

    def register_app(self) -> None:
        self.place("app_draft")
        app_form = {"app_key": DEMO_APP_KEY, "name": "Order sync", "description": "Syncs.",
                    "origin": "new", "audience": "other_sellers"}  # fmt: skip
        self.post(self.applicant, f"/journeys/{self.jid}/app", app_form)
        apis = {"api": ["taobao.trades.sold.get"],
                "reason-taobao.trades.sold.get": "Import orders."}  # fmt: skip
        self.post(self.applicant, f"/journeys/{self.jid}/apis", apis)

    def api_request(self) -> ApiRequest:
        db.session.expire_all()
        return db.session.scalars(select(ApiRequest)).one()


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def assert_sound(app) -> None:
    result = verify(app)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"ok {db.session.scalar(select(func.count()).select_from(Event))} events"
    assert lines[1].startswith("replay ok: 1 journeys")


def tamper(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def assert_named(app, where: str, field: str | None = None) -> str:
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("ok "), result.output  # the chain itself still holds
    line = result.output.splitlines()[1]
    assert line.startswith(f"replay differs at {where}"), line
    if field is not None:
        assert line.startswith(f"replay differs at {where}, {field}:"), line
    return line


def decisions_of(jid: int, kind: DecisionKind) -> list[Event]:
    stmt = select(Event).where(Event.journey_id == jid, Event.event == kind.value)
    return list(db.session.scalars(stmt.order_by(Event.id)))


def failing_sandbox_run(desk, gateway) -> Evidence:
    desk.register_app()
    desk.place("sandbox_verification")
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": "not-the-secret", "session": DEMO_SESSION, "attach": "yes"}  # fmt: skip
    response = desk.applicant.post(f"/journeys/{desk.jid}/check/sandbox", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.expire_all()
    evidence = db.session.scalars(select(Evidence)).one()
    assert not evidence.is_passing
    return evidence
