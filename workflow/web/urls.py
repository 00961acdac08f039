"""URLs that come from the outside: ids in paths, and where to go next."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter

#: The largest id any table holds: ids are INTEGER columns, 32-bit signed on PostgreSQL.
MAX_ID = 2**31 - 1
#: A ``next`` path longer than this is no page of the desk.
MAX_NEXT_LENGTH = 2000


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number the database can hold, or no match (404).

    Without the bound, an id from 2**31 up fails inside the database driver (PostgreSQL) or
    SQLite's integer conversion, and the request ends in a 500.
    """

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None):
        super().__init__(map, fixed_digits, 0 if min is None else min, max or MAX_ID)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None.

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so
    ``/\\t/evil.example`` or ``/\\evil.example`` would leave the site; any control character,
    white space or backslash refuses the target outright instead of being cleaned.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if any(ord(char) < 0x21 or ord(char) == 0x7F or char.isspace() for char in target):
        return None
    if "\\" in target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
