"""The API's first routes through the test client with real tokens: journeys, their steps with
If-Match and Idempotency-Key, the review queue and claiming, problems, and the spec."""

from __future__ import annotations

import json
import logging
import re
import uuid

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from tests.api.conftest import bearer
from tests.seeding import journey_with_app
from tests.support import desk_config
from workflow.extensions import db
from workflow.models import AccountKind, DecisionKind, Event, IdempotentResponse, Journey, Role
from workflow.models.base import utcnow


@pytest.fixture
def desk(make_account, make_user, token_for):
    """An ISV with a journey whose APP is registered (``app_draft``), a second account, staff."""

    class Desk:
        pass

    d = Desk()
    d.account = make_account(AccountKind.isv, name="Account A")
    d.account.enabled_at = utcnow()
    d.applicant = make_user(Role.applicant, d.account)
    d.journey = journey_with_app(
        d.account, d.applicant, "app_draft", app_key="10000001", name="APP A"
    )
    d.other_account = make_account(AccountKind.isv, name="Account B")
    d.other_account.enabled_at = utcnow()
    d.other = make_user(Role.applicant, d.other_account)
    d.other_journey = journey_with_app(
        d.other_account, d.other, "api_access_submitted", app_key="20000001", name="APP B"
    )
    d.reviewer = make_user(Role.reviewer)
    db.session.commit()
    d.jid, d.other_jid = d.journey.id, d.other_journey.id
    d.applicant_token = token_for(d.applicant)
    d.reviewer_token = token_for(d.reviewer)
    d.other_token = token_for(d.other)
    return d


def _version(jid: int) -> int:
    db.session.expire_all()
    return db.session.get(Journey, jid).version_id


def _events(jid: int, name: str | None = None) -> list[Event]:
    db.session.expire_all()
    stmt = select(Event).where(Event.journey_id == jid)
    if name:
        stmt = stmt.where(Event.event == name)
    return list(db.session.scalars(stmt.order_by(Event.id)))


def test_a_journey_reads_with_its_stage_needs_and_steps_and_its_version_as_etag(client, desk):
    answer = client.get(f"/api/v1/journeys/{desk.jid}", headers=bearer(desk.applicant_token))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["state"] == "app_draft" and body["stage"] == {
        "number": "2",
        "title": "APP and API access",
    }
    assert answer.headers["ETag"] == f'"{_version(desk.jid)}"' == f'"{body["version"]}"'
    assert answer.headers["Cache-Control"] == "no-store"
    assert "submit" in [e["name"] for e in body["events"]] and body["needs"] == []
    # The reviewer sees it, with no applicant step offered; another account does not see it.
    staff = client.get(f"/api/v1/journeys/{desk.jid}", headers=bearer(desk.reviewer_token))
    assert staff.status_code == 200 and "submit" not in [
        e["name"] for e in staff.get_json()["events"]
    ]
    hidden = client.get(f"/api/v1/journeys/{desk.jid}", headers=bearer(desk.other_token))
    assert hidden.status_code == 404 and hidden.mimetype == "application/problem+json"
    assert hidden.get_json()["title"] == "Not found"


def test_journeys_are_listed_by_cursor_and_only_the_users_own(client, desk, make_journey):
    for _ in range(4):
        make_journey(desk.account, desk.applicant)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/journeys?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=bearer(desk.applicant_token)).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    mine = db.session.scalars(select(Journey.id).where(Journey.account_id == desk.account.id))
    assert seen == sorted(mine) and pages == 3 and desk.other_jid not in seen
    staff = client.get("/api/v1/journeys?limit=100", headers=bearer(desk.reviewer_token))
    assert desk.other_jid in [i["id"] for i in staff.get_json()["items"]]
    bad = client.get("/api/v1/journeys?cursor=not-a-cursor", headers=bearer(desk.applicant_token))
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "cursor"
    big = client.get("/api/v1/journeys?limit=1000", headers=bearer(desk.applicant_token))
    assert big.status_code == 400 and big.get_json()["errors"][0]["field"] == "limit"


