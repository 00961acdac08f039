"""The database's stage times against the same figures walked event by event in Python, over
journeys that wander: back and forth between stages, released and reviewed again, still open."""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select

from workflow.audit import append_event
from workflow.extensions import db
from workflow.models import AccountKind, Event, Role
from workflow.models.journeys import DECISION_EVENTS
from workflow.reports.stays import stage_stays
from workflow.stages import REVIEW_STATES, STAGE_OF_STATE

SLA = timedelta(days=3)


def _walked(sla: timedelta) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Seconds per ended stay and breaches per stage, one transition at a time."""
    stmt = (
        select(Event.journey_id, Event.to_state, Event.created_at)
        .where(Event.event.not_in(DECISION_EVENTS), Event.to_state != "")
        .order_by(Event.journey_id, Event.id)
    )
    by_journey: dict[int, list] = defaultdict(list)
    for journey_id, state, at in db.session.execute(stmt):
        by_journey[journey_id].append((state, at))
    durations: dict[str, list[float]] = defaultdict(list)
    breaches: dict[str, int] = defaultdict(int)
    for steps in by_journey.values():
        spent: dict[str, float] = {}
        released = False
        for (left, entered), (state, at) in pairwise(steps):
            stage = STAGE_OF_STATE.get(left)
            if stage is not None:
                if left in REVIEW_STATES and at - entered >= sla:
                    breaches[stage.number] += 1
                if not released:
                    spent[stage.number] = (
                        spent.get(stage.number, 0.0) + (at - entered).total_seconds()
                    )
            released = released or state == "released"
        last = STAGE_OF_STATE.get(steps[-1][0])
        current = None if released or last is None else last.number
        for number, seconds in spent.items():
            if number != current:
                durations[number].append(seconds)
    return durations, breaches


def test_stage_times_from_the_database_match_the_walked_chain(
    make_account, make_user, make_journey
):
    rng = random.Random(14)
    reviewer = make_user(Role.reviewer)
    states = [*STAGE_OF_STATE, "released"]
    start = make_journey(make_account(AccountKind.isv)).created_at
    for _ in range(25):
        journey = make_journey(make_account(AccountKind.isv))
        at, previous = start, journey.state
        for _ in range(rng.randint(1, 9)):
            state = rng.choice(states)
            at += timedelta(hours=rng.randint(0, 120), microseconds=rng.randint(0, 999_999))
            append_event(journey, reviewer, "approve", previous, state, at=at)
            previous = state
    db.session.commit()

    durations, breaches = _walked(SLA)
    stays = stage_stays(SLA)
    assert sum(len(values) for values in durations.values()) > 20 and sum(breaches.values()) > 5
    for number in {stage.number for stage in STAGE_OF_STATE.values()}:
        values = sorted(durations.get(number, []))
        figures = stays.get(number)
        if not values and not breaches.get(number):
            assert figures is None or figures.count == 0
            continue
        assert figures.count == len(values)
        assert figures.past_breaches == breaches.get(number, 0)
        if values:
            p90 = values[max(1, math.ceil(0.9 * len(values))) - 1]
            assert math.isclose(figures.median_seconds, statistics.median(values), abs_tol=1e-6)
            assert math.isclose(figures.p90_seconds, p90, abs_tol=1e-6)
