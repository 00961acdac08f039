"""What stage 4 needs before the chart lets a journey move on."""

from __future__ import annotations

from workflow.deployment.operations import latest_form
from workflow.deployment.specs import SPECS
from workflow.models import EvidenceKind, FormKind
from workflow.requirements import requires


def _missing(journey, *kinds: FormKind) -> list[str]:
    return [
        f"Fill in or upload the {SPECS[k].title}" for k in kinds if latest_form(journey, k) is None
    ]


@requires(("mrd_prd_draft", "submit"))
def mrd_and_prd_given(journey) -> list[str]:
    return _missing(journey, FormKind.mrd, FormKind.prd)


@requires(("confabulation", "approve"))
def meeting_minutes_recorded(journey) -> list[str]:
    if latest_form(journey, FormKind.meeting) is None:
        return ["Record the business meeting's date and minutes before approving"]
    return []


@requires(("cloud_plan_draft", "submit"))
def cloud_plan_given(journey) -> list[str]:
    return _missing(journey, FormKind.cloud_plan)


@requires(("cloud_verification", "submit"), ("cloud_verification_submitted", "approve"))
def deployment_proven(journey) -> list[str]:
    from workflow.apps.evidence import has_passing_evidence

    problems = []
    if latest_form(journey, FormKind.deployment_confirmation) is None:
        problems.append("Confirm that the resources are ordered and the APP is ported")
    if not has_passing_evidence(journey, EvidenceKind.cloud):
        problems.append(
            "Attach a passing connectivity check run on the cloud host against TOP production, "
            "signed with an evidence token"
        )
    return problems


@requires(("exemption_draft", "submit"))
def exemption_given(journey) -> list[str]:
    return _missing(journey, FormKind.exemption)
