"""``_`` is the desk's gettext: a function that also binds ``_`` (a ``**_`` parameter, an
unpacking into ``_``) and calls ``_("…")`` fails at run time, on the one page that reaches it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shadowing_functions(source: str) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        args = node.args
        params = {a.arg for a in args.args + args.kwonlyargs + args.posonlyargs}
        params |= {a.arg for a in (args.kwarg, args.vararg) if a is not None}
        inner = list(ast.walk(node))
        binds = "_" in params or any(
            isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in inner
        )
        calls = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
            for n in inner
        )
        if binds and calls:
            found.append((node.name, node.lineno))
    return found


def test_the_check_sees_a_shadowed_gettext():
    source = "def panel(journey, **_):\n    return _('Documents')\n"
    assert shadowing_functions(source) == [("panel", 1)]
    assert shadowing_functions("def panel(journey):\n    return _('Documents')\n") == []


def test_no_function_of_the_desk_shadows_gettext():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in sorted((ROOT / "workflow").rglob("*.py"))
        for name, line in shadowing_functions(path.read_text())
    ]
    assert offenders == []
