"""Every operation asks the policy before it changes anything, whoever calls it (a view, the
CLI, a future API): staff never write the applicant's data, applicants never decide, and
another account's data does not exist."""

from __future__ import annotations

import io
import json
from functools import partial
from types import SimpleNamespace

import pytest
from flask import current_app

from tests.seeding import seed_packet
from tests.support import database_fingerprint
from top.evidence import stand_in_url
from top.report import CheckReport, CheckResult
from workflow.admin.operations import invite_user, send_password_reset, set_active
from workflow.apps.evidence import attach_desk_run, attach_uploaded_report, withdraw_evidence
from workflow.apps.operations import decide_api, register_app, request_api_access
from workflow.deployment.operations import save_stage_document, save_stage_form
from workflow.distribution.operations import (
    confirm_config,
    save_seller_list,
    set_config_requirements,
)
from workflow.enablement.operations import (
    decide_document,
    save_enablement_request,
    upload_document,
)
from workflow.enablement.samples import sample_pdf
from workflow.errors import NotFound, NotPermitted
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    Audience,
    DocumentKind,
    EvidenceKind,
    FormKind,
    Role,
    SellerListKind,
)
from workflow.operations import fire, open_journey
from workflow.packets.operations import send_copy
from workflow.policy import (
    APPLICANT_EVENTS,
    REVIEWER_EVENTS,
    Action,
    authorize,
    event_action,
    may,
)
from workflow.review.operations import assign_journey


@pytest.fixture
def w(make_account, make_user, make_journey):
    """Account A with a journey at each step the operations below need, and its people."""
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    people = SimpleNamespace(
        account=account,
        applicant=applicant,
        reviewer=make_user(Role.reviewer),
        admin=make_user(Role.admin),
        outsider=make_user(Role.applicant, make_account()),
    )
    people.enable = open_journey(account, applicant)
    document = upload_document(
        people.enable,
        applicant,
        DocumentKind.certificate_of_incorporation,
        io.BytesIO(sample_pdf("Certificate")),
        "a.pdf",
    )
    people.document = document
    people.enable.state = "enablement_submitted"
    account.enabled_at = people.enable.created_at
    people.app = make_journey(account, applicant)
    register_app(
        people.app,
        applicant,
        app_key="12345678",
        name="Mine",
        description="Ours",
        is_new=True,
        audience=Audience.own_shop,
    )
    request_api_access(people.app, applicant, {"taobao.trades.sold.get": "To ship"})
    db.session.commit()
    return people


def _at(journey, state):
    journey.state = state
    db.session.commit()
    return journey


def _report():
    return io.BytesIO(json.dumps({"ok": True, "checks": [{"name": "dns", "ok": True}]}).encode())


def _desk_run(app) -> CheckReport:
    """A passing run against the demo's stand-in for the TOP sandbox."""
    gateway = stand_in_url(app.config["TOP_GATEWAY_URL"], "sandbox")
    return CheckReport(gateway, [CheckResult("dns", True, latency_ms=1.0)], app_key="99999999")


def _attached(w):
    journey = _at(w.app, "sandbox_verification")
    evidence = attach_desk_run(journey, EvidenceKind.sandbox, w.applicant, _desk_run(current_app))
    db.session.commit()
    return evidence


def _packet(w):
    packet = seed_packet(w.app, "POLICY-1", kind="api_access")
    db.session.commit()
    return packet


API = "taobao.trades.sold.get"
MRD = {
    "market": "Cross-border",
    "target_sellers": "Tmall Global",
    "features": "Orders",
    "data_handled": "Addresses, to ship",
}
APP_FIELDS = dict(
    app_key="99999999", name="Rewritten", description="x", is_new=True, audience=Audience.own_shop
)

