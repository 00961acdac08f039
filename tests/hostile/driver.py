"""Sending one case: a route's request as one role, with one part replaced, and what must hold
afterwards (no 500, no redirect off the site, no dangling rows or objects)."""

from __future__ import annotations

import io
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from tests.hostile import payloads
from tests.hostile.routes import Route
from tests.hostile.world import World, dangling, restore
from workflow.enablement.samples import sample_pdf, sample_png

#: ``<converter(args):name>`` or ``<name>`` in a URL rule.
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
#: Host names that are this desk: the test client's own and the configured public base URL's.
OWN_HOSTS = {"localhost", "desk.test"}
#: Answers of 503 that are deliberate: the health check names a failing part.
DELIBERATE_503 = {"health.healthz"}

_unique = itertools.count(1)


def sample(kind: str) -> tuple[bytes, str]:
    if kind == "pdf":
        return sample_pdf("Hostile corpus"), "document.pdf"
    if kind == "png":
        return sample_png(32, 32), "scan.png"
    if kind == "csv":
        return b"seller_id\n2001\n2002\n", "sellers.csv"
    body = {"format": "top-checker-report/1", "payload": {"checks": []}, "signature": {}}
    return json.dumps(body).encode(), "report.json"


def rule_of(app: Flask, route: Route) -> str:
    for rule in app.url_map.iter_rules(route.endpoint):
        if route.method in rule.methods:
            return rule.rule
    raise LookupError(f"no rule for {route.name}")


def rule_arguments(rule: str) -> dict[str, str]:
    """``name -> converter`` (``default`` for a plain segment)."""
    return {m["name"]: m["converter"] or "default" for m in _RULE_ARGUMENT.finditer(rule)}


@dataclass
class Override:
    """What one case sends in place of the route's working values. A value may be a function
    of the acting account's current ids (``World.current``)."""

    #: Path arguments, already percent-encoded.
    args: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str | bytes] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    query: dict[str, str | bytes] = field(default_factory=dict)
    #: ``valid``, ``missing``, ``foreign`` (another session's) or ``tampered`` (bad signature).
    csrf: str = "valid"
    #: Send the same request this many times (double submits).
    repeat: int = 1


def _computed(value, ids: dict[str, object]):
    return str(value(ids)) if callable(value) else value


def _resolve(value: str, ids: dict[str, object]) -> str:
    if value.startswith("@") and value[1:] in ids:
        return str(ids[value[1:]])
    value = value.replace("@unique", f"u{next(_unique)}x{secrets.token_hex(3)}")
    return value.format(**ids) if "{" in value else value


def _csrf_token(app: Flask, raw: str, kind: str) -> str | None:
    """The token Flask-WTF would put in the page (it lives as long as the session)."""
    if kind == "missing":
        return None
    if kind == "foreign":  # a page from an earlier session: its token is signed, but not ours
        raw = secrets.token_hex(20)
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB") if kind == "tampered" else token


def build_url(app: Flask, route: Route, ids: dict[str, object], override: Override) -> str:
    rule = rule_of(app, route)

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name in override.args:
            return _computed(override.args[name], ids)
        return quote(_resolve(route.args[name], ids), safe="/")

    url = _RULE_ARGUMENT.sub(fill, rule)
    query = {k: _resolve(v, ids) for k, v in route.query.items()} | override.query
    return f"{url}?{urlencode(query)}" if query else url


def _body(app, route: Route, ids, override: Override, token: str | None):
    values = {k: _resolve(v, ids) for k, v in route.fields.items()}
    values |= {k: _computed(v, ids) for k, v in override.fields.items()}
    if token is not None:
        values["csrf_token"] = token
    if not route.files and not override.files:
        return urlencode(values).encode(), "application/x-www-form-urlencoded"
    data = {k: v.decode("latin-1") if isinstance(v, bytes) else v for k, v in values.items()}
    for name, kind in route.files.items():
        content, filename = override.files.get(name) or sample(kind)
        data[name] = (io.BytesIO(content), filename)
    return data, "multipart/form-data"


def is_api_route(route: Route) -> bool:
    return route.endpoint.startswith("api.")


