"""Stage 5: authorization and distribution lists of seller IDs, and the required configs.

A list is parsed whole and stored nothing until it is valid. The canonical bytes go through
storage; the row keeps the file id, hash and counts. The newest pending list of a kind is the
proposal; approval puts it in force (see :func:`put_proposal_in_force`).
"""

from __future__ import annotations

import io
from typing import BinaryIO

from flask import current_app
from sqlalchemy import case, delete, exists, insert, select
from sqlalchemy.orm import aliased

from workflow import files
from workflow.decisions import decide
from workflow.distribution.sellerids import (
    LocatedIds,
    SellerIdDiff,
    SellerIdListError,
    canonical_bytes,
    canonical_sha256,
    diff_seller_ids,
    locate_seller_ids,
    refuse_ids_outside,
)
from workflow.distribution.spreadsheets import (
    ReadLimits,
    locate_seller_ids_csv,
    locate_seller_ids_xlsx,
)
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import (
    AccountKind,
    App,
    Audience,
    DecisionKind,
    EnablementRequest,
    Event,
    InForceSeller,
    Journey,
    ReviewStatus,
    SellerList,
    SellerListKind,
    User,
)
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


def parse_seller_input(text: str = "", upload: BinaryIO | None = None) -> LocatedIds:
    """Seller IDs from typed text or an uploaded CSV/XLSX (sniffed, not trusted by name), with
    the line each stood on."""
    try:
        if upload is not None:
            head = upload.read(4)
            upload.seek(0)
            parse = locate_seller_ids_xlsx if head == _XLSX_MAGIC else locate_seller_ids_csv
            ids = parse(upload, limits=_read_limits())
        else:
            ids = locate_seller_ids(text)
    except SellerIdListError as exc:
        raise SellerListProblems(exc) from None
    if not ids.ids:
        raise DomainError(_l("The list is empty; give at least one seller ID."))
    return ids


def _read_limits() -> ReadLimits:
    config = current_app.config
    return ReadLimits(
        max_unpacked_bytes=config["SELLER_LIST_MAX_UNPACKED_BYTES"],
        max_rows=config["SELLER_LIST_MAX_ROWS"],
        max_seconds=config["SELLER_LIST_MAX_SECONDS"],
    )


def save_seller_list(
    journey: Journey, kind: SellerListKind, actor: User, located: LocatedIds | list[int]
) -> SellerList:
    """Store the canonical list and record it as the proposal, with its diff counts.

    A seller's own seller ID is always on its authorization list (§3.4.1 a): it is added
    where the list left it out, so it can never be removed. An APP that serves its own shop
    takes no other seller on that list (§1.2, §3.5), and a distribution list names only
    sellers of the authorization list in force (§3.4).

    :raises SellerListProblems: naming the line of each seller the list may not hold.
    """
    if not isinstance(located, LocatedIds):
        located = LocatedIds.unnumbered(located)
    authorize(actor, Action.edit_seller_list, journey)
    if journey.state not in EDIT_STATES[kind]:
        raise DomainError(_l("The %(kind)s list cannot be changed at this stage.", kind=kind.value))
    own = own_seller_number(journey)
    ids = located.ids
    if kind is SellerListKind.authorization:
        _refuse_others_for_own_shop(journey, ids, own)
        if own is not None and own not in ids:
            ids = sorted([*ids, own])
    else:
        _refuse_unauthorized(journey, located)
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


def _refuse_others_for_own_shop(journey: Journey, ids: list[int], own: int | None) -> None:
    if serves_other_sellers(journey) or journey.app is None:
        return
    others = [seller_id for seller_id in ids if seller_id != own]
    if not others:
        return
    if own is None:
        raise DomainError(
            _l(
                "This APP is registered to serve its own shop, but an ISV has no shop of its own "
                'on Taobao. Change who the APP serves to "other sellers" (above), then save their '
                "seller IDs."
            )
        )
    shown = ", ".join(map(str, others[:3])) + (" …" if len(others) > 3 else "")
    raise DomainError(
        _l(
            "This APP is registered to serve your own shop only, so its authorization list "
            "holds only your own seller ID %(own)s; %(num)d other seller ID(s) were given "
            '(%(shown)s). To serve other sellers, change who the APP serves to "other sellers" '
            "(above): the list then goes to Tmall Global as an authorization request (guide "
            "§3.4.1). Nothing was saved.",
            own=own,
            num=len(others),
            shown=shown,
        )
    )


def _refuse_unauthorized(journey: Journey, located: LocatedIds) -> None:
    in_force = list_in_force(journey, SellerListKind.authorization)
    if in_force is None:
        raise DomainError(
            _l(
                "No authorization list is in force yet; the distribution list can only name "
                "sellers on it."
            )
        )
    try:
        refuse_ids_outside(located, set(ids_of(in_force)))
    except SellerIdListError as exc:
        raise SellerListProblems(exc) from None


