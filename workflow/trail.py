"""How an event reads in the trail (the journey page and the packets).

A transition reads as its button label; a decision as one sentence made from its payload, so
the trail never needs the rows it names (they may have changed since).
"""

from __future__ import annotations

from typing import Any

from workflow.i18n import _, _l, ngettext
from workflow.models import DecisionKind, Event
from workflow.stages import STAGES, event_label

_LISTS = {"authorization": _l("Authorization list"), "distribution": _l("Distribution list")}
_CONFIGS = {"security": _l("security-center configuration"), "cloud": _l("cloud configuration")}
_EVIDENCE = {"sandbox": _l("Sandbox"), "cloud": _l("Cloud")}


def event_kind(event: Event) -> str:
    """``message`` for a conversation message, ``decision`` for another decision that does
    not move the chart, ``transition`` for a step of the chart."""
    if event.event == DecisionKind.message.value:
        return "message"
    return "decision" if event.is_decision else "transition"


def event_title(event: Event) -> str:
    """What happened, in a few words, in the current language: "Approve", "Document b
    (version 2) accepted"."""
    if event.event == "open":
        return _("Journey opened")
    if not event.is_decision:
        return event_label(event.event)
    try:
        text = _SUMMARIES[DecisionKind(event.event)](event.data)
    except (KeyError, IndexError, TypeError, ValueError):
        # A payload this code cannot read still shows up, rather than breaking the page.
        text = DecisionKind(event.event).name.replace("_", " ").capitalize()
    if event.data.get("backfilled"):
        text = _("%(text)s (recorded by the upgrade that put decisions in the log)", text=text)
    return text


def _values(payload: dict[str, Any], index: int = -1) -> dict[str, Any]:
    return payload["rows"][index]["values"]


#: A document's review status, as the trail says it.
_REVIEW_STATUS = {
    "pending": _l("pending"),
    "accepted": _l("accepted"),
    "rejected": _l("rejected"),
}


def _document(payload) -> str:
    about, values = payload["about"], _values(payload)
    status = values["review_status"]
    text = _(
        "Document %(document)s (version %(version)s) %(status)s",
        document=about["document"],
        version=about["version"],
        status=str(_REVIEW_STATUS.get(status, status)),
    )
    if values.get("review_reason"):
        return _("%(text)s: %(reason)s", text=text, reason=values["review_reason"])
    return text


def _api(payload) -> str:
    values = _values(payload)
    verdicts = {"accepted": _l("granted"), "rejected": _l("refused")}
    verdict = str(verdicts.get(values["decision"], _l("pending")))
    text = _("%(method)s %(verdict)s", method=values["method"], verdict=verdict)
    if values.get("decision_reason"):
        return _("%(text)s: %(reason)s", text=text, reason=values["decision_reason"])
    return text


def _api_reopened(payload) -> str:
    return _(
        "Changed after its decision, to be decided again: %(apis)s",
        apis=", ".join(payload["about"]["apis"]),
    )


def _list_in_force(payload) -> str:
    about = payload["about"]
    text = _(
        "%(list)s in force (%(num)d seller IDs)",
        list=str(_LISTS[about["list"]]),
        num=about["count"],
    )
    if about.get("rule"):
        text = _("%(text)s, without review under guide §%(rule)s", text=text, rule=about["rule"])
    return text


def _assigned(payload) -> str:
    if _values(payload)["assignee_id"] is None:
        return _("Unassigned in the review queue")
    if payload["about"]["claimed"]:
        return _("Claimed in the review queue")
    return _("Assigned a reviewer")


def _config_required(payload) -> str:
    values = _values(payload)
    required = [
        str(_CONFIGS[which])
        for which in ("security", "cloud")
        if values[f"is_{which}_config_required"]
    ]
    if not required:
        return _("Required before distribution: no configuration")
    return _("Required before distribution: %(configs)s", configs=_(" and ").join(required))


def _config_confirmed(payload) -> str:
    return _("Confirmed the %(config)s", config=str(_CONFIGS[payload["about"]["config"]]))


def _evidence_attached(payload) -> str:
    evidence = str(_EVIDENCE[payload["about"]["evidence"]])
    if _values(payload)["is_passing"]:
        return _("%(evidence)s evidence attached: the check passed", evidence=evidence)
    return _("%(evidence)s evidence attached: the check did not pass", evidence=evidence)


def _evidence_withdrawn(payload) -> str:
    evidence = str(_EVIDENCE[payload["about"]["evidence"]])
    return _("%(evidence)s evidence withdrawn by the applicant", evidence=evidence)


_CARRIED = {"enablement": _l("the enablement request"), "documents": _l("the documents"),
            "app": _l("the APP and its API requests")}  # fmt: skip


def _continues(payload) -> str:
    about = payload["about"]
    carried = [str(_CARRIED.get(what, what)) for what in about["carried"]]
    if carried:
        text = _(
            "Continues rejected journey #%(journey)s, carrying over %(carried)s",
            journey=about["journey"],
            carried=", ".join(carried),
        )
    else:
        text = _(
            "Continues rejected journey #%(journey)s, carrying nothing over",
            journey=about["journey"],
        )
    if about.get("on_behalf"):
        text = _("%(text)s (started by an admin for the applicant)", text=text)
    return text


def _continued(payload) -> str:
    about = payload["about"]
    text = _("Continued in new journey #%(journey)s", journey=about["journey"])
    if about.get("on_behalf"):
        text = _("%(text)s (started by an admin for the applicant)", text=text)
    return text


def _message(payload) -> str:
    about = payload["about"]
    stage = next((s for s in STAGES if s.number == about["stage"]), None)
    title = stage.title if stage is not None else about["stage_title"]
    if about["from_staff"]:
        return _(
            "Message from Tmall Global on stage %(stage)s, %(title)s",
            stage=about["stage"],
            title=title,
        )
    return _(
        "Message to Tmall Global on stage %(stage)s, %(title)s", stage=about["stage"], title=title
    )


def _sandbox_required(payload) -> str:
    values = _values(payload)
    if not values["is_sandbox_required"]:
        return _("Sandbox verification no longer required: the applicant may continue without it")
    return _(
        "Sandbox verification required for this APP: %(reason)s",
        reason=values["sandbox_required_reason"],
    )


_RETAINED = {"documents": _l("documents"), "evidence": _l("evidence"), "packets": _l("packets"),
             "mail": _l("mail")}  # fmt: skip


def _files_deleted(payload) -> str:
    about = payload["about"]
    named = [str(_RETAINED.get(kind, kind)) for kind in about["kinds"]]
    kinds = _(" and ").join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
    days = sorted({row["values"]["days"] for row in payload["rows"]})
    period = " / ".join(_("%(num)d-day", num=n) for n in days)
    return ngettext(
        "Deleted under the %(period)s retention for %(kinds)s: %(num)d record (their SHA-256 "
        "stay on record)",
        "Deleted under the %(period)s retention for %(kinds)s: %(num)d records (their SHA-256 "
        "stay on record)",
        about["count"],
        period=period,
        kinds=kinds,
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
