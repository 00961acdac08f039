"""Who may fire which event."""

from __future__ import annotations

from workflow.models import Role

APPLICANT_EVENTS = frozenset(
    {
        "submit",
        "withdraw",
        "register_app",
        "start_sandbox",
        "confirm_sandbox",
        "choose_cloud",
        "choose_exemption",
        "start_distribution",
        "change_authorizations",
    }
)
REVIEWER_EVENTS = frozenset(
    {"approve", "request_changes", "reject", "call_meeting", "environment_ready"}
)

ROLE_EVENTS: dict[Role, frozenset[str]] = {
    Role.applicant: APPLICANT_EVENTS,
    Role.reviewer: REVIEWER_EVENTS,
    # Admins can stand in for a reviewer, never for an applicant.
    Role.admin: REVIEWER_EVENTS,
}

#: Events whose applicant-visible reason may not be empty.
NEEDS_REASON = frozenset({"request_changes", "reject"})


def may_fire(role: Role, event: str) -> bool:
    return event in ROLE_EVENTS.get(role, frozenset())
