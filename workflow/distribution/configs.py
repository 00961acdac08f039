"""Configuration before distribution (§3.4): the TOP console, the security center and the cloud.

Before the distribution request the applicant confirms the APP is configured in the TOP console
(L11). Tmall Global may specify a security-center (§3.4 2) and a cloud (§3.4 3) configuration:
a reviewer says what exactly is required, and the applicant confirms each with what they
configured. Each of these is a decision in the chain (``workflow.decisions.decide``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from workflow.decisions import decide
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import LazyText, _l
from workflow.models import App, DecisionKind, Event, Journey, User
from workflow.models.base import utcnow
from workflow.policy import Action, authorize

#: Where the applicant confirms configurations: from distribution setup until release, and
#: after it when Tmall Global asks for more.
CONFIRM_STATES = ("distribution_setup", "authorization_submitted", "distribution_draft", "released")
#: A requirement's details and a confirmation's are at most this long.
MAX_DETAILS = 2000
_ENDED = ("rejected", "withdrawn")


@dataclass(frozen=True)
class Config:
    """One configuration Tmall Global may require (§3.4 2–3), and the App columns it uses."""

    key: str
    #: Its name as a heading or a label: "Security-center configuration".
    label: LazyText
    section: str
    #: The packet's labels for what Tmall Global requires and what the applicant confirmed.
    required_label: LazyText
    confirmed_label: LazyText

    def required(self, app: App) -> bool:
        return getattr(app, f"is_{self.key}_config_required")

    def details(self, app: App) -> str:
        return getattr(app, f"{self.key}_config_details")

    def confirmed_at(self, app: App):
        return getattr(app, f"{self.key}_config_confirmed_at")

    def confirmation(self, app: App) -> str:
        return getattr(app, f"{self.key}_config_confirmation")


SECURITY = Config(
    "security",
    _l("Security-center configuration"),
    "3.4 2",
    _l("Security-center configuration: required"),
    _l("Security-center configuration: confirmed"),
)
CLOUD = Config(
    "cloud",
    _l("Cloud configuration"),
    "3.4 3",
    _l("Cloud configuration: required"),
    _l("Cloud configuration: confirmed"),
)
#: What each configuration's messages say, by its key: a sentence names the configuration in
#: its own words in each language, so none is built by lower-casing a label.
_SAY_WHAT_IS_REQUIRED = {
    "security": _l(
        "Say what exactly the security-center configuration must be; the applicant confirms it "
        "against these details."
    ),
    "cloud": _l(
        "Say what exactly the cloud configuration must be; the applicant confirms it against "
        "these details."
    ),
}
_NOT_REQUIRED = {
    "security": _l("Tmall Global does not require the security-center configuration."),
    "cloud": _l("Tmall Global does not require the cloud configuration."),
}
_SAY_WHAT_YOU_CONFIGURED = {
    "security": _l("Say what you configured for the security-center configuration."),
    "cloud": _l("Say what you configured for the cloud configuration."),
}
_CONFIRM_IT = {
    "security": _l(
        "Confirm the security-center configuration Tmall Global requires, saying what you "
        "configured"
    ),
    "cloud": _l(
        "Confirm the cloud configuration Tmall Global requires, saying what you configured"
    ),
}
CONFIGS = {config.key: config for config in (SECURITY, CLOUD)}


def is_on_exemption(journey: Journey) -> bool:
    """The APP runs on its own servers: Tmall Global approved the exemption (§1.4, §3.3 b)."""
    events = journey.preloaded("events")
    if events is not None:
        approved = any(
            e.from_state == "exemption_submitted" and e.event == "approve" for e in events
        )
    else:
        stmt = select(Event.id).where(
            Event.journey_id == journey.id,
            Event.from_state == "exemption_submitted",
            Event.event == "approve",
        )
        approved = db.session.scalar(stmt.limit(1)) is not None
    return approved or journey.state in (
        "exemption_draft",
        "exemption_submitted",
    )


def set_config_requirements(
    journey: Journey,
    actor: User,
    *,
    security: bool,
    cloud: bool,
    security_details: str = "",
    cloud_details: str = "",
) -> None:
    """A reviewer specifies which configurations the APP must make, and what exactly.

    A requirement whose details change asks for a new confirmation; one no longer required
    forgets its confirmation.
    """
    authorize(actor, Action.set_required_configs, journey)
    app = _app_of(journey)
    if journey.state in _ENDED:
        raise DomainError(_l("This journey has ended; its configurations can no longer change."))
    if cloud and is_on_exemption(journey):
        raise DomainError(
            _l(
                "This APP runs on its own servers under the own-server exemption (guide §1.4, "
                "§3.3 b), so no Taobao cloud configuration can be required of it."
            )
        )
    wanted = {SECURITY: (security, security_details), CLOUD: (cloud, cloud_details)}
    for config, (required, details) in wanted.items():
        _set_requirement(app, config, required, _details(details, config, required))
    db.session.flush()
    decide(journey, actor, DecisionKind.config_required, [app])


def _details(text: str, config: Config, required: bool) -> str:
    text = (text or "").strip()
    if not required:
        return ""
    if not text:
        raise DomainError(_SAY_WHAT_IS_REQUIRED[config.key])
    if len(text) > MAX_DETAILS:
        raise DomainError(_l("The details take at most %(max)d characters.", max=MAX_DETAILS))
    return text


def _set_requirement(app: App, config: Config, required: bool, details: str) -> None:
    if config.required(app) != required or config.details(app) != details:
        setattr(app, f"{config.key}_config_confirmed_at", None)
        setattr(app, f"{config.key}_config_confirmation", "")
    setattr(app, f"is_{config.key}_config_required", required)
    setattr(app, f"{config.key}_config_details", details)


def confirm_config(journey: Journey, actor: User, which: str, details: str) -> None:
    """The applicant confirms a required configuration is in place, saying what they did."""
    authorize(actor, Action.confirm_config, journey)
    app = _app_of(journey)
    config = CONFIGS.get(which)
    if config is None:
        raise DomainError(_l("Unknown configuration."))
    _check_confirm_state(journey)
    if not config.required(app):
        raise DomainError(_NOT_REQUIRED[config.key])
    details = (details or "").strip()
    if not details:
        raise DomainError(_SAY_WHAT_YOU_CONFIGURED[config.key])
    if len(details) > MAX_DETAILS:
        raise DomainError(_l("Say it in at most %(max)d characters.", max=MAX_DETAILS))
    setattr(app, f"{config.key}_config_confirmed_at", utcnow())
    setattr(app, f"{config.key}_config_confirmation", details)
    db.session.flush()
    decide(journey, actor, DecisionKind.config_confirmed, [app], {"config": which})


def confirm_console(journey: Journey, actor: User) -> None:
    """The applicant confirms the APP is configured in the TOP console (§3.4, L11)."""
    authorize(actor, Action.confirm_config, journey)
    app = _app_of(journey)
    _check_confirm_state(journey)
    if app.console_configured_at is None:
        app.console_configured_at = utcnow()
        db.session.flush()
        decide(journey, actor, DecisionKind.config_confirmed, [app], {"config": "console"})


def _check_confirm_state(journey: Journey) -> None:
    if journey.state not in CONFIRM_STATES:
        raise DomainError(_l("Configurations are confirmed at distribution, after deployment."))


def unconfirmed_configs(journey: Journey) -> list[str]:
    """What the applicant still has to confirm of the configurations Tmall Global requires."""
    app = journey.app
    if app is None:
        return []
    # A cloud configuration required before the exemption was approved no longer applies.
    exempt = app.is_cloud_config_required and is_on_exemption(journey)
    return [
        _CONFIRM_IT[config.key]
        for config in CONFIGS.values()
        if config.required(app)
        and config.confirmed_at(app) is None
        and not (config is CLOUD and exempt)
    ]


def console_unconfirmed(journey: Journey) -> list[str]:
    app = journey.app
    if app is None or app.console_configured_at is not None:
        return []
    return [_l("Confirm the APP is configured in the TOP console (guide §3.4) before the request")]


def _app_of(journey: Journey) -> App:
    if journey.app is None:
        raise DomainError(_l("This journey has no APP."))
    return journey.app