def test_a_step_needs_if_match_refuses_a_stale_version_and_is_recorded_via_api(client, desk):
    url = f"/api/v1/journeys/{desk.jid}/events/submit"
    missing = client.post(url, headers=bearer(desk.applicant_token))
    assert missing.status_code == 428 and missing.get_json()["errors"][0]["field"] == "If-Match"
    version = _version(desk.jid)
    stale = client.post(
        url, headers=bearer(desk.applicant_token, **{"If-Match": f'"{version + 1}"'})
    )
    assert stale.status_code == 412 and stale.get_json()["status"] == 412
    assert _events(desk.jid, "submit") == []
    done = client.post(url, headers=bearer(desk.applicant_token, **{"If-Match": f'"{version}"'}))
    assert done.status_code == 201, done.get_data(as_text=True)
    body = done.get_json()
    assert body["journey"]["state"] == "api_access_submitted" and body["event"]["via"] == "api"
    assert done.headers["ETag"] == f'"{_version(desk.jid)}"'
    [event] = _events(desk.jid, "submit")
    assert event.via == "api" and event.actor_id == desk.applicant.id
    # The pages' own steps are not marked.
    assert {e.via for e in _events(desk.jid) if e.id != event.id} == {""}
    # The trail shows it, and the chain (now covering "via") still verifies.
    from workflow.audit import verify_chain

    assert verify_chain().ok
    again = client.post(
        url, headers=bearer(desk.applicant_token, **{"If-Match": done.headers["ETag"]})
    )
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_a_retried_step_with_the_same_idempotency_key_acts_once(client, desk):
    url = f"/api/v1/journeys/{desk.jid}/events/submit"
    headers = bearer(
        desk.applicant_token,
        **{"If-Match": f'"{_version(desk.jid)}"', "Idempotency-Key": str(uuid.uuid4())},
    )
    first = client.post(url, headers=headers)
    second = client.post(url, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json() and second.headers["Idempotent-Replayed"] == "true"
    assert len(_events(desk.jid, "submit")) == 1
    assert db.session.scalar(select(func.count()).select_from(IdempotentResponse)) == 1
    # The same key with another request is refused, and acts on nothing.
    other = client.post(
        f"/api/v1/journeys/{desk.jid}/events/withdraw",
        headers=headers,
    )
    assert other.status_code == 422 and other.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert _events(desk.jid, "withdraw") == []


def test_roles_and_scopes_are_the_pages_ones(client, desk, token_for):
    version = _version(desk.other_jid)
    url = f"/api/v1/journeys/{desk.other_jid}/events/request_changes"
    as_applicant = client.post(
        url, headers=bearer(desk.other_token, **{"If-Match": f'"{version}"'})
    )
    assert as_applicant.status_code == 403
    no_reason = client.post(
        url, headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'})
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["detail"]
    read_only = token_for(desk.reviewer, scopes=("read",))
    refused = client.post(
        url,
        json={"comment": "Say more."},
        headers=bearer(read_only, **{"If-Match": f'"{version}"'}),
    )
    assert (
        refused.status_code == 403 and refused.get_json()["errors"][0]["field"] == "Authorization"
    )
    invalid = client.post(
        url,
        json={"comment": "Say\u200b more.", "colour": "red"},
        headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}),
    )
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.get_json()["errors"]} == {"comment", "colour"}
    done = client.post(
        url,
        json={"comment": "Say more.", "note": "Checked by script"},
        headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}),
    )
    assert done.status_code == 201
    [event] = _events(desk.other_jid, "request_changes")
    assert (event.comment, event.note, event.via) == ("Say more.", "Checked by script", "api")
    unknown = client.post(
        f"/api/v1/journeys/{desk.jid}/events/no_such_step", headers=bearer(desk.applicant_token)
    )
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"


def test_a_cookie_session_alone_is_anonymous_on_the_api(client, desk, login):
    browser = login(desk.applicant)
    version = _version(desk.jid)
    write = browser.post(
        f"/api/v1/journeys/{desk.jid}/events/submit", headers={"If-Match": f'"{version}"'}
    )
    assert write.status_code == 401 and write.mimetype == "application/problem+json"
    assert browser.get("/api/v1/journeys").status_code == 401
    assert _events(desk.jid, "submit") == []


