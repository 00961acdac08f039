"""The pages' Jinja environment: Flask's, with template globals that are cheap to compare.

Jinja gives each template its globals as a ``ChainMap`` over the environment's, and every
``{% from … import … %}`` and ``{% include %}`` compares the including context's global names
with them (``ctx.globals_keys - template.globals.keys()``). Over a ``ChainMap`` that is a
Python-level membership test per name, a few hundred per include; the journey page imports its
form macros in a dozen panels. Here the keys come back as one set, so the comparison is a set
difference. Reads and the overlay behave as before.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment
from markupsafe import Markup, escape
from wtforms.widgets import core as wtforms_widgets
from wtforms.widgets.core import clean_key


class TemplateGlobals(ChainMap):
    def keys(self):  # type: ignore[override]
        names: set[str] = set()
        for mapping in self.maps:
            names.update(mapping)
        return names


class DeskEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals(d if d is not None else {}, self.globals)


def fast_html_params(**kwargs) -> Markup:
    """WTForms' ``html_params`` with the same output, without ``Markup.format``.

    Every form control's attributes go through it; WTForms formats each attribute with
    ``Markup.format``, whose pure-Python formatter was a tenth of rendering a journey page.
    Sorted by name, ``data_``/``aria_`` names hyphenated, ``True`` written bare and ``False``
    left out, every name and value escaped, exactly as WTForms does.
    """
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


#: WTForms' own, kept for the test that compares the two.
WTFORMS_HTML_PARAMS = wtforms_widgets.html_params


def use_fast_html_params() -> None:
    """WTForms' widgets look ``html_params`` up in their module at each call."""
    wtforms_widgets.html_params = fast_html_params
