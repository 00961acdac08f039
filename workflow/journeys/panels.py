"""Area panels on the journey page: each area shows its own forms and evidence.

An area registers a function that returns the panel's context, or ``None`` when the
panel does not apply to the journey; the template reads it as ``panel``. A panel may name
the stage it belongs to (so the workspace can fold it away once that stage is done), and a
``summary`` that turns its context into the few lines of evidence a reviewer reads first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow.models import Journey, User

PanelFn = Callable[[Journey, User], dict[str, Any] | None]
#: One line of a reviewer's evidence summary: ``(tone, text)``, tone ``ok``, ``warn`` or ``fail``.
Finding = tuple[str, str]
SummaryFn = Callable[[dict[str, Any]], list[Finding]]


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    build: PanelFn
    #: The stage number (``workflow.stages.STAGES``) the panel shows, or None for every stage.
    stage: str | None = None
    summary: SummaryFn | None = None


_panels: list[Panel] = []


def panel(
    template: str,
    *,
    order: int = 50,
    stage: str | None = None,
    summary: SummaryFn | None = None,
) -> Callable[[PanelFn], PanelFn]:
    def register(build: PanelFn) -> PanelFn:
        _panels.append(Panel(template, order, build, stage, summary))
        _panels.sort(key=lambda p: p.order)
        return build

    return register


def panels_for(journey: Journey, user: User) -> list[dict[str, Any]]:
    shown = []
    for p in _panels:
        context = p.build(journey, user)
        if context is not None:
            lines = p.summary(context) if p.summary else []
            shown.append({"template": p.template, "stage": p.stage, "summary": lines, **context})
    return shown
