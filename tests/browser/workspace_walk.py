"""A seller's and an ISV's journey walked to "released" through HTTP, stopping at every stage.

The browser tests of the workspace (and ``docs/screenshots.py``) look at the pages at each
stop. The walk posts with the desk's own test clients, as ``tests/test_end_to_end.py`` does;
``at(name, journey_id)`` is called at every stop, with the journey waiting there.

Along the way the reviewer asks for changes once on each journey (an API refused on the
seller's, a document rejected on the ISV's), so the applicant's page of a change request is
seen too.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from tests.enablement.conftest import (
    LETTERS,
    decide,
    fire_event,
    save_isv_details,
    state_of,
    upload,
    versions,
)
from tests.enablement.conftest import file_for as enablement_file
from tests.test_end_to_end import (
    SELLER_ID,
    _api_requests,
    _cloud_plan,
    _exemption,
    _ok,
    _post,
    _prd_form,
    _provision,
    _run_check,
    _run_on_host,
)
from top.evidence import stand_in_url
from top.gateway import DEMO_APP_KEY
from workflow.enablement.samples import sample_pdf

Stop = Callable[[str, int], None]
#: The comment and reasons the reviewer gives when asking for changes.
API_CHANGES = "Say which orders the APP imports, and drop the address API."
API_REFUSED = "Addresses come with the order list; use it."
DOCUMENT_CHANGES = "Document b is not a bank statement; upload the bank's letter."
DOCUMENT_REJECTED = "This is an invoice, not proof of the bank account."


def walk_seller(applicant, reviewer, jid: int, gateway, at: Stop) -> None:
    """Taobao cloud, a new APP: every submitted stage of the cloud path."""
    form = {"seller_id": SELLER_ID, "shop_name": "Demo Flagship Store", "contact_name": "Han",
            "contact_email": "han@example.com", "reason": "Sync orders with our ERP."}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/enablement/request", form)
    _submit(applicant, jid, "enablement_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))

    _register_app(applicant, jid, new=True)
    _submit(applicant, jid, "api_access_submitted", at)
    first, second = _api_requests(jid)
    _post(reviewer, f"/journeys/{jid}/apis/{first.id}/decision", {"decision": "grant"})
    refuse = {"decision": "refuse", "reason": API_REFUSED}
    _post(reviewer, f"/journeys/{jid}/apis/{second.id}/decision", refuse)
    _ok(fire_event(reviewer, jid, "request_changes", API_CHANGES))
    assert state_of(jid) == "api_access_changes_requested"
    at("api_access_changes_requested", jid)
    _submit(applicant, jid, "api_access_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))

    _ok(fire_event(applicant, jid, "start_sandbox"))
    _run_check(applicant, jid, "sandbox", gateway)
    _ok(fire_event(applicant, jid, "confirm_sandbox"))
    _ok(fire_event(applicant, jid, "choose_cloud"))
    pdf = {"document": (io.BytesIO(sample_pdf("Market requirements", "Order sync")), "mrd.pdf")}
    _post(applicant, f"/journeys/{jid}/forms/mrd/document", pdf)
    _post(applicant, f"/journeys/{jid}/forms/prd", _prd_form())
    _submit(applicant, jid, "mrd_prd_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))
    _post(applicant, f"/journeys/{jid}/forms/cloud_plan", _cloud_plan())
    _submit(applicant, jid, "cloud_plan_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))
    _provision(applicant, reviewer, jid)
    _run_on_host(applicant, jid, "cloud", stand_in_url(gateway.url, "production"))
    _submit(applicant, jid, "cloud_verification_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))

    _ok(fire_event(applicant, jid, "start_distribution"))
    _post(applicant, f"/journeys/{jid}/audience", {"audience": "other_sellers"})
    ids = [SELLER_ID, "1001", "1002"]
    _distribute(applicant, reviewer, jid, ids, at)
    at("released", jid)


def walk_isv(applicant, reviewer, party, gateway, at: Stop) -> None:
    """Documents a–f, an existing APP on its own servers: the exemption path."""
    jid = party.journey.id
    save_isv_details(applicant, jid)
    for letter in LETTERS:
        data, name = enablement_file(letter, party.account.taobao_account_id)
        assert upload(applicant, jid, letter, data, name).status_code == 302
    _submit(applicant, jid, "enablement_submitted", at)
    for version in versions(jid):
        if version.kind.value == "b":
            _ok(decide(reviewer, version.id, "reject", DOCUMENT_REJECTED))
        else:
            _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, jid, "request_changes", DOCUMENT_CHANGES))
    assert state_of(jid) == "enablement_changes_requested"
    at("enablement_changes_requested", jid)
    data, name = enablement_file("b", party.account.taobao_account_id)
    assert upload(applicant, jid, "b", data + b"\n% bank letter", name).status_code == 302
    _submit(applicant, jid, "enablement_submitted", at)
    b = [v for v in versions(jid) if v.kind.value == "b"][-1]
    _ok(decide(reviewer, b.id, "accept"))
    _ok(fire_event(reviewer, jid, "approve"))

    _register_app(applicant, jid, new=False)
    _submit(applicant, jid, "api_access_submitted", at)
    for request in _api_requests(jid):
        _post(reviewer, f"/journeys/{jid}/apis/{request.id}/decision", {"decision": "grant"})
    _ok(fire_event(reviewer, jid, "approve"))
    _ok(fire_event(applicant, jid, "start_sandbox"))
    _run_on_host(applicant, jid, "sandbox", stand_in_url(gateway.url, "sandbox"))
    _ok(fire_event(applicant, jid, "confirm_sandbox"))
    _ok(fire_event(applicant, jid, "choose_exemption"))
    _post(applicant, f"/journeys/{jid}/forms/exemption", _exemption())
    _submit(applicant, jid, "exemption_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))
    _ok(fire_event(applicant, jid, "start_distribution"))
    _distribute(applicant, reviewer, jid, ["3001", "3002"], at)
    at("released", jid)


def _submit(applicant, jid: int, expect: str, at: Stop) -> None:
    _ok(fire_event(applicant, jid, "submit"))
    assert state_of(jid) == expect
    at(expect, jid)


def _register_app(applicant, jid: int, *, new: bool) -> None:
    app_form = {"app_key": DEMO_APP_KEY, "name": "Order sync", "description": "Syncs orders.",
                "origin": "new" if new else "existing",
                "audience": "own_shop" if new else "other_sellers"}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/app", app_form)
    apis = {"api": ["taobao.trades.sold.get", "taobao.trade.fullinfo.get"],
            "reason-taobao.trades.sold.get": "Import orders.",
            "reason-taobao.trade.fullinfo.get": "Read addresses."}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/apis", apis)


def _distribute(applicant, reviewer, jid: int, ids: list[str], at: Stop) -> None:
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": "\n".join(ids)})
    _submit(applicant, jid, "authorization_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))
    _post(applicant, f"/journeys/{jid}/sellers/distribution", {"ids": "\n".join(ids)})
    _post(applicant, f"/journeys/{jid}/configs/console/confirm", {})
    _submit(applicant, jid, "distribution_submitted", at)
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "released"
