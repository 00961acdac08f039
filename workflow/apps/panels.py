"""The journey-page panels of stages 2 and 3."""

from __future__ import annotations

from workflow.apps.catalogue import (
    API_INFO,
    API_METHODS,
    CUSTOMER_APIS,
    REFUNDS,
    customer_info_apis,
    customer_info_source,
)
from workflow.apps.checker_download import CHECKER_FILENAME, HOST_REQUIREMENTS
from workflow.apps.evidence import EVIDENCE_STATE, evidence_of
from workflow.apps.forms import AppForm, SandboxRequirementForm, api_lines
from workflow.apps.operations import APP_EDIT_STATES
from workflow.apps.sandbox import REQUIREMENT_STATES
from workflow.guide import url_for_link
from workflow.i18n import _, ngettext
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import Finding, panel
from workflow.models import DecisionKind, EvidenceKind, Journey, ReviewStatus, User
from workflow.policy import Action, may


def decision_form_key(request_id: int) -> str:
    """The key a refused API decision keeps its form under: the reason stays typed."""
    return f"api-decision-{request_id}"


def app_summary(p: dict) -> list[Finding]:
    """The API requests at a glance: how many, which need the customer's authorization."""
    requests = list(p["requested"].values())
    if not requests:
        return [("warn", _("No TOP API requested"))] if p["app"] is not None else []
    by = {status: [r.method for r in requests if r.decision.value == status] for status in
          ("pending", "accepted", "rejected")}  # fmt: skip
    requested = ngettext("%(num)d API requested", "%(num)d APIs requested", len(requests))
    counts = _(
        "%(pending)d to decide, %(granted)d granted, %(refused)d refused",
        pending=len(by["pending"]),
        granted=len(by["accepted"]),
        refused=len(by["rejected"]),
    )
    lines: list[Finding] = [("ok", _("%(requested)s; %(counts)s", requested=requested,
                                      counts=counts))]  # fmt: skip
    if p["reason_changes"]:
        lines.append(
            (
                "warn",
                _(
                    "Reason changed since the decision: %(methods)s",
                    methods=", ".join(p["reason_changes"]),
                ),
            )  # fmt: skip
        )
    customer = [m for m, source in p["customer_info"].items() if source]
    if customer:
        lines.append(
            (
                "warn",
                _("Customer information (guide §3.5): %(methods)s", methods=", ".join(customer)),
            )
        )
    return lines


@panel("apps/panel.html", order=20, stage="2", summary=app_summary)
def app_panel(journey: Journey, user: User) -> dict | None:
    if journey.app is None and journey.state not in APP_EDIT_STATES:
        return None
    if journey.state == "enabled" and user.is_staff:
        return None
    editable = journey.state in APP_EDIT_STATES and may(user, Action.register_app, journey)
    app = journey.app
    typed = submitted_form("app")
    form = typed or (AppForm(formdata=None, obj=app) if editable else None)
    if typed is None and form is not None and app is not None:
        form.origin.data = "new" if app.is_new else "existing"
        form.audience.data = app.audience.value
    requested = {r.method: r for r in app.api_requests} if app else {}
    deciding = journey.state == "api_access_submitted"
    return {
        "app": app,
        "form": form,
        "editable": editable,
        "apis": CUSTOMER_APIS,
        "api_info": API_INFO,
        "refunds": REFUNDS,
        "delivery_system_url": url_for_link("L8"),
        "requested": requested,
        "api_form": _api_form(requested) if editable and app is not None else None,
        "customer_info": {m: customer_info_source(r) for m, r in requested.items()},
        "catalogue_customer_info": set(customer_info_apis()),
        "authorization_urls": (url_for_link("L2"), url_for_link("L9")),
        "deciding": deciding and may(user, Action.decide_api, journey),
        "decision_forms": {
            r.id: submitted_form(decision_form_key(r.id))
            for r in requested.values()
            if submitted_form(decision_form_key(r.id)) is not None
        },
        "marking": deciding and may(user, Action.mark_customer_info_api, journey),
        "reason_changes": reason_changes(journey, requested) if user.is_staff else {},
    }


