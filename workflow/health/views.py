"""``GET /healthz``: 200 when every part is sound, 503 naming the failing parts; no login."""

from __future__ import annotations

from flask import Blueprint, jsonify

from workflow.extensions import csrf
from workflow.health.checks import run_checks
from workflow.web.access import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public("the health check of load balancers and monitoring; it reveals only each part's status")
@csrf.exempt
def healthz():
    checks = run_checks()
    sound = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if sound else "failing", "checks": checks}
    if not sound:
        body["failing"] = [name for name, result in checks.items() if result.startswith("failing")]
    response = jsonify(body)
    response.status_code = 200 if sound else 503
    response.headers["Cache-Control"] = "no-store"
    return response
