"""The guide's other paths, end to end through HTTP (issue 12, items 1, 3, 4 and 16).

- A seller whose APP serves only its own shop: its own seller ID is in force at once, decided
  by the desk under §3.4.1 a, and only adding other sellers goes to Tmall Global.
- An ISV whose own-server exemption is refused returns to the cloud path and is released.
- A rejected enablement is continued in a new journey for the same taobao account ID.

The steps and helpers are those of ``tests/test_end_to_end.py``.
"""

from __future__ import annotations

import html

from sqlalchemy import func, select

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    fire_event,
    isv,
    save_isv_details,
    seller,
    state_of,
    upload,
    upload_all,
    versions,
)
from tests.page_cost import assert_journey_page_is_cheap
from tests.test_end_to_end import (  # noqa: F401  (the gateway fixture)
    SELLER_ID,
    _apply_for_apis,
    _assert_log_replays,
    _cloud_plan,
    _distribute,
    _enable_seller,
    _exemption,
    _in_force,
    _ok,
    _post,
    _provision,
    _read_packets,
    _run_on_host,
    _trail,
    _verify_sandbox,
    gateway,
)
from top.evidence import stand_in_url
from workflow.extensions import db
from workflow.models import (
    Account,
    DocumentKind,
    Event,
    Journey,
    OutboxMessage,
    Packet,
    Role,
)

TMALL_MAILBOX = "tmall-global-review@localhost"


