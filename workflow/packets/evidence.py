"""The connectivity evidence a packet shows: every run, with the verdict the desk computes."""

from __future__ import annotations

from workflow.models import EvidenceKind, Journey
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
        ("Result", view.result_label + (f". {view.problem}" if view.problem else "")),
        ("Signature", view.verdict.message),
        ("Run", "from the desk" if view.source == "checker" else "on the applicant's host"),
    ]
    payload = view.payload
    if payload is not None:
        checks = ", ".join(f"{c.name} {'ok' if c.ok else 'failed'}" for c in payload.checks)
        rows += [
            ("APP key", payload.app_key),
            ("Gateway", f"{payload.gateway} ({view.gateway_label})"),
            ("Gateway address", payload.gateway_address or "not resolved"),
            ("Host", payload.host.name),
            ("Host addresses", ", ".join(payload.host.addresses) or "none recorded"),
            ("Checked at", f"{payload.checked_at:%Y-%m-%d %H:%M:%S} UTC"),
            ("Checks", checks),
        ]
    return rows
