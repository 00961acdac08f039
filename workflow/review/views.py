from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflow import operations
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import User
from workflow.policy import Action
from workflow.review.operations import assign_journey, reviewers
from workflow.review.queries import PAGE_SIZE, QueueFilter, review_queue
from workflow.review.search import search_journeys
from workflow.stages import STAGES, STATE_NAMES
from workflow.web.access import journey_of, requires_action
from workflow.web.urls import safe_next

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("/")
@requires_action(Action.view_queue)
def queue():
    queue_filter = QueueFilter(
        stage=request.args.get("stage", ""),
        min_days=request.args.get("waiting", 0, type=int) or 0,
        assignee=_assignee_arg(),
    )
    page = review_queue(
        request.args.get("page", 1, type=int),
        queue_filter=queue_filter,
        page_size=request.args.get("per_page", PAGE_SIZE, type=int) or PAGE_SIZE,
    )
    return render_template(
        "review/queue.html",
        queue=page,
        filter=queue_filter,
        stages=STAGES,
        sla_days=current_app.config["REVIEW_SLA_DAYS"],
        args={k: v for k, v in request.args.items() if k != "page"},
    )


def _assignee_arg() -> str:
    value = request.args.get("assignee", "")
    return str(current_user.id) if value == "me" else value


@bp.route("/journeys/<int:journey_id>/assign", methods=["POST"])
@requires_action(Action.assign_journey, target=journey_of)
def assign(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    assignee = _chosen_assignee(request.form.get("assignee", "me"))
    try:
        assign_journey(journey, current_user, assignee)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"Assigned to {assignee.display_name}." if assignee else "Unassigned.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("review.queue"))


def _chosen_assignee(choice: str) -> User | None:
    if choice == "me":
        return current_user
    return db.session.get(User, int(choice)) if choice.isdigit() else None


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
    found = search_journeys(
        request.args.get("q", ""),
        request.args.get("state", ""),
        request.args.get("page", 1, type=int),
    )
    return render_template(
        "review/journeys.html",
        found=found,
        q=request.args.get("q", ""),
        state=request.args.get("state", ""),
        states=STATE_NAMES,
    )
