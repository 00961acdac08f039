"""The OpenAPI 3.1 document, generated from the API's routes and their pydantic bodies.

Each view of the API blueprint carries an :class:`Operation` (``@documented``): its summary,
the body it takes and the body it answers with, its query parameters and headers, and the
problems it may answer. :func:`build_spec` walks ``app.url_map`` for the blueprint's rules and
writes the document; the bodies' schemas come from the same pydantic models that validate the
requests, so the document cannot drift from what the code accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from workflow.api.problems import MEDIA_TYPE, TITLES
from workflow.api.schemas import ProblemDetails

SPEC_ATTRIBUTE = "openapi_operation"
#: Problems every route with a token may answer (404: a page a role does not have is not
#: there for it, as on the desk's pages).
AUTHENTICATED = (401, 403, 404, 429)


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # "query" | "header"
    description: str
    schema: dict[str, Any]
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    params: tuple[Param, ...] = ()
    problems: tuple[int, ...] = ()
    #: Whether the answer carries the journey's version as ``ETag``.
    etag: bool = False
    public: bool = False
    #: A non-JSON answer: its media type ("text/html").
    media_type: str = "application/json"
    description: str = ""
    #: The security scheme of ``components.securitySchemes`` the route takes.
    security: str = "token"
    #: The media type of the request body.
    body_media_type: str = "application/json"
    extra: dict[str, Any] = field(default_factory=dict)
    #: A multipart/form-data body (an upload): the JSON Schema of its parts.
    form: dict[str, Any] | None = None


def documented(**kwargs):
    operation = Operation(**kwargs)

    def mark(view):
        setattr(view, SPEC_ATTRIBUTE, operation)
        return view

    return mark


def _openapi_path(rule: str, prefix: str) -> str:
    path = rule[len(prefix) :] or "/"
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", path)


def _path_params(rule) -> list[dict]:
    params = []
    for name, converter in rule._converters.items():
        schema = (
            {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
            if type(converter).__name__ in ("DatabaseIdConverter", "IntegerConverter")
            else {"type": "string", "maxLength": 40, "pattern": "^[a-z_]+$"}
        )
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def build_spec(app: Flask, blueprint: str = "api", prefix: str = "/api/v1") -> dict:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(blueprint + ".")]
    operations = []
    for rule in sorted(rules, key=lambda r: r.rule):
        operation = getattr(app.view_functions[rule.endpoint], SPEC_ATTRIBUTE, None)
        if operation is None:
            raise LookupError(f"{rule.endpoint} has no @documented operation")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operations.append((rule, method, operation))
    models = {ProblemDetails}
    for _, _, op in operations:
        models.update(m for m in (op.response, op.body) if m is not None)
    bodies = {op.body for _, _, op in operations if op.body is not None}
    ordered = sorted(models, key=lambda m: m.__name__)
    _, defs = models_json_schema(
        [(m, "validation" if m in bodies else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict] = {}
    for rule, method, op in operations:
        path = _openapi_path(rule.rule, prefix)
        paths.setdefault(path, {})[method.lower()] = _operation(rule, method, op)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "TOP Onboarding Desk API",
            "version": "1.0.0",
            "description": (
                "Journeys, their stages and steps, and the review queue, with the same access "
                "as the desk's pages. Authenticate with a personal token from the settings "
                "page: `Authorization: Bearer <token>`."
            ),
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (settings → API tokens).",
                },
                "evidenceToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "tev1",
                    "description": "A journey's one-time evidence token (its evidence page): "
                    "it authorises posting the one report it signed, and nothing else.",
                },
            },
            "responses": {
                str(status): {
                    "description": str(TITLES[status]),
                    "content": {MEDIA_TYPE: {"schema": _ref("ProblemDetails")}},
                    **(
                        {"headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                        if status == 429
                        else {}
                    ),
                }
                for status in sorted(TITLES)
            },
        },
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(rule, method: str, op: Operation) -> dict:
    out: dict[str, Any] = {
        "operationId": rule.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _path_params(rule)
        + [
            {
                "name": p.name,
                "in": p.where,
                "required": p.required,
                "description": p.description,
                "schema": p.schema,
            }
            for p in op.params
        ],
    }
    if op.description:
        out["description"] = op.description
    out["security"] = [] if op.public else [{op.security: []}]
    if op.body is not None:
        out["requestBody"] = {
            # Required when the body has a required field (no body is an empty object).
            "required": bool(op.body.model_json_schema().get("required")),
            "content": {op.body_media_type: {"schema": _ref(op.body.__name__)}},
        }
    if op.form is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": op.form}},
        }
    success: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        success["content"] = {op.media_type: {"schema": _ref(op.response.__name__)}}
    elif op.media_type == "application/pdf":
        success["content"] = {op.media_type: {"schema": {"type": "string", "format": "binary"}}}
    elif op.media_type != "application/json":
        success["content"] = {op.media_type: {"schema": {"type": "string"}}}
    else:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    if op.etag:
        success["headers"] = {
            "ETag": {"description": "The journey's version.", "schema": {"type": "string"}}
        }
    responses: dict[str, Any] = {str(op.status): success}
    statuses = set(op.problems) | ({400} if op.params or op.body or op.form else set())
    if op.body or op.form:
        statuses.add(413)  # any body may pass the request-size limit, refused before it is read
    if not op.public:
        statuses |= set(AUTHENTICATED)
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    out["responses"] = responses
    return out
