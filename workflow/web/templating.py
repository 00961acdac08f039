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


class TemplateGlobals(ChainMap):
    def keys(self):  # type: ignore[override]
        names: set[str] = set()
        for mapping in self.maps:
            names.update(mapping)
        return names


class DeskEnvironment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return TemplateGlobals(d if d is not None else {}, self.globals)
