"""Stage 2: register the APP and ask for (and decide) access to TOP APIs."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from top.methods import method_problem
from top.rules import needs_customer_authorization
from workflow.apps.catalogue import API_METHODS, MAX_OTHER_APIS, customer_info_source
from workflow.decisions import decide
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _l
from workflow.models import ApiRequest, App, Audience, DecisionKind, Journey, ReviewStatus, User
from workflow.models.base import utcnow
from workflow.notifications import notify_app_key_claimed
from workflow.operations import fire
from workflow.policy import Action, authorize

#: States in which the applicant may still edit the APP and its API requests.
APP_EDIT_STATES = ("enabled", "app_draft", "api_access_changes_requested")


def register_app(
    journey: Journey,
    actor: User,
    *,
    app_key: str,
    name: str,
    description: str,
    is_new: bool,
    audience: Audience,
) -> App:
    """Create or update the journey's APP; the first registration fires ``register_app``."""
    authorize(actor, Action.register_app, journey)
    if journey.state not in APP_EDIT_STATES:
        raise DomainError(_l("The APP can no longer be changed at this stage."))
    app_key = app_key.strip()
    if journey.app is None or app_key != journey.app.app_key:
        _claim_app_key(journey, actor, journey.app, app_key)
    app = journey.app or App(account_id=journey.account_id, journey=journey)
    app.app_key, app.name = app_key, name.strip()
    app.description, app.is_new, app.audience = description.strip(), is_new, audience
    db.session.add(app)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another journey took the key between the check and the write.
        raise _key_taken(journey, actor, app_key, holder=None) from None
    if journey.state == "enabled":
        fire(journey, "register_app", actor)
    return app


def _claim_app_key(journey: Journey, actor: User, app: App | None, app_key: str) -> None:
    """Refuse a key another APP holds; a rejected journey's APP lets its key go."""
    others = select(App).where(App.app_key == app_key, App.key_held)
    if app is not None:
        others = others.where(App.id != app.id)
    holder = db.session.scalars(others).first()
    if holder is None:
        return
    if holder.journey.state == "rejected":
        holder.key_held = False
        db.session.flush()
        return
    raise _key_taken(journey, actor, app_key, holder)


def _key_taken(journey: Journey, actor: User, app_key: str, holder: App | None) -> DomainError:
    error = DomainError(
        _l(
            "APP key %(app_key)s is already registered on this desk for another APP. An APP key "
            "identifies one APP: check the key in the TOP console. Tmall Global has been told.",
            app_key=app_key,
        )
    )
    holder_id = holder.id if holder is not None else None
    claimant, claimant_journey = journey.account.name, journey.id

    def tell_holders_reviewer() -> None:
        held = db.session.get(App, holder_id) if holder_id is not None else None
        if held is None:
            held = db.session.scalars(
                select(App).where(App.app_key == app_key, App.key_held)
            ).first()
        if held is not None:
            notify_app_key_claimed(held, claimant=claimant, claimant_journey=claimant_journey)

    error.aftermath = tell_holders_reviewer
    return error


def request_api_access(
    journey: Journey, actor: User, reasons: Mapping[str, str]
) -> list[ApiRequest]:
    """Replace the APP's requested APIs with ``reasons`` (method -> reason), in that order.

    Any TOP method may be asked for by its name (``top.methods``), or none at all. A request
    whose reason changed, or that was refused, goes back to pending so the reviewer decides it
    again.
    """
    authorize(actor, Action.request_api_access, journey)
    app = _editable_app(journey)
    for method in reasons:
        problem = method_problem(method)
        if problem:
            raise DomainError(
                _l(
                    "%(method)r is not a TOP method name: %(problem)s.",
                    method=method,
                    problem=problem,
                )
            )
    others = [m for m in reasons if m not in API_METHODS]
    if len(others) > MAX_OTHER_APIS:
        raise DomainError(
            _l("Ask for at most %(num)d APIs beyond the six of the guide.", num=MAX_OTHER_APIS)
        )
    existing = {r.method: r for r in app.api_requests}
    reopened, reasons_before = [], {}
    for method, request in existing.items():
        if method not in reasons:
            app.api_requests.remove(request)
    for method, typed in reasons.items():
        reason = typed.strip()
        if not reason:
            raise DomainError(_l("Say why the APP needs %(method)s.", method=method))
        request = existing.get(method)
        if request is None:
            app.api_requests.append(ApiRequest(method=method, reason=reason))
        elif request.reason != reason or request.decision is ReviewStatus.rejected:
            if request.decision is not ReviewStatus.pending:
                reopened.append(request)
                if request.reason != reason:
                    reasons_before[method] = request.reason
            request.reason, request.decision = reason, ReviewStatus.pending
            request.decision_reason, request.decided_at, request.decided_by = "", None, None
    db.session.flush()
    if reopened:
        # The reviewer's earlier decision no longer holds; the log says so, with the reasons
        # the reviewer decided on, so the page can show what changed.
        about = {"apis": [r.method for r in reopened]}
        if reasons_before:
            about["reasons_before"] = reasons_before
        decide(journey, actor, DecisionKind.api_reopened, reopened, about)
    return list(app.api_requests)


