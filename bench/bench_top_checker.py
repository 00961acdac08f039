"""Wall time of 50 APPs checked concurrently, as a multiple of one check (goal: below 3x).

Run: .venv/bin/python bench/bench_top_checker.py

A local gateway adds 200 ms to every answer, as a slow cross-border link would. Each check
makes four gateway round trips (HTTP answer, time.get, session, one API).
"""

import sys
import time
from pathlib import Path

# Run as a plain script from anywhere: the repository root holds the top package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from top.checker import run_check, run_checks_concurrently  # noqa: E402
from top.gateway import LocalGateway  # noqa: E402

APPS = 50
LATENCY_MS = 200


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


def main() -> None:
    with LocalGateway() as gateway:
        gateway.faults.set_latency(LATENCY_MS)
        work = jobs(gateway)
        run_check(**work[0])  # warm up: imports, first data generation
        started = time.perf_counter()
        single = run_check(**work[1])
        one = time.perf_counter() - started
        started = time.perf_counter()
        reports = run_checks_concurrently(work)
        many = time.perf_counter() - started
    assert single.ok and all(report.ok for report in reports)
    print(f"gateway latency {LATENCY_MS} ms; one check: {one:.2f} s")
    print(f"{APPS} APPs concurrently: {many:.2f} s = {many / one:.2f}x one check (goal < 3x)")


if __name__ == "__main__":
    main()
