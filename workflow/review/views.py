from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from workflow.review.queries import review_queue

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.before_request
@login_required
def staff_only():
    if not current_user.is_staff:
        abort(404)


@bp.route("/")
def queue():
    page = review_queue(request.args.get("page", 1, type=int))
    return render_template("review/queue.html", queue=page)