def test_the_queue_pages_by_cursor_and_a_reviewer_claims_through_the_decision_door(client, desk):
    first = client.get("/api/v1/queue?limit=1", headers=bearer(desk.reviewer_token)).get_json()
    assert [i["id"] for i in first["items"]] == [desk.other_jid] and first["next_cursor"] is None
    assert client.get("/api/v1/queue", headers=bearer(desk.applicant_token)).status_code == 404
    url = f"/api/v1/queue/{desk.other_jid}/claim"
    assert client.post(url, headers=bearer(desk.other_token)).status_code == 403
    stale = client.post(url, headers=bearer(desk.reviewer_token, **{"If-Match": '"999"'}))
    assert stale.status_code == 412
    claimed = client.post(url, headers=bearer(desk.reviewer_token))
    assert claimed.status_code == 200 and claimed.get_json()["assignee_id"] == desk.reviewer.id
    [event] = _events(desk.other_jid, DecisionKind.assigned.value)
    assert event.via == "api" and event.actor_id == desk.reviewer.id
    assert event.data["about"] == {"claimed": True}


def test_reads_go_to_the_access_log_and_write_nothing_to_the_trail(client, desk, caplog):
    before = len(_events(desk.jid))
    with caplog.at_level(logging.INFO, logger="workflow.api.access"):
        client.get(f"/api/v1/journeys/{desk.jid}", headers=bearer(desk.applicant_token))
    assert len(_events(desk.jid)) == before
    [line] = [r.getMessage() for r in caplog.records if r.name == "workflow.api.access"]
    assert line.startswith(f"api GET /api/v1/journeys/{desk.jid} 200 user={desk.applicant.id}")
    assert desk.applicant_token not in line


def test_unknown_paths_and_methods_under_the_api_are_problems(client, desk):
    missing = client.get("/api/v1/nothing-here", headers=bearer(desk.applicant_token))
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.delete(f"/api/v1/journeys/{desk.jid}", headers=bearer(desk.applicant_token))
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"


def test_the_spec_validates_and_declares_every_route_and_problem(client, app):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    api_rules = {
        re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", r.rule.removeprefix("/api/v1"))
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.")
    }
    assert set(spec["paths"]) == api_rules
    fire = spec["paths"]["/journeys/{journey_id}/events/{event}"]["post"]
    assert {"401", "403", "404", "409", "412", "422", "428", "429"} <= set(fire["responses"])
    assert "Retry-After" in spec["components"]["responses"]["429"]["headers"]
    page = client.get("/api/v1/docs")
    assert (
        page.status_code == 200
        and "/api/v1/journeys/{journey_id}/events/{event}" in page.get_data(as_text=True)
    )
    assert "cdn" not in page.get_data(as_text=True).lower()
    # Each problem's type points at its row of the reference.
    problem = client.get("/api/v1/journeys").get_json()
    assert problem["type"] == "/api/v1/docs#problem-unauthorized"
    assert 'id="problem-unauthorized"' in page.get_data(as_text=True)


@pytest.fixture
def strict_app(app, database, tmp_path):
    """CSRF protection and rate limits on, as in production."""
    from app import create_app

    return create_app(
        {
            **desk_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]),
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "RATELIMIT_API": "3 per minute",
        }
    )


def test_with_csrf_on_a_token_writes_and_a_fourth_request_gets_429(strict_app, desk):
    db.session.commit()
    db.session.close()
    client = strict_app.test_client()
    with strict_app.app_context():
        version = _version(desk.jid)
    done = client.post(
        f"/api/v1/journeys/{desk.jid}/events/submit",
        headers=bearer(desk.applicant_token, **{"If-Match": f'"{version}"'}),
    )
    assert done.status_code == 201, done.get_data(as_text=True)
    for _ in range(2):
        assert (
            client.get("/api/v1/journeys", headers=bearer(desk.applicant_token)).status_code == 200
        )
    limited = client.get("/api/v1/journeys", headers=bearer(desk.applicant_token))
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    # The budget is the token's: another user's token is not limited by it.
    assert client.get("/api/v1/journeys", headers=bearer(desk.other_token)).status_code == 200
    assert json.loads(limited.get_data())["status"] == 429


