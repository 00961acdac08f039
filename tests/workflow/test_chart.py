"""Every transition of the journey chart, allowed and refused, in one table."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from statemachine.exceptions import TransitionNotAllowed

from workflow import chart, requirements
from workflow.chart import JourneyChart

# (source, event, condition, target). Conditions: "new"/"existing" APP, "released" or not,
# "own_shop" (the authorization list adds no seller but the seller's own shop, §3.4.1 a).
TRANSITIONS = [
    ("enablement_draft", "submit", None, "enablement_submitted"),
    ("enablement_changes_requested", "submit", None, "enablement_submitted"),
    ("app_draft", "submit", None, "api_access_submitted"),
    ("api_access_changes_requested", "submit", None, "api_access_submitted"),
    ("mrd_prd_draft", "submit", None, "mrd_prd_submitted"),
    ("cloud_plan_draft", "submit", None, "cloud_plan_submitted"),
    ("cloud_verification", "submit", None, "cloud_verification_submitted"),
    ("exemption_draft", "submit", None, "exemption_submitted"),
    ("distribution_setup", "submit", None, "authorization_submitted"),
    ("distribution_setup", "submit", "own_shop", "distribution_draft"),
    ("distribution_draft", "submit", None, "distribution_submitted"),
    ("enablement_submitted", "approve", None, "enabled"),
    ("api_access_submitted", "approve", None, "api_access_granted"),
    ("mrd_prd_submitted", "approve", None, "cloud_plan_draft"),
    ("confabulation", "approve", None, "cloud_plan_draft"),
    ("cloud_plan_submitted", "approve", None, "cloud_provisioning"),
    ("cloud_verification_submitted", "approve", None, "deployed"),
    ("exemption_submitted", "approve", None, "deployed"),
    ("exemption_submitted", "refuse_exemption", "new", "mrd_prd_draft"),
    ("exemption_submitted", "refuse_exemption", "existing", "cloud_plan_draft"),
    ("authorization_submitted", "approve", "not_released", "distribution_draft"),
    ("authorization_submitted", "approve", "released", "released"),
    ("distribution_submitted", "approve", None, "released"),
    ("enablement_submitted", "request_changes", None, "enablement_changes_requested"),
    ("api_access_submitted", "request_changes", None, "api_access_changes_requested"),
    ("mrd_prd_submitted", "request_changes", None, "mrd_prd_draft"),
    ("confabulation", "request_changes", None, "mrd_prd_draft"),
    ("cloud_plan_submitted", "request_changes", None, "cloud_plan_draft"),
    ("cloud_verification_submitted", "request_changes", None, "cloud_verification"),
    ("exemption_submitted", "request_changes", None, "exemption_draft"),
    ("authorization_submitted", "request_changes", "not_released", "distribution_setup"),
    ("authorization_submitted", "request_changes", "released", "released"),
    ("distribution_submitted", "request_changes", None, "distribution_draft"),
    *[
        (s, "reject", None, "rejected")
        for s in (
            "enablement_submitted",
            "api_access_submitted",
            "mrd_prd_submitted",
            "confabulation",
            "cloud_plan_submitted",
            "cloud_verification_submitted",
            "exemption_submitted",
            "authorization_submitted",
            "distribution_submitted",
        )
    ],
    *[
        (s, "withdraw", None, "withdrawn")
        for s in (
            "enablement_draft",
            "enablement_changes_requested",
            "app_draft",
            "api_access_changes_requested",
            "sandbox_verification",
            "sandbox_skipped",
            "mrd_prd_draft",
            "cloud_plan_draft",
            "exemption_draft",
            "distribution_setup",
            "distribution_draft",
        )
    ],
    ("enabled", "register_app", None, "app_draft"),
    ("api_access_granted", "start_sandbox", None, "sandbox_verification"),
    ("sandbox_verification", "confirm_sandbox", None, "sandbox_verified"),
    ("sandbox_verified", "choose_cloud", "new", "mrd_prd_draft"),
    ("sandbox_verified", "choose_cloud", "existing", "cloud_plan_draft"),
    ("sandbox_verified", "choose_exemption", None, "exemption_draft"),
    # §3.2: the sandbox is recommended, not forced.
    ("api_access_granted", "skip_sandbox", None, "sandbox_skipped"),
    ("sandbox_verification", "skip_sandbox", None, "sandbox_skipped"),
    ("sandbox_skipped", "start_sandbox", None, "sandbox_verification"),
    ("sandbox_skipped", "choose_cloud", "new", "mrd_prd_draft"),
    ("sandbox_skipped", "choose_cloud", "existing", "cloud_plan_draft"),
    ("sandbox_skipped", "choose_exemption", None, "exemption_draft"),
    ("mrd_prd_draft", "choose_exemption", None, "exemption_draft"),
    ("cloud_plan_draft", "choose_exemption", None, "exemption_draft"),
    ("mrd_prd_submitted", "call_meeting", None, "confabulation"),
    ("cloud_provisioning", "environment_ready", None, "cloud_verification"),
    ("deployed", "start_distribution", None, "distribution_setup"),
    ("released", "change_authorizations", None, "authorization_submitted"),
    ("released", "change_authorizations", "own_shop", "released"),
]

STATES = [state.id for state in JourneyChart.states]
EVENTS = [event.id for event in JourneyChart.events]
ALLOWED = {(source, event) for source, event, _, _ in TRANSITIONS}


@pytest.fixture(autouse=True)
def no_content_checks(monkeypatch):
    """The chart's shape alone; content requirements are tested by their areas."""
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    own_shop = {"authorization_needs_no_review": lambda model: model.own_shop}
    monkeypatch.setattr(requirements, "_conditions", own_shop)