def test_seller_serving_its_own_shop_is_released_without_an_authorization_review(
    seller,  # noqa: F811
    client_for,  # noqa: F811
    gateway,  # noqa: F811
):
    applicant, reviewer = client_for(seller.applicant), client_for(seller.reviewer)
    jid = seller.journey.id
    own = int(SELLER_ID)
    _enable_seller(applicant, reviewer, jid)
    _apply_for_apis(applicant, reviewer, jid, new=True)  # registered as serving its own shop
    _verify_sandbox(applicant, jid, gateway)
    _ok(fire_event(applicant, jid, "choose_exemption"))
    _post(applicant, f"/journeys/{jid}/forms/exemption", _exemption())
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    _ok(fire_event(applicant, jid, "start_distribution"))

    page = html.unescape(applicant.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "This APP serves <strong>the seller's own shop</strong>" in page
    assert f">{SELLER_ID}</textarea>" in page
    assert "its own shop needs no authorization request with other sellers' IDs" in page
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": SELLER_ID})
    page = html.unescape(applicant.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "submitting puts it in force at once, with no Tmall Global review" in page
    mail_before = _mail_to(TMALL_MAILBOX)
    _ok(fire_event(applicant, jid, "submit"))
    assert state_of(jid) == "distribution_draft"  # no authorization review on the way
    assert _in_force(jid) == [own]
    assert _mail_to(TMALL_MAILBOX) == mail_before  # Tmall Global was not asked
    assert _packet_kinds(jid) == ["enablement_seller", "api_access", "exemption"]
    decision = _last(jid, "seller_list.in_force")
    assert decision.actor.role is Role.system
    assert decision.actor.name == "Onboarding desk, guide §3.4.1 a"
    assert "without Tmall Global review" in decision.comment
    assert decision.data["about"] == {"list": "authorization", "count": 1, "rule": "3.4.1 a"}
    trail = html.unescape(reviewer.get(f"/journeys/{jid}/timeline").get_data(as_text=True))
    assert (
        "Authorization list in force (1 seller IDs), without review under guide §3.4.1 a" in trail
    )
    assert "Onboarding desk, guide §3.4.1 a" in trail
    page = html.unescape(reviewer.get(f"/journeys/{jid}").get_data(as_text=True))

    assert "which the desk puts in force with no Tmall Global authorization review" in page

    upload_list = {"ids": SELLER_ID}
    _post(applicant, f"/journeys/{jid}/sellers/distribution", upload_list)
    _post(applicant, f"/journeys/{jid}/configs/console/confirm", {})
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "released"

    # An own-shop APP takes no other seller; it says how to serve them.
    refused = applicant.post(
        f"/journeys/{jid}/sellers/authorization", data={"ids": "1001"}, follow_redirects=True
    )
    text = html.unescape(refused.get_data(as_text=True))
    assert "registered to serve your own shop only" in text and "(1001)" in text
    assert 'change who the APP serves to "other sellers"' in text
    # Serving other sellers, adding one goes to Tmall Global; the own ID cannot be left out.
    _post(applicant, f"/journeys/{jid}/audience", {"audience": "other_sellers"})
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": "1001"})
    page = html.unescape(reviewer.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "the seller's own shop and 1 other seller" in page
    assert "This APP serves <strong>other sellers</strong>" in page
    _ok(fire_event(applicant, jid, "change_authorizations"))
    assert state_of(jid) == "authorization_submitted"
    _ok(fire_event(reviewer, jid, "approve"))
    assert _in_force(jid) == [1001, own]
    # Taking the other seller off again adds no one: in force at once.
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": SELLER_ID})
    _ok(fire_event(applicant, jid, "change_authorizations"))
    assert state_of(jid) == "released"
    assert _in_force(jid) == [own]
    assert _trail(jid)[-13:] == [
        "start_distribution", "submit", "seller_list.in_force", "config.confirmed", "submit",
        "approve", "seller_list.in_force", "app.audience", "change_authorizations", "approve",
        "seller_list.in_force", "change_authorizations", "seller_list.in_force",
    ]  # fmt: skip
    assert [e.actor.role for e in _all(jid, "seller_list.in_force")] == [
        Role.system, Role.reviewer, Role.reviewer, Role.system,
    ]  # fmt: skip
    _assert_log_replays()
    assert_journey_page_is_cheap(applicant, jid)
    assert_journey_page_is_cheap(reviewer, jid)


def test_isv_whose_exemption_is_refused_takes_the_cloud_path_to_release(
    isv,  # noqa: F811
    client_for,  # noqa: F811
    gateway,  # noqa: F811
):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    jid = isv.journey.id
    _enable_isv(applicant, reviewer, isv)
    _apply_for_apis(applicant, reviewer, jid, new=False)  # an existing APP: no MRD/PRD
    _ok(fire_event(applicant, jid, "start_sandbox"))
    _run_on_host(applicant, jid, "sandbox", stand_in_url(gateway.url, "sandbox"))
    _ok(fire_event(applicant, jid, "confirm_sandbox"))
    _ok(fire_event(applicant, jid, "choose_exemption"))
    _post(applicant, f"/journeys/{jid}/forms/exemption", _exemption())
    _ok(fire_event(applicant, jid, "submit"))

    fire_event(reviewer, jid, "refuse_exemption")
    assert state_of(jid) == "exemption_submitted"  # a refusal needs its reason
    reason = "An on-premises ERP is no reason: order data must stay on Taobao cloud."
    _ok(fire_event(reviewer, jid, "refuse_exemption", reason))
    assert state_of(jid) == "cloud_plan_draft"
    page = html.unescape(applicant.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "Own-server exemption refused" in page and reason in page
    assert "submit the cloud deployment plan" in page
    assert f"/journeys/{jid}/events/choose_exemption" not in page  # no button to ask again
    fire_event(applicant, jid, "choose_exemption")
    assert state_of(jid) == "cloud_plan_draft"
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == isv.applicant.email)
    ).all()
    assert any(reason in m.body for m in mail)

    _post(applicant, f"/journeys/{jid}/forms/cloud_plan", _cloud_plan())
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    _provision(applicant, reviewer, jid)
    _run_on_host(applicant, jid, "cloud", stand_in_url(gateway.url, "production"))
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "deployed"
    page = applicant.get(f"/journeys/{jid}").get_data(as_text=True)
    assert "Own-server exemption approved" not in page
    _ok(fire_event(applicant, jid, "start_distribution"))
    _distribute(applicant, reviewer, jid, ["3001", "3002"], confirm=[])
    assert state_of(jid) == "released"
    assert _trail(jid)[-17:] == [
        "choose_exemption", "submit", "refuse_exemption", "submit", "approve",
        "environment_ready", "evidence.attached", "submit", "approve", "start_distribution",
        "submit", "approve", "seller_list.in_force", "config.confirmed", "submit", "approve",
        "seller_list.in_force",
    ]  # fmt: skip
    refusal = _last(jid, "refuse_exemption")
    assert (refusal.from_state, refusal.to_state, refusal.comment) == (
        "exemption_submitted", "cloud_plan_draft", reason,
    )  # fmt: skip
    kinds = [kind for kind, _, _ in _read_packets(jid)]
    assert kinds == [
        "enablement_isv", "api_access", "exemption", "cloud_plan", "cloud_verification",
        "authorization", "distribution",
    ]  # fmt: skip
    _assert_log_replays()
    assert_journey_page_is_cheap(applicant, jid)
    assert_journey_page_is_cheap(reviewer, jid)


def test_rejected_enablement_then_a_new_request_for_the_same_taobao_account(
    isv,  # noqa: F811
    client_for,  # noqa: F811
):
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    old = isv.journey.id
    taobao_id = isv.account.taobao_account_id
    save_isv_details(applicant, old)
    upload_all(applicant, isv)
    _ok(fire_event(applicant, old, "submit"))
    for version in versions(old):
        if version.kind is DocumentKind.authorization_letter:
            _ok(decide(reviewer, version.id, "reject", "The letter is not signed."))
        else:
            _ok(decide(reviewer, version.id, "accept"))
    reason = "The signatory is not authorized; we cannot enable this account as it stands."
    _ok(fire_event(reviewer, old, "reject", reason))
    assert state_of(old) == "rejected"

    page = html.unescape(applicant.get(f"/journeys/{old}").get_data(as_text=True))
    assert "What you can do next" in page and reason in page
    assert "Document f (version 1) rejected: The letter is not signed." in page
    rejection_mail = _mail_body(isv.applicant.email, reason)
    assert "start a new request linked to it" in rejection_mail
    response = applicant.post(
        f"/journeys/{old}/continue",
        data={"carry": ["enablement", "documents"], "reason": "A signed letter follows."},
    )
    assert response.status_code == 302
    new = _journeys_of(isv.account)[-1]
    assert response.headers["Location"].endswith(f"/journeys/{new.id}")
    assert (new.state, new.follows_journey_id, new.account.taobao_account_id) == (
        "enablement_draft", old, taobao_id,
    )  # fmt: skip
    assert new.enablement_request.company_name == "Demo Software Ltd"
    carried = versions(new.id)
    assert sorted(v.kind.value for v in carried) == ["a", "b", "c", "d", "e"]
    old_by_kind = {v.kind: v for v in versions(old)}
    for version in carried:
        assert version.sha256 == old_by_kind[version.kind].sha256
        assert version.file_id != old_by_kind[version.kind].file_id  # a copy of its own
        assert version.review_status.value == "pending"

    again = applicant.post(f"/journeys/{old}/continue", data={"carry": ["enablement"]})
    assert again.status_code == 400 and len(_journeys_of(isv.account)) == 2

    from tests.enablement.conftest import file_for

    data, name = file_for("f", taobao_id)
    assert upload(applicant, new.id, "f", data, name).status_code == 302
    _ok(fire_event(applicant, new.id, "submit"))
    page = html.unescape(reviewer.get(f"/journeys/{new.id}").get_data(as_text=True))
    assert f'continues <a href="/journeys/{old}">journey #{old}</a>' in page
    assert reason in page and "The letter is not signed." in page
    for version in versions(new.id):
        _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, new.id, "approve"))
    assert state_of(new.id) == "enabled"
    db.session.expire_all()
    assert db.session.get(Account, isv.account.id).is_enabled
    assert db.session.scalar(select(func.count()).select_from(Account)) == 1

    assert _trail(old)[-2:] == ["reject", "journey.continued"]
    assert _trail(new.id)[:2] == ["open", "journey.continues"]
    continues = _last(new.id, "journey.continues")
    assert continues.data["about"] == {
        "journey": old, "carried": ["enablement", "documents"], "on_behalf": False,
    }  # fmt: skip
    assert _last(old, "journey.continued").data["about"] == {"journey": new.id, "on_behalf": False}
    _assert_log_replays()


