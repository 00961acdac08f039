"""Time in each stage, from the chain, computed by the database: the page reads one row a stage.

Each transition event says when a journey entered a state, so a stay in a state runs from its
event to the journey's next one (window functions over the log, journey by journey in chain
order). A journey's time in a stage is the sum of its stays in the stage's states; it counts once
the journey has left the stage, and the first release ends the stay in distribution (later
changes to a released APP's seller list are reviews, not more time on the path to release).
Both SQLite and PostgreSQL run the same statement; only the difference of two times is spelled
per dialect, in whole microseconds so that sums and the SLA comparison are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement

from workflow.extensions import db
from workflow.models import Event
from workflow.models.journeys import DECISION_EVENTS
from workflow.stages import REVIEW_STATES, STAGE_OF_STATE

_NO_STAGE = "-"


@dataclass(frozen=True)
class StageStays:
    """Ended stays in one stage, one per journey, and the review waits past the SLA."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None
    past_breaches: int


def stage_stays(sla: timedelta) -> dict[str, StageStays]:
    """``{stage number: StageStays}`` for every stage that has a stay or a breach."""
    steps = _steps().subquery("steps")
    stage = _stage_of(steps.c.prev_state)
    current = case(
        (steps.c.ever_released == 1, literal(_NO_STAGE)), else_=_stage_of(steps.c.last_state)
    )
    counted = and_(
        stage.is_not(None),
        func.coalesce(steps.c.released_before, 0) == 0,
        stage != func.coalesce(current, _NO_STAGE),
    )
    per_journey = (
        select(stage.label("stage"), func.sum(steps.c.micros).label("micros"))
        .where(counted)
        .group_by(steps.c.journey_id, stage)
        .subquery("per_journey")
    )
    ranked = select(
        per_journey.c.stage,
        per_journey.c.micros,
        func.row_number()
        .over(partition_by=per_journey.c.stage, order_by=per_journey.c.micros)
        .label("rank"),
        func.count().over(partition_by=per_journey.c.stage).label("n"),
    ).subquery("ranked")
    n, rank, micros = ranked.c.n, ranked.c.rank, ranked.c.micros
    middle = rank.in_([(n + 1) // 2, (n + 2) // 2])  # integer division: one or two middle ranks
    figures = select(
        ranked.c.stage,
        func.max(n),
        func.avg(case((middle, micros))),
        func.max(case((rank == (9 * n + 9) // 10, micros))),  # nearest rank: ceil(0.9 n)
    ).group_by(ranked.c.stage)
    sla_micros = int(sla / timedelta(microseconds=1))
    late = and_(steps.c.prev_state.in_(REVIEW_STATES), steps.c.micros >= sla_micros)
    breaches = select(stage, func.count()).where(late, stage.is_not(None)).group_by(stage)

    stays: dict[str, StageStays] = {}
    for number, count, middle_micros, p90_micros in db.session.execute(figures):
        stays[number] = StageStays(
            int(count), _seconds(middle_micros), _seconds(p90_micros), past_breaches=0
        )
    for number, late_count in db.session.execute(breaches):
        kept = stays.get(number, StageStays(0, None, None, 0))
        stays[number] = StageStays(
            kept.count, kept.median_seconds, kept.p90_seconds, int(late_count)
        )
    return stays


def _steps():
    """One row per transition with the state it left and how long the journey was in it."""
    log = Event.__table__.c
    chain = {"partition_by": log.journey_id, "order_by": log.id}
    released = case((log.to_state == "released", 1), else_=0)
    prev_at = func.lag(log.created_at).over(**chain)
    return select(
        log.journey_id,
        func.lag(log.to_state).over(**chain).label("prev_state"),
        _micros_between(prev_at, log.created_at).label("micros"),
        func.max(released).over(rows=(None, -1), **chain).label("released_before"),
        func.max(released).over(partition_by=log.journey_id).label("ever_released"),
        func.first_value(log.to_state)
        .over(partition_by=log.journey_id, order_by=log.id.desc())
        .label("last_state"),
    ).where(log.event.not_in(DECISION_EVENTS), log.to_state != "")


def _micros_between(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """Whole microseconds from ``start`` to ``end``."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.extract("epoch", end - start) * 1_000_000, BigInteger)
    # SQLite keeps times as 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds, then the fraction.
    seconds = cast(func.strftime("%s", end), BigInteger) - cast(
        func.strftime("%s", start), BigInteger
    )
    fraction = cast(func.substr(end, 21, 6), BigInteger) - cast(
        func.substr(start, 21, 6), BigInteger
    )
    return seconds * 1_000_000 + fraction


def _stage_of(state: ColumnElement) -> ColumnElement:
    """The stage number of ``state``, or NULL for a state outside the stages."""
    whens = [(state == name, stage.number) for name, stage in STAGE_OF_STATE.items()]
    return case(*whens, else_=None)


def _seconds(micros) -> float | None:
    return None if micros is None else float(micros) / 1_000_000


__all__ = ["StageStays", "stage_stays"]