def decide_api(
    journey: Journey, actor: User, request_id: int, *, grant: bool, reason: str = ""
) -> ApiRequest:
    """A reviewer grants or refuses one API; a refusal carries a reason for the applicant."""
    authorize(actor, Action.decide_api, journey)
    if journey.state != "api_access_submitted":
        raise DomainError(_l("API access can be decided only while it is submitted."))
    request = _request_on(journey, request_id)
    if not grant and not reason.strip():
        raise DomainError(_l("Give the applicant a reason for refusing this API."))
    decision = ReviewStatus.accepted if grant else ReviewStatus.rejected
    decision_reason = "" if grant else reason.strip()
    if (request.decision, request.decision_reason) == (decision, decision_reason):
        return request  # already decided so: a repeated click records nothing
    request.decision, request.decision_reason = decision, decision_reason
    request.decided_by, request.decided_at = actor, utcnow()
    db.session.flush()
    decide(journey, actor, DecisionKind.api, [request], {"api": request.method})
    return request


def mark_customer_info(
    journey: Journey, actor: User, request_id: int, *, marked: bool
) -> ApiRequest:
    """A reviewer marks a requested API as customer-information (§3.5), or takes the mark off.

    The mark adds APIs to those the catalogue setting lists, one APP at a time; an API the
    setting lists stays a customer-information API whatever its mark. The chain records each
    change.
    """
    authorize(actor, Action.mark_customer_info_api, journey)
    if journey.state != "api_access_submitted":
        raise DomainError(_l("APIs can be marked only while the API access is submitted."))
    request = _request_on(journey, request_id)
    if request.is_customer_info_marked == marked:
        return request  # already so: a repeated click records nothing
    request.is_customer_info_marked = marked
    db.session.flush()
    about = {"api": request.method, "customer_info": marked}
    decide(journey, actor, DecisionKind.api_customer_info, [request], about)
    return request


def granted_apis(journey: Journey) -> list[str]:
    app = journey.app
    if app is None:
        return []
    return [r.method for r in app.api_requests if r.decision is ReviewStatus.accepted]


def https_only_apis(journey: Journey) -> list[str]:
    """The granted APIs that need the customer's authorization, so TOP serves them over https
    only (§3.1 a): the six's own rule, and every customer-information API (§3.5)."""
    app = journey.app
    granted = [r for r in app.api_requests if r.decision is ReviewStatus.accepted] if app else []
    return [
        r.method
        for r in granted
        if needs_customer_authorization(r.method) or customer_info_source(r) is not None
    ]


def _request_on(journey: Journey, request_id: int) -> ApiRequest:
    request = db.session.get(ApiRequest, request_id)
    if request is None or journey.app is None or request.app_id != journey.app.id:
        raise DomainError(_l("No such API request on this APP."))
    return request


def _editable_app(journey: Journey) -> App:
    if journey.app is None:
        raise DomainError(_l("Register the APP first."))
    if journey.state not in APP_EDIT_STATES:
        raise DomainError(_l("API requests can no longer be changed at this stage."))
    return journey.app
