"""How the chart reads to people: the five stages, state names and button labels."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel.speaklater import LazyString

from workflow.chart import JourneyChart
from workflow.i18n import _l


@dataclass(frozen=True)
class Stage:
    number: str
    #: The title as a lazy string; ``title`` reads it in the current language.
    label: LazyString
    states: tuple[str, ...]

    @property
    def title(self) -> str:
        return str(self.label)

    @property
    def title_id(self) -> str:
        """The English title, the catalog's message id: what stored data records."""
        return self.label._args[0]


STAGES: tuple[Stage, ...] = (
    Stage(
        "1",
        _l("Account enablement"),
        ("enablement_draft", "enablement_submitted", "enablement_changes_requested", "enabled"),
    ),
    Stage(
        "2",
        _l("APP and API access"),
        ("app_draft", "api_access_submitted", "api_access_changes_requested", "api_access_granted"),
    ),
    Stage(
        "3",
        _l("Sandbox verification"),
        ("sandbox_verification", "sandbox_verified", "sandbox_skipped"),
    ),
    Stage(
        "4",
        _l("Deployment"),
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
        _l("Distribution"),
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
STATE_NAMES: dict[str, LazyString] = {
    "enablement_draft": _l("Enablement draft"),
    "enablement_submitted": _l("Enablement submitted"),
    "enablement_changes_requested": _l("Enablement changes requested"),
    "enabled": _l("Account enabled"),
    "app_draft": _l("APP draft"),
    "api_access_submitted": _l("API access submitted"),
    "api_access_changes_requested": _l("API access changes requested"),
    "api_access_granted": _l("API access granted"),
    "sandbox_verification": _l("Sandbox verification"),
    "sandbox_verified": _l("Sandbox verified"),
    "sandbox_skipped": _l("Continued without sandbox"),
    "mrd_prd_draft": _l("MRD/PRD draft"),
    "mrd_prd_submitted": _l("MRD/PRD submitted"),
    "confabulation": _l("Business meeting"),
    "cloud_plan_draft": _l("Cloud plan draft"),
    "cloud_plan_submitted": _l("Cloud plan submitted"),
    "cloud_provisioning": _l("Cloud provisioning"),
    "cloud_verification": _l("Cloud verification"),
    "cloud_verification_submitted": _l("Cloud verification submitted"),
    "deployed": _l("Deployed"),
    "exemption_draft": _l("Own-server exemption draft"),
    "exemption_submitted": _l("Own-server exemption submitted"),
    "distribution_setup": _l("Distribution setup"),
    "authorization_submitted": _l("Authorization submitted"),
    "distribution_draft": _l("Distribution draft"),
    "distribution_submitted": _l("Distribution submitted"),
    "released": _l("Released"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
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

EVENT_LABELS: dict[str, LazyString] = {
    "submit": _l("Submit for review"),
    "approve": _l("Approve"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject finally"),
    "withdraw": _l("Withdraw"),
    "register_app": _l("Register an APP"),
    "start_sandbox": _l("Start sandbox verification"),
    "confirm_sandbox": _l("Confirm sandbox verified"),
    "skip_sandbox": _l("Continue without sandbox verification"),
    "choose_cloud": _l("Deploy on Taobao cloud"),
    "choose_exemption": _l("Ask for an own-server exemption"),
    "refuse_exemption": _l("Refuse the exemption: deploy on Taobao cloud"),
    "call_meeting": _l("Call a business meeting"),
    "environment_ready": _l("Cloud environment configured"),
    "start_distribution": _l("Start distribution"),
    "change_authorizations": _l("Change the authorization list"),
}

#: The chart diagram's short edge labels, in the reader's language.
DIAGRAM_EVENT_NAMES: dict[str, LazyString] = {
    "submit": _l("Submit"),
    "approve": _l("Approve"),
    "request_changes": _l("Request changes"),
    "reject": _l("Reject"),
    "refuse_exemption": _l("Refuse exemption"),
    "withdraw": _l("Withdraw"),
    "register_app": _l("Register APP"),
    "start_sandbox": _l("Start sandbox"),
    "confirm_sandbox": _l("Confirm sandbox"),
    "skip_sandbox": _l("Skip sandbox"),
    "choose_cloud": _l("Choose cloud"),
    "choose_exemption": _l("Choose exemption"),
    "call_meeting": _l("Call meeting"),
    "environment_ready": _l("Environment ready"),
    "start_distribution": _l("Start distribution"),
    "change_authorizations": _l("Change authorizations"),
}

#: The diagram's note on the end states' edges, which it does not draw.
DIAGRAM_NOTE = (
    _l("Reject: from every submitted state to Rejected"),
    _l("Withdraw: from every draft to Withdrawn"),
    _l("Rejected stays final: a new journey linked to it continues"),
)

#: The page's legend beside the diagram, for the same edges.
DIAGRAM_LEGEND = (
    _l(
        "Not drawn: from every submitted state a reviewer can end the journey as rejected, "
        "and from every draft the applicant can end it"
    ),
    _l("A rejected journey stays final; a new journey linked to it continues"),
)

#: Events that end or undo work get a confirmation step in the page.
DESTRUCTIVE_EVENTS = frozenset({"reject", "withdraw"})

#: Choices the applicant confirms on a page of their own, with what the choice means.
CONFIRMED_CHOICES = {
    "skip_sandbox": _l(
        "The guide (§3.2) recommends verifying the APP through the sandbox before it is "
        "distributed, but does not require it. If you continue without it, the trail records "
        "your choice and Tmall Global sees it. You can still start sandbox verification until "
        "you choose how the APP is deployed."
    ),
}


def stage_of(state: str) -> Stage | None:
    return STAGE_OF_STATE.get(state)


def state_name(state: str) -> str:
    """The state's name in the current language (a state the chart no longer has: its id)."""
    name = STATE_NAMES.get(state)
    return str(name) if name is not None else state.replace("_", " ").capitalize()


def event_label(event: str) -> str:
    """The event's button label in the current language."""
    label = EVENT_LABELS.get(event)
    return str(label) if label is not None else event.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Waiting:
    """What the applicant reads while Tmall Global has the next move."""

    #: What Tmall Global is doing now (lazy; ``doing`` reads it in the current language).
    doing_text: LazyString
    #: What the applicant can do meanwhile.
    you_can_text: LazyString

    @property
    def doing(self) -> str:
        return str(self.doing_text)

    @property
    def you_can(self) -> str:
        return str(self.you_can_text)


_NOTHING_NEEDED = _l(
    "Nothing is needed from you now. Your submission stays as you sent it; you can read it and "
    "its packet below. You get an e-mail as soon as a reviewer decides."
)

#: Every state in which the journey waits for Tmall Global, as the applicant reads it.
WAITING: dict[str, Waiting] = {
    "enablement_submitted": Waiting(
        _l("Tmall Global is reviewing your enablement request and checking each document."),
        _NOTHING_NEEDED,
    ),
    "api_access_submitted": Waiting(
        _l("Tmall Global is reviewing the APIs you asked for and your reason for each one."),
        _NOTHING_NEEDED,
    ),
    "mrd_prd_submitted": Waiting(
        _l(
            "Tmall Global is reading your MRD and PRD. A reviewer approves them, asks for "
            "changes, or calls a business meeting to talk them through."
        ),
        _NOTHING_NEEDED,
    ),
    "confabulation": Waiting(
        _l(
            "Tmall Global has called a business meeting about your MRD and PRD. They agree a "
            "date with you by e-mail, hold the meeting and record its minutes here; then they "
            "decide."
        ),
        _l(
            "Reply to Tmall Global's e-mail to agree a date, and be ready to walk them through "
            "the APP's data flows. Your MRD and PRD stay as you sent them."
        ),
    ),
    "cloud_plan_submitted": Waiting(
        _l("Tmall Global is reviewing your cloud deployment plan."), _NOTHING_NEEDED
    ),
    "cloud_provisioning": Waiting(
        _l("Tmall Global is configuring your Taobao cloud environment for the approved plan."),
        _l(
            "Get ready for the next step: order the resources in your plan and port the APP. "
            "Once the environment is configured you confirm both and prove them with a checker "
            "run from the cloud."
        ),
    ),
    "cloud_verification_submitted": Waiting(
        _l("Tmall Global is checking your cloud deployment and the checker run from the cloud."),
        _NOTHING_NEEDED,
    ),
    "exemption_submitted": Waiting(
        _l(
            "Tmall Global is deciding on your own-server exemption. If they refuse it, the APP "
            "goes to Taobao cloud."
        ),
        _NOTHING_NEEDED,
    ),
    "authorization_submitted": Waiting(
        _l("Tmall Global is reviewing your authorization list of seller IDs."), _NOTHING_NEEDED
    ),
    "distribution_submitted": Waiting(
        _l("Tmall Global is reviewing your distribution request and its seller ID list."),
        _NOTHING_NEEDED,
    ),
}

#: After release, a new authorization list waits for review while the APP stays live.
WAITING_WHILE_LIVE = Waiting(
    _l(
        "Tmall Global is reviewing the new authorization list you submitted. Your APP stays "
        "live, with the list in force until they approve the new one."
    ),
    _NOTHING_NEEDED,
)


def waiting_for(journey) -> Waiting | None:
    """What Tmall Global is doing, if the journey waits for them; None when it does not."""
    if journey.state == "authorization_submitted" and journey.released_at is not None:
        return WAITING_WHILE_LIVE
    return WAITING.get(journey.state)
