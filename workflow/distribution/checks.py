"""What stage 5 needs before the chart lets a journey move on, and what approval changes."""

from __future__ import annotations

from workflow.distribution.configs import console_unconfirmed, unconfirmed_configs
from workflow.distribution.operations import (
    adds_no_other_seller,
    distribution_review,
    list_in_force,
    other_seller_count,
    proposed_list,
    put_proposal_in_force,
    serves_other_sellers,
)
from workflow.i18n import _l
from workflow.models import SellerListKind
from workflow.requirements import condition, requires
from workflow.rules import OWN_SHOP, desk_actor
from workflow.signals import journey_changed

_APPROVED_LISTS = {
    "authorization_submitted": SellerListKind.authorization,
    "distribution_submitted": SellerListKind.distribution,
}


#: Transitions by which a list the desk approved itself, under §3.4.1 a, comes into force.
_IN_FORCE_BY_RULE = {
    ("submit", "distribution_setup", "distribution_draft"),
    ("change_authorizations", "released", "released"),
}


@requires(("distribution_setup", "submit"))
def authorization_list_ready(journey) -> list[str]:
    problems = []
    proposal = proposed_list(journey, SellerListKind.authorization)
    if proposal is None:
        problems.append(_l("Save the authorization list of seller IDs before submitting"))
    elif serves_other_sellers(journey) and other_seller_count(journey, proposal) < 1:
        problems.append(
            _l(
                "This APP serves other sellers: put their seller IDs on the authorization list "
                "(your own shop alone needs no authorization request)"
            )
        )
    elif not serves_other_sellers(journey) and other_seller_count(journey, proposal) > 0:
        problems.append(
            _l(
                "This APP serves its own shop only: save a list without other sellers, or change "
                "who the APP serves to other sellers"
            )
        )
    return problems + unconfirmed_configs(journey)


@condition("authorization_needs_no_review")
def _adds_no_other_seller(journey) -> bool:
    return adds_no_other_seller(journey)


@requires(("distribution_draft", "submit"))
def distribution_list_ready(journey) -> list[str]:
    """§3.4: configured in the TOP console and as Tmall Global specified, then the request
    with the sellers it serves, all of them authorized."""
    problems = console_unconfirmed(journey) + unconfirmed_configs(journey)
    proposal = proposed_list(journey, SellerListKind.distribution)
    if proposal is None:
        return [*problems, _l("Save the distribution list of seller IDs before submitting")]
    outside = distribution_review(journey, proposal)["not_authorized"]
    if outside:
        # Seller IDs are numbers: the list reads the same in every language.
        shown = ", ".join(map(str, outside[:5])) + (" …" if len(outside) > 5 else "")
        problems.append(
            _l(
                "%(num)d seller(s) on the distribution list are not on the authorization list "
                "in force (%(shown)s); save the list again without them",
                num=len(outside),
                shown=shown,
            )
        )
    return problems


@requires(("released", "change_authorizations"))
def authorization_change_proposed(journey) -> list[str]:
    proposal = proposed_list(journey, SellerListKind.authorization)
    in_force = list_in_force(journey, SellerListKind.authorization)
    if proposal is None or (in_force is not None and proposal.sha256 == in_force.sha256):
        return [_l("Save a new authorization list that differs from the one in force")]
    return []


@journey_changed.connect
def _approved_list_comes_into_force(journey, event, actor, **_) -> None:
    if event.event == "approve" and event.from_state in _APPROVED_LISTS:
        put_proposal_in_force(journey, _APPROVED_LISTS[event.from_state], actor)
    elif (event.event, event.from_state, event.to_state) in _IN_FORCE_BY_RULE:
        kind = SellerListKind.authorization
        put_proposal_in_force(journey, kind, desk_actor(OWN_SHOP), rule=OWN_SHOP)
