from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflow import operations
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.i18n import _
from workflow.models import User
from workflow.policy import Action
from workflow.review.exports import queue_table, search_table
from workflow.review.forms import AssignForm, QueueArgs, SearchArgs
from workflow.review.operations import assign_journey, reviewers
from workflow.review.queries import QueueFilter, review_queue
from workflow.review.search import SEARCH_PAGE_SIZE, search_journeys
from workflow.stages import STAGES, STATE_NAMES
from workflow.web.access import journey_of, requires_action
from workflow.web.exports import export_response
from workflow.web.forms import parse_post, parse_query
from workflow.web.urls import safe_next

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@requires_action(Action.view_queue)
def queue():
    args = parse_query(QueueArgs)
    queue_filter = _queue_filter(args)
    page = review_queue(args.page.data, queue_filter=queue_filter, page_size=args.per_page.data)
    return render_template(
        "review/queue.html",
        queue=page,
        filter=queue_filter,
        stages=STAGES,
        sla_days=current_app.config["REVIEW_SLA_DAYS"],
        args={k: v for k, v in request.args.items() if k in args and k != "page"},
    )


@bp.route("/queue.<any(csv, xlsx):fmt>")
@requires_action(Action.view_queue)
def queue_export(fmt: str):
    """Every item of the queue under the page's filters, as a spreadsheet."""
    return export_response(
        queue_table(_queue_filter(parse_query(QueueArgs)), current_app.config["REVIEW_SLA_DAYS"]),
        fmt,
    )


def _queue_filter(args: QueueArgs) -> QueueFilter:
    assignee = args.assignee.data
    return QueueFilter(
        stage=args.stage.data,
        min_days=args.waiting.data,
        assignee=str(current_user.id) if assignee == "me" else assignee,
    )


@bp.route("/journeys/<int:journey_id>/assign", methods=["POST"])
@requires_action(Action.assign_journey, target=journey_of)
def assign(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    form = parse_post(AssignForm)
    assignee = _chosen_assignee(form.assignee.data)
    try:
        assign_journey(journey, current_user, assignee)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        done = (
            _("Assigned to %(name)s.", name=assignee.display_name) if assignee else _("Unassigned.")
        )
        flash(done, "success")
    return redirect(safe_next(form.next.data) or url_for("review.queue"))


def _chosen_assignee(choice: str) -> User | None:
    """``me``, ``none``, or the id the form checked; an id nobody has is refused."""
    if choice == "me":
        return current_user
    if choice == "none":
        return None
    assignee = db.session.get(User, int(choice))
    if assignee is None:
        raise DomainError(_("Assignee: no such reviewer; reload the page and choose again."))
    return assignee


@bp.app_context_processor
def _reviewer_choices():
    return {"review_reviewers": reviewers}


@bp.app_template_filter("waited_days")
def _waited_days(since) -> float:
    """Days since ``since``, for the SLA marker."""
    from datetime import UTC, datetime

    return (datetime.now(UTC) - since).total_seconds() / 86400


@bp.route("/journeys")
@requires_action(Action.search_journeys)
def all_journeys():
    args = parse_query(SearchArgs)
    per_page = args.per_page.data
    found = search_journeys(args.q.data, args.state.data, args.page.data, page_size=per_page)
    return render_template(
        "review/journeys.html",
        found=found,
        q=args.q.data,
        state=args.state.data,
        per_page=per_page if per_page != SEARCH_PAGE_SIZE else None,
        states=STATE_NAMES,
    )


@bp.route("/journeys.<any(csv, xlsx):fmt>")
@requires_action(Action.search_journeys)
def search_export(fmt: str):
    """Every match of the search, in the order its pages show them, as a spreadsheet."""
    args = parse_query(SearchArgs)
    return export_response(search_table(args.q.data, args.state.data), fmt)
