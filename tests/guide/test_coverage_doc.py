"""docs/guide-coverage.md stays honest: its tests exist, and every row not done says why."""

from __future__ import annotations

import re
from pathlib import Path

from workflow.guide import LINKS

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {"done", "partly", "not yet"}


def _rows() -> list[list[str]]:
    text = (ROOT / "docs" / "guide-coverage.md").read_text()
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(cells)
    return rows


def test_rows_are_numbered_in_order_with_a_known_status():
    rows = _rows()
    assert len(rows) >= 70
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r[3] for r in rows} <= STATUSES


def test_every_named_test_exists():
    missing = []
    for number, *_, test in _rows():
        if test == "—":
            continue
        match = re.fullmatch(r"`(tests/[\w/]+\.py)::(test_\w+)`", test)
        assert match, f"row {number}: the test cell should be `tests/….py::test_…`, not {test!r}"
        path, name = match.groups()
        source = ROOT / path
        if not source.exists() or not re.search(rf"^def {name}\(", source.read_text(), re.M):
            missing.append(f"row {number}: {path}::{name}")
    assert missing == []


def test_a_row_not_done_gives_its_reason_and_a_done_row_names_a_test():
    for number, _, _, status, where, test in _rows():
        if status == "done":
            assert test != "—", f"row {number} is done but names no test"
        else:
            assert "Reason:" in where, f"row {number} is {status} without a reason"


def test_every_appendix_link_has_its_row():
    appendix = {r[2].split()[0] for r in _rows() if r[1] == "A"}
    assert appendix == {link.key for link in LINKS}
