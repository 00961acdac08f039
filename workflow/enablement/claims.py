"""Taobao account IDs are claimed at registration and verified by the enablement approval.

Any number of accounts may claim one ID; only one may hold it verified (a partial unique index
backs this up). The reviewer sees the other claims on the enablement panel, and cannot approve
a claim on an ID another account already holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select

from workflow.extensions import db
from workflow.models import Account, Journey


@dataclass(frozen=True)
class OtherClaim:
    account_id: int
    name: str
    taobao_account_id: str
    registered_at: datetime
    is_verified: bool
    #: The state of the claimant's first journey: still in enablement, rejected, withdrawn…
    enablement_state: str | None


@cache
def _claims_statement():
    """Built once: the reviewer's enablement panel asks on every page."""
    first_state = (
        select(Journey.state)
        .where(Journey.account_id == Account.id)
        .order_by(Journey.id)
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    return (
        select(Account, first_state)
        .where(
            Account.taobao_account_key == bindparam("key"), Account.id != bindparam("account_id")
        )
        .order_by(Account.taobao_verified_at.is_(None), Account.id)
    )


def other_claims(account: Account) -> list[OtherClaim]:
    """The other accounts claiming ``account``'s taobao account ID, verified ones first.

    One statement, however many accounts claim the ID: each claimant's first journey's state is
    a correlated subquery, not a query per claimant.
    """
    rows = db.session.execute(
        _claims_statement(), {"key": account.taobao_account_key, "account_id": account.id}
    ).all()
    return [
        OtherClaim(
            account_id=other.id,
            name=other.name,
            taobao_account_id=other.taobao_account_id,
            registered_at=other.created_at,
            is_verified=other.is_taobao_verified,
            enablement_state=state,
        )
        for other, state in rows
    ]


def verified_elsewhere(account: Account) -> OtherClaim | None:
    return next((c for c in other_claims(account) if c.is_verified), None)
