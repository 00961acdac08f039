"""How an event reads in the trail (the journey page and the packets).

A transition reads as its button label; a decision as one sentence made from its payload, so
the trail never needs the rows it names (they may have changed since).
"""

from __future__ import annotations

from typing import Any

from workflow.models import DecisionKind, Event
from workflow.stages import event_label

_LISTS = {"authorization": "Authorization list", "distribution": "Distribution list"}
_CONFIGS = {"security": "security-center configuration", "cloud": "cloud configuration"}
_EVIDENCE = {"sandbox": "Sandbox", "cloud": "Cloud"}


def event_kind(event: Event) -> str:
    """``message`` for a conversation message, ``decision`` for another decision that does
    not move the chart, ``transition`` for a step of the chart."""
    if event.event == DecisionKind.message.value:
        return "message"
    return "decision" if event.is_decision else "transition"


def event_title(event: Event) -> str:
    """What happened, in a few words: "Approve", "Document b (version 2) accepted"."""
    if event.event == "open":
        return "Journey opened"
    if not event.is_decision:
        return event_label(event.event)
    try:
        text = _SUMMARIES[DecisionKind(event.event)](event.data)
    except (KeyError, IndexError, TypeError, ValueError):
        # A payload this code cannot read still shows up, rather than breaking the page.
        text = DecisionKind(event.event).name.replace("_", " ").capitalize()
    if event.data.get("backfilled"):
        text += " (recorded by the upgrade that put decisions in the log)"
    return text


def _values(payload: dict[str, Any], index: int = -1) -> dict[str, Any]:
    return payload["rows"][index]["values"]


def _document(payload) -> str:
    about, values = payload["about"], _values(payload)
    text = f"Document {about['document']} (version {about['version']}) {values['review_status']}"
    return f"{text}: {values['review_reason']}" if values.get("review_reason") else text


def _api(payload) -> str:
    values = _values(payload)
    verdict = {"accepted": "granted", "rejected": "refused"}.get(values["decision"], "pending")
    text = f"{values['method']} {verdict}"
    return f"{text}: {values['decision_reason']}" if values.get("decision_reason") else text


def _api_reopened(payload) -> str:
    return "Changed after its decision, to be decided again: " + ", ".join(payload["about"]["apis"])


def _list_in_force(payload) -> str:
    about = payload["about"]
    text = f"{_LISTS[about['list']]} in force ({about['count']} seller IDs)"
    if about.get("rule"):
        text += f", without review under guide §{about['rule']}"
    return text


def _assigned(payload) -> str:
    if _values(payload)["assignee_id"] is None:
        return "Unassigned in the review queue"
    return "Claimed in the review queue" if payload["about"]["claimed"] else "Assigned a reviewer"


def _config_required(payload) -> str:
    values = _values(payload)
    required = [
        _CONFIGS[which] for which in ("security", "cloud") if values[f"is_{which}_config_required"]
    ]
    return "Required before distribution: " + (" and ".join(required) or "no configuration")


def _config_confirmed(payload) -> str:
    return f"Confirmed the {_CONFIGS[payload['about']['config']]}"


def _evidence_attached(payload) -> str:
    verdict = "passed" if _values(payload)["is_passing"] else "did not pass"
    return f"{_EVIDENCE[payload['about']['evidence']]} evidence attached: the check {verdict}"


def _evidence_withdrawn(payload) -> str:
    return f"{_EVIDENCE[payload['about']['evidence']]} evidence withdrawn by the applicant"


_CARRIED = {"enablement": "the enablement request", "documents": "the documents",
            "app": "the APP and its API requests"}  # fmt: skip


def _continues(payload) -> str:
    about = payload["about"]
    carried = [_CARRIED.get(what, what) for what in about["carried"]]
    text = f"Continues rejected journey #{about['journey']}"
    text += ", carrying over " + ", ".join(carried) if carried else ", carrying nothing over"
    return text + (" (started by an admin for the applicant)" if about.get("on_behalf") else "")


def _continued(payload) -> str:
    about = payload["about"]
    on_behalf = " (started by an admin for the applicant)" if about.get("on_behalf") else ""
    return f"Continued in new journey #{about['journey']}{on_behalf}"


def _message(payload) -> str:
    about = payload["about"]
    side = "from Tmall Global" if about["from_staff"] else "to Tmall Global"
    return f"Message {side} on stage {about['stage']}, {about['stage_title']}"


def _sandbox_required(payload) -> str:
    values = _values(payload)
    if not values["is_sandbox_required"]:
        return "Sandbox verification no longer required: the applicant may continue without it"
    return f"Sandbox verification required for this APP: {values['sandbox_required_reason']}"


_RETAINED = {"documents": "documents", "evidence": "evidence", "packets": "packets",
             "mail": "mail"}  # fmt: skip


def _files_deleted(payload) -> str:
    about = payload["about"]
    named = [_RETAINED.get(kind, kind) for kind in about["kinds"]]
    kinds = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    days = sorted({row["values"]["days"] for row in payload["rows"]})
    period = " / ".join(f"{n}-day" for n in days)
    return (
        f"Deleted under the {period} retention for {kinds}: {about['count']} "
        f"{'record' if about['count'] == 1 else 'records'} (their SHA-256 stay on record)"
    )


def _packet_rendered(payload) -> str:
    return f"Packet {payload['about']['packet']} rendered from the inputs frozen at submission"


_SUMMARIES = {
    DecisionKind.document: _document,
    DecisionKind.api: _api,
    DecisionKind.api_reopened: _api_reopened,
    DecisionKind.list_in_force: _list_in_force,
    DecisionKind.assigned: _assigned,
    DecisionKind.config_required: _config_required,
    DecisionKind.config_confirmed: _config_confirmed,
    DecisionKind.evidence_attached: _evidence_attached,
    DecisionKind.evidence_withdrawn: _evidence_withdrawn,
    DecisionKind.continues: _continues,
    DecisionKind.continued: _continued,
    DecisionKind.message: _message,
    DecisionKind.sandbox_required: _sandbox_required,
    DecisionKind.files_deleted: _files_deleted,
    DecisionKind.packet_rendered: _packet_rendered,
}
