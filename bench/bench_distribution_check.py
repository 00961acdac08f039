"""A 1,000,000-ID distribution list checked against a 1,000,000-ID authorization list in force.

Measures, in one run: parsing the typed list with its line numbers kept for later
(``locate_seller_ids``), the check that every ID is authorized (``refuse_ids_outside``) for a
clean list, and the same check when 1,000 IDs are outside, which is when line numbers are worked
out. Goal: the clean check costs less than the parse, so the rule adds less than 2x to saving.
Run: .venv/bin/python bench/bench_distribution_check.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.distribution.sellerids import (  # noqa: E402
    SellerIdListError,
    locate_seller_ids,
    refuse_ids_outside,
)

LIST_SIZE = 1_000_000
OUTSIDE = 1_000
ROUNDS = 3


def best_of(rounds: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def refused_lines(located, allowed) -> int:
    try:
        refuse_ids_outside(located, allowed)
    except SellerIdListError as exc:
        return exc.problem_count
    return 0


def main() -> int:
    rng = random.Random(12)
    ids = rng.sample(range(10**9, 10**13), LIST_SIZE)
    text = "\n".join(map(str, ids)) + "\n"
    authorized = set(ids)
    located = locate_seller_ids(text)
    assert refused_lines(located, authorized) == 0
    partly = set(ids[OUTSIDE:])
    assert refused_lines(located, partly) == OUTSIDE

    parse = best_of(ROUNDS, lambda: locate_seller_ids(text))
    clean = best_of(ROUNDS, lambda: refused_lines(located, authorized))
    refused = best_of(ROUNDS, lambda: refused_lines(locate_seller_ids(text), partly))
    print(f"parse {LIST_SIZE:,} typed IDs (lines kept for later): {parse * 1000:8.1f} ms")
    print(f"check all authorized:                         {clean * 1000:8.1f} ms")
    print(f"parse + check with {OUTSIDE:,} outside (line numbers): {refused * 1000:8.1f} ms")
    ratio = (parse + clean) / parse
    print(f"saving with the rule / parsing alone: {ratio:.2f}x (goal < 2x)")
    return 0 if ratio < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
