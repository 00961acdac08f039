"""A journey's trail export: checked by the standalone script, refused once a line changes, and
carrying nothing of the other journeys in between but their hashes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.reports.conftest import DAY, at
from workflow.extensions import db
from workflow.models import Event, Role

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "verify_trail.py"


def check(path: Path) -> subprocess.CompletedProcess:
    """The script as an auditor runs it: no site-packages (-S), no project on the path (-I)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=path.parent,
    )


@pytest.fixture
def two_journeys(app, monkeypatch, clock, seller_journey, make_user):
    """Journey ``ours`` with three transitions and a note; ``theirs`` acting in between.

    The submissions' packets are left to a worker that has not run yet, so no
    ``packet.rendered`` event joins the trails.
    """
    monkeypatch.setitem(app.config, "PACKETS_RENDER_INLINE", False)
    reviewer = make_user(Role.reviewer)
    ours, ours_applicant = seller_journey("Our Store", clock.now)
    theirs, their_applicant = seller_journey("Their Secret Store 秘密", clock.now + DAY / 4)
    at(clock, clock.now + DAY, ours, "submit", ours_applicant)
    at(clock, clock.now + DAY, theirs, "submit", their_applicant)
    at(clock, clock.now + DAY, theirs, "reject", reviewer, comment="Their private reason")
    at(clock, clock.now + DAY, ours, "request_changes", reviewer, comment="Add the shop URL",
       note="Internal: looks fine otherwise")  # fmt: skip
    return ours, theirs, reviewer


def test_the_export_verifies_and_fails_when_a_line_changes(two_journeys, login, tmp_path):
    ours, theirs, reviewer = two_journeys
    response = login(reviewer).get(f"/reports/journeys/{ours.id}/trail.jsonl")
    assert response.status_code == 200
    assert f"journey-{ours.id}-trail.jsonl" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    lines = [json.loads(line) for line in text.splitlines()]

    header, *records = lines
    assert header["journey_id"] == ours.id and header["events"] == 3 and header["links"] == 3
    own_rows = db.session.scalars(select(Event).where(Event.journey_id == ours.id)).all()
    their_rows = db.session.scalars(select(Event).where(Event.journey_id == theirs.id)).all()
    assert [r["kind"] for r in records] == ["event", "link", "event", "link", "link", "event"]
    assert [r["hash"] for r in records if r["kind"] == "event"] == [e.hash for e in own_rows]
    assert [r["hash"] for r in records if r["kind"] == "link"] == [e.hash for e in their_rows]
    # The other journey is there as hashes only: none of what it says.
    assert all(set(r) == {"kind", "id", "hash"} for r in records if r["kind"] == "link")
    assert "Their private reason" not in text and "Their Secret" not in text
    assert records[-1]["fields"]["note"] == "Internal: looks fine otherwise"

    good = tmp_path / "trail.jsonl"
    good.write_text(text, encoding="utf-8")
    result = check(good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 3 events of the journey, linked through 3 other events" in result.stdout
    assert own_rows[-1].hash in result.stdout

    raw = text.splitlines()

    def tampered(index: int, change) -> subprocess.CompletedProcess:
        record = json.loads(raw[index])
        change(record)
        altered = raw[:index] + [json.dumps(record, ensure_ascii=False)] + raw[index + 1 :]
        path = tmp_path / f"tampered-{index}.jsonl"
        path.write_text("\n".join(altered) + "\n", encoding="utf-8")
        return check(path)

    comment = tampered(6, lambda r: r["fields"].update(comment="Approved, no changes"))
    assert comment.returncode == 1 and "content does not match its hash" in comment.stdout
    # A link's hash is what the next event of the journey was chained to.
    link = tampered(5, lambda r: r.update(hash="f" * 64))
    assert link.returncode == 1 and "previous hash is not the line before's hash" in link.stdout
    leak = tampered(4, lambda r: r.update(comment="Their private reason"))
    assert leak.returncode == 1 and "may carry its hash only" in leak.stdout

    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text("\n".join(raw[:2] + raw[3:]) + "\n", encoding="utf-8")
    assert check(dropped).returncode == 1
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(raw[:-2]) + "\n", encoding="utf-8")
    assert "must end with one of its own events" in check(cut).stdout


def test_the_timeline_offers_the_export_to_staff_only(two_journeys, make_user, login):
    ours, _, reviewer = two_journeys
    link = f"/reports/journeys/{ours.id}/trail.jsonl"
    applicant = make_user(Role.applicant, ours.account)
    client = login(applicant)
    page = client.get(f"/journeys/{ours.id}/timeline")
    assert page.status_code == 200 and link not in page.get_data(as_text=True)
    assert client.get(link).status_code == 403
    client.post("/logout")
    assert link in login(reviewer).get(f"/journeys/{ours.id}/timeline").get_data(as_text=True)


def test_the_command_line_writes_the_same_export(two_journeys, app, login, tmp_path):
    ours, _, reviewer = two_journeys
    served = login(reviewer).get(f"/reports/journeys/{ours.id}/trail.jsonl").get_data(as_text=True)
    path = tmp_path / "cli.jsonl"
    result = app.test_cli_runner().invoke(args=["reports", "trail", str(ours.id), "-o", str(path)])
    assert result.exit_code == 0, result.output
    written = path.read_text(encoding="utf-8")
    # Only the export's own time may differ.
    assert written.splitlines()[1:] == served.splitlines()[1:]
    assert check(path).returncode == 0
    missing = app.test_cli_runner().invoke(args=["reports", "trail", "999999"])
    assert missing.exit_code == 1 and "No journey 999999" in missing.output
