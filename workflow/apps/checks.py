"""What stages 2 and 3 need before the chart lets a journey move on."""

from __future__ import annotations

from workflow.i18n import _l
from workflow.models import EvidenceKind, ReviewStatus
from workflow.requirements import requires


@requires(("enabled", "register_app"))
def app_registered_first(journey) -> list[str]:
    if journey.app is None:
        return [_l("Fill in the APP form (APP key and name from the TOP console) to register it")]
    return []


@requires(("app_draft", "submit"), ("api_access_changes_requested", "submit"))
def app_and_apis_given(journey) -> list[str]:
    app = journey.app
    if app is None:
        return [_l("Register the APP (APP key and name from the TOP console) before submitting")]
    # Any TOP API may be asked for, or none (guide §4): an APP that calls no API still submits.
    if any(not r.reason.strip() for r in app.api_requests):
        return [_l("Give a reason for each requested API before submitting")]
    return []


@requires(("api_access_submitted", "approve"))
def every_api_decided(journey) -> list[str]:
    requests = journey.app.api_requests if journey.app else []
    if any(r.decision is ReviewStatus.pending for r in requests):
        return [_l("Grant or refuse every requested API before approving")]
    if requests and not any(r.decision is ReviewStatus.accepted for r in requests):
        # Every API refused: the applicant should hear why and drop them, not pass silently.
        return [
            _l("Grant at least one requested API to approve; otherwise request changes or reject")
        ]
    return []


@requires(("sandbox_verification", "confirm_sandbox"))
def sandbox_passed(journey) -> list[str]:
    from workflow.apps.evidence import has_passing_evidence

    if not has_passing_evidence(journey, EvidenceKind.sandbox):
        return [_l("Attach a passing connectivity check against the sandbox first")]
    return []
