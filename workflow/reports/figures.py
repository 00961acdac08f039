"""What the reports page shows: where journeys stand, how long stages take, who carries the load.

Stage times come from the chain itself: each transition event says when a journey entered a
state, so a stay in a stage runs from the first event that entered one of its states to the
first that left them (for distribution: to the first release). Only stays that ended count
towards the median and p90; journeys still in a stage are counted in "journeys by stage now".
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from workflow.extensions import db
from workflow.i18n import _
from workflow.models import Event, Journey, User
from workflow.models.journeys import DECISION_EVENTS
from workflow.stages import REVIEW_STATES, STAGE_OF_STATE, STAGES

#: Weeks the weekly counts go back, this week included.
WEEKS = 12
#: Overdue items listed by name; the count covers them all.
LISTED_BREACHES = 20
#: Transitions read per round trip when walking the chain.
BATCH = 5000


@dataclass(frozen=True)
class StageTime:
    number: str
    title: str
    #: Ended stays in the stage, one per journey.
    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class Breach:
    journey_id: int
    state: str
    waiting_since: datetime
    assignee: str


@dataclass(frozen=True)
class ReviewerLoad:
    name: str
    open_items: int
    overdue: int


@dataclass
class Report:
    now: datetime
    sla_days: int
    #: (stage number or "ended", title, journeys) in stage order, then the ended ones.
    by_stage: list[tuple[str, str, int]] = field(default_factory=list)
    stage_times: list[StageTime] = field(default_factory=list)
    #: Items waiting for a reviewer longer than the SLA now, oldest first (the first few).
    open_breaches: list[Breach] = field(default_factory=list)
    open_breach_count: int = 0
    #: Review waits that ended after taking longer than the SLA, per stage number.
    past_breaches: dict[str, int] = field(default_factory=dict)
    #: (Monday of the week, submissions, first releases), oldest week first.
    weekly: list[tuple[datetime, int, int]] = field(default_factory=list)
    reviewers: list[ReviewerLoad] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``fraction`` of them at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    """The middle value, or the mean of the two middle ones."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def build_report(
    sla_days: int, now: datetime | None = None, *, listed: int = LISTED_BREACHES
) -> Report:
    """Every figure of the reports page; ``listed`` overdue items are named."""
    now = now or datetime.now(UTC)
    report = Report(now=now, sla_days=sla_days)
    report.by_stage = journeys_by_stage()
    durations, past_breaches = _stage_stays(timedelta(days=sla_days))
    report.stage_times = [
        StageTime(
            s.number,
            s.title,
            len(durations[s.number]),
            median(durations[s.number]),
            percentile(durations[s.number], 0.9),
        )
        for s in STAGES
    ]
    report.past_breaches = {s.number: past_breaches[s.number] for s in STAGES}
    report.open_breach_count, report.open_breaches = _open_breaches(
        now - timedelta(days=sla_days), listed
    )
    report.weekly = weekly_counts(now)
    report.reviewers = reviewer_load(now - timedelta(days=sla_days))
    return report


def journeys_by_stage() -> list[tuple[str, str, int]]:
    counts = Counter()
    stmt = select(Journey.state, func.count()).group_by(Journey.state)
    for state, count in db.session.execute(stmt):
        stage = STAGE_OF_STATE.get(state)
        counts[stage.number if stage else "ended"] += count
    rows = [(s.number, s.title, counts[s.number]) for s in STAGES]
    return rows + [("ended", "Rejected or withdrawn", counts["ended"])]


def _transitions():
    """(journey, state entered, when) for every transition, journey by journey in chain order.

    Plain rows on the session's connection: the ORM's row handling would double the cost.
    """
    log = Event.__table__.c
    stmt = (
        select(log.journey_id, log.to_state, log.created_at)
        .where(log.event.not_in(DECISION_EVENTS), log.to_state != "")
        .order_by(log.journey_id, log.id)
        .execution_options(yield_per=BATCH)
    )
    return db.session.connection().execute(stmt)


