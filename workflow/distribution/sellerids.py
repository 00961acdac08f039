"""Seller ID lists: parse, validate, diff and fingerprint.

Applicants submit authorization and distribution lists of Taobao seller IDs by pasting text or by
uploading CSV or XLSX (read in ``spreadsheets``). A list is accepted whole or not at all: every
malformed line is reported with its line number and reason, and the caller stores nothing until
the list is clean. A repeated ID is not a problem: its later occurrences are dropped, and the
lines they stood on are reported (``LocatedIds.duplicate_lines``) so the applicant is told.

Valid lists take a fast path in which every check runs inside C loops (``str.split``,
``map(int, ...)``, ``set``); line-by-line bookkeeping only runs once that path found a problem,
so a clean million-line list costs about as much as a bare ``int()`` loop.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from workflow.i18n import _, _l, ngettext

#: Only this many problems are kept; the rest are counted, so garbage input stays cheap.
MAX_REPORTED_PROBLEMS = 1000
#: A notice of removed duplicates names this many of their lines.
_SHOWN_DUPLICATE_LINES = 20
#: A value is shown up to this many characters in a problem.
_SHOWN_VALUE_CHARS = 32
#: Besides whitespace, IDs on one line may be separated by these (full-width forms included,
#: because lists are often typed with a Chinese input method).
_SEPARATORS = str.maketrans(dict.fromkeys(",;，；、", " "))


class Reason(StrEnum):
    """Why a line of a seller ID list was refused."""

    NOT_NUMERIC = "not_numeric"
    TOO_LONG = "too_long"
    ZERO = "zero"
    LEADING_ZERO = "leading_zero"
    #: A CSV or XLSX row has data in other columns but no seller ID in the first one.
    MISSING = "missing"
    #: A spreadsheet number too large for a double: Excel already changed its last digits.
    NOT_EXACT = "not_exact"
    #: The file itself could not be read (line 0 when no line is to blame).
    UNREADABLE = "unreadable"
    #: The file is past a reading limit: bytes once unpacked, rows, or time.
    TOO_LARGE = "too_large"
    #: A distribution list names a seller the authorization list in force does not (§3.4).
    NOT_AUTHORIZED = "not_authorized"


_MESSAGES = {
    Reason.NOT_NUMERIC: _l("%(value)s is not numeric (digits 0-9 only)"),
    Reason.TOO_LONG: _l("%(value)s is too long for a seller ID"),
    Reason.ZERO: _l("%(value)s is not a seller ID"),
    Reason.LEADING_ZERO: _l("%(value)s starts with 0, which no seller ID does"),
    Reason.MISSING: _l("the first column has no seller ID"),
    Reason.NOT_EXACT: _l(
        "%(value)s is too large for a spreadsheet number and lost digits; format the column as text"
    ),
    Reason.UNREADABLE: _l("the file cannot be read (%(value)s)"),
    Reason.TOO_LARGE: None,
    Reason.NOT_AUTHORIZED: _l("%(value)s is not on the authorization list in force"),
}


@dataclass(frozen=True, slots=True)
class LineProblem:
    """One refused line. ``value`` is shortened to a few dozen characters."""

    line: int
    value: str
    reason: Reason

    @property
    def message(self) -> str:
        """The problem in the current language, with its line number."""
        template = _MESSAGES[self.reason]
        # A reading limit's value is the desk's own sentence, shown as it is.
        detail = (
            self.value if template is None else _(str(template._args[0]), value=repr(self.value))
        )
        if self.line:
            return _("line %(line)d: %(detail)s", line=self.line, detail=detail)
        return _("file: %(detail)s", detail=detail)


class SellerIdListError(ValueError):
    """The list has problems; nothing in it may be stored."""

    def __init__(self, problems: list[LineProblem], problem_count: int) -> None:
        self.problems = problems
        #: All problems found, including those past ``MAX_REPORTED_PROBLEMS``.
        self.problem_count = problem_count
        super().__init__(self._summary())

    @property
    def omitted_count(self) -> int:
        return self.problem_count - len(self.problems)

    def _summary(self) -> str:
        return ngettext(
            "%(num)d problem in the seller ID list; %(first)s",
            "%(num)d problems in the seller ID list; %(first)s",
            self.problem_count,
            first=self.problems[0].message,
        )


@dataclass(frozen=True, slots=True)
class SellerIdDiff:
    """How a proposed list differs from the list in force. Both lists are sorted ascending."""

    added: list[int]
    removed: list[int]
    unchanged_count: int

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.removed


@dataclass(frozen=True, slots=True)
class LocatedIds:
    """A clean list's IDs in input order, and where each one stood.

    Line numbers are only needed when a later rule refuses some IDs, so the fast path leaves
    them to ``locate``, which works them out on demand.
    """

    ids: list[int]
    #: The line of each ID, in the order of ``ids``.
    locate: Callable[[], list[int]]
    #: How many repeated IDs were dropped, and the lines of the first of them (capped).
    duplicate_count: int = 0
    duplicate_lines: tuple[int, ...] = ()

    def duplicates_notice(self) -> str:
        """``3 duplicate IDs removed: lines 4, 9, 12``, or "" when nothing repeated."""
        if not self.duplicate_count:
            return ""
        noun = "duplicate ID" if self.duplicate_count == 1 else "duplicate IDs"
        where = ", ".join(map(str, self.duplicate_lines[:_SHOWN_DUPLICATE_LINES]))
        more = self.duplicate_count - min(len(self.duplicate_lines), _SHOWN_DUPLICATE_LINES)
        label = "line" if self.duplicate_count == 1 else "lines"
        return f"{self.duplicate_count} {noun} removed: {label} {where}" + (
            f" and {more} more" if more else ""
        )

    @classmethod
    def unnumbered(cls, ids: list[int]) -> LocatedIds:
        """IDs that came with no text (a list built in code): the n-th ID is "line" n."""
        return cls(ids, lambda: list(range(1, len(ids) + 1)))


def refuse_ids_outside(
    located: LocatedIds, allowed: set[int], reason: Reason = Reason.NOT_AUTHORIZED
) -> None:
    """Refuse the list, naming the line of every ID that is not in ``allowed``.

    :raises SellerIdListError: when any ID is outside ``allowed``.
    """
    outside = [index for index, seller_id in enumerate(located.ids) if seller_id not in allowed]
    if not outside:
        return
    lines = located.locate()
    problems = [
        LineProblem(lines[index], str(located.ids[index]), reason)
        for index in outside[:MAX_REPORTED_PROBLEMS]
    ]
    raise SellerIdListError(problems, len(outside))


# --- plain text -----------------------------------------------------------------------------


def parse_seller_ids(text: str, *, max_digits: int = 20) -> list[int]:
    """Parse pasted or typed seller IDs, in input order.

    One ID per line, or several on a line separated by whitespace, commas or semicolons. Blank
    lines are skipped but still counted, so reported line numbers match the editor's.

    :raises SellerIdListError: listing each malformed or repeated ID with its line number.
    """
    return locate_seller_ids(text, max_digits=max_digits).ids


def locate_seller_ids(text: str, *, max_digits: int = 20) -> LocatedIds:
    """:func:`parse_seller_ids`, keeping where each ID stood for rules applied later."""
    text = text.removeprefix("\ufeff")
    ids = _ids_if_all_valid(text.translate(_SEPARATORS).split(), max_digits)
    if ids is not None:
        return LocatedIds(ids, lambda: _token_lines(text))
    collector = _Collector(max_digits)
    # str.splitlines breaks only on characters str.split also treats as whitespace, so both
    # paths see the same tokens in the same order.
    for number, line in enumerate(text.splitlines(), 1):
        for token in line.translate(_SEPARATORS).split():
            collector.add(number, token)
    return collector.located()


def _token_lines(text: str) -> list[int]:
    """The line number of each token of ``text``, in order (blank lines counted)."""
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        for _ in line.translate(_SEPARATORS).split()
    ]


def _ids_if_all_valid(values: list[str], max_digits: int) -> list[int] | None:
    """The IDs when every value is valid and unique; ``None`` as soon as any check fails."""
    if not values:
        return []
    if not _all_plain_numbers("\n".join(values), len(values)):
        return None
    try:
        ids = list(map(int, values))
    except ValueError:  # past the interpreter's limit on digits converted from text
        return None
    if max(ids) >= 10**max_digits or len(set(ids)) != len(ids):
        return None
    return ids


def _all_plain_numbers(joined: str, count: int) -> bool:
    """Whether ``joined`` is ``count`` runs of ASCII digits, none empty or led by a zero.

    Checking the joined text keeps every loop in C, and on bytes, whose isdigit() is a table
    lookup; str.isdigit() consults the Unicode database for each character.
    """
    if not joined.isascii():
        return False
    raw = joined.encode("ascii")
    return (
        raw.count(b"\n") == count - 1  # no value holds a newline of its own
        and raw.replace(b"\n", b"").isdigit()
        and b"\n\n" not in raw
        and not raw.startswith((b"\n", b"0"))
        and not raw.endswith(b"\n")
        and b"\n0" not in raw
    )


class _Collector:
    """Checks values one by one, remembering IDs, dropped repeats and problems (capped), with
    their lines."""

    def __init__(self, max_digits: int) -> None:
        self.max_digits = max_digits
        self.first_lines: dict[int, int] = {}
        self.problems: list[LineProblem] = []
        self.problem_count = 0
        self.duplicate_lines: list[int] = []
        self.duplicate_count = 0

    def add(self, line: int, token: str) -> None:
        reason = self._reason(token)
        if reason is not None:
            self.report(line, token, reason)
            return
        seller_id = int(token)
        first_line = self.first_lines.get(seller_id)
        if first_line is None:
            self.first_lines[seller_id] = line
            return
        self.duplicate_count += 1
        if len(self.duplicate_lines) < MAX_REPORTED_PROBLEMS:
            self.duplicate_lines.append(line)

    def _reason(self, token: str) -> Reason | None:
        if not (token.isascii() and token.isdigit()):
            return Reason.NOT_NUMERIC
        if len(token) > self.max_digits:
            return Reason.TOO_LONG
        if token[0] == "0":
            return Reason.ZERO if token.count("0") == len(token) else Reason.LEADING_ZERO
        return None

    def report(self, line: int, value: str, reason: Reason) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(LineProblem(line, _shorten(value), reason))

    def result(self) -> list[int]:
        return self.located().ids

    def located(self) -> LocatedIds:
        if self.problem_count:
            raise SellerIdListError(self.problems, self.problem_count)
        lines = self.first_lines
        return LocatedIds(
            list(lines),
            lambda: list(lines.values()),
            self.duplicate_count,
            tuple(self.duplicate_lines),
        )


def _shorten(value: str) -> str:
    if len(value) <= _SHOWN_VALUE_CHARS:
        return value
    return value[:_SHOWN_VALUE_CHARS] + "…"


# --- diff and fingerprint -------------------------------------------------------------------


def diff_seller_ids(in_force: Iterable[int], proposed: Iterable[int]) -> SellerIdDiff:
    """What adopting ``proposed`` would add to and remove from the list in force."""
    new = set(proposed)
    # One pass over the proposal finds every change; splitting the (small) change set into
    # added and removed is cheap. Two set differences would walk both big sets.
    changed = set(in_force)
    changed.symmetric_difference_update(new)
    added = changed.intersection(new)
    changed.difference_update(added)
    return SellerIdDiff(sorted(added), sorted(changed), len(new) - len(added))


def canonical_bytes(ids: Iterable[int]) -> bytes:
    """The list as packets fingerprint it: unique IDs ascending, one per line, each ending "\\n"."""
    ordered = sorted(ids)  # linear when the IDs come sorted, as they do from the database
    if any(map(operator.eq, ordered, itertools.islice(ordered, 1, None))):
        ordered = sorted(set(ordered))
    if not ordered:
        return b""
    if ordered[0] < 1:
        raise ValueError(f"seller IDs are positive; got {ordered[0]}")
    return ("\n".join(map(str, ordered)) + "\n").encode("ascii")


def canonical_sha256(ids: Iterable[int]) -> str:
    """Hex SHA-256 of :func:`canonical_bytes`, printed in packets to identify the list."""
    return hashlib.sha256(canonical_bytes(ids)).hexdigest()
