"""The chart as SVG, rendered on the server by Graphviz with the current state filled."""

from __future__ import annotations

from functools import lru_cache

import pydot
from statemachine.contrib.diagram import DotGraphMachine

from workflow.chart import JourneyChart

#: Transitions into these states are drawn quietly so the main path stays readable.
_QUIET_TARGETS = {"rejected", "withdrawn"}


class _JourneyDiagram(DotGraphMachine):
    graph_rankdir = "TB"
    font_name = "DejaVu Sans"
    state_active_fillcolor = "#ffd166"


class _Snapshot:
    def __init__(self, state: str, released: bool):
        self.state = state
        self.released_at = True if released else None


def chart_dot(state: str, released: bool = False):
    """The library's diagram, with the many edges into the end states folded into a note."""
    graph = _JourneyDiagram(JourneyChart(model=_Snapshot(state, released)))()
    for edge in list(graph.get_edges()):
        if edge.get_destination().strip('"') in _QUIET_TARGETS:
            graph.del_edge(edge.get_source(), edge.get_destination())
    graph.add_node(
        pydot.Node(
            "end_states_note",
            shape="note",
            fontname=_JourneyDiagram.font_name,
            fontsize="9",
            color="#9aa0a6",
            label=r"Reject: from every submitted state to Rejected\l"
            r"Withdraw: from every draft to Withdrawn\l"
            r"Rejected stays final: a new journey linked to it continues\l",
        )
    )
    return graph


@lru_cache(maxsize=64)
def chart_svg(state: str, released: bool = False) -> bytes:
    return chart_dot(state, released).create_svg()