# --- helpers --------------------------------------------------------------------------------


def _enable_isv(applicant, reviewer, party):
    save_isv_details(applicant, party.journey.id)
    upload_all(applicant, party)
    _ok(fire_event(applicant, party.journey.id, "submit"))
    for version in versions(party.journey.id):
        _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, party.journey.id, "approve"))
    assert state_of(party.journey.id) == "enabled"


def _mail_to(address):
    stmt = select(func.count()).where(OutboxMessage.to_addr == address)
    return db.session.scalar(stmt.select_from(OutboxMessage))


def _mail_body(address, containing):
    stmt = select(OutboxMessage.body).where(OutboxMessage.to_addr == address)
    return next(body for body in db.session.scalars(stmt) if containing in body)


def _packet_kinds(jid):
    stmt = select(Packet.kind).where(Packet.journey_id == jid).order_by(Packet.id)
    return list(db.session.scalars(stmt))


def _all(jid, event):
    db.session.expire_all()
    stmt = select(Event).where(Event.journey_id == jid, Event.event == event)
    return list(db.session.scalars(stmt.order_by(Event.id)))


def _last(jid, event):
    return _all(jid, event)[-1]


def _journeys_of(account):
    db.session.expire_all()
    stmt = select(Journey).where(Journey.account_id == account.id).order_by(Journey.id)
    return list(db.session.scalars(stmt))
