from flask import Blueprint, Response, current_app, render_template, stream_with_context
from flask_login import current_user

from workflow import operations
from workflow.policy import Action
from workflow.reports.charts import chart_urls
from workflow.reports.figures import build_report
from workflow.reports.tables import TABLE_NAMES, report_tables
from workflow.reports.trail_export import trail_lines
from workflow.web.access import journey_of, requires_action
from workflow.web.exports import MAX_ROWS, export_response

bp = Blueprint("reports", __name__, url_prefix="/reports")

_TABLE = "any(" + ", ".join(f'"{name}"' for name in TABLE_NAMES) + "):table"


@bp.route("/")
@requires_action(Action.view_reports)
def index():
    report = build_report(current_app.config["REVIEW_SLA_DAYS"])
    return render_template(
        "reports/index.html",
        report=report,
        tables=report_tables(report),
        charts=chart_urls(report),
    )


@bp.route(f"/<{_TABLE}>.<any(csv, xlsx):fmt>")
@requires_action(Action.view_reports)
def export(table: str, fmt: str):
    report = build_report(current_app.config["REVIEW_SLA_DAYS"], listed=MAX_ROWS)
    return export_response(report_tables(report)[table], fmt)


@bp.route("/journeys/<int:journey_id>/trail.jsonl")
@requires_action(Action.export_trail, target=journey_of)
def trail(journey_id: int):
    journey = operations.get_journey_for(current_user, journey_id)
    response = Response(stream_with_context(trail_lines(journey)), mimetype="application/jsonl")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="journey-{journey.id}-trail.jsonl"'
    )
    return response
