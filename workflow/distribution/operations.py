"""Stage 5: authorization and distribution lists of seller IDs, and the required configs.

A list is parsed whole and stored nothing until it is valid. The canonical bytes go through
storage; the row keeps the file id, hash and counts. The newest pending list of a kind is the
proposal; approval puts it in force (see :func:`put_proposal_in_force`).
"""

from __future__ import annotations

import io
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from workflow import files
from workflow.decisions import decide
from workflow.distribution.sellerids import (
    SellerIdDiff,
    SellerIdListError,
    canonical_bytes,
    canonical_sha256,
    diff_seller_ids,
    parse_seller_ids,
)
from workflow.distribution.spreadsheets import (
    ReadLimits,
    parse_seller_ids_csv,
    parse_seller_ids_xlsx,
)
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import (
    AccountKind,
    Audience,
    DecisionKind,
    EnablementRequest,
    Event,
    Journey,
    ReviewStatus,
    SellerList,
    SellerListKind,
    User,
)
from workflow.models.base import utcnow
from workflow.policy import Action, authorize
from workflow.rules import DeskRule
from workflow.storage_setup import get_storage

#: Where each list may be changed by the applicant.
EDIT_STATES = {
    SellerListKind.authorization: ("distribution_setup", "released"),
    SellerListKind.distribution: ("distribution_draft",),
}
_XLSX_MAGIC = b"PK\x03\x04"


class SellerListProblems(DomainError):
    """The list has malformed lines; each is reported with its number and reason."""

    def __init__(self, error: SellerIdListError):
        self.lines = [p.message for p in error.problems]
        more = f" (and {error.omitted_count} more)" if error.omitted_count else ""
        super().__init__(f"{error.problem_count} problem(s) in the list{more}; nothing was saved.")


def parse_seller_input(text: str = "", upload: BinaryIO | None = None) -> list[int]:
    """Seller IDs from typed text or an uploaded CSV/XLSX (sniffed, not trusted by name)."""
    try:
        if upload is not None:
            head = upload.read(4)
            upload.seek(0)
            parse = parse_seller_ids_xlsx if head == _XLSX_MAGIC else parse_seller_ids_csv
            ids = parse(upload, limits=_read_limits())
        else:
            ids = parse_seller_ids(text)
    except SellerIdListError as exc:
        raise SellerListProblems(exc) from None
    if not ids:
        raise DomainError("The list is empty; give at least one seller ID.")
    return ids


def _read_limits() -> ReadLimits:
    config = current_app.config
    return ReadLimits(
        max_unpacked_bytes=config["SELLER_LIST_MAX_UNPACKED_BYTES"],
        max_rows=config["SELLER_LIST_MAX_ROWS"],
        max_seconds=config["SELLER_LIST_MAX_SECONDS"],
    )


def save_seller_list(
    journey: Journey, kind: SellerListKind, actor: User, ids: list[int]
) -> SellerList:
    """Store the canonical list and record it as the proposal, with its diff counts.

    A seller's own seller ID is always on its authorization list (§3.4.1 a): it is added
    where the list left it out, so it can never be removed.
    """
    authorize(actor, Action.edit_seller_list, journey)
    if journey.state not in EDIT_STATES[kind]:
        raise DomainError(f"The {kind.value} list cannot be changed at this stage.")
    own = own_seller_number(journey)
    if kind is SellerListKind.authorization and own is not None and own not in ids:
        ids = sorted([*ids, own])
    data = canonical_bytes(ids)
    diff = diff_seller_ids(ids_of(list_in_force(journey, kind)), ids)
    # A list is data the desk made canonical, not an upload, so the upload limit does not apply.
    with files.stored(io.BytesIO(data), content_type="text/plain", limit_uploads=False) as obj:
        row = SellerList(
            journey_id=journey.id,
            kind=kind,
            file_id=obj.file_id,
            sha256=obj.sha256,
            count=data.count(b"\n"),
            added_count=len(diff.added),
            removed_count=len(diff.removed),
            created_by_id=actor.id,
        )
        db.session.add(row)
        db.session.flush()
    return row


def list_in_force(journey: Journey, kind: SellerListKind) -> SellerList | None:
    stmt = select(SellerList).where(
        SellerList.journey_id == journey.id, SellerList.kind == kind, SellerList.is_in_force
    )
    return db.session.scalar(stmt.order_by(SellerList.id.desc()).limit(1))


def proposed_list(journey: Journey, kind: SellerListKind) -> SellerList | None:
    """The newest pending list saved after the one in force, if any."""
    in_force = list_in_force(journey, kind)
    stmt = select(SellerList).where(
        SellerList.journey_id == journey.id,
        SellerList.kind == kind,
        SellerList.status == ReviewStatus.pending,
        SellerList.id > (in_force.id if in_force else 0),
    )
    return db.session.scalar(stmt.order_by(SellerList.id.desc()).limit(1))


