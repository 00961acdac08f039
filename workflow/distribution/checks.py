"""What stage 5 needs before the chart lets a journey move on, and what approval changes."""

from __future__ import annotations

from workflow.distribution.operations import (
    list_in_force,
    proposed_list,
    put_proposal_in_force,
    unconfirmed_configs,
)
from workflow.models import SellerListKind
from workflow.requirements import requires
from workflow.signals import journey_changed

_APPROVED_LISTS = {
    "authorization_submitted": SellerListKind.authorization,
    "distribution_submitted": SellerListKind.distribution,
}


@requires(("distribution_setup", "submit"))
def authorization_list_ready(journey) -> list[str]:
    problems = []
    if proposed_list(journey, SellerListKind.authorization) is None:
        problems.append("Save the authorization list of seller IDs before submitting")
    return problems + unconfirmed_configs(journey)


@requires(("distribution_draft", "submit"))
def distribution_list_ready(journey) -> list[str]:
    if proposed_list(journey, SellerListKind.distribution) is None:
        return ["Save the distribution list of seller IDs before submitting"]
    return []


@requires(("released", "change_authorizations"))
def authorization_change_proposed(journey) -> list[str]:
    proposal = proposed_list(journey, SellerListKind.authorization)
    in_force = list_in_force(journey, SellerListKind.authorization)
    if proposal is None or (in_force is not None and proposal.sha256 == in_force.sha256):
        return ["Save a new authorization list that differs from the one in force"]
    return []


@journey_changed.connect
def _approved_list_comes_into_force(journey, event, actor, **_) -> None:
    if event.event == "approve" and event.from_state in _APPROVED_LISTS:
        put_proposal_in_force(journey, _APPROVED_LISTS[event.from_state], actor)
