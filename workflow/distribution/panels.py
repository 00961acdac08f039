"""The journey-page panel of stage 5: whom the APP serves, its configuration before
distribution, and the seller lists with their diffs."""

from __future__ import annotations

from workflow.distribution.configs import CONFIGS, CONFIRM_STATES, is_on_exemption
from workflow.distribution.forms import ConfirmConfigForm, RequiredConfigsForm
from workflow.distribution.operations import (
    EDIT_STATES,
    adds_no_other_seller,
    distribution_review,
    list_in_force,
    other_seller_count,
    own_seller_id,
    proposal_diff,
    proposed_list,
)
from workflow.i18n import _, ngettext
from workflow.journeys.actions import submitted_form
from workflow.journeys.panels import Finding, panel
from workflow.models import Audience, Journey, SellerListKind, User
from workflow.policy import Action, may

#: The key a refused save of the required configurations keeps its form under.
REQUIRED_CONFIGS_KEY = "configs-required"
#: The diff shows this many IDs of each side; the counts say how many there are.
SHOWN_IDS = 20
_STAGE_5_ALL = (
    "distribution_setup",
    "authorization_submitted",
    "distribution_draft",
    "distribution_submitted",
    "released",
)
_ENDED = ("rejected", "withdrawn")


def distribution_summary(p: dict) -> list[Finding]:
    """The proposed lists against those in force, and the configurations still open."""
    lines: list[Finding] = []
    for lv in p["lists"]:
        authorization = lv["kind"] is SellerListKind.authorization
        proposal, diff = lv["proposal"], lv["diff"]
        if proposal is not None:
            if authorization:
                text = ngettext(
                    "Authorization list: %(num)d seller ID proposed",
                    "Authorization list: %(num)d seller IDs proposed",
                    proposal.count,
                )
            else:
                text = ngettext(
                    "Distribution list: %(num)d seller ID proposed",
                    "Distribution list: %(num)d seller IDs proposed",
                    proposal.count,
                )
            if diff is not None:
                changes = _(
                    "(+%(added)d added, −%(removed)d removed)",
                    added=len(diff.added),
                    removed=len(diff.removed),
                )
                text = f"{text} {changes}"
            lines.append(("ok", text))
        against = lv["against_authorization"]
        if against is not None and against["not_authorized"]:
            count = len(against["not_authorized"])
            text = ngettext(
                "%(num)d seller ID not authorized", "%(num)d seller IDs not authorized", count
            )
            lines.append(("fail", text))
    open_configs = [
        str(c["label"]) for c in p["configs"] if c["required"] and not c["confirmed_at"]
    ]
    if p["app"] is not None and not p["app"].console_configured_at:
        open_configs.insert(0, _("TOP console configuration"))
    if open_configs:
        lines.append(
            ("warn", _("Not confirmed yet: %(configs)s", configs=_(", ").join(open_configs)))
        )
    return lines


@panel("distribution/panel.html", order=50, stage="5", summary=distribution_summary)
def distribution_panel(journey: Journey, user: User) -> dict | None:
    app = journey.app
    sets_configs = (
        app is not None
        and journey.state not in _ENDED
        and may(user, Action.set_required_configs, journey)
    )
    if journey.state not in _STAGE_5_ALL and not sets_configs:
        return None
    lists = [_list_view(journey, user, kind) for kind in SellerListKind]
    configs = [_config_view(config, app) for config in CONFIGS.values()] if app else []
    own = own_seller_id(journey)
    may_confirm = journey.state in CONFIRM_STATES and may(user, Action.confirm_config, journey)
    return {
        "lists": [lv for lv in lists if lv["editable"] or lv["in_force"] or lv["proposal"]],
        "app": app,
        "serves_own_shop": app is not None and app.audience is Audience.own_shop,
        "own_seller_id": own,
        "may_change_audience": app is not None
        and journey.state in EDIT_STATES[SellerListKind.authorization]
        and may(user, Action.register_app, journey),
        "sets_configs": sets_configs,
        "may_confirm": may_confirm,
        "configs": configs,
        # Forms only where the page shows them: building one costs as much as rendering it.
        "required_form": (
            submitted_form(REQUIRED_CONFIGS_KEY)
            or RequiredConfigsForm(
                formdata=None,
                data={
                    **{c["key"]: c["required"] for c in configs},
                    **{f"{c['key']}_details": c["details"] for c in configs},
                },
            )
        )
        if sets_configs
        else None,
        "confirm_forms": {
            key: submitted_form(confirm_form_key(key)) or ConfirmConfigForm(formdata=None)
            for key in ("console", *CONFIGS)
        }
        if may_confirm
        else {},
        "is_exempt": app is not None and is_on_exemption(journey),
        "shown": SHOWN_IDS,
    }


def _config_view(config, app) -> dict:
    return {
        "key": config.key,
        "label": config.label,
        "section": config.section,
        "required": config.required(app),
        "details": config.details(app),
        "confirmed_at": config.confirmed_at(app),
        "confirmation": config.confirmation(app),
    }


def confirm_form_key(which: str) -> str:
    """The key a refused confirmation keeps its form under."""
    return f"confirm-{which}"


def list_form_key(kind: SellerListKind) -> str:
    """The key a refused save keeps the list's form under (see ``journeys.actions.act``)."""
    return f"sellers-{kind.value}"


def _refusal(form) -> dict:
    """What the list's form shows after a refused save: the text as typed and the problems."""
    refused = getattr(form, "refusal", None)
    return {
        "text": form.ids.data or "",
        "message": refused.message if refused is not None else form.error_summary(),
        "lines": getattr(refused, "lines", []),
    }


def _list_view(journey: Journey, user: User, kind: SellerListKind) -> dict:
    editable = journey.state in EDIT_STATES[kind] and may(user, Action.edit_seller_list, journey)
    in_force, proposal = list_in_force(journey, kind), proposed_list(journey, kind)
    own = own_seller_id(journey)
    authorization = kind is SellerListKind.authorization
    typed = submitted_form(list_form_key(kind))
    refusal = _refusal(typed) if typed is not None else None
    return {
        "kind": kind,
        "editable": editable,
        "in_force": in_force,
        "proposal": proposal,
        "diff": proposal_diff(journey, kind) if proposal else None,
        "against_authorization": distribution_review(journey, proposal)
        if proposal is not None and not authorization
        else None,
        "prefill": refusal["text"]
        if refusal
        else (own if editable and own and in_force is None and proposal is None else ""),
        "refusal": refusal,
        "own_seller_id": own if authorization else None,
        "others_proposed": other_seller_count(journey, proposal)
        if authorization and proposal
        else None,
        "no_review": authorization and proposal is not None and adds_no_other_seller(journey),
    }