def snapshot(state: str, condition: str | None):
    return SimpleNamespace(
        state=state,
        released_at="2026-01-01" if condition == "released" else None,
        app=SimpleNamespace(is_new=condition != "existing"),
        own_shop=condition == "own_shop",
        has_event=lambda name: condition == "exemption_refused" and name == "refuse_exemption",
    )


@pytest.mark.parametrize(
    ("source", "event", "condition", "target"),
    TRANSITIONS,
    ids=[f"{s}-{e}-{c or 'any'}" for s, e, c, _ in TRANSITIONS],
)
def test_allowed_transition(source, event, condition, target):
    model = snapshot(source, condition)
    JourneyChart(model=model).send(event)
    assert model.state == target


REFUSED = [(s, e) for s, e in itertools.product(STATES, EVENTS) if (s, e) not in ALLOWED]


@pytest.mark.parametrize(("source", "event"), REFUSED, ids=[f"{s}-{e}" for s, e in REFUSED])
def test_refused_transition(source, event):
    model = snapshot(source, None)
    with pytest.raises(TransitionNotAllowed):
        JourneyChart(model=model).send(event)
    assert model.state == source


def test_table_covers_every_state_and_event():
    sources = {source for source, _, _, _ in TRANSITIONS}
    targets = {target for _, _, _, target in TRANSITIONS}
    assert set(STATES) == sources | targets
    assert set(EVENTS) == {event for _, event, _, _ in TRANSITIONS}
    assert len(REFUSED) == len(STATES) * len(EVENTS) - len(ALLOWED)


def test_end_states_allow_nothing():
    for state in ("rejected", "withdrawn"):
        assert JourneyChart(model=snapshot(state, None)).enabled_events() == []


def test_submitted_states_offer_the_three_reviewer_events():
    for state in STATES:
        if state.endswith("_submitted"):
            enabled = {e.id for e in JourneyChart(model=snapshot(state, None)).enabled_events()}
            assert {"approve", "request_changes", "reject"} <= enabled, state


@pytest.mark.parametrize(
    "state", ["sandbox_verified", "sandbox_skipped", "mrd_prd_draft", "cloud_plan_draft"]
)
def test_a_refused_exemption_cannot_be_asked_for_again(state):
    model = snapshot(state, "exemption_refused")
    with pytest.raises(TransitionNotAllowed):
        JourneyChart(model=model).send("choose_exemption")
    assert model.state == state


def test_a_refused_exemption_still_leaves_reject_as_the_end():
    model = snapshot("exemption_submitted", None)
    enabled = {e.id for e in JourneyChart(model=model).enabled_events()}
    assert {"approve", "refuse_exemption", "request_changes", "reject"} <= enabled
    JourneyChart(model=model).send("reject")
    assert model.state == "rejected"


CONDITIONS = [None, "released", "existing", "own_shop", "exemption_refused"]


@pytest.mark.parametrize("condition", CONDITIONS, ids=[c or "any" for c in CONDITIONS])
def test_the_candidate_table_answers_what_the_chart_answers(condition):
    """The journey page lists events from the table built once; it must agree with the chart
    in every state, whichever way the guards go."""
    for state in STATES:
        model = snapshot(state, condition)
        from_chart = [e.id for e in JourneyChart(model=model).enabled_events()]
        assert chart.enabled_events(model) == from_chart, state


def test_the_candidate_table_asks_each_guard_once():
    calls = []
    model = snapshot("sandbox_skipped", "existing")
    model.has_event = lambda name: calls.append(name) or False
    assert chart.enabled_events(model) == [
        "withdraw", "start_sandbox", "choose_cloud", "choose_exemption"
    ]  # fmt: skip
    assert calls == ["refuse_exemption"]