def ids_of(seller_list: SellerList | None) -> list[int]:
    if seller_list is None:
        return []
    with get_storage().open(seller_list.file_id) as stream:
        return [int(line) for line in stream.read().split()]


def proposal_diff(journey: Journey, kind: SellerListKind) -> SellerIdDiff | None:
    proposal = proposed_list(journey, kind)
    if proposal is None:
        return None
    return diff_seller_ids(ids_of(list_in_force(journey, kind)), ids_of(proposal))


def put_proposal_in_force(
    journey: Journey, kind: SellerListKind, actor: User, *, rule: DeskRule | None = None
) -> SellerList | None:
    """The approved proposal replaces the list in force; ``rule`` when the desk approved it."""
    proposal = proposed_list(journey, kind)
    if proposal is None:
        return None
    previous = list_in_force(journey, kind)
    if previous is not None:
        previous.is_in_force = False
    proposal.status, proposal.is_in_force = ReviewStatus.accepted, True
    db.session.flush()
    rows = [proposal] if previous is None else [previous, proposal]
    about = {"list": kind.value, "count": proposal.count}
    if rule is not None:
        about["rule"] = rule.section
    comment = rule.text if rule is not None else ""
    decide(journey, actor, DecisionKind.list_in_force, rows, about, comment=comment)
    return proposal


def own_seller_id(journey: Journey) -> str | None:
    """A seller's own seller ID, from the enablement request that enabled its account.

    Until the account is enabled (or when an earlier enablement was rejected and a new one
    continues it), the newest request of the account says it.
    """
    if journey.account.kind is not AccountKind.seller:
        return None
    enabled_by = select(Event.journey_id).where(
        Event.event == "approve", Event.from_state == "enablement_submitted"
    )
    stmt = (
        select(EnablementRequest.seller_id)
        .join(Journey, EnablementRequest.journey_id == Journey.id)
        .where(Journey.account_id == journey.account_id)
        .order_by(EnablementRequest.journey_id.in_(enabled_by).desc(), EnablementRequest.id.desc())
        .limit(1)
    )
    seller_id = db.session.scalar(stmt) or ""
    return seller_id.strip() or None


def own_seller_number(journey: Journey) -> int | None:
    """The seller's own ID as it stands on a seller list; ``None`` for an ISV or if unknown."""
    own = own_seller_id(journey)
    return int(own) if own is not None and own.isdigit() else None


def adds_no_other_seller(journey: Journey) -> bool:
    """A seller's proposed authorization list adds no seller but its own shop (§3.4.1 a).

    Read from the rows' counts and hashes, never the lists themselves, so asking is cheap.
    """
    own = own_seller_number(journey)
    proposal = proposed_list(journey, SellerListKind.authorization)
    if own is None or proposal is None:
        return False
    in_force = list_in_force(journey, SellerListKind.authorization)
    if in_force is None:
        return proposal.count == 1 and proposal.sha256 == canonical_sha256([own])
    return proposal.added_count == 0 and proposal.sha256 != in_force.sha256


def serves_other_sellers(journey: Journey) -> bool:
    app = journey.app
    return app is not None and app.audience is Audience.other_sellers


def other_seller_count(journey: Journey, seller_list: SellerList) -> int:
    """How many sellers besides the seller's own shop a list names."""
    own = own_seller_number(journey)
    return seller_list.count - (1 if own is not None else 0)


def set_config_requirements(journey: Journey, actor: User, *, security: bool, cloud: bool) -> None:
    """An admin decides which configurations this APP must confirm before distribution."""
    authorize(actor, Action.set_required_configs, journey)
    app = _app_of(journey)
    app.is_security_config_required, app.is_cloud_config_required = security, cloud
    db.session.flush()
    decide(journey, actor, DecisionKind.config_required, [app])


def confirm_config(journey: Journey, actor: User, which: str) -> None:
    """The applicant confirms the security-center or cloud configuration is in place."""
    authorize(actor, Action.confirm_config, journey)
    app = _app_of(journey)
    if which == "security":
        app.security_config_confirmed_at = utcnow()
    elif which == "cloud":
        app.cloud_config_confirmed_at = utcnow()
    else:
        raise DomainError("Unknown configuration.")
    db.session.flush()
    decide(journey, actor, DecisionKind.config_confirmed, [app], {"config": which})


def unconfirmed_configs(journey: Journey) -> list[str]:
    app = getattr(journey, "app", None)
    if app is None:
        return []
    missing = []
    if app.is_security_config_required and app.security_config_confirmed_at is None:
        missing.append("Confirm the security-center configuration")
    if app.is_cloud_config_required and app.cloud_config_confirmed_at is None:
        missing.append("Confirm the cloud configuration")
    return missing


def _app_of(journey: Journey):
    if journey.app is None:
        raise DomainError("This journey has no APP.")
    return journey.app