def reason_changes(journey: Journey, requested: dict) -> dict[str, str]:
    """``{method: the reason the reviewer decided on}`` for each API waiting for a new decision
    because the applicant changed its reason (``api.reopened`` records the old one)."""
    changed: dict[str, str] = {}
    for event in reversed(journey.events):
        if event.event != DecisionKind.api_reopened.value:
            continue
        for method, before in event.data.get("about", {}).get("reasons_before", {}).items():
            request = requested.get(method)
            if method in changed or request is None:
                continue
            if request.decision is ReviewStatus.pending and request.reason != before:
                changed[method] = before
    return changed


def _api_form(requested: dict) -> dict:
    """What the API request form shows: what this request typed, or else what is saved."""
    form = submitted_form("apis")
    if form is not None:
        ticked = form.ticked()
        reasons = {m: form[f"reason-{m}"].data or "" for m in API_METHODS}
        return {
            "ticked": ticked,
            "reasons": reasons,
            "others": form.other_apis.data or "",
            "errors": form.errors,
            "problems": form.form_errors,
        }
    return {
        "errors": {},
        "problems": [],
        "ticked": set(requested) & set(API_METHODS),
        "reasons": {m: r.reason for m, r in requested.items()},
        "others": api_lines(requested.values()),
    }


def evidence_summary(p: dict) -> list[Finding]:
    """Each check's newest report: whether it counts, and its signature's verdict."""
    lines: list[Finding] = []
    for section in p["sections"]:
        sandbox = section["kind"] is EvidenceKind.sandbox
        newest = next((e for e in section["evidence"] if not e.withdrawn_at), None)
        if newest is None:
            text = _("Sandbox check: no report yet") if sandbox else _("Cloud check: no report yet")
            lines.append(("warn", text))
        else:
            tone = "ok" if newest.counts else "fail"
            found = {"result": newest.result_label, "verdict": newest.verdict.message}
            text = (
                _("Sandbox check: %(result)s. %(verdict)s", **found)
                if sandbox
                else _("Cloud check: %(result)s. %(verdict)s", **found)
            )
            lines.append((tone, text))
    return lines


@panel("apps/evidence_panel.html", order=30, summary=evidence_summary)
def evidence_panel(journey: Journey, user: User) -> dict | None:
    found = {k: evidence_of(journey, k) for k in EvidenceKind}
    kinds = [k for k in EvidenceKind if journey.state == EVIDENCE_STATE[k] or found[k]]
    if not kinds:
        return None
    return {
        # Cloud evidence is stage 4's; a sandbox report alone belongs to stage 3.
        "stage": "4" if EvidenceKind.cloud in kinds else "3",
        "sections": [
            {"kind": k, "collecting": journey.state == EVIDENCE_STATE[k], "evidence": found[k]}
            for k in kinds
        ],
        "may_run": may(user, Action.run_checker, journey),
        "checker_filename": CHECKER_FILENAME,
        "host_requirements": HOST_REQUIREMENTS,
    }


#: Where the applicant meets the sandbox choice (§3.2).
SANDBOX_CHOICE_STATES = ("api_access_granted", "sandbox_verification", "sandbox_skipped")


@panel("apps/sandbox_panel.html", order=25, stage="3")
def sandbox_panel(journey: Journey, user: User) -> dict | None:
    app = journey.app
    if app is None or journey.state not in REQUIREMENT_STATES:
        return None
    deciding = may(user, Action.require_sandbox, journey)
    if journey.state not in SANDBOX_CHOICE_STATES and not deciding:
        return None
    form = None
    if deciding:
        form = submitted_form("sandbox") or SandboxRequirementForm(
            formdata=None,
            required="yes" if app.is_sandbox_required else "no",
            reason=app.sandbox_required_reason,
        )
    skipped = next((e for e in reversed(journey.events) if e.event == "skip_sandbox"), None)
    return {
        "app": app,
        "form": form,
        "skipped": skipped if journey.state == "sandbox_skipped" else None,
        "choosing": journey.state in SANDBOX_CHOICE_STATES,
    }
