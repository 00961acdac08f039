"""How the chart reads to people: the five stages, state names and button labels."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.chart import JourneyChart


@dataclass(frozen=True)
class Stage:
    number: str
    title: str
    states: tuple[str, ...]


STAGES: tuple[Stage, ...] = (
    Stage(
        "1",
        "Account enablement",
        ("enablement_draft", "enablement_submitted", "enablement_changes_requested", "enabled"),
    ),
    Stage(
        "2",
        "APP and API access",
        ("app_draft", "api_access_submitted", "api_access_changes_requested", "api_access_granted"),
    ),
    Stage(
        "3",
        "Sandbox verification",
        ("sandbox_verification", "sandbox_verified", "sandbox_skipped"),
    ),
    Stage(
        "4",
        "Deployment",
        (
            "mrd_prd_draft",
            "mrd_prd_submitted",
            "confabulation",
            "cloud_plan_draft",
            "cloud_plan_submitted",
            "cloud_provisioning",
            "cloud_verification",
            "cloud_verification_submitted",
            "exemption_draft",
            "exemption_submitted",
            "deployed",
        ),
    ),
    Stage(
        "5",
        "Distribution",
        (
            "distribution_setup",
            "authorization_submitted",
            "distribution_draft",
            "distribution_submitted",
            "released",
        ),
    ),
)

STAGE_OF_STATE = {state: stage for stage in STAGES for state in stage.states}

STATE_NAMES = {state.id: state.name for state in JourneyChart.states}

#: States in which a reviewer has to act; they make up the review queue.
REVIEW_STATES = tuple(
    sorted(
        [s for s in STATE_NAMES if s.endswith("_submitted")]
        + ["confabulation", "cloud_provisioning"]
    )
)

END_STATES = ("rejected", "withdrawn")

EVENT_LABELS = {
    "submit": "Submit for review",
    "approve": "Approve",
    "request_changes": "Request changes",
    "reject": "Reject finally",
    "withdraw": "Withdraw",
    "register_app": "Register an APP",
    "start_sandbox": "Start sandbox verification",
    "confirm_sandbox": "Confirm sandbox verified",
    "skip_sandbox": "Continue without sandbox verification",
    "choose_cloud": "Deploy on Taobao cloud",
    "choose_exemption": "Ask for an own-server exemption",
    "refuse_exemption": "Refuse the exemption: deploy on Taobao cloud",
    "call_meeting": "Call a business meeting",
    "environment_ready": "Cloud environment configured",
    "start_distribution": "Start distribution",
    "change_authorizations": "Change the authorization list",
}

#: Events that end or undo work get a confirmation step in the page.
DESTRUCTIVE_EVENTS = frozenset({"reject", "withdraw"})

#: Choices the applicant confirms on a page of their own, with what the choice means.
CONFIRMED_CHOICES = {
    "skip_sandbox": (
        "The guide (§3.2) recommends verifying the APP through the sandbox before it is "
        "distributed, but does not require it. If you continue without it, the trail records "
        "your choice and Tmall Global sees it. You can still start sandbox verification until "
        "you choose how the APP is deployed."
    ),
}


def stage_of(state: str) -> Stage | None:
    return STAGE_OF_STATE.get(state)


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state.replace("_", " ").capitalize())


def event_label(event: str) -> str:
    return EVENT_LABELS.get(event, event.replace("_", " ").capitalize())