def change_audience(journey: Journey, actor: User, audience: Audience) -> App:
    """The applicant says whom the APP serves: its own shop, or other sellers (§1.2, §3.5).

    It decides whether the authorization list may name other sellers, so it changes where that
    list is edited, and the chain records it.
    """
    authorize(actor, Action.register_app, journey)
    app = _app_of(journey)
    if journey.state not in EDIT_STATES[SellerListKind.authorization]:
        raise DomainError(
            _l("Who the APP serves can be changed only while its authorization list can.")
        )
    if audience is Audience.own_shop and own_seller_number(journey) is None:
        raise DomainError(
            _l(
                "An ISV has no shop of its own on Taobao: its APP serves other sellers "
                "(guide §3.4.1 b)."
            )
        )
    if app.audience is not audience:
        app.audience = audience
        db.session.flush()
        decide(journey, actor, DecisionKind.audience, [app], {"audience": audience.value})
    return app


def list_in_force(journey: Journey, kind: SellerListKind) -> SellerList | None:
    loaded = journey.preloaded("seller_lists")
    if loaded is not None:
        return next((s for s in reversed(loaded) if s.kind == kind and s.is_in_force), None)
    stmt = select(SellerList).where(
        SellerList.journey_id == journey.id, SellerList.kind == kind, SellerList.is_in_force
    )
    return db.session.scalar(stmt.order_by(SellerList.id.desc()).limit(1))


def proposed_list(journey: Journey, kind: SellerListKind) -> SellerList | None:
    """The newest pending list saved after the one in force, if any."""
    in_force = list_in_force(journey, kind)
    after = in_force.id if in_force else 0
    loaded = journey.preloaded("seller_lists")
    if loaded is not None:
        return next(
            (
                s
                for s in reversed(loaded)
                if s.kind == kind and s.status == ReviewStatus.pending and s.id > after
            ),
            None,
        )
    stmt = select(SellerList).where(
        SellerList.journey_id == journey.id,
        SellerList.kind == kind,
        SellerList.status == ReviewStatus.pending,
        SellerList.id > after,
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
    if kind is SellerListKind.authorization:
        index_sellers_in_force(journey, proposal)
    rows = [proposal] if previous is None else [previous, proposal]
    about = {"list": kind.value, "count": proposal.count}
    if rule is not None:
        about["rule"] = rule.section
    comment = rule.text if rule is not None else ""
    decide(journey, actor, DecisionKind.list_in_force, rows, about, comment=comment)
    return proposal


#: Rows written per statement when a list comes into force (a list may hold a million IDs).
_INDEX_BATCH = 10_000


def index_sellers_in_force(journey: Journey, in_force: SellerList) -> None:
    """The seller-ID search's rows for ``journey``: exactly the sellers ``in_force`` serves."""
    db.session.execute(delete(InForceSeller).where(InForceSeller.journey_id == journey.id))
    ids = [str(seller_id) for seller_id in ids_of(in_force)]
    for first in range(0, len(ids), _INDEX_BATCH):
        rows = [
            {"journey_id": journey.id, "seller_id": s} for s in ids[first : first + _INDEX_BATCH]
        ]
        db.session.execute(insert(InForceSeller), rows)


def own_seller_id(journey: Journey) -> str | None:
    """A seller's own seller ID, from the enablement request that enabled its account.

    Until the account is enabled (or when an earlier enablement was rejected and a new one
    continues it), the newest request of the account says it. The journey page reads it with
    the journey's rows (``remember_own_seller_id``).
    """
    if journey.account.kind is not AccountKind.seller:
        return None
    return journey.page_value("own_seller_id", lambda: _own_seller_id(journey))


def own_seller_id_column():
    """``own_seller_id`` of the journey in the enclosing statement, as a column of it."""
    request, owner = aliased(EnablementRequest), aliased(Journey)
    enabled_by = exists().where(
        Event.journey_id == request.journey_id,
        Event.event == "approve",
        Event.from_state == "enablement_submitted",
    )
    return (
        select(request.seller_id)
        .join(owner, request.journey_id == owner.id)
        .where(owner.account_id == Journey.account_id)
        .order_by(case((enabled_by, 1), else_=0).desc(), request.id.desc())
        .limit(1)
        .correlate(Journey)
        .scalar_subquery()
    )


def remember_own_seller_id(journey: Journey, seller_id: str | None) -> None:
    """Keep for the journey's page the value its statement read with ``own_seller_id_column``."""
    journey.page_value("own_seller_id", lambda: _cleaned(seller_id))


def _own_seller_id(journey: Journey) -> str | None:
    stmt = select(own_seller_id_column()).where(Journey.id == journey.id)
    return _cleaned(db.session.scalar(stmt))


def _cleaned(seller_id: str | None) -> str | None:
    return (seller_id or "").strip() or None


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


def distribution_review(journey: Journey, proposal: SellerList) -> dict:
    """A distribution list against both lists (§3.4): the previous distribution list in force
    (added, removed) and the authorization list in force (who is not authorized)."""
    ids = ids_of(proposal)
    authorized = set(ids_of(list_in_force(journey, SellerListKind.authorization)))
    listed = set(ids)
    return {
        "not_authorized": sorted(listed - authorized),
        "authorized_count": len(authorized),
        "authorized_not_listed_count": len(authorized - listed),
    }


def _app_of(journey: Journey) -> App:
    if journey.app is None:
        raise DomainError(_l("This journey has no APP."))
    return journey.app
