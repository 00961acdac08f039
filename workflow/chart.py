"""The journey state chart: every stage, event and guard of the onboarding path.

The chart is flat; the current state lives in ``Journey.state``. Guards (``cond``) pick a
branch; validators refuse an event with a message the user can act on. Content checks are
looked up in ``workflow.requirements`` so that each area owns its own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from statemachine import State, StateChart

from workflow import requirements


def was_released(journey: Any) -> bool:
    return journey.released_at is not None


def is_new_app(journey: Any) -> bool:
    app = getattr(journey, "app", None)
    return app is None or app.is_new


def exemption_refused(journey: Any) -> bool:
    has_event = getattr(journey, "has_event", None)
    return has_event is not None and has_event("refuse_exemption")


def needs_no_review(journey: Any) -> bool:
    """The authorization list adds no other seller: the desk puts it in force (§3.4.1 a)."""
    return requirements.holds(journey, "authorization_needs_no_review")


#: The chart's guards by the name its transitions give them (``cond=`` and ``unless=``).
GUARDS: dict[str, Callable[[Any], bool]] = {
    guard.__name__: guard
    for guard in (was_released, is_new_app, exemption_refused, needs_no_review)
}


class JourneyChart(StateChart):
    allow_event_without_transition = False
    catch_errors_as_events = False

    # 1. Account enablement
    enablement_draft = State("Enablement draft", initial=True)
    enablement_submitted = State("Enablement submitted")
    enablement_changes_requested = State("Enablement changes requested")
    enabled = State("Account enabled")
    # 2. APP and API access
    app_draft = State("APP draft")
    api_access_submitted = State("API access submitted")
    api_access_changes_requested = State("API access changes requested")
    api_access_granted = State("API access granted")
    # 3. Sandbox verification
    sandbox_verification = State("Sandbox verification")
    sandbox_verified = State("Sandbox verified")
    #: The applicant chose to go on without the sandbox, which §3.2 recommends but does not ask.
    sandbox_skipped = State("Continued without sandbox")
    # 4a. Cloud deployment
    mrd_prd_draft = State("MRD/PRD draft")
    mrd_prd_submitted = State("MRD/PRD submitted")
    confabulation = State("Business confabulation")
    cloud_plan_draft = State("Cloud plan draft")
    cloud_plan_submitted = State("Cloud plan submitted")
    cloud_provisioning = State("Cloud provisioning")
    cloud_verification = State("Cloud verification")
    cloud_verification_submitted = State("Cloud verification submitted")
    deployed = State("Deployed")
    # 4b. Own-server exemption
    exemption_draft = State("Exemption draft")
    exemption_submitted = State("Exemption submitted")
    # 5. Distribution
    distribution_setup = State("Distribution setup")
    authorization_submitted = State("Authorization submitted")
    distribution_draft = State("Distribution draft")
    distribution_submitted = State("Distribution submitted")
    released = State("Released")
    # Ends
    rejected = State("Rejected", final=True)
    withdrawn = State("Withdrawn", final=True)

    submit = (
        enablement_draft.to(enablement_submitted, validators="check_requirements")
        | enablement_changes_requested.to(enablement_submitted, validators="check_requirements")
        | app_draft.to(api_access_submitted, validators="check_requirements")
        | api_access_changes_requested.to(api_access_submitted, validators="check_requirements")
        | mrd_prd_draft.to(mrd_prd_submitted, validators="check_requirements")
        | cloud_plan_draft.to(cloud_plan_submitted, validators="check_requirements")
        | cloud_verification.to(cloud_verification_submitted, validators="check_requirements")
        | exemption_draft.to(exemption_submitted, validators="check_requirements")
        | distribution_setup.to(
            distribution_draft, cond="needs_no_review", validators="check_requirements"
        )
        | distribution_setup.to(
            authorization_submitted, unless="needs_no_review", validators="check_requirements"
        )
        | distribution_draft.to(distribution_submitted, validators="check_requirements")
    )
    approve = (
        enablement_submitted.to(enabled, validators="check_requirements")
        | api_access_submitted.to(api_access_granted, validators="check_requirements")
        | mrd_prd_submitted.to(cloud_plan_draft)
        | confabulation.to(cloud_plan_draft, validators="check_requirements")
        | cloud_plan_submitted.to(cloud_provisioning)
        | cloud_verification_submitted.to(deployed, validators="check_requirements")
        | exemption_submitted.to(deployed)
        | authorization_submitted.to(released, cond="was_released")
        | authorization_submitted.to(distribution_draft, unless="was_released")
        | distribution_submitted.to(released)
    )
    request_changes = (
        enablement_submitted.to(enablement_changes_requested, validators="check_requirements")
        | api_access_submitted.to(api_access_changes_requested)
        | mrd_prd_submitted.to(mrd_prd_draft)
        | confabulation.to(mrd_prd_draft)
        | cloud_plan_submitted.to(cloud_plan_draft)
        | cloud_verification_submitted.to(cloud_verification)
        | exemption_submitted.to(exemption_draft)
        | authorization_submitted.to(released, cond="was_released")
        | authorization_submitted.to(distribution_setup, unless="was_released")
        | distribution_submitted.to(distribution_draft)
    )
    reject = (
        enablement_submitted.to(rejected)
        | api_access_submitted.to(rejected)
        | mrd_prd_submitted.to(rejected)
        | confabulation.to(rejected)
        | cloud_plan_submitted.to(rejected)
        | cloud_verification_submitted.to(rejected)
        | exemption_submitted.to(rejected)
        | authorization_submitted.to(rejected)
        | distribution_submitted.to(rejected)
    )
    #: The own-server exemption is refused; the APP goes to Taobao cloud after all (§1.4).
    refuse_exemption = exemption_submitted.to(mrd_prd_draft, cond="is_new_app") | (
        exemption_submitted.to(cloud_plan_draft, unless="is_new_app")
    )
    withdraw = (
        enablement_draft.to(withdrawn)
        | enablement_changes_requested.to(withdrawn)
        | app_draft.to(withdrawn)
        | api_access_changes_requested.to(withdrawn)
        | sandbox_verification.to(withdrawn)
        | sandbox_skipped.to(withdrawn)
        | mrd_prd_draft.to(withdrawn)
        | cloud_plan_draft.to(withdrawn)
        | exemption_draft.to(withdrawn)
        | distribution_setup.to(withdrawn)
        | distribution_draft.to(withdrawn)
    )
    register_app = enabled.to(app_draft, validators="check_requirements")
    start_sandbox = api_access_granted.to(sandbox_verification) | sandbox_skipped.to(
        sandbox_verification
    )
    confirm_sandbox = sandbox_verification.to(sandbox_verified, validators="check_requirements")
    #: §3.2: the sandbox "could" be used. Refused (with the reason) once a reviewer requires it.
    skip_sandbox = api_access_granted.to(
        sandbox_skipped, validators="check_requirements"
    ) | sandbox_verification.to(sandbox_skipped, validators="check_requirements")
    choose_cloud = (
        sandbox_verified.to(mrd_prd_draft, cond="is_new_app")
        | sandbox_verified.to(cloud_plan_draft, unless="is_new_app")
        | sandbox_skipped.to(mrd_prd_draft, cond="is_new_app", validators="check_requirements")
        | sandbox_skipped.to(cloud_plan_draft, unless="is_new_app", validators="check_requirements")
    )
    choose_exemption = (
        sandbox_verified.to(exemption_draft, unless="exemption_refused")
        | sandbox_skipped.to(
            exemption_draft, unless="exemption_refused", validators="check_requirements"
        )
        | mrd_prd_draft.to(exemption_draft, unless="exemption_refused")
        | cloud_plan_draft.to(exemption_draft, unless="exemption_refused")
    )
    call_meeting = mrd_prd_submitted.to(confabulation)
    environment_ready = cloud_provisioning.to(cloud_verification, validators="check_requirements")
    start_distribution = deployed.to(distribution_setup)
    change_authorizations = released.to(
        released, cond="needs_no_review", validators="check_requirements"
    ) | released.to(
        authorization_submitted, unless="needs_no_review", validators="check_requirements"
    )

    def was_released(self) -> bool:
        return was_released(self.model)

    def is_new_app(self) -> bool:
        return is_new_app(self.model)

    def exemption_refused(self) -> bool:
        return exemption_refused(self.model)

    def needs_no_review(self) -> bool:
        return needs_no_review(self.model)

    def check_requirements(self, event: str, source: State, target: State) -> None:
        requirements.ensure_met(self.model, event, source.id, target.id)


#: One transition's guards: (guard name, the value it must return), all of which must hold.
Guards = tuple[tuple[str, bool], ...]


def _candidate_table() -> dict[str, tuple[tuple[str, tuple[Guards, ...]], ...]]:
    """For each state, the events that leave it in the chart's declaration order, each with the
    guards of its transitions from there; built once, so listing events builds no chart."""
    table = {}
    for state in JourneyChart.states:
        branches: dict[str, list[Guards]] = {}
        for transition in state.transitions:
            guards = tuple((spec.func, spec.expected_value) for spec in transition.cond)
            unknown = [name for name, _ in guards if name not in GUARDS]
            if unknown:
                raise RuntimeError(f"chart guard(s) {unknown} missing from GUARDS")
            for event in transition.events:
                branches.setdefault(event.id, []).append(guards)
        table[state.id] = tuple(
            (event.id, tuple(branches[event.id])) for event in JourneyChart.events
            if event.id in branches
        )  # fmt: skip
    return table


CANDIDATE_EVENTS = _candidate_table()


def enabled_events(journey: Any) -> list[str]:
    """What ``JourneyChart(model=journey).enabled_events()`` answers, without building a chart:
    the events of the journey's state with a transition whose guards hold for the journey.
    Validators are not run here; ``fire`` runs them through the chart."""
    answers: dict[str, bool] = {}

    def holds(name: str, expected: bool) -> bool:
        if name not in answers:
            answers[name] = bool(GUARDS[name](journey))
        return answers[name] is expected

    return [
        event
        for event, branches in CANDIDATE_EVENTS.get(journey.state, ())
        if any(all(holds(name, expected) for name, expected in guards) for guards in branches)
    ]
