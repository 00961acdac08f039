"""Wall time of 50 APPs checked concurrently, as a multiple of one check (goal: below 3x).

Run: .venv/bin/python bench/bench_top_checker.py

A local gateway adds 200 ms to every answer, as a slow cross-border link would. Each check
makes four gateway round trips (HTTP answer, time.get, session, one API).
"""

import sys
from pathlib import Path

# Run as a plain script from anywhere: the repository root holds the top package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from top.checker import run_check, run_checks_concurrently  # noqa: E402
from top.gateway import LocalGateway  # noqa: E402

APPS = 50
LATENCY_MS = 200
ROUNDS = 3


def jobs(gateway: LocalGateway) -> list[dict]:
    result = []
    for n in range(APPS):
        app_key, secret, session = f"{30000000 + n}", f"bench-secret-{n}", f"bench-session-{n}"
        gateway.add_app(app_key, secret)
        gateway.add_session(session, f"bench_shop_{n}")
        result.append(
            {
                "gateway": gateway.url,
                "app_key": app_key,
                "app_secret": secret,
                "session": session,
                "apis": ["taobao.trades.sold.get"],
                "timeout": 10,
            }
        )
    return result


def check_one(job: dict) -> None:
    assert run_check(**job).ok


def check_all(work: list[dict]) -> None:
    assert all(report.ok for report in run_checks_concurrently(work))


def main() -> None:
    with LocalGateway() as gateway:
        gateway.faults.set_latency(LATENCY_MS)
        work = jobs(gateway)
        rounds = alternate(
            {
                "one check": lambda: check_one(work[1]),
                f"{APPS} APPs at once": lambda: check_all(work),
            },
            ROUNDS,  # the warm-up round pays for imports and the first data generation
        )
    print(f"gateway latency {LATENCY_MS} ms; {ROUNDS} alternated rounds")
    show(rounds, unit="s", scale=1)
    show_ratio(
        f"{APPS} APPs concurrently / one check",
        ratio(rounds, f"{APPS} APPs at once", "one check"),
        goal=3,
    )


if __name__ == "__main__":
    main()
