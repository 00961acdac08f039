"""Area panels on the journey page: each area shows its own forms and evidence.

An area registers a function that returns the panel's context, or ``None`` when the
panel does not apply to the journey; the template reads it as ``panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow.models import Journey, User

PanelFn = Callable[[Journey, User], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    build: PanelFn


_panels: list[Panel] = []


def panel(template: str, *, order: int = 50) -> Callable[[PanelFn], PanelFn]:
    def register(build: PanelFn) -> PanelFn:
        _panels.append(Panel(template, order, build))
        _panels.sort(key=lambda p: p.order)
        return build

    return register


def panels_for(journey: Journey, user: User) -> list[dict[str, Any]]:
    shown = []
    for p in _panels:
        context = p.build(journey, user)
        if context is not None:
            shown.append({"template": p.template, **context})
    return shown
