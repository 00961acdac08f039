"""The journey page's rows in one statement.

The page reads a dozen small collections of one journey: its events, forms, evidence,
documents, seller lists, APIs, tokens, packets and messages. A statement per collection
costs a round trip and an ORM pass each; joining them all to the journey at once would
multiply their rows. Here each collection joins on a row of its own: the journey's row is
repeated once per *part* (a constant table ``0 … n-1``), and part ``k`` carries only the
rows of collection ``k``. The result has as many rows as the collections together, not
their product, and ``contains_eager`` sorts them back into the journey's collections. A seller's
own seller ID (``workflow.distribution.operations.own_seller_id``) comes as a column of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, literal, select, true, union_all
from sqlalchemy.orm import aliased, contains_eager

from workflow.distribution.operations import own_seller_id_column, remember_own_seller_id
from workflow.errors import NotFound
from workflow.extensions import db
from workflow.i18n import _
from workflow.models import (
    Account,
    ApiRequest,
    App,
    DocumentVersion,
    EnablementRequest,
    Event,
    Evidence,
    EvidenceToken,
    Journey,
    Packet,
    SellerList,
    StageForm,
    StageMessage,
    User,
)


@dataclass(frozen=True)
class _Part:
    #: The journey's collection the part fills.
    collection: str
    model: type
    #: The columns of ``model`` that order the collection (its relationship's ``order_by``).
    order: tuple[str, ...]
    #: A many-to-one of each row loaded with it: ``(relationship, model)``.
    each_with: tuple[str, type] | None = None


#: The journey's own collections, in the order the statement's parts carry them.
_PARTS = (
    _Part("events", Event, ("id",), each_with=("actor", User)),
    _Part("stage_forms", StageForm, ("id",)),
    _Part("evidence", Evidence, ("id",)),
    _Part("seller_lists", SellerList, ("id",)),
    _Part("document_versions", DocumentVersion, ("kind", "version")),
    _Part("evidence_tokens", EvidenceToken, ("id",)),
    _Part("packets", Packet, ("id",)),
    _Part("stage_messages", StageMessage, ("stage", "id"), each_with=("author", User)),
)

_statement: Any = None


def journey_for_page(journey_id: int) -> Journey:
    """The journey with every row its page reads, in one statement, marked for this
    request's read-only page (``Journey.mark_for_page``)."""
    global _statement
    if _statement is None:
        _statement = _page_statement()
    row = db.session.execute(_statement, {"journey_id": journey_id}).unique().one_or_none()
    if row is None:
        raise NotFound(_("No such journey."))
    journey, own_seller_id = row
    journey.mark_for_page()
    remember_own_seller_id(journey, own_seller_id)
    return journey


def _page_statement():
    # The APIs hang off the APP, one more part.
    count = len(_PARTS) + 1
    part = union_all(*(select(literal(n).label("n")) for n in range(count))).subquery("part")
    stmt = (
        select(Journey, own_seller_id_column())
        .join(Account, Account.id == Journey.account_id)
        .outerjoin(EnablementRequest, EnablementRequest.journey_id == Journey.id)
        .outerjoin(App, App.journey_id == Journey.id)
        .join(part, true())
    )
    options = [
        contains_eager(Journey.account),
        contains_eager(Journey.enablement_request),  # type: ignore[attr-defined]
    ]
    order = [part.c.n]
    for n, p in enumerate(_PARTS):
        row = aliased(p.model, name=f"part_{p.collection}")
        stmt = stmt.outerjoin(row, and_(part.c.n == n, row.journey_id == Journey.id))
        option = contains_eager(getattr(Journey, p.collection).of_type(row))
        if p.each_with is not None:
            name, model = p.each_with
            other = aliased(model, name=f"part_{p.collection}_{name}")
            relationship = getattr(row, name)
            stmt = stmt.outerjoin(other, other.id == getattr(row, f"{name}_id"))
            option = option.contains_eager(relationship.of_type(other))
        options.append(option)
        order.extend(getattr(row, column) for column in p.order)
    api = aliased(ApiRequest, name="part_api_requests")
    stmt = stmt.outerjoin(api, and_(part.c.n == len(_PARTS), api.app_id == App.id))
    options.append(
        contains_eager(Journey.app).contains_eager(App.api_requests.of_type(api))  # type: ignore[attr-defined]
    )
    order.append(api.id)
    return (
        stmt.where(Journey.id == bindparam("journey_id"))
        .options(*options)
        .order_by(*order)
        .execution_options(populate_existing=True)
    )
