"""Parse + validate + diff of a 1,000,000-ID seller list against a bare int()-and-set loop.

Goal: the full pipeline stays below 3x the bare loop over the same text.
Run: .venv/bin/python bench/bench_sellerids.py
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from workflow.distribution.sellerids import (  # noqa: E402
    canonical_sha256,
    diff_seller_ids,
    parse_seller_ids,
)

LIST_SIZE = 1_000_000
IN_FORCE_OVERLAP = 900_000  # the in-force list shares this many IDs with the proposal
IN_FORCE_ONLY = 50_000  # and has this many the proposal drops
GOAL_RATIO = 3.0
ROUNDS = 5


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


def main() -> None:
    text, in_force = build_lists(random.Random(5))
    diff = diff_seller_ids(in_force, parse_seller_ids(text))
    assert len(diff.added) == LIST_SIZE - IN_FORCE_OVERLAP
    assert len(diff.removed) == IN_FORCE_ONLY
    assert diff.unchanged_count == IN_FORCE_OVERLAP

    rounds = alternate(
        {
            "bare int()+set loop": lambda: bare_loop(text),
            "parse + validate + diff": lambda: diff_seller_ids(in_force, parse_seller_ids(text)),
            "  of which parse+validate": lambda: parse_seller_ids(text),
            "canonical_sha256 (in force, not in the ratio)": lambda: canonical_sha256(in_force),
        },
        ROUNDS,
    )
    print(f"IDs: {LIST_SIZE:,} proposed, {len(in_force):,} in force; {ROUNDS} alternated rounds")
    show(rounds, digits=1)
    pipeline_over_bare = ratio(rounds, "parse + validate + diff", "bare int()+set loop")
    show_ratio("ratio pipeline/bare", pipeline_over_bare, goal=GOAL_RATIO)


if __name__ == "__main__":
    main()
