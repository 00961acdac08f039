"""Wait until a freshly started desk answers, so `make run` can print its URL and logins last.

    python scripts/wait_for_desk.py URL --pid PID [--config gunicorn.conf.py] [--timeout SECONDS]

Polls URL until it answers 200. PID is the gunicorn master: if it exits first, the desk did not
start (its own log says why) and this exits 1. With --config it then waits, briefly, until the
master has forked as many workers as that file asks for, so their start-up lines come before
whatever follows.
Standard library only: it runs before anything else is known to work.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

POLL_SECONDS = 0.25


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    # A child that exited but was not reaped yet is a zombie: dead for our purpose.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def children(pid: int) -> int | None:
    """How many children the process has, or None where Linux does not say."""
    try:
        return len(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return None


def wait_for_desk(url: str, pid: int, workers: int | None, timeout: float) -> str | None:
    """Return None once the desk answers, or the reason it never will."""
    deadline = time.monotonic() + timeout
    while not answers(url):
        if not is_alive(pid):
            return "the desk did not start; its log is above"
        if time.monotonic() > deadline:
            return f"the desk did not answer {url} within {timeout:.0f} seconds"
        time.sleep(POLL_SECONDS)
    settle_until = time.monotonic() + 10
    while workers and time.monotonic() < settle_until:
        count = children(pid)
        if count is None or count >= workers:
            break
        time.sleep(POLL_SECONDS)
    time.sleep(POLL_SECONDS)  # the last worker's start-up line
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--pid", type=int, required=True, help="the gunicorn master")
    parser.add_argument("--config", help="the gunicorn config file; wait for its workers too")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    workers = runpy.run_path(args.config).get("workers") if args.config else None
    failure = wait_for_desk(args.url, args.pid, workers, args.timeout)
    if failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
