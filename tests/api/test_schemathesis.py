"""Schemathesis against a live desk: every operation of /api/v1/openapi.json, with a token of
each role, on the suite's database (SQLite, or PostgreSQL under DATABASE_URL).

The desk is served on loopback with the demo data; Schemathesis (its CLI, in a subprocess)
generates requests from the document and checks every answer against it: no server error,
no status, header or body the document does not declare, no request the document allows
refused for its shape, and none it forbids accepted. docs/api.md says what the run covers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.browser.live import serving
from tests.support import require_service
from workflow.api.tokens import create_token
from workflow.auth.operations import find_user
from workflow.demo import ADMIN, ISV, REVIEWER, SELLER, seed_demo
from workflow.extensions import db

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
#: Examples per operation and token: enough to reach every operation's refusals and its
#: success on the demo data, few enough for CI on a shared 2-core machine.
MAX_EXAMPLES = 5
ROLES = {"seller": SELLER[0], "isv": ISV[0], "reviewer": REVIEWER, "admin": ADMIN}
SUMMARY = re.compile(r"Test cases:\s*(\d+) generated")
OPERATIONS = re.compile(r"Selected:\s*(\d+)/(\d+)\s+Tested:\s*(\d+)")


def run_schemathesis(base_url: str, token: str, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(CONFIG), "--no-color", "run"]
        + [f"{base_url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}"]
        + ["-n", str(MAX_EXAMPLES), "-w", "1", "--checks", "all", "--seed", "1"]
        + ["--generation-database", "none", "--report-dir", str(report)]
        + ["--output-sanitize", "true", "--request-timeout", "30"],
        cwd=report.parent,  # where Schemathesis keeps what it found (.schemathesis/)
        env={k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_schemathesis_finds_no_server_error_and_no_answer_that_breaks_the_spec(
    app, database, tmp_path
):
    if not SCHEMATHESIS.exists():
        require_service("Schemathesis (the dev extras: pip install -e '.[dev]')")
    seed_demo()
    tokens = {}
    for role, email in ROLES.items():
        _row, tokens[role] = create_token(find_user(email), "schemathesis", ["read", "write"], 7)
    db.session.commit()

    tested = {}

    def run(role: str) -> tuple[str, int, float]:
        began = time.monotonic()
        (tmp_path / role).mkdir()
        result = run_schemathesis(base_url, tokens[role], tmp_path / role / "report")
        output = result.stdout + result.stderr
        found = SUMMARY.search(output)
        assert result.returncode == 0 and found, f"{role}:\n{output[-6000:]}"
        selected, total, tried = OPERATIONS.search(output).groups()
        tested[role] = (selected, total, tried)
        return role, int(found[1]), time.monotonic() - began

    # PostgreSQL takes two runs at once; SQLite has one writer, and a second run's writes
    # (a token's last use) would wait on it.
    at_once = 2 if db.engine.dialect.name == "postgresql" else 1
    started = time.monotonic()
    cases = {}
    with serving(app) as base_url, ThreadPoolExecutor(max_workers=at_once) as pool:
        for role, count, seconds in pool.map(run, tokens):
            cases[role] = count
            print(f"schemathesis {role}: {count} cases, {seconds:.1f} s")
    total = time.monotonic() - started
    print(f"schemathesis: {sum(cases.values())} cases with 4 tokens in {total:.1f} s")
    # Every role's run tried every operation Schemathesis read from the document.
    assert all(len(set(counts)) == 1 for counts in tested.values()), tested
