"""Shared timing for the benches: the sides of a comparison alternate round by round.

Load on a shared machine comes and goes. Timing one side in a block and then the other lets a
busy minute land on one side only; running A, B, A, B ... spreads it over both. Every figure is
printed as the median of its rounds with the min and the max beside it, and a ratio is the
median of the per-round ratios (each round's A over the same round's B), with its min and max.

    rounds = alternate({"ours": ours, "plain": plain}, rounds=7)
    show(rounds)
    show_ratio("ours / plain", ratio(rounds, "ours", "plain"), goal=1.5)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of a list of figures, with its min and max."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            raise ValueError("no rounds to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))


def alternate(
    sides: Mapping[str, Callable[[], object]],
    rounds: int,
    *,
    warmup: int = 1,
    clock: Callable[[], float] | None = time.perf_counter,
) -> dict[str, list[float]]:
    """Run every side once per round, in the given order, ``rounds`` times; per-side figures.

    With ``clock`` each call is timed with it (seconds of ``time.perf_counter`` by default, or
    ``time.process_time`` for CPU). With ``clock=None`` each side returns its own figure (for a
    side that times work done elsewhere, such as in a child process or a server).
    ``warmup`` rounds run first, alternated the same way, and are not kept.
    """
    figures: dict[str, list[float]] = {name: [] for name in sides}
    for index in range(warmup + rounds):
        for name, side in sides.items():
            if clock is None:
                figure = float(side())
            else:
                started = clock()
                side()
                figure = clock() - started
            if index >= warmup:
                figures[name].append(figure)
    return figures


def ratio(figures: Mapping[str, list[float]], top: str, bottom: str) -> Spread:
    """The per-round ratios ``top / bottom``, summarised."""
    pairs = zip(figures[top], figures[bottom], strict=True)
    return Spread.of([a / b for a, b in pairs])


def describe(spread: Spread, unit: str = "ms", scale: float = 1000.0, digits: int = 2) -> str:
    """``12.34 ms (min 11.00, max 14.20)``: a figure in ``unit`` after multiplying by ``scale``."""
    median, low, high = (value * scale for value in (spread.median, spread.low, spread.high))
    return f"{median:.{digits}f} {unit} (min {low:.{digits}f}, max {high:.{digits}f})"


def show(
    figures: Mapping[str, list[float]],
    unit: str = "ms",
    scale: float = 1000.0,
    digits: int = 2,
) -> None:
    """Print every side's median with its min and max."""
    width = max(len(name) for name in figures)
    for name, values in figures.items():
        print(f"  {name:<{width}}  median {describe(Spread.of(values), unit, scale, digits)}")


def verdict(value: float, goal: float, *, below: bool = True) -> str:
    met = value < goal if below else value >= goal
    return f"(goal {'<' if below else '>='} {goal:g}: {'met' if met else 'NOT MET'})"


def show_ratio(
    label: str,
    spread: Spread,
    goal: float | None = None,
    *,
    below: bool = True,
    digits: int = 2,
) -> None:
    """Print a ratio's median with its min and max, and the goal beside it when there is one."""
    line = (
        f"{label}: median {spread.median:.{digits}f}x "
        f"(min {spread.low:.{digits}f}, max {spread.high:.{digits}f}, {spread.count} rounds)"
    )
    if goal is not None:
        line += " " + verdict(spread.median, goal, below=below)
    print(line)
