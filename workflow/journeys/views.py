from datetime import timedelta

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from workflow import operations, requirements
from workflow.errors import ConcurrentChange, DomainError, NotFound, NotPermitted
from workflow.extensions import db
from workflow.i18n import _
from workflow.journeys import diagram
from workflow.journeys.actions import refuse_form, submitted_form
from workflow.journeys.forms import FireEventForm
from workflow.journeys.page_rows import journey_for_page
from workflow.journeys.panels import panels_for
from workflow.journeys.workspace import workspace_for
from workflow.models import Event, Journey
from workflow.models.base import utcnow
from workflow.models.journeys import DECISION_EVENTS
from workflow.policy import Action, event_action
from workflow.stages import CONFIRMED_CHOICES, DESTRUCTIVE_EVENTS, STATE_NAMES, waiting_for
from workflow.web.access import journey_of, own_account, requires_action
from workflow.web.pending_edits import EditsRefused, save_pending_edits

bp = Blueprint("journeys", __name__)

#: The key a refused step keeps the "Next steps" form under: the comment and note stay typed.
ACTIONS_FORM_KEY = "actions"
#: A repeat of the same event by the same person within this window is a double click.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


@bp.route("/")
@requires_action(Action.use_desk)
def home():
    if current_user.is_staff:
        return redirect(url_for("review.queue"))
    return redirect(url_for("journeys.dashboard"))


@bp.route("/journeys")
@requires_action(Action.use_desk)
def dashboard():
    if current_user.is_staff:
        return redirect(url_for("review.queue"))
    journeys = list(operations.journeys_of(current_user.account, preload=True))
    return render_template(
        "journeys/dashboard.html",
        journeys=journeys,
        missing={j.id: requirements.missing_for_next_step(j) for j in journeys},
        waiting={j.id: waiting_for(j) for j in journeys},
        reviewer_comment={j.id: _latest_reviewer_comment(j) for j in journeys},
        may_register_another=_has_an_app(current_user.account, journeys),
    )


def _latest_reviewer_comment(journey) -> Event | None:
    """The newest comment Tmall Global wrote to the applicant; never the applicant's own."""
    return next(
        (e for e in reversed(journey.events) if e.comment and e.actor and e.actor.is_staff),
        None,
    )


def _has_an_app(account, journeys) -> bool:
    """Another APP is registered from the dashboard once the account is enabled and has one."""
    return account.is_enabled and any(j.title_is_app for j in journeys)


@bp.route("/journeys/new", methods=["POST"])
@requires_action(Action.start_journey, target=own_account)
def new_journey():
    account = current_user.account
    if not account.is_enabled:
        flash(_("Your developer account must be enabled before you register another APP."), "error")
        return redirect(url_for("journeys.dashboard"))
    if not _has_an_app(account, list(operations.journeys_of(account))):
        flash(
            _("Register your first APP in your current journey; then you can add another."),
            "error",
        )
        return redirect(url_for("journeys.dashboard"))
    journey = operations.open_journey(account, current_user)
    db.session.commit()
    flash(_("A new APP journey has started."), "success")
    return redirect(url_for("journeys.show", journey_id=journey.id))


def journey_page_of(journey_id: int, **_ignored) -> Journey:
    """The journey with the rows its page reads, in one statement (the access gate's target,
    so the page's own lookups find it loaded)."""
    return journey_for_page(journey_id)


@bp.route("/journeys/<int:journey_id>")
@requires_action(Action.view_journey, target=journey_page_of)
def show(journey_id: int):
    # The user itself, not the proxy: the panels and the policy read it a hundred times.
    user = current_user._get_current_object()
    journey = operations.get_journey_for(user, journey_id)
    events = operations.events_for(user, journey)
    panels = panels_for(journey, user)
    return render_template(
        "journeys/show.html",
        journey=journey,
        tab="stage",
        events=events,
        form=submitted_form(ACTIONS_FORM_KEY)
        or FireEventForm(formdata=None, version=journey.version_id),
        missing=requirements.missing_for_next_step(journey),
        waiting=waiting_for(journey),
        work=workspace_for(journey, user, panels),
    )


