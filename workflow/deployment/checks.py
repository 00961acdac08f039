"""What stage 4 needs before the chart lets a journey move on."""

from __future__ import annotations

from workflow.deployment.operations import latest_form
from workflow.deployment.specs import SPECS, missing_fields
from workflow.i18n import _l, lazy_join
from workflow.models import EvidenceKind, FormKind
from workflow.requirements import requires


def _missing(journey, *kinds: FormKind, record: bool = False) -> list:
    """A problem for each form not given, or given by an earlier version of the form and
    lacking what the form asks today (an uploaded document stands for the whole form)."""
    problems = []
    for kind in kinds:
        title = SPECS[kind].title
        form = latest_form(journey, kind)
        if form is None:
            problems.append(
                _l("Record the %(form)s", form=title)
                if record
                else _l("Fill in or upload the %(form)s", form=title)
            )
        elif not form.file_id and (gaps := missing_fields(kind, form.data or {})):
            problems.append(_l("Complete the %(form)s: %(gaps)s", form=title, gaps=lazy_join(gaps)))
    return problems


@requires(("mrd_prd_draft", "submit"))
def mrd_and_prd_given(journey) -> list[str]:
    return _missing(journey, FormKind.mrd, FormKind.prd)


@requires(("confabulation", "approve"))
def meeting_minutes_recorded(journey) -> list[str]:
    if latest_form(journey, FormKind.meeting) is None:
        return [_l("Record the business meeting's date and minutes before approving")]
    return []


@requires(("cloud_plan_draft", "submit"))
def cloud_plan_given(journey) -> list[str]:
    return _missing(journey, FormKind.cloud_plan)


@requires(("cloud_provisioning", "environment_ready"))
def environment_recorded(journey) -> list[str]:
    """The applicant is shown what Tmall Global configured (§3.3 a), so it is written first."""
    if latest_form(journey, FormKind.cloud_environment) is None:
        return [_l("Record the cloud environment configured before marking it ready")]
    return []


@requires(("cloud_verification", "submit"))
def cloud_order_recorded(journey) -> list[str]:
    """Asked at submission only: a submission made before the order was recorded still
    reaches its reviewer's decision."""
    return _missing(journey, FormKind.cloud_order, record=True)


@requires(("cloud_verification", "submit"), ("cloud_verification_submitted", "approve"))
def deployment_proven(journey) -> list[str]:
    from workflow.apps.evidence import has_passing_evidence

    problems = []
    if latest_form(journey, FormKind.deployment_confirmation) is None:
        problems.append(_l("Confirm that the APP is ported and running on the cloud"))
    if not has_passing_evidence(journey, EvidenceKind.cloud):
        problems.append(
            _l(
                "Attach a passing connectivity check run on the cloud host against TOP production, "
                "signed with an evidence token"
            )
        )
    return problems


@requires(("exemption_draft", "submit"))
def exemption_given(journey) -> list[str]:
    return _missing(journey, FormKind.exemption)
