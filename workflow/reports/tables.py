"""The report's figures as tables: the page shows them and the exports write them, row for row."""

from __future__ import annotations

from workflow.reports.figures import Report
from workflow.stages import state_name
from workflow.web.exports import Table

#: The tables of the reports page, in the order it shows them.
TABLE_NAMES = ("by-stage", "stage-times", "sla-breaches", "weekly", "reviewers")


def days(seconds: float | None) -> float | None:
    """Seconds as days with two decimals; ``None`` stays empty."""
    return None if seconds is None else round(seconds / 86400, 2)


def report_tables(report: Report) -> dict[str, Table]:
    return {
        "by-stage": Table(
            "by-stage",
            ("Stage", "Journeys"),
            [(f"{n}. {t}" if n != "ended" else t, count) for n, t, count in report.by_stage],
        ),
        "stage-times": Table(
            "stage-times",
            ("Stage", "Ended stays", "Median (days)", "p90 (days)", "Review waits past the SLA"),
            [
                (
                    f"{s.number}. {s.title}",
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
            ("Journey", "State", "Waiting since", "Days waiting", "Assignee"),
            [
                (
                    b.journey_id,
                    state_name(b.state),
                    b.waiting_since,
                    days((report.now - b.waiting_since).total_seconds()),
                    b.assignee or "Unassigned",
                )
                for b in report.open_breaches
            ],
        ),
        "weekly": Table(
            "weekly",
            ("Week of", "Submissions", "First releases"),
            [(start.strftime("%Y-%m-%d"), subs, rels) for start, subs, rels in report.weekly],
        ),
        "reviewers": Table(
            "reviewers",
            ("Reviewer", "Open items", "Past the SLA"),
            [(load.name, load.open_items, load.overdue) for load in report.reviewers],
        ),
    }