def test_the_journeys_trail_marks_a_step_taken_through_the_api(app, desk, login):
    api = app.test_client()
    version = _version(desk.jid)
    headers = bearer(desk.applicant_token, **{"If-Match": f'"{version}"'})
    assert (
        api.post(f"/api/v1/journeys/{desk.jid}/events/submit", headers=headers).status_code == 201
    )
    page = login(desk.applicant).get(f"/journeys/{desk.jid}/timeline").get_data(as_text=True)
    assert page.count("via API") == 1


def test_the_queue_pages_by_cursor_oldest_first(client, desk, make_journey):
    waiting = [desk.other_jid]
    for state in ("enablement_submitted", "mrd_prd_submitted"):
        waiting.append(make_journey(desk.account, desk.applicant, state=state).id)
    seen, cursor = [], None
    while True:
        url = "/api/v1/queue?limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=bearer(desk.reviewer_token)).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    order = db.session.execute(
        select(Journey.id)
        .where(Journey.id.in_(waiting))
        .order_by(Journey.state_changed_at, Journey.id)
    )
    assert seen == list(order.scalars()) and len(seen) == 3
    # Any cursor of the documented form is one the list can start from.
    far = client.get("/api/v1/queue?cursor=9999999999999999_1", headers=bearer(desk.reviewer_token))
    assert far.status_code == 200 and far.get_json() == {"items": [], "next_cursor": None}


def test_a_seller_list_is_saved_with_the_pages_checks(client, desk, make_account, make_user):
    from workflow.models import Audience, SellerList

    journey = journey_with_app(
        desk.account,
        desk.applicant,
        "distribution_setup",
        app_key="10000002",
        name="APP for sellers",
        audience=Audience.other_sellers,
    )
    db.session.commit()
    url = f"/api/v1/journeys/{journey.id}/sellers/authorization"
    saved = client.post(
        url, json={"text": "2001\n2002, 2003"}, headers=bearer(desk.applicant_token)
    )
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert saved.get_json()["count"] == 3 and saved.get_json()["kind"] == "authorization"
    bad = client.post(url, json={"text": "2001\nnot-an-id\n"}, headers=bearer(desk.applicant_token))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "text"
    assert "line 2" in bad.get_json()["errors"][0]["detail"].lower()
    lists = db.session.scalars(select(SellerList).where(SellerList.journey_id == journey.id)).all()
    assert len(lists) == 1
    staff = client.post(url, json={"text": "2001"}, headers=bearer(desk.reviewer_token))
    assert staff.status_code == 403
    assert (
        client.post(
            f"/api/v1/journeys/{journey.id}/sellers/nonsense",
            json={"text": "2001"},
            headers=bearer(desk.applicant_token),
        ).status_code
        == 404
    )


def test_a_packet_downloads_for_those_who_may_see_it(client, desk):
    from tests.seeding import seed_packet

    packet = seed_packet(desk.journey, "API-PACKET-1")
    db.session.commit()
    url = f"/api/v1/journeys/{desk.jid}/packets/{packet.id}.pdf"
    mine = client.get(url, headers=bearer(desk.applicant_token))
    assert mine.status_code == 200 and mine.mimetype == "application/pdf"
    assert mine.get_data()[:5] == b"%PDF-"
    assert client.get(url, headers=bearer(desk.reviewer_token)).status_code == 200
    assert client.get(url, headers=bearer(desk.other_token)).status_code == 404


def test_a_stage_form_is_saved_through_the_pages_form_and_names_each_bad_field(client, desk):
    from workflow.deployment.specs import SPECS
    from workflow.models import FormKind, StageForm

    journey = journey_with_app(
        desk.account, desk.applicant, "mrd_prd_draft", app_key="10000003", name="APP with MRD"
    )
    db.session.commit()
    url = f"/api/v1/journeys/{journey.id}/forms/mrd"
    values = {f.name: f"Written by a script: {f.name}" for f in SPECS[FormKind.mrd].fields}
    saved = client.post(url, json={"values": values}, headers=bearer(desk.applicant_token))
    assert saved.status_code == 201, saved.get_data(as_text=True)
    [row] = db.session.scalars(select(StageForm).where(StageForm.journey_id == journey.id))
    assert (
        row.data["market"] == "Written by a script: market"
        and row.created_by_id == desk.applicant.id
    )
    partial = {**values, "market": "", "colour": "red"}
    refused = client.post(url, json={"values": partial}, headers=bearer(desk.applicant_token))
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"values.market", "values.colour"}
    staff = client.post(url, json={"values": values}, headers=bearer(desk.reviewer_token))
    assert staff.status_code == 403
    unknown = client.post(
        f"/api/v1/journeys/{journey.id}/forms/nonsense",
        json={"values": {}},
        headers=bearer(desk.applicant_token),
    )
    assert unknown.status_code == 404
    assert (
        len(db.session.scalars(select(StageForm).where(StageForm.journey_id == journey.id)).all())
        == 1
    )


