"""What the evidence tests do as the applicant: get a token, run on a host, upload."""

from __future__ import annotations

import html
import io
import json
import re

from sqlalchemy import select

from top.checker import run_check
from top.evidence import EvidenceToken as Token
from top.evidence import sign_with_token, stand_in_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from workflow.extensions import db
from workflow.models import Evidence, EvidenceToken, Journey


def issue(client, journey, kind="sandbox") -> str:
    response = client.post(f"/journeys/{journey.id}/check/{kind}/token")
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r"tev1\.[A-Za-z0-9_.-]+", response.get_data(as_text=True)).group()


def host_run(token: str, url: str, app_key: str = DEMO_APP_KEY) -> dict:
    """What the checker on a host signs (in-process; one test runs the real subprocess)."""
    report = run_check(url, app_key, DEMO_APP_SECRET, session=DEMO_SESSION)
    return sign_with_token(report, Token.parse(token))


def upload(client, journey, body, kind="sandbox"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/journeys/{journey.id}/check/{kind}/upload",
        data={"report": (io.BytesIO(data), "top-evidence.json")},
    )


def sandbox_url(gateway) -> str:
    return stand_in_url(gateway.url, "sandbox")


def production_url(gateway) -> str:
    return stand_in_url(gateway.url, "production")


def snapshot(journey):
    db.session.expire_all()
    row = db.session.get(Journey, journey.id)
    count = len(db.session.scalars(select(Evidence)).all())
    return row.state, row.version_id, count


def refused(client, journey, body, message, kind="sandbox"):
    before = snapshot(journey)
    tokens_before = [t.used_at for t in db.session.scalars(select(EvidenceToken))]
    response = upload(client, journey, body, kind)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400, text[-800:]
    assert message in text, text[text.find("not accepted") - 20 :][:600]
    assert snapshot(journey) == before
    assert [t.used_at for t in db.session.scalars(select(EvidenceToken))] == tokens_before