def _json_body(route: Route, ids, override: Override):
    values = {k: _resolve(v, ids) for k, v in route.fields.items()}
    values |= {k: _computed(v, ids) for k, v in override.fields.items()}
    if not values:
        return b"", "application/json"
    # "values.market" is the field "market" of the object "values" (a stage form's body).
    nested: dict[str, dict] = {}
    for name in [k for k in values if "." in k]:
        outer, inner = name.split(".", 1)
        value = values.pop(name)
        nested.setdefault(outer, {})[inner] = (
            value.decode("latin-1") if isinstance(value, bytes) else value
        )
    parts = [json.dumps(k).encode() + b":" + json.dumps(v).encode() for k, v in nested.items()]
    parts += [
        f"{json.dumps(k)}:".encode()
        + (json.dumps(v).encode() if isinstance(v, str) else b'"' + v + b'"')
        for k, v in values.items()
    ]
    # Invalid UTF-8 goes into the body as it is: the API must refuse it, not fail on it.
    return b"{" + b",".join(parts) + b"}", "application/json"


@dataclass
class Outcome:
    statuses: list[int]
    locations: list[str]
    problems: list[str]


def send(app: Flask, world: World, route: Route, role: str, override: Override) -> Outcome:
    """Send the case, then restore the world; the outcome lists every broken promise."""
    with app.app_context():
        ids = world.current(world.ids_for(role, route.on))
        user = world.user(role)
        session_id = user.get_id() if user is not None else None
    client = app.test_client()
    raw = secrets.token_hex(20)
    is_api = is_api_route(route)
    with client.session_transaction() as session:
        session["csrf_token"] = raw
        if session_id is not None and not is_api:
            session["_user_id"], session["_fresh"] = session_id, True
    url = build_url(app, route, ids, override)
    statuses, locations = [], []
    for _ in range(override.repeat):
        token = _csrf_token(app, raw, override.csrf) if route.method == "POST" else None
        kwargs = {}
        if is_api:
            # Tokens, not cookies; fields go as a JSON body.
            if role in world.api_tokens:
                kwargs["headers"] = {"Authorization": f"Bearer {world.api_tokens[role]}"}
            if route.method == "POST" and (route.files or override.files):
                # A route that takes a file takes it as multipart, with no CSRF field.
                kwargs["data"], kwargs["content_type"] = _body(app, route, ids, override, None)
            elif route.method == "POST":
                kwargs["data"], kwargs["content_type"] = _json_body(route, ids, override)
        elif route.method == "POST":
            kwargs["data"], kwargs["content_type"] = _body(app, route, ids, override, token)
        response = client.open(url, method=route.method, **kwargs)
        statuses.append(response.status_code)
        if "Location" in response.headers:
            locations.append(response.headers["Location"])
        response.close()
    with app.app_context():
        restore(world)
        left = dangling()
    return Outcome(statuses, locations, _problems(route, statuses, locations, left))


def _problems(route: Route, statuses, locations, left) -> list[str]:
    problems = []
    for status in statuses:
        if status >= 500 and not (status == 503 and route.endpoint in DELIBERATE_503):
            problems.append(f"answered {status}")
    problems += [f"redirects off the site: {loc!r}" for loc in locations if leaves_site(loc)]
    if left["orphans"]:
        problems.append(f"stored objects without a row: {left['orphans']}")
    if left["missing"]:
        problems.append(f"rows pointing at missing objects: {left['missing']}")
    return problems


def leaves_site(location: str) -> bool:
    """Where a browser would go: it drops tabs and line breaks and reads ``\\`` as ``/``."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip()
    parts = urlsplit(cleaned)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return True
    if cleaned.startswith("//") or parts.netloc:
        return (parts.hostname or "") not in OWN_HOSTS
    return not cleaned.startswith("/")


def text_override(route: Route, name: str, value: str | bytes) -> Override:
    """``value`` in the field, query parameter or path argument called ``name``."""
    if name in route.fields:
        return Override(fields={name: value})
    return Override(query={name: value})


__all__ = ["Override", "Outcome", "payloads", "rule_arguments", "send", "text_override"]
