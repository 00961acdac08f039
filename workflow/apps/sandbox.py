"""Stage 3: the sandbox is recommended, not forced (§3.2), unless a reviewer requires it.

The applicant may go on to the deployment choice without sandbox verification
(``skip_sandbox``). A reviewer may require the sandbox for one APP, with a reason the applicant
sees; from then on skipping, and leaving a skipped sandbox for the deployment, is refused with
that reason. The requirement is a decision through the audited door, so it is in the chain.
"""

from __future__ import annotations

from workflow.decisions import decide
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import App, DecisionKind, Journey, User
from workflow.notifications import notify_sandbox_requirement
from workflow.policy import Action, authorize
from workflow.requirements import requires
from workflow.stages import STAGES

#: While a reviewer can still require the sandbox: from the APP draft until the applicant
#: chooses how the APP is deployed. Once verified, there is nothing left to require.
REQUIREMENT_STATES = tuple(
    state
    for stage in STAGES
    if stage.number in ("2", "3")
    for state in stage.states
    if state != "sandbox_verified"
)


def set_sandbox_requirement(
    journey: Journey,
    actor: User,
    *,
    required: bool,
    reason: str = "",
    seen_version: int | None = None,
) -> App:
    """Require sandbox verification for the journey's APP, with a reason, or lift it."""
    authorize(actor, Action.require_sandbox, journey)
    app = journey.app
    if app is None:
        raise DomainError(_l("There is no APP on this journey yet."))
    if journey.state not in REQUIREMENT_STATES:
        raise DomainError(
            _l("The sandbox can be required only until the applicant chooses the deployment.")
        )
    reason = reason.strip() if required else ""
    if required and not reason:
        raise DomainError(_l("Give the applicant a reason for requiring sandbox verification."))
    if (app.is_sandbox_required, app.sandbox_required_reason) == (required, reason):
        return app  # already so: a repeated click records nothing
    app.is_sandbox_required, app.sandbox_required_reason = required, reason
    db.session.flush()
    decide(
        journey,
        actor,
        DecisionKind.sandbox_required,
        [app],
        {"app": app.app_key},
        comment=reason,
        seen_version=seen_version,
    )
    notify_sandbox_requirement(app)
    return app


def requirement_message(app: App):
    return _l(
        "Tmall Global requires sandbox verification for this APP (“%(reason)s”). Start sandbox "
        "verification and confirm it with a passing check against the sandbox.",
        reason=app.sandbox_required_reason,
    )


@requires(
    ("api_access_granted", "skip_sandbox"),
    ("sandbox_verification", "skip_sandbox"),
    ("sandbox_skipped", "choose_cloud"),
    ("sandbox_skipped", "choose_exemption"),
)
def sandbox_not_required(journey: Journey) -> list[str]:
    app = journey.app
    if app is not None and app.is_sandbox_required:
        return [requirement_message(app)]
    return []
