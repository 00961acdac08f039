"""Pages served by gunicorn (2 workers) at concurrency 8, against a minimal signed-in page.

Two fresh databases are built through the migrations, each with the demo data (seed_demo) and
then 1,000 or 100,000 journeys bulk-inserted with core inserts over 100 accounts, waiting for
review. Each gets a gunicorn with 2 sync workers on loopback. A reviewer signs in, and 8 threads,
each with its own requests.Session, load one page for a fixed number of requests; the pages
alternate round by round:

- the minimal signed-in page (GET /account/password: the layout and a small form);
- the journey page of the demo seller's journey (GET /journeys/<id>);
- the queue (GET /review/) and the search (GET /review/journeys?q=...&per_page=10), at 100,000
  journeys;
- the same search at 1,000 journeys (which match ten rows, hence the page of ten).

It prints each page's throughput as a fraction of the minimal page's in the same round, and the
search's p50 latency at 100k / 1k, each as the median of its per-round ratios with min and max,
and the goals beside them. It only measures.

Run: .venv/bin/python bench/bench_serving.py
PostgreSQL: BENCH_SERVING_DATABASES="postgresql://.../small postgresql://.../large" (two
databases that the bench empties and rebuilds).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import Spread, show_ratio  # noqa: E402

SIZES = (1_000, 100_000)
ACCOUNTS = 100
BATCH = 10_000
CONCURRENCY = 8
REQUESTS_PER_PAGE = 80  # per round, shared by the 8 threads
ROUNDS = 3
SEARCH = "Bench 42"


@dataclass
class Load:
    """One page loaded at concurrency 8: requests per second and each request's latency."""

    throughput: float
    latencies: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)


def database_urls(base: Path) -> list[str]:
    given = os.environ.get("BENCH_SERVING_DATABASES", "").split()
    if given:
        if len(given) != len(SIZES):
            sys.exit("BENCH_SERVING_DATABASES takes two database URLs: 1k and 100k journeys")
        return given
    return [f"sqlite:///{base / f'serving-{size}.sqlite3'}" for size in SIZES]


def server_config(base: Path, url: str) -> dict:
    from tests.support import desk_config

    config = desk_config(base, url)
    config["TESTING"] = False  # errors are answered as in production, not raised
    return config


def seed(base: Path, url: str, size: int) -> tuple[int, str, str]:
    """Demo data plus ``size`` journeys; (demo seller's journey id, reviewer e-mail, password)."""
    from sqlalchemy import insert, select

    from app import create_app
    from tests.support import reset_schema
    from workflow.demo import REVIEWER, SELLER, seed_demo
    from workflow.extensions import db
    from workflow.models import Account, AccountKind, Journey, User
    from workflow.stages import REVIEW_STATES

    app = create_app(server_config(base, url))
    with app.app_context():
        reset_schema()
        logins = seed_demo()
        seller = db.session.scalars(select(User).where(User.email == SELLER[0])).one()
        journey_id = db.session.scalars(
            select(Journey.id).where(Journey.account_id == seller.account_id)
        ).first()
        now = datetime.now(UTC)
        first_account = db.session.scalar(select(Account.id).order_by(Account.id.desc())) + 1
        db.session.execute(
            insert(Account),
            [{"id": first_account + n, "kind": AccountKind.isv, "name": f"Bench {n}",
              "taobao_account_id": f"bench_{n}", "created_at": now} for n in range(ACCOUNTS)],
        )  # fmt: skip
        for first in range(0, size, BATCH):
            rows = [
                {"account_id": first_account + i % ACCOUNTS, "version_id": 1,
                 "state": REVIEW_STATES[i % len(REVIEW_STATES)], "created_at": now,
                 "state_changed_at": now - timedelta(seconds=i)}
                for i in range(first, min(first + BATCH, size))
            ]  # fmt: skip
            db.session.execute(insert(Journey), rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return journey_id, REVIEWER, logins[REVIEWER]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(base: Path, url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ONBOARDING_INSTANCE_PATH=str(base / "instance"), PYTHONPATH=str(ROOT))
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
        f"app:create_app({server_config(base, url)!r})",
    ]  # fmt: skip
    log = (base / f"gunicorn-{port}.log").open("w")  # the request log, kept out of the figures
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{address}/login", timeout=2)
            return server, address
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start within 60 s")


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def signed_in_sessions(address: str, email: str, password: str) -> list[requests.Session]:
    sessions = []
    for _ in range(CONCURRENCY):
        session = requests.Session()
        answer = session.post(
            f"{address}/login", data={"email": email, "password": password}, allow_redirects=False
        )
        assert answer.status_code == 302, answer.status_code
        sessions.append(session)
    return sessions


