"""The reports page: figures read from the chain against the times the journeys were seeded with."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from xml.etree import ElementTree

from tests.reports.conftest import DAY, at
from workflow.extensions import db
from workflow.models import AccountKind, Role
from workflow.review.operations import assign_journey

SVG = "{http://www.w3.org/2000/svg}"


def cells(page: str, table: str) -> list[list[str]]:
    """The body rows of the page's table ``t-<table>``, as the text of their cells."""
    body = re.search(rf'<table[^>]*id="t-{table}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body, f"no table {table}"
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def seed_enablement_stays(clock, seller_journey, reviewer) -> dict:
    """Ten seller journeys that leave stage 1 after 1, 2, … 10 days, and one still waiting.

    Journey ``i`` is submitted half a day after it opens and rejected ``i`` days after it
    opened, so its review waited ``i - 0.5`` days: past the 3-day SLA for ``i`` from 4 on.
    The tenth has a round of changes requested in between, so its stay sums two waits.
    """
    base = clock.now
    submits = []
    for i in range(1, 11):
        opened = base + i * timedelta(hours=1)
        journey, applicant = seller_journey(f"Stay {i}", opened)
        at(clock, opened + DAY / 2, journey, "submit", applicant)
        submits.append(opened + DAY / 2)
        if i == 10:
            at(clock, opened + 1.5 * DAY, journey, "request_changes", reviewer, comment="More")
            at(clock, opened + 2 * DAY, journey, "submit", applicant)
            submits.append(opened + 2 * DAY)
        at(clock, opened + i * DAY, journey, "reject", reviewer, comment="Not this time")
    waiting, applicant = seller_journey("Still waiting", clock.now)
    clock.now = clock.real_now - 5 * DAY
    at(clock, clock.now, waiting, "submit", applicant)
    submits.append(clock.now)
    assign_journey(waiting, reviewer, reviewer)
    db.session.commit()
    return {"waiting": waiting, "submits": submits}


def test_the_page_shows_the_seeded_stage_times(
    clock, seller_journey, make_user, make_account, make_journey, login
):
    reviewer = make_user(Role.reviewer)
    reviewer.name = "Rita Reviewer"
    seeded = seed_enablement_stays(clock, seller_journey, reviewer)
    clock.now = clock.real_now
    enabled = make_account(AccountKind.isv)
    for state in ("app_draft", "api_access_submitted", "released"):
        make_journey(enabled, state=state)
    released = make_journey(enabled, state="released")
    released.released_at = clock.real_now - 2 * DAY
    db.session.commit()

    response = login(reviewer).get("/reports/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    times = {row[0]: row[1:] for row in cells(page, "stage-times")}
    # Ten ended stays of 1..10 days: the median is 5.5 days, the nearest-rank p90 the ninth;
    # seven reviews (journeys 4..10, the tenth's second wait) waited past the SLA.
    assert times["1. Account enablement"] == ["10", "5.5", "9.0", "7"]
    assert times["2. APP and API access"] == ["0", "—", "—", "0"]

    by_stage = dict(cells(page, "by-stage"))
    # Stage 1: the waiting seller journey; stage 2: the two placed there; stage 5: two released.
    assert by_stage == {
        "1. Account enablement": "1",
        "2. APP and API access": "2",
        "3. Sandbox verification": "0",
        "4. Deployment": "0",
        "5. Distribution": "2",
        "Rejected or withdrawn": "10",
    }

    breaches = cells(page, "sla-breaches")
    assert [(row[0], row[1], row[4]) for row in breaches] == [
        (f"#{seeded['waiting'].id}", "Enablement submitted", "Rita Reviewer")
    ]
    assert breaches[0][3] == "5.0"
    assert "1 item waiting longer than 3 days" in page

    weeks = cells(page, "weekly")
    assert len(weeks) == 12
    expected = {}
    for moment in seeded["submits"]:
        monday = (moment - timedelta(days=moment.weekday())).date().isoformat()
        expected[monday] = expected.get(monday, 0) + 1
    shown = {week: int(subs) for week, subs, _ in weeks if int(subs)}
    # Only the weeks the page covers: the stays were seeded 40 days back, some before it.
    assert shown == {week: n for week, n in expected.items() if week >= weeks[0][0]}
    assert shown, "some seeded submissions fall in the last 12 weeks"
    release_monday = released.released_at - timedelta(days=released.released_at.weekday())
    assert [w for w, _, rels in weeks if rels == "1"] == [release_monday.date().isoformat()]

    load = cells(page, "reviewers")
    assert ["Rita Reviewer", "1", "1"] in load
    assert ["Unassigned", "1", "0"] in load  # the journey placed in api_access_submitted


def test_the_charts_are_svg_images_without_script(clock, seller_journey, make_user, login):
    reviewer = make_user(Role.reviewer)
    journey, applicant = seller_journey("Charted Store", clock.now)
    at(clock, clock.now + DAY, journey, "submit", applicant)
    at(clock, clock.now + 2 * DAY, journey, "reject", reviewer, comment="No")
    response = login(reviewer).get("/reports/")
    page = response.get_data(as_text=True)
    assert (
        "<script>" not in page
        and "script-src 'self'" in response.headers["Content-Security-Policy"]
    )
    images = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(images) == 4
    titles = []
    for encoded in images:
        svg = ElementTree.fromstring(base64.b64decode(encoded))
        assert svg.tag == f"{SVG}svg"
        assert not [e for e in svg.iter() if str(e.tag).endswith("script")]
        titles.append(svg.find(f".//{SVG}title").text)
    assert titles == [
        "Journeys by stage now",
        "Days in each stage (ended stays)",
        "Submissions and first releases per week",
        "Open items per reviewer",
    ]
    stage_chart = base64.b64decode(images[1]).decode()
    assert "1. Account enablement" in stage_chart


def test_applicants_do_not_see_the_reports(make_account, make_user, login):
    applicant = make_user(Role.applicant, make_account(AccountKind.seller))
    client = login(applicant)
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/stage-times.csv").status_code == 404
    assert "Reports</a>" not in client.get("/journeys").get_data(as_text=True)


def test_the_chart_library_leaves_the_import_system_as_it_was():
    import sys

    import workflow.reports.charts  # noqa: F401

    # A finder with only the legacy find_module makes every later failed import warn.
    assert all(hasattr(finder, "find_spec") for finder in sys.meta_path)


def test_the_first_release_ends_the_stay_in_distribution(
    clock, make_account, make_user, make_journey
):
    """Chained events written straight to the log (the states a released APP passes through):
    stage 4 for two days, stage 5 for five until the release; the later seller-list change is
    a review past the SLA but not more time on the path."""
    from workflow.audit import append_event
    from workflow.reports.figures import build_report

    account = make_account(AccountKind.isv)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, state="deployed")
    start = clock.now
    path = [
        ("deployed", 0), ("distribution_setup", 2), ("authorization_submitted", 3),
        ("distribution_draft", 4), ("distribution_submitted", 5), ("released", 7),
        ("authorization_submitted", 10), ("released", 20),
    ]  # fmt: skip
    previous = "enablement_draft"
    for state, day in path:
        append_event(journey, reviewer, "approve", previous, state, at=start + day * DAY)
        previous = state
    db.session.commit()
    times = {s.number: s for s in build_report(3).stage_times}
    assert (times["4"].count, times["4"].median_seconds) == (1, 2 * 86400)
    assert (times["5"].count, times["5"].median_seconds) == (1, 5 * 86400)
    # The enablement_draft "open" event (day 0, same moment as "deployed") is a zero stay.
    assert times["1"].median_seconds == 0
    assert build_report(3).past_breaches["5"] == 1
