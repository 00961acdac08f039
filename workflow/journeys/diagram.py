"""The chart as SVG, rendered on the server by Graphviz with the current state filled.

The journey page shows the picture at its natural size (:func:`chart_size`), so its labels read
at 100% zoom, and ``static/js/diagram.js`` scrolls the box to the node marked ``current``. The
end states' many edges are folded into a legend: a note in the SVG the CLI writes for the docs,
the page's own legend (:data:`END_STATES_LEGEND`) beside the one the page shows.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pydot
from statemachine.contrib.diagram import DotGraphMachine

from workflow.chart import JourneyChart
from workflow.i18n import _l
from workflow.stages import STATE_NAMES

#: Transitions into these states are drawn quietly so the main path stays readable.
_QUIET_TARGETS = {"rejected", "withdrawn"}
#: Graphviz sizes are points; a browser draws a point as 4/3 px at 100%, so 10 pt is 13.3 px.
STATE_FONT_PT = "11"
EVENT_FONT_PT = "10"
ACTIVE_FILL = "#ffd166"

END_STATES_LEGEND = (
    _l(
        "Not drawn: from every submitted state a reviewer can end the journey as rejected, and "
        "from every draft the applicant can end it"
    ),
    _l("A rejected journey stays final; a new journey linked to it continues"),
)


_EDGE_FONT = re.compile(r'point-size="[0-9.]+"')


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
            node.set("label", STATE_NAMES[name])
            node.set("fontsize", STATE_FONT_PT)
            node.set("id", f"state-{name}")
            node.set("class", "state current" if name == state else "state")
    for edge in list(graph.get_edges()):
        if edge.get_destination().strip('"') in _QUIET_TARGETS:
            graph.del_edge(edge.get_source(), edge.get_destination())
        else:
            label = edge.get("label") or ""
            edge.set("label", _EDGE_FONT.sub(f'point-size="{EVENT_FONT_PT}"', label))
    if note:
        graph.add_node(
            pydot.Node(
                "end_states_note",
                shape="note",
                fontname=_JourneyDiagram.font_name,
                fontsize=EVENT_FONT_PT,
                color="#9aa0a6",
                label=r"Reject: from every submitted state to Rejected\l"
                r"Withdraw: from every draft to Withdrawn\l"
                r"Rejected stays final: a new journey linked to it continues\l",
            )
        )
    return graph


@lru_cache(maxsize=64)
def chart_svg(state: str, released: bool = False, *, note: bool = True) -> bytes:
    return chart_dot(state, released, note=note).create_svg()


_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def chart_size(state: str, released: bool = False) -> tuple[int, int]:
    """The page's picture (no note) at 100%, in CSS px: Graphviz writes points."""
    found = _SIZE.search(chart_svg(state, released, note=False))
    if found is None:
        raise ValueError("Graphviz wrote an SVG without a size")
    width, height = (round(float(value) * 4 / 3) for value in found.groups())
    return width, height