def load(sessions: list[requests.Session], url: str, expect: str) -> Load:
    """REQUESTS_PER_PAGE GETs of ``url`` spread over the sessions' threads, all at once."""
    latencies: list[float] = []
    failures: list[str] = []
    share = REQUESTS_PER_PAGE // len(sessions)

    def worker(session: requests.Session) -> None:
        for _ in range(share):
            started = time.perf_counter()
            try:
                answer = session.get(url, timeout=120)
            except requests.RequestException as exc:
                failures.append(f"{exc} {url}")
                return
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200 or expect not in answer.text:
                failures.append(f"{answer.status_code} {url}")

    threads = [
        threading.Thread(target=worker, args=(session,), daemon=True) for session in sessions
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        sys.exit(f"{len(failures)} failed requests, first: {failures[0]}")
    return Load(len(latencies) / elapsed, latencies)


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    os.environ["ONBOARDING_INSTANCE_PATH"] = str(base / "instance")  # demo logins land there
    servers = []
    try:
        targets = {}
        for size, url in zip(SIZES, database_urls(base), strict=True):
            journey_id, email, password = seed(base, url, size)
            server, address = start_gunicorn(base, url)
            servers.append(server)
            targets[size] = (address, signed_in_sessions(address, email, password))
        small, large = (targets[size] for size in SIZES)
        # Ten rows a page: at 1k journeys the search matches ten, so both sides render the
        # same page and the ratio measures the lookup's growth, not a longer page.
        search = f"/review/journeys?q={SEARCH.replace(' ', '+')}&per_page=10"
        pages = {
            "minimal page": (large, "/account/password", "password"),
            "journey page": (large, f"/journeys/{journey_id}", "Demo Global Flagship Store"),
            "queue": (large, "/review/", "Review"),
            "search": (large, search, SEARCH),
            "search at 1k": (small, search, SEARCH),
        }
        results: dict[str, list[Load]] = {name: [] for name in pages}
        for index in range(ROUNDS + 1):  # the first round warms the workers up and is not kept
            for name, ((address, sessions), path, expect) in pages.items():
                figure = load(sessions, address + path, expect)
                if index:
                    results[name].append(figure)
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(base, ignore_errors=True)
    report(results)


def report(results: dict[str, list[Load]]) -> None:
    database = "PostgreSQL" if os.environ.get("BENCH_SERVING_DATABASES") else "SQLite"
    print(
        f"gunicorn, 2 workers, {database}, concurrency {CONCURRENCY}, {REQUESTS_PER_PAGE} "
        f"requests per page and round, {ROUNDS} alternated rounds; load {os.getloadavg()[0]:.2f}"
    )
    for name, loads in results.items():
        rate = Spread.of([figure.throughput for figure in loads])
        p50 = Spread.of([figure.p50 * 1000 for figure in loads])
        print(
            f"  {name:<13} {rate.median:7.1f} req/s (min {rate.low:.1f}, max {rate.high:.1f}); "
            f"p50 {p50.median:.1f} ms (min {p50.low:.1f}, max {p50.high:.1f})"
        )
    minimal = results["minimal page"]
    goals = {"journey page": 0.5, "queue": None, "search": None}
    for name, goal in goals.items():
        fractions = [
            a.throughput / b.throughput for a, b in zip(results[name], minimal, strict=True)
        ]
        show_ratio(f"{name} / minimal page throughput", Spread.of(fractions), goal, below=False)
    growth = [
        a.p50 / b.p50 for a, b in zip(results["search"], results["search at 1k"], strict=True)
    ]
    show_ratio("search p50, 100k / 1k journeys", Spread.of(growth), goal=1.5)


if __name__ == "__main__":
    main()
