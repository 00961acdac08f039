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

#: What every page, mail, packet and the diagram call each state; the chart's ids (and the
#: names it was declared with) never change, so stored events keep meaning the same.
STATE_NAMES: dict[str, str] = {
    "enablement_draft": "Enablement draft",
    "enablement_submitted": "Enablement submitted",
    "enablement_changes_requested": "Enablement changes requested",
    "enabled": "Account enabled",
    "app_draft": "APP draft",
    "api_access_submitted": "API access submitted",
    "api_access_changes_requested": "API access changes requested",
    "api_access_granted": "API access granted",
    "sandbox_verification": "Sandbox verification",
    "sandbox_verified": "Sandbox verified",
    "sandbox_skipped": "Continued without sandbox",
    "mrd_prd_draft": "MRD/PRD draft",
    "mrd_prd_submitted": "MRD/PRD submitted",
    "confabulation": "Business meeting",
    "cloud_plan_draft": "Cloud plan draft",
    "cloud_plan_submitted": "Cloud plan submitted",
    "cloud_provisioning": "Cloud provisioning",
    "cloud_verification": "Cloud verification",
    "cloud_verification_submitted": "Cloud verification submitted",
    "deployed": "Deployed",
    "exemption_draft": "Own-server exemption draft",
    "exemption_submitted": "Own-server exemption submitted",
    "distribution_setup": "Distribution setup",
    "authorization_submitted": "Authorization submitted",
    "distribution_draft": "Distribution draft",
    "distribution_submitted": "Distribution submitted",
    "released": "Released",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
_unnamed = {state.id for state in JourneyChart.states} ^ set(STATE_NAMES)
if _unnamed:
    raise RuntimeError(f"STATE_NAMES and the chart disagree on {sorted(_unnamed)}")

#: States in which a reviewer has to act; they make up the review queue.
REVIEW_STATES = tuple(
    sorted(
        [s for s in STATE_NAMES if s.endswith("_submitted")]
        + ["confabulation", "cloud_provisioning"]
    )
)

#: States in which the journey waits on the applicant: drafts and requested changes. Idle in
#: one of them, the applicant is reminded (``workflow.notifications.reminders``).
APPLICANT_STATES = tuple(
    sorted(s for s in STATE_NAMES if s.endswith(("_draft", "_changes_requested")))
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


@dataclass(frozen=True)
class Waiting:
    """What the applicant reads while Tmall Global has the next move."""

    #: What Tmall Global is doing now.
    doing: str
    #: What the applicant can do meanwhile.
    you_can: str


_NOTHING_NEEDED = (
    "Nothing is needed from you now. Your submission stays as you sent it; you can read it and "
    "its packet below. You get an e-mail as soon as a reviewer decides."
)

#: Every state in which the journey waits for Tmall Global, as the applicant reads it.
WAITING: dict[str, Waiting] = {
    "enablement_submitted": Waiting(
        "Tmall Global is reviewing your enablement request and checking each document.",
        _NOTHING_NEEDED,
    ),
    "api_access_submitted": Waiting(
        "Tmall Global is reviewing the APIs you asked for and your reason for each one.",
        _NOTHING_NEEDED,
    ),
    "mrd_prd_submitted": Waiting(
        "Tmall Global is reading your MRD and PRD. A reviewer approves them, asks for changes, "
        "or calls a business meeting to talk them through.",
        _NOTHING_NEEDED,
    ),
    "confabulation": Waiting(
        "Tmall Global has called a business meeting about your MRD and PRD. They agree a date "
        "with you by e-mail, hold the meeting and record its minutes here; then they decide.",
        "Reply to Tmall Global's e-mail to agree a date, and be ready to walk them through the "
        "APP's data flows. Your MRD and PRD stay as you sent them.",
    ),
    "cloud_plan_submitted": Waiting(
        "Tmall Global is reviewing your cloud deployment plan.", _NOTHING_NEEDED
    ),
    "cloud_provisioning": Waiting(
        "Tmall Global is configuring your Taobao cloud environment for the approved plan.",
        "Get ready for the next step: order the resources in your plan and port the APP. Once "
        "the environment is configured you confirm both and prove them with a checker run "
        "from the cloud.",
    ),
    "cloud_verification_submitted": Waiting(
        "Tmall Global is checking your cloud deployment and the checker run from the cloud.",
        _NOTHING_NEEDED,
    ),
    "exemption_submitted": Waiting(
        "Tmall Global is deciding on your own-server exemption. If they refuse it, the APP goes "
        "to Taobao cloud.",
        _NOTHING_NEEDED,
    ),
    "authorization_submitted": Waiting(
        "Tmall Global is reviewing your authorization list of seller IDs.", _NOTHING_NEEDED
    ),
    "distribution_submitted": Waiting(
        "Tmall Global is reviewing your distribution request and its seller ID list.",
        _NOTHING_NEEDED,
    ),
}

#: After release, a new authorization list waits for review while the APP stays live.
WAITING_WHILE_LIVE = Waiting(
    "Tmall Global is reviewing the new authorization list you submitted. Your APP stays live, "
    "with the list in force until they approve the new one.",
    _NOTHING_NEEDED,
)


def waiting_for(journey) -> Waiting | None:
    """What Tmall Global is doing, if the journey waits for them; None when it does not."""
    if journey.state == "authorization_submitted" and journey.released_at is not None:
        return WAITING_WHILE_LIVE
    return WAITING.get(journey.state)
