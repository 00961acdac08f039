"""A taobao account ID is claimed at registration and verified when a reviewer approves the
enablement; it is unique among verified accounts only, so a false or rejected claim never
locks out the real owner, and the reviewer sees every other claim."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from tests.enablement.conftest import fire_event
from tests.support import counting_statements
from workflow.enablement.claims import other_claims
from workflow.extensions import db
from workflow.models import Account, AccountKind, EnablementRequest, Journey, Role
from workflow.models.base import utcnow


@pytest.fixture
def claim(make_account, make_user, make_journey):
    """A seller account claiming ``taobao_id`` with its enablement submitted for review."""

    def make(taobao_id: str, name: str):
        account = make_account(AccountKind.seller, name=name)
        account.taobao_account_id = taobao_id
        applicant = make_user(Role.applicant, account)
        journey = make_journey(account, applicant, state="enablement_submitted")
        db.session.add(
            EnablementRequest(
                journey_id=journey.id,
                seller_id="2200123456",
                shop_name=name,
                contact_name="Li Lei",
                contact_email="li@example.com",
                reason="",
            )
        )
        db.session.commit()
        return account, journey

    return make


def account(account_id: int) -> Account:
    db.session.expire_all()
    return db.session.get(Account, account_id)


def test_the_reviewer_sees_other_claims_and_cannot_approve_a_taken_id(
    client, login, make_user, claim
):
    owner, owner_journey = claim("tb_shop_1", "Real Owner Shop")
    other, other_journey = claim("TB_Shop_1", "Impostor Shop")
    login(make_user(Role.reviewer))

    page = client.get(f"/journeys/{other_journey.id}").get_data(as_text=True)
    assert "Other accounts claim this taobao account ID" in page
    assert f"Real Owner Shop</strong> (account {owner.id}" in page
    assert "claimed, not verified; its enablement is enablement submitted" in page

    assert fire_event(client, owner_journey.id, "approve").status_code == 302
    assert account(owner.id).is_taobao_verified and account(owner.id).is_enabled
    page = client.get(f"/journeys/{other_journey.id}").get_data(as_text=True)
    assert "<strong>verified</strong>: this claim cannot be approved" in page

    fire_event(client, other_journey.id, "approve")
    page = client.get(f"/journeys/{other_journey.id}").get_data(as_text=True)
    assert "is already verified for another developer account (Real Owner Shop" in page
    assert not account(other.id).is_taobao_verified
    assert db.session.get(Journey, other_journey.id).state == "enablement_submitted"


def test_a_rejected_claim_does_not_lock_out_the_real_owner(client, login, make_user, claim):
    impostor, impostor_journey = claim("tb_shop_2", "Impostor Shop")
    login(make_user(Role.reviewer))
    fire_event(client, impostor_journey.id, "reject", "Not your account.")
    assert db.session.get(Journey, impostor_journey.id).state == "rejected"
    owner, owner_journey = claim("tb_shop_2", "Real Owner Shop")
    assert fire_event(client, owner_journey.id, "approve").status_code == 302
    assert account(owner.id).is_taobao_verified
    assert not account(impostor.id).is_taobao_verified


def test_an_unverified_claim_does_not_lock_out_the_real_owner(client, login, make_user, claim):
    claim("tb_shop_3", "First Claim")
    claim("tb_shop_3", "Second Claim")
    owner, owner_journey = claim("ｔｂ_shop_3", "Real Owner Shop")  # full-width letters
    login(make_user(Role.reviewer))
    assert fire_event(client, owner_journey.id, "approve").status_code == 302
    assert account(owner.id).is_taobao_verified


def test_a_zero_width_space_makes_no_new_taobao_id(make_account):
    first, second = make_account(), make_account()
    second.taobao_account_id = "tb_\u200baccount\u200f_1"
    assert second.taobao_account_key == first.taobao_account_key == "tb_account_1"


def test_the_database_holds_one_verified_account_per_id(make_account):
    first, second = make_account(), make_account()
    second.taobao_account_id = first.taobao_account_id.upper()
    first.taobao_verified_at = utcnow()
    db.session.commit()  # a claim next to a verified account is fine
    second.taobao_verified_at = utcnow()
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_approvals_at_once_leave_one_verified_and_the_other_a_409(
    client, login, make_user, claim, monkeypatch
):
    from workflow.enablement import checks

    first, first_journey = claim("tb_shop_5", "First Shop")
    second, second_journey = claim("tb_shop_5", "Second Shop")
    login(make_user(Role.reviewer))
    assert fire_event(client, first_journey.id, "approve").status_code == 302
    # The second approval read the claims before the first committed: its check saw none.
    monkeypatch.setattr(checks, "verified_elsewhere", lambda account: None)
    response = fire_event(client, second_journey.id, "approve")
    assert response.status_code == 409
    assert "verified with this taobao account ID just now" in response.text
    assert not account(second.id).is_taobao_verified
    assert db.session.get(Journey, second_journey.id).state == "enablement_submitted"


def test_the_other_claims_cost_one_statement_however_many_claim_the_id(claim):
    owner, _ = claim("tb_shop_9", "Owner Shop")
    for number in range(4):
        claim("TB_SHOP_9", f"Claimant {number}")
    owner = account(owner.id)
    assert owner.taobao_account_key == "tb_shop_9"  # loaded before counting
    with counting_statements() as statements:
        claims = other_claims(owner)
    # The claims with their first journey's state, in one statement.
    assert len(statements) == 1, "\n\n".join(statements)
    assert [c.name for c in claims] == [f"Claimant {n}" for n in range(4)]
    assert {c.enablement_state for c in claims} == {"enablement_submitted"}
