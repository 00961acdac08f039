"""The connectivity evidence a packet shows: every run, with the verdict the desk computes."""

from __future__ import annotations

from workflow.i18n import _l, english
from workflow.models import Event, EvidenceKind, Journey
from workflow.packets import values
from workflow.packets.data import Section

TITLES = {EvidenceKind.sandbox: "Sandbox evidence", EvidenceKind.cloud: "Cloud evidence"}


def evidence_sections(journey: Journey) -> list[Section]:
    """One section per evidence run, oldest first; verdicts are recomputed now."""
    from workflow.apps.evidence import evidence_of

    sections = []
    for kind in EvidenceKind:
        for view in reversed(evidence_of(journey, kind)):
            title = f"{TITLES[kind]}: run recorded {view.created_at:%Y-%m-%d %H:%M:%S} UTC"
            sections.append(Section(title, rows=_rows(view)))
    return sections


def _rows(view) -> list[tuple[str, str]]:
    rows = [
        (
            english(_l("Result")),
            english(view.result_label) + (f". {english(view.problem)}" if view.problem else ""),
        ),
        (english(_l("Signature")), english(view.verdict.message)),
        (english(_l("Run")), values.FROM_DESK if view.source == "checker" else values.ON_HOST),
    ]
    payload = view.payload
    if payload is not None:
        checks = ", ".join(f"{c.name} {'ok' if c.ok else 'failed'}" for c in payload.checks)
        rows += [
            (english(_l("APP key")), payload.app_key),
            (english(_l("Gateway")), f"{payload.gateway} ({english(view.gateway_label)})"),
            (english(_l("Gateway address")), payload.gateway_address or values.NOT_RESOLVED),
            (english(_l("Host")), payload.host.name),
            (
                english(_l("Host addresses")),
                ", ".join(payload.host.addresses) or values.NONE_RECORDED,
            ),
            (english(_l("Checked at")), f"{payload.checked_at:%Y-%m-%d %H:%M:%S} UTC"),
            (english(_l("Checks")), checks),
        ]
    return rows


def sandbox_sections(journey: Journey, trail: list[Event]) -> list[Section]:
    """What a reader needs where the sandbox was not simply used (§3.2): a reviewer's
    requirement, and each time the trail shows the applicant continued without it."""
    rows = []
    app = journey.app
    if app is not None and app.is_sandbox_required:
        rows.append((english(_l("Required by Tmall Global")), app.sandbox_required_reason))
    for event in trail:
        if event.event == "skip_sandbox":
            rows.append(
                (
                    english(_l("Not used")),
                    values.SANDBOX_SKIPPED_AT % {"at": f"{event.created_at:%Y-%m-%d %H:%M:%S}"},
                )
            )
    return [Section(english(_l("Sandbox verification")), rows=rows)] if rows else []
