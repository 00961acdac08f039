"""The journey page as a workspace: the current stage open, finished stages folded away.

``workspace_for`` sorts the area panels by the stage they belong to, finds the decision each
finished stage ended with, and gathers what leads the page: for a reviewer of a submitted
stage, the evidence summary beside the decision controls; for an applicant asked for changes,
the reviewer's comment and the reasons given on each item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.enablement.documents import history_by_kind
from workflow.i18n import _, _l
from workflow.models import Event, Journey, User
from workflow.models.enablement import ReviewStatus
from workflow.stages import REVIEW_STATES, STAGES, Stage, stage_of


@dataclass(frozen=True)
class DoneStage:
    stage: Stage
    #: The transition that took the journey out of the stage (its decision), if recorded.
    decision: Event | None
    panels: list[dict[str, Any]]


@dataclass(frozen=True)
class ChangeRequest:
    #: The reviewer's ``request_changes`` event, with its overall comment.
    event: Event
    #: ``(item, reason)`` for every document and API the reviewer turned down.
    items: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Workspace:
    current: Stage | None
    #: Panels of no stage ordered before every stage's (a rejected journey's continuation).
    lead_panels: list[dict[str, Any]]
    #: Panels of the current stage (of every stage when the journey has ended), in order.
    stage_panels: list[dict[str, Any]]
    #: Panels of no stage after the stages' (packets, the conversation).
    trailing_panels: list[dict[str, Any]]
    done: list[DoneStage]
    #: The reviewer's decision pane is shown: a submitted stage, as staff.
    is_deciding: bool
    #: ``(tone, text)`` lines from the open panels' summaries.
    evidence: list[tuple[str, str]]
    changes: ChangeRequest | None


#: Where each stage panel starts on the page (its section's id) and what a link to it says.
ANCHORS = {
    "enablement/panel.html": ("enablement", _l("the request and its documents")),
    "apps/panel.html": ("app", _l("the APP and each API")),
    "apps/sandbox_panel.html": ("sandbox", _l("the sandbox requirement")),
    "apps/evidence_panel.html": ("evidence", _l("the connectivity evidence")),
    "deployment/panel.html": ("deployment", _l("the stage forms")),
    "distribution/panel.html": ("distribution", _l("the seller lists and configurations")),
}


def workspace_for(journey: Journey, user: User, panels: list[dict[str, Any]]) -> Workspace:
    current = stage_of(journey.state)
    released = journey.state == "released"
    order = {stage.number: i for i, stage in enumerate(STAGES)}
    # Released: the distribution stage stays open, for the lists the applicant still changes.
    here = STAGES[-1] if released else current
    lead, open_panels, trailing, done_by_stage = [], [], [], {}
    for p in panels:
        stage = p["stage"]
        if stage is None:
            (trailing if open_panels or done_by_stage else lead).append(p)
        elif here is None or order[stage] >= order[here.number]:
            open_panels.append({**p, "anchor": ANCHORS.get(p["template"])})
        else:
            done_by_stage.setdefault(stage, []).append(p)
    done = [
        DoneStage(stage, _decision_leaving(journey, stage), done_by_stage[stage.number])
        for stage in STAGES
        if stage.number in done_by_stage
    ]
    is_deciding = user.is_staff and journey.state in REVIEW_STATES
    evidence = [line for p in open_panels for line in p["summary"]] if is_deciding else []
    changes = None if user.is_staff else _change_request(journey)
    return Workspace(current, lead, open_panels, trailing, done, is_deciding, evidence, changes)


def _decision_leaving(journey: Journey, stage: Stage) -> Event | None:
    """What ended ``stage``: Tmall Global's newest decision on one of its submissions, or
    (for a stage nobody reviews, like the sandbox) the newest step out of one of its states."""
    steps = [e for e in reversed(journey.events) if not e.is_decision and e.from_state]
    reviewed = (e for e in steps if e.from_state in stage.states and e.from_state in REVIEW_STATES)
    leaving = (e for e in steps if e.from_state in stage.states and e.to_state not in stage.states)
    return next(reviewed, None) or next(leaving, None)


def _change_request(journey: Journey) -> ChangeRequest | None:
    """The reviewer's request for changes the journey is still answering, with its reasons."""
    last = next((e for e in reversed(journey.events) if not e.is_decision), None)
    if last is None or last.event != "request_changes" or last.to_state != journey.state:
        return None
    items: list[tuple[str, str]] = []
    for version in _current_documents(journey):
        if version.review_status is ReviewStatus.rejected:
            items.append(
                (_("Document %(letter)s", letter=version.kind.value), version.review_reason)
            )
    if journey.app is not None:
        for request in journey.app.api_requests:
            if request.decision is ReviewStatus.rejected:
                items.append((request.method, request.decision_reason))
    return ChangeRequest(last, items)


def _current_documents(journey: Journey):
    return [history[-1] for history in history_by_kind(journey).values() if history]
