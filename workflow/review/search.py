"""Every journey, for staff: find one by company, taobao ID, APP, e-mail, seller ID or state.

A text matches substrings of the account's name and taobao account ID, the APP's name and key,
and the e-mail of the account's users. On PostgreSQL those columns carry pg_trgm GIN indexes;
on SQLite they are mirrored in FTS5 trigram tables (external content, kept in step by
triggers; migration 0021), queried as a phrase. A text of digits also finds the APPs whose
authorization list in force serves that seller ID (``in_force_sellers``); proposals and lists
that were replaced are not indexed, so they are not found.

The one sort order, newest change first, has its indexes (``ix_journeys_recent`` and, with a
state, ``ix_journeys_state_recent``). A page is one statement, whatever its size: the APP and
the account come with each journey.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import contains_eager, joinedload

from workflow.extensions import db
from workflow.models import Account, App, InForceSeller, Journey, User

SEARCH_PAGE_SIZE = 50
MAX_SEARCH_PAGE_SIZE = 200
#: (table, FTS table on SQLite, columns searched): what migration 0021 indexes.
TEXT_SOURCES = (
    ("accounts", "accounts_search", ("name", "taobao_account_id")),
    ("apps", "apps_search", ("name", "app_key")),
    ("users", "users_search", ("email",)),
)
#: The FTS5 tables, which the models' metadata does not know (for tests that rebuild it).
SQLITE_FTS_TABLES = tuple(fts for _, fts, _ in TEXT_SOURCES)
#: A trigram index answers only texts of at least three characters; shorter ones scan.
_TRIGRAM = 3
#: The longest seller ID a list may hold (``workflow.distribution.sellerids``).
_SELLER_ID_DIGITS = 20


@dataclass(frozen=True)
class SearchPage:
    items: list[Journey]
    page: int
    has_next: bool


def search_journeys(
    text: str = "", state: str = "", page: int = 1, *, page_size: int = SEARCH_PAGE_SIZE
) -> SearchPage:
    """A page of matching journeys; the page's form caps ``page_size``, an export asks more."""
    text_ = text
    page = max(page, 1)
    page_size = max(page_size, 1)
    stmt = (
        select(Journey)
        .join(Journey.account)
        .options(contains_eager(Journey.account), joinedload(Journey.app))
    )
    text_ = text_.strip()
    if text_:
        stmt = stmt.where(matching(text_))
    if state:
        stmt = stmt.where(Journey.state == state)
    # One row more than a page tells whether there is a next page without counting them all.
    stmt = stmt.order_by(Journey.state_changed_at.desc(), Journey.id.desc())
    rows = list(db.session.scalars(stmt.limit(page_size + 1).offset((page - 1) * page_size)))
    return SearchPage(rows[:page_size], page, len(rows) > page_size)


def matching(text_: str) -> ColumnElement[bool]:
    """Journeys whose account, APP, users or seller list in force match ``text_``."""
    accounts = select(Account.id).where(_contains(Account, ("name", "taobao_account_id"), text_))
    users = select(User.account_id).where(
        User.account_id.is_not(None), _contains(User, ("email",), text_)
    )
    apps = select(App.journey_id).where(_contains(App, ("name", "app_key"), text_))
    found = [
        Journey.account_id.in_(accounts),
        Journey.account_id.in_(users),
        Journey.id.in_(apps),
    ]
    seller_id = as_seller_id(text_)
    if seller_id is not None:
        serving = select(InForceSeller.journey_id).where(InForceSeller.seller_id == seller_id)
        found.append(Journey.id.in_(serving))
    return or_(*found)


def as_seller_id(text_: str) -> str | None:
    """The seller ID as lists spell it, if ``text_`` is one."""
    if not (text_.isascii() and text_.isdigit()) or len(text_) > _SELLER_ID_DIGITS:
        return None
    return str(int(text_))


def _contains(model, columns: tuple[str, ...], text_: str) -> ColumnElement[bool]:
    """Any of ``columns`` holds ``text_``, case-insensitively, through the dialect's index."""
    if db.session.get_bind().dialect.name == "sqlite" and len(text_) >= _TRIGRAM:
        fts = next(fts for table, fts, _ in TEXT_SOURCES if table == model.__tablename__)
        phrase = '"' + text_.replace('"', '""') + '"'
        match = sql_text(f"{fts} MATCH :{fts}").bindparams(**{fts: phrase})
        return model.id.in_(select(sql_text("rowid")).select_from(sql_text(fts)).where(match))
    pattern = f"%{_escape_like(text_)}%"
    return or_(*(getattr(model, c).ilike(pattern, escape="/") for c in columns))


def _escape_like(text_: str) -> str:
    """Match ``%`` and ``_`` literally; ``/`` is the escape character."""
    return text_.replace("/", "//").replace("%", "/%").replace("_", "/_")
