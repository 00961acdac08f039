"""Stage 2–3 operations and pages: API requests, per-API decisions, the checker page."""

from __future__ import annotations

import pytest

from top.gateway import DEMO_APP_SECRET, LocalGateway
from workflow.apps.demo import register_demo_app
from workflow.apps.operations import decide_api, request_api_access
from workflow.errors import DomainError
from workflow.extensions import db
from workflow.models import AccountKind, Evidence, ReviewStatus, Role


@pytest.fixture
def enabled(make_account, make_user, make_journey):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    return journey, applicant


def test_demo_app_registers_and_requests_two_apis(enabled):
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    assert journey.state == "app_draft" and journey.app.app_key == "12345678"
    assert [r.method for r in journey.app.api_requests] == [
        "taobao.trades.sold.get",
        "taobao.logistics.offline.send",
    ]


def test_api_requests_need_reasons_and_top_method_names(enabled):
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    with pytest.raises(DomainError, match="Say why"):
        request_api_access(journey, applicant, {"taobao.trades.sold.get": "  "})
    with pytest.raises(DomainError, match="not a TOP method name: TOP method names are lower"):
        request_api_access(journey, applicant, {"Taobao.User.Seller.Get": "why"})
    requests = request_api_access(
        journey, applicant, {"taobao.trades.sold.get": "orders", "taobao.user.seller.get": "nick"}
    )
    assert [(r.method, r.reason) for r in requests] == [
        ("taobao.trades.sold.get", "orders"),
        ("taobao.user.seller.get", "nick"),
    ]


def test_refusal_needs_reason_and_a_changed_reason_goes_back_to_pending(enabled, make_user):
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    reviewer = make_user(Role.reviewer)
    journey.state = "api_access_submitted"
    first = journey.app.api_requests[0]
    with pytest.raises(DomainError, match="reason"):
        decide_api(journey, reviewer, first.id, grant=False)
    decide_api(journey, reviewer, first.id, grant=False, reason="Too broad.")
    assert first.decision is ReviewStatus.rejected
    journey.state = "api_access_changes_requested"
    request_api_access(journey, applicant, {first.method: "Only new orders, hourly."})
    assert first.decision is ReviewStatus.pending and first.decision_reason == ""


def test_checker_page_never_echoes_the_secret(app, enabled, login, monkeypatch):
    monkeypatch.setitem(app.config, "TOP_CHECKER_CUSTOM_URLS", True)
    monkeypatch.setitem(app.config, "TOP_CHECKER_ALLOWED_NETWORKS", "127.0.0.1/32")
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    db.session.commit()
    client = login(applicant)
    with LocalGateway() as gateway:
        form = {"gateway": "custom", "custom_url": gateway.url, "sign_method": "hmac-sha256",
                "app_secret": DEMO_APP_SECRET, "attach": "no"}  # fmt: skip
        page = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
        wrong = client.post(
            f"/journeys/{journey.id}/check/sandbox", data={**form, "app_secret": "wrong-secret-1"}
        )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "All checks passed" in text
    assert DEMO_APP_SECRET not in text
    assert "Some checks failed" in wrong.get_data(as_text=True)
    assert "wrong-secret-1" not in wrong.get_data(as_text=True)
    assert db.session.query(Evidence).count() == 0  # "Run the check" attaches nothing


def test_custom_gateway_urls_are_refused_unless_allowed(enabled, login):
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    db.session.commit()
    client = login(applicant)
    page = client.get(f"/journeys/{journey.id}/check/sandbox").get_data(as_text=True)
    assert 'value="custom"' not in page and 'name="custom_url"' not in page
    form = {"gateway": "custom", "custom_url": "http://10.0.0.1/router/rest",
            "sign_method": "md5", "app_secret": "s"}  # fmt: skip
    refused = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
    assert "Custom URL" not in refused.get_data(as_text=True)
    assert "All checks passed" not in refused.get_data(as_text=True)
    assert "Some checks failed" not in refused.get_data(as_text=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"])
def test_custom_urls_reach_no_inward_address_unless_allowed(app, enabled, login, monkeypatch, host):
    """On, custom URLs still never reach loopback; the operator's allow-list opens it."""
    monkeypatch.setitem(app.config, "TOP_CHECKER_CUSTOM_URLS", True)
    journey, applicant = enabled
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    db.session.commit()
    client = login(applicant)
    with LocalGateway() as gateway:
        url = f"http://{host}:{gateway.port}/router/rest"
        form = {"gateway": "custom", "custom_url": url, "sign_method": "hmac-sha256",
                "app_secret": DEMO_APP_SECRET, "attach": "no"}  # fmt: skip
        refused = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
        monkeypatch.setitem(app.config, "TOP_CHECKER_ALLOWED_NETWORKS", "127.0.0.0/8")
        allowed = client.post(f"/journeys/{journey.id}/check/sandbox", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Some checks failed" in text
    assert "a loopback address" in text and "ALLOWED_NETWORKS" in text
    assert "All checks passed" in allowed.get_data(as_text=True)
