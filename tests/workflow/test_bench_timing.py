"""bench/timing.py alternates the sides round by round and summarises per-round ratios."""

from __future__ import annotations

from bench.timing import Spread, alternate, ratio


def test_sides_alternate_round_by_round_and_the_warm_up_is_dropped() -> None:
    calls: list[str] = []
    figures = iter(range(1, 100))

    def side(name: str):
        def run() -> float:
            calls.append(name)
            return next(figures)

        return run

    rounds = alternate({"a": side("a"), "b": side("b")}, 3, warmup=1, clock=None)
    assert calls == ["a", "b"] * 4
    assert rounds == {"a": [3.0, 5.0, 7.0], "b": [4.0, 6.0, 8.0]}


def test_a_ratio_is_the_median_of_the_per_round_ratios() -> None:
    # Medians of the sides would give 10 / 2 = 5; the rounds themselves say 2, 4 and 10.
    rounds = {"ours": [2.0, 20.0, 10.0], "plain": [1.0, 2.0, 2.5]}
    assert ratio(rounds, "ours", "plain") == Spread(median=4.0, low=2.0, high=10.0, count=3)