def _stage_stays(sla: timedelta) -> tuple[dict[str, list[float]], Counter]:
    """Seconds each journey spent in each stage it has left, and the review waits past the SLA.

    The first release ends the stay in distribution: later changes to the seller list of a
    released APP are reviews (they count against the SLA) but no longer the path to release.
    """
    durations: dict[str, list[float]] = defaultdict(list)
    past_breaches: Counter = Counter()
    journey_id = None
    spent: dict[str, float] = {}
    state = entered = None
    is_released = False
    for row_journey, to_state, at in _transitions():
        if row_journey != journey_id:
            _add_ended_stays(durations, spent, None if is_released else _stage_number(state))
            journey_id, spent, state, entered, is_released = row_journey, {}, None, None, False
        stage = _stage_number(state)
        if stage is not None:
            if state in REVIEW_STATES and at - entered >= sla:
                past_breaches[stage] += 1
            if not is_released:
                spent[stage] = spent.get(stage, 0.0) + (at - entered).total_seconds()
        is_released = is_released or to_state == "released"
        state, entered = to_state, at
    _add_ended_stays(durations, spent, None if is_released else _stage_number(state))
    return durations, past_breaches


def _stage_number(state: str | None) -> str | None:
    stage = STAGE_OF_STATE.get(state) if state else None
    return stage.number if stage else None


def _add_ended_stays(durations, spent: dict[str, float], current: str | None) -> None:
    """A journey's time in each stage counts once it is no longer there."""
    for number, seconds in spent.items():
        if number != current:
            durations[number].append(seconds)


def _open_breaches(cutoff: datetime, listed: int) -> tuple[int, list[Breach]]:
    """Items that entered their review state at or before ``cutoff``: overdue, as the queue
    marks them (waiting at least the SLA's days)."""
    overdue = (Journey.state.in_(REVIEW_STATES), Journey.state_changed_at <= cutoff)
    count = db.session.scalar(select(func.count()).select_from(Journey).where(*overdue)) or 0
    stmt = (
        select(Journey.id, Journey.state, Journey.state_changed_at, User)
        .outerjoin(User, User.id == Journey.assignee_id)
        .where(*overdue)
        .order_by(Journey.state_changed_at, Journey.id)
        .limit(listed)
    )
    rows = [
        Breach(jid, state, since, user.display_name if user else "")
        for jid, state, since, user in db.session.execute(stmt)
    ]
    return count, rows


def week_start(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_counts(now: datetime, weeks: int = WEEKS) -> list[tuple[datetime, int, int]]:
    """Submissions (every ``submit`` event) and first releases per week, Monday to Sunday UTC.

    One statement each, counting every week in one pass over the rows of the period.
    """
    first = week_start(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    submitted = _per_week(Event.created_at, starts, Event.event == "submit")
    released = _per_week(Journey.released_at, starts)
    return list(zip(starts, submitted, released, strict=True))


def _per_week(column, starts: list[datetime], *where) -> list[int]:
    weeks = [
        func.sum(case((column.between(start, start + timedelta(weeks=1, microseconds=-1)), 1)))
        for start in starts
    ]
    stmt = select(*weeks).where(column >= starts[0], *where)
    return [int(count or 0) for count in db.session.execute(stmt).one()]


def reviewer_load(cutoff: datetime) -> list[ReviewerLoad]:
    """Items waiting for a reviewer, per assignee (nobody included), with those past the SLA."""
    overdue = func.sum(case((Journey.state_changed_at <= cutoff, 1), else_=0))
    stmt = (
        select(Journey.assignee_id, func.count(Journey.id), overdue)
        .where(Journey.state.in_(REVIEW_STATES))
        .group_by(Journey.assignee_id)
    )
    counts = list(db.session.execute(stmt))
    ids = [assignee_id for assignee_id, _count, _late in counts if assignee_id is not None]
    people = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
    names = {user.id: user.display_name for user in people}
    loads = [
        ReviewerLoad(names.get(assignee_id) or _("Unassigned"), count, int(late or 0))
        for assignee_id, count, late in counts
    ]
    return sorted(loads, key=lambda load: (-load.open_items, load.name))
