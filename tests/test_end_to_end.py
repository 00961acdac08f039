"""Both branches from enablement_draft to released, through HTTP only.

Stage 1 uses the enablement routes; the sandbox and cloud checks run the real checker
against a local TOP gateway on loopback, standing in for the sandbox and production (the demo
setting): a desk-signed sandbox run, and token-signed runs by ``python -m top check`` in a
subprocess, as on the applicant's host.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.support import Translations
from pypdf import PdfReader
from sqlalchemy import select

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    decide,
    desk_storage,
    fire_event,
    isv,
    save_isv_details,
    seller,
    state_of,
    upload_all,
    versions,
)
from tests.page_cost import assert_journey_page_is_cheap
from top.evidence import stand_in_url
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION, LocalGateway
from workflow.distribution.operations import ids_of, list_in_force
from workflow.enablement.samples import sample_pdf
from workflow.extensions import db
from workflow.i18n import DOMAINS, TRANSLATIONS
from workflow.models import (
    ApiRequest,
    Event,
    Evidence,
    Journey,
    Packet,
    SellerListKind,
)
from workflow.packets import verify_packet
from workflow.packets.operations import recording_event
from workflow.storage_setup import get_storage

SELLER_ID = "2200812345678"


@pytest.fixture
def gateway(app, monkeypatch):
    with LocalGateway() as running:
        monkeypatch.setitem(app.config, "TOP_GATEWAY_URL", running.url)
        yield running


def test_seller_on_taobao_cloud_reaches_release(seller, client_for, gateway):  # noqa: F811
    applicant, reviewer = client_for(seller.applicant), client_for(seller.reviewer)
    jid = seller.journey.id
    _enable_seller(applicant, reviewer, jid)
    _apply_for_apis(applicant, reviewer, jid, new=True)
    _verify_sandbox(applicant, jid, gateway)

    _ok(fire_event(applicant, jid, "choose_cloud"))
    assert state_of(jid) == "mrd_prd_draft"
    pdf = sample_pdf("Market requirements", "Order sync")
    _post(
        applicant, f"/journeys/{jid}/forms/mrd/document", {"document": (io.BytesIO(pdf), "mrd.pdf")}
    )
    _post(applicant, f"/journeys/{jid}/forms/prd", _prd_form())
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "call_meeting", "Let us talk about the data flows."))
    fire_event(reviewer, jid, "approve")
    assert state_of(jid) == "confabulation"  # minutes missing
    _post(
        reviewer, f"/journeys/{jid}/forms/meeting", {"held_on": "2026-11-20", "minutes": "Agreed."}
    )
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "cloud_plan_draft"
    _post(applicant, f"/journeys/{jid}/forms/cloud_plan", _cloud_plan())
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    _provision(applicant, reviewer, jid)
    fire_event(applicant, jid, "submit")
    assert state_of(jid) == "cloud_verification"  # no cloud check yet
    _run_on_host(applicant, jid, "cloud", stand_in_url(gateway.url, "production"))
    _ok(fire_event(applicant, jid, "submit"))
    assert state_of(jid) == "cloud_verification_submitted"
    page = html.unescape(reviewer.get(f"/journeys/{jid}").get_data(as_text=True))
    assert "Signature verified: signed by an evidence token" in page
    assert "stand-in for TOP production" in page and "resolved to" in page
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "deployed"

    _ok(fire_event(applicant, jid, "start_distribution"))
    page = applicant.get(f"/journeys/{jid}").get_data(as_text=True)
    assert f">{SELLER_ID}</textarea>" in page  # the seller's own ID is on the list by default
    # The APP was registered for the own shop: other sellers are refused until it serves them.
    refused = applicant.post(
        f"/journeys/{jid}/sellers/authorization", data={"ids": f"{SELLER_ID}\n1001"},
        follow_redirects=True,
    )  # fmt: skip
    assert 'change who the APP serves to "other sellers"' in html.unescape(
        refused.get_data(as_text=True)
    )
    _post(applicant, f"/journeys/{jid}/audience", {"audience": "other_sellers"})
    # A reviewer, not only an admin, says what exactly the security center must hold.
    required = {"security": "yes", "security_details": "Allow-list the APP's outbound IPs."}
    _post(reviewer, f"/journeys/{jid}/configs/required", required)
    assert "Allow-list the APP's outbound IPs." in html.unescape(
        applicant.get(f"/journeys/{jid}").get_data(as_text=True)
    )
    _distribute(applicant, reviewer, jid, [SELLER_ID, "1001", "1002"], confirm=["security"])
    _change_authorizations(applicant, reviewer, jid, [SELLER_ID, "1002", "1003"])
    assert _trail(jid) == [
        "open", "submit", "approve", "register_app", "submit", "api.decided", "api.decided",
        "approve", "start_sandbox", "evidence.attached", "confirm_sandbox", "choose_cloud",
        "submit", "call_meeting", "approve", "submit", "approve", "environment_ready",
        "evidence.attached", "submit", "approve", "start_distribution", "app.audience",
        "config.required", "config.confirmed", "submit", "approve", "seller_list.in_force",
        "config.confirmed", "submit", "approve", "seller_list.in_force",
        "change_authorizations", "approve", "seller_list.in_force",
    ]  # fmt: skip
    _assert_log_replays()
    _assert_no_secret_stored()
    packets = _read_packets(jid)
    assert [kind for kind, _, _ in packets] == [
        "enablement_seller", "api_access", "mrd_prd", "cloud_plan", "cloud_verification",
        "authorization", "distribution", "authorization",
    ]  # fmt: skip
    for _, text, _ in packets:
        assert seller.account.taobao_account_id in text
    _, mrd_prd, attachments = packets[2]
    # Headings and labels in both languages, the Chinese first (workflow/packets/bilingual.py).
    mrd = "市场需求（MRD） Market requirements (MRD) 已上传的文件 Uploaded document mrd.pdf"
    assert mrd in mrd_prd
    assert hashlib.sha256(pdf).hexdigest() in {
        hashlib.sha256(d).hexdigest() for d in attachments.values()
    }
    for label, value in [
        ("Functional requirements", "Import paid orders every 10 minutes"),
        ("TOP APIs used, and why each is needed", "taobao.trades.sold.increment.get"),
        ("Data retention", "90 days"),
        ("Peak load", "40 calls a second on 11.11"),
        ("Error handling", "retried with back-off"),
    ]:
        assert label in mrd_prd and value in mrd_prd, label
    assert "Target sellers" not in mrd_prd.split("Product requirements (PRD)")[1]
    _, verification, _ = packets[4]
    for text in _CLOUD_RECORDS:
        assert text in verification, text
    for _, text, _ in packets[2:]:  # every packet after the sandbox check shows its verdict
        assert "Sandbox evidence" in text and "Signature verified: signed by the desk" in text
    for kind, text, _ in packets[4:]:
        assert "Cloud evidence" in text and "signed by an evidence token" in text, kind
    _, distribution, _ = packets[6]
    assert "Configuration before distribution" in distribution
    assert "Security-center configuration: required Allow-list the APP's outbound IPs." in (
        distribution
    )
    assert "Configured the security settings as asked." in distribution
    assert "TOP console confirmed" in distribution and "Serves Other sellers" in distribution
    _, last_authorization, _ = packets[-1]
    assert "Authorization list 3 IDs" in last_authorization
    assert "Added (1) 1003" in last_authorization and "Removed (1) 1001" in last_authorization
    assert SELLER_ID in packets[0][1]
    assert_journey_page_is_cheap(reviewer, jid)
    assert_journey_page_is_cheap(applicant, jid)


def test_isv_with_exemption_reaches_release(isv, client_for, gateway):  # noqa: F811
    applicant, reviewer = client_for(isv.applicant), client_for(isv.reviewer)
    jid = isv.journey.id
    save_isv_details(applicant, jid)
    upload_all(applicant, isv)
    _ok(fire_event(applicant, jid, "submit"))
    for version in versions(jid):
        _ok(decide(reviewer, version.id, "accept"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "enabled"
    _apply_for_apis(applicant, reviewer, jid, new=False)
    _ok(fire_event(applicant, jid, "start_sandbox"))
    _run_on_host(applicant, jid, "sandbox", stand_in_url(gateway.url, "sandbox"))
    _ok(fire_event(applicant, jid, "confirm_sandbox"))

    _ok(fire_event(applicant, jid, "choose_exemption"))
    fire_event(applicant, jid, "submit")
    assert state_of(jid) == "exemption_draft"
    _post(applicant, f"/journeys/{jid}/forms/exemption", _exemption())
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "deployed"
    assert "Own-server exemption approved" in applicant.get(f"/journeys/{jid}").get_data(
        as_text=True
    )

    _ok(fire_event(applicant, jid, "start_distribution"))
    _distribute(applicant, reviewer, jid, ["3001", "3002"], confirm=[])
    _change_authorizations(applicant, reviewer, jid, ["3002"])
    assert _trail(jid)[2:] == [
        *["document.decided"] * 6, "approve", "register_app", "submit", "api.decided",
        "api.decided", "approve", "start_sandbox", "evidence.attached", "confirm_sandbox",
        "choose_exemption", "submit", "approve", "start_distribution", "submit", "approve",
        "seller_list.in_force", "config.confirmed", "submit", "approve", "seller_list.in_force",
        "change_authorizations", "approve", "seller_list.in_force",
    ]  # fmt: skip
    _assert_log_replays()
    assert_journey_page_is_cheap(applicant, jid)
    assert_journey_page_is_cheap(reviewer, jid)
    assert state_of(jid) == "released"
    packets = _read_packets(jid)
    assert [kind for kind, _, _ in packets] == [
        "enablement_isv", "api_access", "exemption", "authorization", "distribution",
        "authorization",
    ]  # fmt: skip
    kind, text, attachments = packets[0]
    documents = [name for name in attachments if name.startswith("doc")]
    assert len(documents) == 6
    for version in versions(jid):
        assert any(
            hashlib.sha256(data).hexdigest() == version.sha256 for data in attachments.values()
        )
    _, exemption, _ = packets[2]
    for label, value in [
        ("Region where TOP data is stored and processed", "EU (Frankfurt)"),
        ("Servers and architecture", "two application servers"),
        ("Data flows", "TOP to the application servers over https"),
        ("Security measures", "TLS, encrypted storage, access logging"),
        ("Person responsible (name)", "Li Lei"),
    ]:
        assert label in exemption and value in exemption, label
    assert "Own-server exemption approved" in packets[3][1]  # shown on every later packet
    assert "Hosting: Frankfurt, DE, EU (Frankfurt), backups in Amsterdam" in packets[3][1]
    # Later packets carry the decisions made so far in their trail.
    flat = [" ".join(text.split()) for _, text, _ in packets]
    assert "Document f (version 1) accepted decision, in Enablement submitted" in flat[1]
    assert "refused: Use the order list. decision, in API access submitted" in flat[2]
    assert "Sandbox evidence attached: the check passed" in flat[2]
    assert "Authorization list in force (2 seller IDs)" in flat[4]
    for _, text, _ in packets[2:]:
        assert "Sandbox evidence" in text and "signed by an evidence token" in text
    assert "3002" in packets[-1][1]


def _read_packets(jid):
    """Every packet of the journey, oldest first: (kind, text, {attachment name: bytes})."""
    read = []
    for packet in db.session.scalars(
        select(Packet).where(Packet.journey_id == jid).order_by(Packet.id)
    ):
        with get_storage().open(packet.file_id) as fh:
            pdf = fh.read()
        assert hashlib.sha256(pdf).hexdigest() == packet.sha256
        rendered = recording_event(packet)
        assert rendered.event == "packet.rendered" and rendered.packet_sha256 == packet.sha256
        assert rendered.data["about"]["packet"] == packet.reference
        reader = PdfReader(io.BytesIO(pdf))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        attachments = {name: data[0] for name, data in reader.attachments.items()}
        assert verify_packet(pdf, expected_sha256=packet.sha256).ok
        read.append((packet.kind, text, attachments))
    return read


# --- steps ----------------------------------------------------------------------------------


def _enable_seller(applicant, reviewer, jid):
    form = {"seller_id": SELLER_ID, "shop_name": "Demo Flagship Store", "contact_name": "Han",
            "contact_email": "han@example.com", "reason": "Sync orders with our ERP."}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/enablement/request", form)
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "enabled"


def _apply_for_apis(applicant, reviewer, jid, *, new: bool):
    app_form = {"app_key": DEMO_APP_KEY, "name": "Order sync", "description": "Syncs orders.",
                "origin": "new" if new else "existing",
                "audience": "own_shop" if new else "other_sellers"}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/app", app_form)
    assert state_of(jid) == "app_draft"
    apis = {"api": ["taobao.trades.sold.get", "taobao.trade.fullinfo.get"],
            "reason-taobao.trades.sold.get": "Import orders.",
            "reason-taobao.trade.fullinfo.get": "Read addresses."}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/apis", apis)
    _ok(fire_event(applicant, jid, "submit"))
    first, second = _api_requests(jid)
    _post(reviewer, f"/journeys/{jid}/apis/{first.id}/decision", {"decision": "grant"})
    fire_event(reviewer, jid, "approve")
    assert state_of(jid) == "api_access_submitted"  # one API undecided
    _post(reviewer, f"/journeys/{jid}/apis/{second.id}/decision",
          {"decision": "refuse", "reason": "Use the order list."})  # fmt: skip
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "api_access_granted"
    assert "Use the order list." in applicant.get(f"/journeys/{jid}").get_data(as_text=True)


def _verify_sandbox(applicant, jid, gateway):
    _ok(fire_event(applicant, jid, "start_sandbox"))
    fire_event(applicant, jid, "confirm_sandbox")
    assert state_of(jid) == "sandbox_verification"
    _run_check(applicant, jid, "sandbox", gateway)
    _ok(fire_event(applicant, jid, "confirm_sandbox"))
    assert state_of(jid) == "sandbox_verified"


def _run_check(applicant, jid, kind, gateway):
    assert gateway.url  # the desk's configured gateway points at it
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": DEMO_APP_SECRET, "session": DEMO_SESSION, "attach": "yes"}  # fmt: skip
    response = applicant.post(f"/journeys/{jid}/check/{kind}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    evidence = db.session.scalars(select(Evidence).where(Evidence.journey_id == jid)).all()
    assert any(e.kind.value == kind and e.is_passing for e in evidence), [
        e.report for e in evidence
    ]


def _run_on_host(applicant, jid, kind, gateway_url):
    """Get an evidence token, run the checker as the applicant's host would, upload its file."""
    token_page = applicant.post(f"/journeys/{jid}/check/{kind}/token")
    assert token_page.status_code == 200
    token = re.search(r"tev1\.[A-Za-z0-9_.-]+", token_page.get_data(as_text=True)).group()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "TOP_APP_SECRET": DEMO_APP_SECRET, "PYTHONPATH": str(root)}
    run = subprocess.run(
        [sys.executable, "-m", "top", "check", "--evidence-token", token, "--gateway",
         gateway_url, "--app-key", DEMO_APP_KEY, "--session", DEMO_SESSION, "--json"],
        env=env, cwd=root, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    Path(root, f"top-evidence-{jid}-{kind}.json").unlink()  # the file it also wrote
    upload = {"report": (io.BytesIO(json.dumps(report).encode()), "top-evidence.json")}
    _post(applicant, f"/journeys/{jid}/check/{kind}/upload", upload)


def _distribute(applicant, reviewer, jid, ids, *, confirm):
    fire_event(applicant, jid, "submit")
    assert state_of(jid) == "distribution_setup"
    bad = applicant.post(f"/journeys/{jid}/sellers/authorization", data={"ids": "1001\nabc\n1001"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "line 2" in text and "not numeric" in text
    assert "line 3" not in text  # a repeated ID is removed when saved, not refused
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": "\n".join(ids)})
    for which in confirm:
        fire_event(applicant, jid, "submit")
        assert state_of(jid) == "distribution_setup"  # configuration not confirmed yet
        done = {"details": f"Configured the {which} settings as asked."}
        _post(applicant, f"/journeys/{jid}/configs/{which}/confirm", done)
    _ok(fire_event(applicant, jid, "submit"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "distribution_draft"
    assert _in_force(jid) == sorted(map(int, ids))
    # Only sellers on the authorization list in force may be distributed to (§3.4).
    outside = applicant.post(
        f"/journeys/{jid}/sellers/distribution", data={"ids": "\n".join([*ids, "9009"])}
    )
    assert outside.status_code == 400
    line = len(ids) + 1
    assert f"line {line}: '9009' is not on the authorization list in force" in html.unescape(
        outside.get_data(as_text=True)
    )
    upload = {"file": (io.BytesIO(("seller_id\n" + "\n".join(ids) + "\n").encode()), "d.csv")}
    _post(applicant, f"/journeys/{jid}/sellers/distribution", upload)
    fire_event(applicant, jid, "submit")
    assert state_of(jid) == "distribution_draft"  # the TOP console is not confirmed yet
    _post(applicant, f"/journeys/{jid}/configs/console/confirm", {})
    _ok(fire_event(applicant, jid, "submit"))
    page = html.unescape(reviewer.get(f"/journeys/{jid}").get_data(as_text=True))
    assert f"Against the authorization list in force ({len(ids)} seller IDs)" in page
    assert "every seller authorized" in page and f"+{len(ids)} added" in page
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "released"


def _change_authorizations(applicant, reviewer, jid, ids):
    fire_event(applicant, jid, "change_authorizations")
    assert state_of(jid) == "released"  # no new list yet
    _post(applicant, f"/journeys/{jid}/sellers/authorization", {"ids": " ".join(ids)})
    page = applicant.get(f"/journeys/{jid}").get_data(as_text=True)
    assert "added" in page and "removed" in page
    _ok(fire_event(applicant, jid, "change_authorizations"))
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "released"
    assert _in_force(jid) == sorted(map(int, ids))


# --- helpers --------------------------------------------------------------------------------


def _post(client, url, data):
    with client.session_transaction() as session:
        session.pop("_flashes", None)  # only this request's messages count
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    with client.session_transaction() as session:
        errors = [m for c, m in session.get("_flashes", []) if c == "error"]
    assert not errors, errors
    return response


def _ok(response):
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return response


def _api_requests(jid):
    db.session.expire_all()
    app_id = db.session.get(Journey, jid).app.id
    stmt = select(ApiRequest).where(ApiRequest.app_id == app_id).order_by(ApiRequest.id)
    return list(db.session.scalars(stmt))


def _in_force(jid):
    db.session.expire_all()
    return ids_of(list_in_force(db.session.get(Journey, jid), SellerListKind.authorization))


def _trail(jid):
    """The journey's events in order, without the desk's ``packet.rendered`` events: one
    follows each submission that has a packet (checked by ``_read_packets``)."""
    stmt = (
        select(Event.event)
        .where(Event.journey_id == jid, Event.event != "packet.rendered")
        .order_by(Event.id)
    )
    return list(db.session.scalars(stmt))


def _assert_log_replays():
    from flask import current_app

    result = current_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "replay ok: " in result.output


def _assert_no_secret_stored():
    for evidence in db.session.scalars(select(Evidence)):
        assert DEMO_APP_SECRET not in repr(evidence.report)


def _prd_form():
    return {
        "functional_requirements": "Import paid orders every 10 minutes; ship them from the ERP.",
        "user_flows": "The seller links the shop once; orders then appear in the ERP queue.",
        "apis_used": "taobao.trades.sold.get to initialise; "
        "taobao.trades.sold.increment.get every 10 minutes.",
        "data_handled": "Buyer name, address and phone of each order, to print labels.",
        "data_retention": "Addresses are deleted 90 days after delivery.",
        "volumes": "3 shops, 2,000 orders a day",
        "peak_load": "40 calls a second on 11.11",
        "error_handling": "TOP errors are retried with back-off; staff are alerted after 5.",
    }


#: What the cloud verification packet shows of the order and the environment configured.
_CLOUD_RECORDS = (
    "Cloud order",
    "Order reference ALY-2026-77812",
    "2 x ecs.g6.large, RDS MySQL 50 GB",
    "Cloud environment configured by Tmall Global",
    "Region and zone cn-hangzhou-h",
    "VPC vpc-bp1 with a bastion host",
)


def _as_read(page: str, message: str) -> str:
    """A catalog message as ``page`` reads it: the Chinese walk
    (tests/browser/test_chinese_browser.py) runs these steps with its users reading 中文."""
    if '<html lang="zh-Hans-CN"' not in page:
        return message
    for domain in DOMAINS:
        translated = Translations.load(TRANSLATIONS, ["zh_Hans_CN"], domain).ugettext(message)
        if translated != message:
            return translated
    raise AssertionError(f"no Chinese for {message!r}")


def _provision(applicant, reviewer, jid):
    """The order after the plan's audit (L12), and the environment Tmall Global configured."""
    assert state_of(jid) == "cloud_provisioning"
    refused = fire_event(reviewer, jid, "environment_ready")
    assert refused.status_code == 400  # the page again, with the reason
    assert state_of(jid) == "cloud_provisioning"  # nothing recorded for the applicant yet
    page = html.unescape(refused.get_data(as_text=True))
    assert _as_read(page, "Record the cloud environment configured before marking it ready") in page
    order = {"order_reference": "ALY-2026-77812", "ordered_on": "2026-11-24",
             "services_ordered": "2 x ecs.g6.large, RDS MySQL 50 GB, OSS 100 GB"}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/forms/cloud_order", order)
    environment = {"configured_on": "2026-11-25", "region": "cn-hangzhou-h",
                   "resources": "2 ECS instances, RDS MySQL, OSS bucket, SLB",
                   "access": "VPC vpc-bp1 with a bastion host; RAM user sync-dev"}  # fmt: skip
    _post(reviewer, f"/journeys/{jid}/forms/cloud_environment", environment)
    _ok(fire_event(reviewer, jid, "environment_ready"))
    assert state_of(jid) == "cloud_verification"
    page = html.unescape(applicant.get(f"/journeys/{jid}").get_data(as_text=True))
    assert _as_read(page, "Cloud environment configured by Tmall Global") in page
    assert "VPC vpc-bp1 with a bastion host" in page and "ALY-2026-77812" in page
    _post(applicant, f"/journeys/{jid}/forms/deployment_confirmation", {"app_ported": "yes"})


def _cloud_plan():
    return {"compute": "2 x ecs.g6.large", "database": "RDS MySQL 50 GB", "storage": "OSS 100 GB",
            "network": "5 Mbps, SLB", "architecture": "Web + worker", "data_flows": "TOP -> worker",
            "security": "VPC, TLS, encrypted disks"}  # fmt: skip


def _exemption():
    return {"reason": "The ERP runs on premises under an audit certificate.",
            "hosting_location": "Frankfurt, DE", "hosting_provider": "Example Hosting GmbH",
            "region": "EU (Frankfurt), backups in Amsterdam",
            "servers": "two application servers and a PostgreSQL pair behind a firewall",
            "data_flows": "TOP to the application servers over https; orders to the ERP "
                          "over a site-to-site VPN",
            "data_protection": "TLS, encrypted storage, access logging",
            "responsible_name": "Li Lei", "responsible_email": "li.lei@example.com"}  # fmt: skip