@bp.route("/journeys/<int:journey_id>/timeline")
@requires_action(Action.view_journey, target=journey_of)
def timeline(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    return render_template(
        "journeys/timeline.html",
        journey=journey,
        tab="timeline",
        timeline=list(reversed(journey.events)),
    )


@bp.route("/journeys/<int:journey_id>/diagram")
@requires_action(Action.view_journey, target=journey_of)
def diagram_page(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    return render_template(
        "journeys/diagram.html",
        journey=journey,
        tab="diagram",
        diagram_size=diagram.chart_size(journey.state, journey.released_at is not None),
        diagram_legend=diagram.END_STATES_LEGEND,
    )


def _event_action(event: str, **_ignored) -> Action:
    action = event_action(event)
    if action is None:
        raise NotFound(_("No such step."))
    return action


@bp.route("/journeys/<int:journey_id>/events/<event>", methods=["POST"])
@requires_action(_event_action, target=journey_of)
def fire(journey_id: int, event: str):
    journey = operations.get_journey_for(current_user, journey_id)
    form = FireEventForm()
    if not form.validate_on_submit():
        return refuse_form(journey_id, form, ACTIONS_FORM_KEY)
    if _needs_confirmation(journey, event) and form.confirm.data != "yes":
        return render_template(
            "journeys/confirm.html",
            journey=journey,
            event=event,
            form=form,
            explanation=CONFIRMED_CHOICES.get(event),
        )
    try:
        save_pending_edits(journey, current_user, request.form)
        operations.fire(
            journey,
            event,
            current_user,
            comment=form.comment.data or "",
            note=form.note.data or "",
            seen_version=form.version.data,
        )
    except ConcurrentChange:
        db.session.rollback()
        if not _just_did(journey_id, event):
            raise
        flash(_("That was already done; the second click changed nothing."), "info")
    except EditsRefused as exc:
        # The stage form comes back with its errors beside its fields, and the comment and
        # note typed in "Next steps" stay too; nothing was saved or submitted.
        g.setdefault("submitted_forms", {})[ACTIONS_FORM_KEY] = form
        return refuse_form(journey_id, exc.form, exc.key, refusal=exc.refusal)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, NotFound | NotPermitted):
            raise
        # A refused step (a reason missing, a requirement not met) keeps what was typed.
        return refuse_form(journey_id, form, ACTIONS_FORM_KEY, refusal=exc)
    else:
        db.session.commit()
        flash(
            _("Done: the journey is now “%(state)s”.", state=STATE_NAMES[journey.state]), "success"
        )
    return redirect(url_for("journeys.show", journey_id=journey_id))


def _needs_confirmation(journey, event: str) -> bool:
    """Whether to ask first; a choice the journey would refuse anyway is not asked about, so
    the refusal (with its reason) comes at once."""
    if event in DESTRUCTIVE_EVENTS:
        return True
    return (
        event in CONFIRMED_CHOICES
        and event in operations.events_for(current_user, journey)
        and not requirements.missing(journey, event, journey.state)
    )


def _just_did(journey_id: int, event: str) -> bool:
    """A double submit: this user's own newest transition is this one, moments ago.

    Decisions the transition caused (a list put in force by an approval) come after it and
    do not count.
    """
    latest = db.session.scalars(
        select(Event)
        .where(Event.journey_id == journey_id, Event.event.not_in(DECISION_EVENTS))
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    return (
        latest is not None
        and latest.actor_id == current_user.id
        and latest.event == event
        and utcnow() - latest.created_at < DOUBLE_SUBMIT_WINDOW
    )


@bp.route("/journeys/<int:journey_id>/diagram.svg")
@requires_action(Action.view_journey, target=journey_of)
def diagram_svg(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    svg = diagram.chart_svg(journey.state, journey.released_at is not None, note=False)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})
