"""The reports page's charts: SVG drawn on the server by pygal, shown as images.

Each chart is an ``<img>`` with a ``data:`` URL, which the page's Content-Security-Policy allows
(``img-src 'self' data:``); the SVG's own style sheet applies inside the image only. pygal always
writes a small configuration script for its optional tooltips: it is taken out of the tree, so
the image holds no script at all. Every chart has a table beside it with the same figures.
"""

from __future__ import annotations

import base64
import sys
from xml.etree import ElementTree

import pygal
from flask_babel import format_date
from pygal.style import Style

from workflow.i18n import _
from workflow.reports.figures import Report
from workflow.reports.tables import _stage_label

# pygal appends a finder for its map plugins (which the desk does not use) to sys.meta_path. It
# has only the legacy ``find_module``, so every import that reaches it warns (ImportWarning),
# in the tests an error. Taken out again, imports behave as before pygal was loaded.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309", "#047857", "#7c3aed"),
    font_family="DejaVu Sans, WenQuanYi Micro Hei, sans-serif",
)


def _chart(kind, title: str, **options):
    chart = kind(
        disable_xml_declaration=True,
        js=[],
        style=_STYLE,
        width=720,
        height=320,
        print_values=True,
        legend_at_bottom=True,
        **options,
    )
    chart.title = title
    return chart


def svg_of(chart) -> str:
    """The chart's SVG without pygal's script element."""
    tree = chart.render_tree()
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="unicode")


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def by_stage_chart(report: Report) -> str:
    chart = _chart(pygal.Bar, _("Journeys by stage now"), show_legend=False)
    chart.x_labels = [_stage_label(n, t) for n, t, _count in report.by_stage]
    chart.add(_("Journeys"), [count for _n, _t, count in report.by_stage])
    return svg_of(chart)


def stage_time_chart(report: Report) -> str:
    chart = _chart(pygal.HorizontalBar, _("Days in each stage (ended stays)"))
    chart.x_labels = [_stage_label(s.number, s.title) for s in report.stage_times]
    chart.add(_("Median"), [_days(s.median_seconds) for s in report.stage_times])
    chart.add("p90", [_days(s.p90_seconds) for s in report.stage_times])
    return svg_of(chart)


def weekly_chart(report: Report) -> str:
    chart = _chart(pygal.Bar, _("Submissions and first releases per week"))
    chart.x_labels = [format_date(start, "dd MMM") for start, _subs, _rels in report.weekly]
    chart.add(_("Submissions"), [subs for _start, subs, _rels in report.weekly])
    chart.add(_("Releases"), [rels for _start, _subs, rels in report.weekly])
    return svg_of(chart)


def reviewer_chart(report: Report) -> str:
    chart = _chart(pygal.HorizontalBar, _("Open items per reviewer"))
    chart.x_labels = [load.name for load in report.reviewers]
    chart.add(_("Open"), [load.open_items for load in report.reviewers])
    chart.add(_("Past the SLA"), [load.overdue for load in report.reviewers])
    return svg_of(chart)


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400, 1)


CHARTS = {
    "by_stage": by_stage_chart,
    "stage_times": stage_time_chart,
    "weekly": weekly_chart,
    "reviewers": reviewer_chart,
}


def chart_urls(report: Report) -> dict[str, str]:
    return {name: data_url(draw(report)) for name, draw in CHARTS.items()}
