"""Parse + validate + diff of a 1,000,000-ID seller list against a bare int()-and-set loop.

Goal: the full pipeline stays below 3x the bare loop over the same text.
Run: .venv/bin/python bench/bench_sellerids.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.distribution.sellerids import (  # noqa: E402
    canonical_sha256,
    diff_seller_ids,
    parse_seller_ids,
)

LIST_SIZE = 1_000_000
IN_FORCE_OVERLAP = 900_000  # the in-force list shares this many IDs with the proposal
IN_FORCE_ONLY = 50_000  # and has this many the proposal drops
GOAL_RATIO = 3.0
ROUNDS = 3


def build_lists(rng: random.Random) -> tuple[str, list[int]]:
    # Taobao seller IDs are 10-13 digit numbers.
    pool = rng.sample(range(10**9, 10**13), LIST_SIZE + IN_FORCE_ONLY)
    proposed, dropped = pool[:LIST_SIZE], pool[LIST_SIZE:]
    in_force = sorted(rng.sample(proposed, IN_FORCE_OVERLAP) + dropped)
    # Fresh int objects in ascending order, as a load from the database would hand them over.
    in_force = [int(str(seller_id)) for seller_id in in_force]
    return "\n".join(map(str, proposed)) + "\n", in_force


def bare_loop(text: str) -> set[int]:
    seen = set()
    for line in text.splitlines():
        seen.add(int(line))
    return seen


def best_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    text, in_force = build_lists(random.Random(5))
    diff = diff_seller_ids(in_force, parse_seller_ids(text))
    assert len(diff.added) == LIST_SIZE - IN_FORCE_OVERLAP
    assert len(diff.removed) == IN_FORCE_ONLY
    assert diff.unchanged_count == IN_FORCE_OVERLAP

    bare = best_of(ROUNDS, lambda: bare_loop(text))
    pipeline = best_of(ROUNDS, lambda: diff_seller_ids(in_force, parse_seller_ids(text)))
    parse_only = best_of(ROUNDS, lambda: parse_seller_ids(text))
    fingerprint = best_of(ROUNDS, lambda: canonical_sha256(in_force))

    ratio = pipeline / bare
    print(f"IDs: {LIST_SIZE:,} proposed, {len(in_force):,} in force, best of {ROUNDS}")
    print(f"bare int()+set loop:        {bare * 1000:8.1f} ms")
    print(f"parse + validate + diff:    {pipeline * 1000:8.1f} ms")
    print(f"  of which parse+validate:  {parse_only * 1000:8.1f} ms")
    print(f"canonical_sha256 (in force): {fingerprint * 1000:7.1f} ms (not in the ratio)")
    verdict = "OK" if ratio < GOAL_RATIO else "OVER GOAL"
    print(f"ratio pipeline/bare: {ratio:.2f}x (goal < {GOAL_RATIO:.0f}x) {verdict}")


if __name__ == "__main__":
    main()
