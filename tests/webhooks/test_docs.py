"""docs/webhooks.md's receiver check, run against a delivery the desk signed and sent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow import jobs, requirements
from workflow.extensions import db
from workflow.models import AccountKind, Role
from workflow.operations import fire
from workflow.webhooks.events import JOURNEY_MOVED
from workflow.webhooks.operations import register_endpoint

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _documented_verify():
    text = DOC.read_text()
    section = text.split("## Verifying a delivery", 1)[1]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace["verify"]


@pytest.mark.usefixtures("loopback_allowed")
def test_the_documented_check_accepts_the_desks_signature_and_nothing_else(
    make_account, make_user, make_journey, receiver, monkeypatch
):
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    verify = _documented_verify()
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    _endpoint, secret = register_endpoint(applicant, account, receiver.url, [JOURNEY_MOVED])
    receiver.secret = secret
    receiver.start()
    journey = make_journey(account, applicant, state="enablement_submitted")
    fire(journey, "request_changes", reviewer, comment="Please check the shop name.")
    db.session.commit()
    assert jobs.run_due(kinds=["webhook"]).done == 1

    [arrival] = receiver.arrivals
    headers = {
        "X-Onboarding-Timestamp": arrival.timestamp,
        "X-Onboarding-Signature": arrival.signature,
    }
    assert verify(secret, headers, arrival.body)
    assert not verify(secret, headers, arrival.body.replace(b"request_changes", b"approve"))
    assert not verify(secret[:-1] + ("A" if secret[-1] != "A" else "B"), headers, arrival.body)
    stale = dict(headers, **{"X-Onboarding-Timestamp": str(int(arrival.timestamp) - 3600)})
    assert not verify(secret, stale, arrival.body)
    assert not verify(secret, {}, arrival.body)
