"""The chart as SVG, rendered on the server by Graphviz with the current state filled.

The journey page shows the picture at its natural size (:func:`chart_size`), so its labels read
at 100% zoom, and ``static/js/diagram.js`` scrolls the box to the node marked ``current``. The
end states' many edges are folded into a legend: a note in the SVG the CLI writes for the docs,
the page's own legend (:data:`END_STATES_LEGEND`) beside the one the page shows.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pydot
from statemachine.contrib.diagram import DotGraphMachine

from workflow.chart import JourneyChart
from workflow.i18n import current_language, force_locale
from workflow.stages import DIAGRAM_EVENT_NAMES, DIAGRAM_LEGEND, DIAGRAM_NOTE, STATE_NAMES

#: Transitions into these states are drawn quietly so the main path stays readable.
_QUIET_TARGETS = {"rejected", "withdrawn"}
#: Graphviz sizes are points; a browser draws a point as 4/3 px at 100%, so 10 pt is 13.3 px.
STATE_FONT_PT = "11"
EVENT_FONT_PT = "10"
ACTIVE_FILL = "#ffd166"

END_STATES_LEGEND = DIAGRAM_LEGEND


_EDGE_FONT = re.compile(r'point-size="[0-9.]+"')
#: An edge label's event name, as the library writes it.
_EVENT_NAME = re.compile(r'(<font point-size="[0-9.]+">)([^<]+)(</font>)')
_EVENT_OF_NAME = {event.name: event.id for event in JourneyChart.events}


def _translated_event(found: re.Match) -> str:
    """The library's event name in the reader's language (the chart's id names the event)."""
    event = _EVENT_OF_NAME.get(found.group(2))
    if event is None or event not in DIAGRAM_EVENT_NAMES:
        return found.group(0)
    return found.group(1) + html.escape(str(DIAGRAM_EVENT_NAMES[event])) + found.group(3)


class _JourneyDiagram(DotGraphMachine):
    graph_rankdir = "TB"
    font_name = "DejaVu Sans"
    state_active_fillcolor = ACTIVE_FILL


class _Snapshot:
    def __init__(self, state: str, released: bool):
        self.state = state
        self.released_at = True if released else None


def _nodes(graph):
    yield from graph.get_nodes()
    for sub in graph.get_subgraphs():
        yield from _nodes(sub)


def chart_dot(state: str, released: bool = False, *, note: bool = True):
    """The library's diagram in the desk's words, the current state marked ``current``.

    The many edges into the end states are folded into a note (or, with ``note=False``, left
    to the page's legend).
    """
    graph = _JourneyDiagram(JourneyChart(model=_Snapshot(state, released)))()
    graph.set("label", "")
    graph.set("pad", "0.1")
    for node in _nodes(graph):
        name = node.get_name().strip('"')
        if name == "node":
            node.set("fontsize", STATE_FONT_PT)
        elif name == "edge":
            node.set("fontsize", EVENT_FONT_PT)
        elif name in STATE_NAMES:
            node.set("label", str(STATE_NAMES[name]))
            node.set("fontsize", STATE_FONT_PT)
            node.set("id", f"state-{name}")
            node.set("class", "state current" if name == state else "state")
    for edge in list(graph.get_edges()):
        if edge.get_destination().strip('"') in _QUIET_TARGETS:
            graph.del_edge(edge.get_source(), edge.get_destination())
        else:
            label = _EVENT_NAME.sub(_translated_event, edge.get("label") or "")
            edge.set("label", _EDGE_FONT.sub(f'point-size="{EVENT_FONT_PT}"', label))
    if note:
        graph.add_node(
            pydot.Node(
                "end_states_note",
                shape="note",
                fontname=_JourneyDiagram.font_name,
                fontsize=EVENT_FONT_PT,
                color="#9aa0a6",
                label="".join(f"{line}\\l" for line in _note_lines()),
            )
        )
    return graph


def _note_lines() -> list[str]:
    return [str(line) for line in DIAGRAM_NOTE]


def chart_svg(state: str, released: bool = False, *, note: bool = True) -> bytes:
    """The diagram in the current request's language."""
    return _chart_svg(state, released, note, current_language())


@lru_cache(maxsize=128)
def _chart_svg(state: str, released: bool, note: bool, language: str) -> bytes:
    with force_locale(language):
        return chart_dot(state, released, note=note).create_svg()


_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def chart_size(state: str, released: bool = False) -> tuple[int, int]:
    """The page's picture (no note) at 100%, in CSS px: Graphviz writes points."""
    found = _SIZE.search(chart_svg(state, released, note=False))
    if found is None:
        raise ValueError("Graphviz wrote an SVG without a size")
    width, height = (round(float(value) * 4 / 3) for value in found.groups())
    return width, height