def test_a_reviewer_decides_an_api_through_the_decision_door(client, desk):
    journey = db.session.get(Journey, desk.other_jid)
    request_id = journey.app.api_requests[0].id
    url = f"/api/v1/journeys/{desk.other_jid}/apis/{request_id}/decision"
    version = _version(desk.other_jid)
    no_reason = client.post(
        url,
        json={"decision": "refuse"},
        headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}),
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["detail"]
    bad = client.post(
        url,
        json={"decision": "maybe"},
        headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}),
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "decision"
    # No body names the missing field; no such request is a 404, even with a stale If-Match.
    empty = client.post(url, headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}))
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == [{"field": "decision", "detail": "Field required"}]
    for unknown in (0, request_id + 1000):
        gone = client.post(
            f"/api/v1/journeys/{desk.other_jid}/apis/{unknown}/decision",
            json={"decision": "grant"},
            headers=bearer(desk.reviewer_token, **{"If-Match": '"999"'}),
        )
        assert gone.status_code == 404, gone.get_json()
    applicant = client.post(
        url,
        json={"decision": "grant"},
        headers=bearer(desk.other_token, **{"If-Match": f'"{version}"'}),
    )
    assert applicant.status_code == 403
    granted = client.post(
        url,
        json={"decision": "grant"},
        headers=bearer(desk.reviewer_token, **{"If-Match": f'"{version}"'}),
    )
    assert granted.status_code == 200 and granted.get_json()["decision"] == "accepted"
    assert granted.headers["ETag"] == f'"{_version(desk.other_jid)}"' != f'"{version}"'
    [event] = _events(desk.other_jid, DecisionKind.api.value)
    assert event.via == "api" and event.actor_id == desk.reviewer.id


def test_a_journey_before_its_app_is_registered_reads_with_its_title(
    client, make_account, make_user, make_journey, token_for
):
    account = make_account(AccountKind.isv, name="Account C")
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant)
    token = token_for(applicant)
    listed = client.get("/api/v1/journeys", headers=bearer(token))
    assert listed.status_code == 200, listed.get_json()
    assert [i["title"] for i in listed.get_json()["items"]] == ["Developer account enablement"]
    one = client.get(
        f"/api/v1/journeys/{journey.id}", headers=bearer(token, **{"Accept-Language": "zh-CN"})
    )
    assert one.status_code == 200 and one.get_json()["state"] == "enablement_draft"
    assert one.get_json()["title"] != "Developer account enablement"


def test_an_empty_if_match_is_refused_and_never_replays_an_answer_given_without_one(client, desk):
    url = f"/api/v1/queue/{desk.other_jid}/claim"
    key = {"Idempotency-Key": "claim-once"}
    claimed = client.post(url, headers=bearer(desk.reviewer_token, **key))
    assert claimed.status_code == 200 and "Idempotent-Replayed" not in claimed.headers
    version = _version(desk.other_jid)
    for empty in ("", " "):
        refused = client.post(
            url, headers=bearer(desk.reviewer_token, **key, **{"If-Match": empty})
        )
        assert refused.status_code == 400, refused.get_json()
        assert "Idempotent-Replayed" not in refused.headers
        assert refused.get_json()["errors"] == [{"field": "If-Match", "detail": "not a version"}]
    # The same key and request without If-Match is still the stored answer.
    again = client.post(url, headers=bearer(desk.reviewer_token, **key))
    assert again.headers["Idempotent-Replayed"] == "true" and again.data == claimed.data
    assert _version(desk.other_jid) == version
    assert len(_events(desk.other_jid, DecisionKind.assigned.value)) == 1
