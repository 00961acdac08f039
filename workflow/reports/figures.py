"""What the reports page shows: where journeys stand, how long stages take, who carries the load.

Stage times come from the chain itself (``stays.py``, computed by the database): each transition
event says when a journey entered a state, so a stay in a stage runs from the first event that
entered one of its states to the first that left them (for distribution: to the first release).
Only stays that ended count towards the median and p90; journeys still in a stage are counted in
"journeys by stage now". Every figure is an aggregate query: the page never reads the log row by
row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from workflow.extensions import db
from workflow.models import Event, Journey, User
from workflow.reports.stays import StageStays, stage_stays
from workflow.stages import REVIEW_STATES, STAGE_OF_STATE, STAGES

#: Weeks the weekly counts go back, this week included.
WEEKS = 12
#: Overdue items listed by name; the count covers them all.
LISTED_BREACHES = 20


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


def build_report(
    sla_days: int, now: datetime | None = None, *, listed: int = LISTED_BREACHES
) -> Report:
    """Every figure of the reports page; ``listed`` overdue items are named."""
    now = now or datetime.now(UTC)
    report = Report(now=now, sla_days=sla_days)
    report.by_stage = journeys_by_stage()
    stays = stage_stays(timedelta(days=sla_days))
    none = StageStays(0, None, None, 0)
    report.stage_times = [
        StageTime(s.number, s.title, *_figures(stays.get(s.number, none))) for s in STAGES
    ]
    report.past_breaches = {s.number: stays.get(s.number, none).past_breaches for s in STAGES}
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


def _figures(stays: StageStays) -> tuple[int, float | None, float | None]:
    return stays.count, stays.median_seconds, stays.p90_seconds


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
    ids = [assignee_id for assignee_id, _, _ in counts if assignee_id is not None]
    people = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
    names = {user.id: user.display_name for user in people}
    loads = [
        ReviewerLoad(names.get(assignee_id, "Unassigned"), count, int(late or 0))
        for assignee_id, count, late in counts
    ]
    return sorted(loads, key=lambda load: (-load.open_items, load.name))
