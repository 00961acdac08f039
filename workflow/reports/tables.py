"""The report's figures as tables: the page shows them and the exports write them, row for row."""

from __future__ import annotations

from workflow.i18n import _
from workflow.reports.figures import Report
from workflow.stages import state_name
from workflow.web.exports import Table

#: The tables of the reports page, in the order it shows them.
TABLE_NAMES = ("by-stage", "stage-times", "sla-breaches", "weekly", "reviewers")


def days(seconds: float | None) -> float | None:
    """Seconds as days with two decimals; ``None`` stays empty."""
    return None if seconds is None else round(seconds / 86400, 2)


def _stage_label(number, title) -> str:
    """'2. APP and API access'; the journeys that ended are counted under their own title."""
    if number == "ended":
        return _("Rejected or withdrawn")
    return _("%(number)s. %(title)s", number=number, title=title)


def report_tables(report: Report) -> dict[str, Table]:
    return {
        "by-stage": Table(
            "by-stage",
            (_("Stage"), _("Journeys")),
            [(_stage_label(n, t), count) for n, t, count in report.by_stage],
        ),
        "stage-times": Table(
            "stage-times",
            (
                _("Stage"),
                _("Ended stays"),
                _("Median (days)"),
                _("p90 (days)"),
                _("Review waits past the SLA"),
            ),
            [
                (
                    _stage_label(s.number, s.title),
                    s.count,
                    days(s.median_seconds),
                    days(s.p90_seconds),
                    report.past_breaches.get(s.number, 0),
                )
                for s in report.stage_times
            ],
        ),
        "sla-breaches": Table(
            "sla-breaches",
            (_("Journey"), _("State"), _("Waiting since"), _("Days waiting"), _("Assignee")),
            [
                (
                    b.journey_id,
                    state_name(b.state),
                    b.waiting_since,
                    days((report.now - b.waiting_since).total_seconds()),
                    b.assignee or _("Unassigned"),
                )
                for b in report.open_breaches
            ],
        ),
        "weekly": Table(
            "weekly",
            (_("Week of"), _("Submissions"), _("First releases")),
            [(start.strftime("%Y-%m-%d"), subs, rels) for start, subs, rels in report.weekly],
        ),
        "reviewers": Table(
            "reviewers",
            (_("Reviewer"), _("Open items"), _("Past the SLA")),
            [(load.name, load.open_items, load.overdue) for load in report.reviewers],
        ),
    }