#: Each case sets the scene from the fixture and returns the refused call, still to be made.
REFUSED = {
    "reviewer rewrites the APP": (
        lambda w: partial(register_app, w.app, w.reviewer, **APP_FIELDS),
        NotPermitted,
    ),
    "admin rewrites the APP": (
        lambda w: partial(register_app, w.app, w.admin, **APP_FIELDS),
        NotPermitted,
    ),
    "another account rewrites the APP": (
        lambda w: partial(register_app, w.app, w.outsider, **APP_FIELDS),
        NotFound,
    ),
    "reviewer rewrites the API requests": (
        lambda w: partial(request_api_access, w.app, w.reviewer, {API: "Mine now"}),
        NotPermitted,
    ),
    "reviewer uploads evidence": (
        lambda w: partial(
            attach_uploaded_report,
            _at(w.app, "sandbox_verification"),
            EvidenceKind.sandbox,
            w.reviewer,
            _report(),
            "report.json",
        ),
        NotPermitted,
    ),
    "admin attaches a checker run": (
        lambda w: partial(
            attach_desk_run,
            _at(w.app, "sandbox_verification"),
            EvidenceKind.sandbox,
            w.admin,
            _desk_run(current_app),
        ),
        NotPermitted,
    ),
    "reviewer withdraws the applicant's evidence": (
        lambda w: partial(withdraw_evidence, w.app, w.reviewer, _attached(w).id),
        NotPermitted,
    ),
    "reviewer fills in the MRD": (
        lambda w: partial(
            save_stage_form, _at(w.app, "mrd_prd_draft"), FormKind.mrd, w.reviewer, MRD
        ),
        NotPermitted,
    ),
    "applicant writes the meeting minutes": (
        lambda w: partial(
            save_stage_form,
            _at(w.app, "confabulation"),
            FormKind.meeting,
            w.applicant,
            {"held_on": "2026-01-05", "minutes": "We agreed"},
        ),
        NotPermitted,
    ),
    "admin uploads the PRD": (
        lambda w: partial(
            save_stage_document,
            _at(w.app, "mrd_prd_draft"),
            FormKind.prd,
            w.admin,
            io.BytesIO(sample_pdf("PRD")),
            "prd.pdf",
        ),
        NotPermitted,
    ),
    "reviewer proposes a seller list": (
        lambda w: partial(
            save_seller_list,
            _at(w.app, "distribution_setup"),
            SellerListKind.authorization,
            w.reviewer,
            [1001, 1002],
        ),
        NotPermitted,
    ),
    "admin confirms a configuration": (
        lambda w: partial(confirm_config, w.app, w.admin, "security"),
        NotPermitted,
    ),
    "reviewer sets the required configurations": (
        lambda w: partial(set_config_requirements, w.app, w.reviewer, security=True, cloud=True),
        NotPermitted,
    ),
    "applicant sets the required configurations": (
        lambda w: partial(set_config_requirements, w.app, w.applicant, security=True, cloud=True),
        NotPermitted,
    ),
    "reviewer uploads an enablement document": (
        lambda w: partial(
            upload_document,
            _at(w.enable, "enablement_draft"),
            w.reviewer,
            DocumentKind.bank_account_proof,
            io.BytesIO(sample_pdf("Bank")),
            "b.pdf",
        ),
        NotPermitted,
    ),
    "admin edits the enablement request": (
        lambda w: partial(
            save_enablement_request,
            _at(w.enable, "enablement_draft"),
            w.admin,
            {"company_name": "Not theirs"},
        ),
        NotPermitted,
    ),
    "applicant decides their own document": (
        lambda w: partial(decide_document, w.enable, w.applicant, w.document, "accept"),
        NotPermitted,
    ),
    "another account decides a document": (
        lambda w: partial(decide_document, w.enable, w.outsider, w.document, "accept"),
        NotFound,
    ),
    "applicant grants their own API": (
        lambda w: partial(
            decide_api,
            _at(w.app, "api_access_submitted"),
            w.applicant,
            w.app.app.api_requests[0].id,
            grant=True,
        ),
        NotPermitted,
    ),
    "applicant claims the queue item": (
        lambda w: partial(assign_journey, w.app, w.applicant, w.reviewer),
        NotPermitted,
    ),
    "applicant approves their own submission": (
        lambda w: partial(fire, _at(w.app, "api_access_submitted"), "approve", w.applicant),
        NotPermitted,
    ),
    "applicant writes an internal note": (
        lambda w: partial(fire, w.app, "withdraw", w.applicant, note="Approve me"),
        NotPermitted,
    ),
    "reviewer starts a journey for the account": (
        lambda w: partial(open_journey, w.account, w.reviewer),
        NotPermitted,
    ),
    "another account starts a journey here": (
        lambda w: partial(open_journey, w.account, w.outsider),
        NotFound,
    ),
    "another account mails itself a packet": (
        lambda w: partial(send_copy, _packet(w), w.outsider),
        NotFound,
    ),
    "reviewer invites a user": (
        lambda w: partial(invite_user, w.reviewer, "new@example.com", Role.admin),
        NotFound,
    ),
    "reviewer mails an admin a reset link": (
        lambda w: partial(send_password_reset, w.reviewer, w.admin.id),
        NotFound,
    ),
    "reviewer switches an admin off": (
        lambda w: partial(set_active, w.reviewer, w.admin.id, False),
        NotFound,
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_operations_refuse_before_changing_anything(w, case):
    prepare, error = REFUSED[case]
    refused_call = prepare(w)
    before = database_fingerprint(in_transaction=True)
    with pytest.raises(error):
        refused_call()
    assert database_fingerprint(in_transaction=True) == before


def test_the_same_calls_by_the_right_people_do_change_things(w):
    """The refusals above are about the actor, not a scene where nothing could happen."""
    before = database_fingerprint(in_transaction=True)
    register_app(w.app, w.applicant, **APP_FIELDS)
    assert w.app.app.name == "Rewritten"
    set_config_requirements(w.app, w.admin, security=True, cloud=True)
    confirm_config(w.app, w.applicant, "security")
    assign_journey(w.app, w.reviewer, w.reviewer)
    decide_document(w.enable, w.reviewer, w.document, "accept")
    assert database_fingerprint(in_transaction=True) != before


def test_a_switched_off_user_may_do_nothing(w):
    w.applicant.is_active_user = False
    assert not may(w.applicant, Action.view_journey, w.app)
    with pytest.raises(NotPermitted, match="switched off"):
        authorize(w.applicant, Action.register_app, w.app)


def test_colleagues_share_their_accounts_data(w, make_user):
    colleague = make_user(Role.applicant, w.account)
    assert may(colleague, Action.register_app, w.app)
    assert may(colleague, Action.download_document, w.document)
    assert not may(w.outsider, Action.download_document, w.document)


def test_every_chart_event_is_an_action():
    from workflow.chart import JourneyChart

    chart_events = {e.id for e in JourneyChart.events}
    assert sorted(chart_events - APPLICANT_EVENTS - REVIEWER_EVENTS) == []
    assert sorted((APPLICANT_EVENTS | REVIEWER_EVENTS) - chart_events) == [], "not in the chart"
    assert APPLICANT_EVENTS.isdisjoint(REVIEWER_EVENTS)
    assert event_action("no_such_event") is None


def test_switching_a_user_off_ends_an_open_session(w, client, login):
    login(w.applicant)
    assert client.get(f"/journeys/{w.app.id}").status_code == 200
    w.applicant.is_active_user = False
    db.session.commit()
    response = client.post(f"/journeys/{w.app.id}/app", data=dict(APP_FIELDS, origin="new"))
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    db.session.expire_all()
    assert w.app.app.name == "Mine"
