"""The guide's API usage rules where the applicant needs them: beside each API on the APP panel,
and on the checker page (the https-only warning, the optional rules pass)."""

from __future__ import annotations

import re

import pytest

from top.gateway import DEMO_APP_SECRET, DEMO_SESSION
from top.rules import REFUND_NOTE, RULES
from workflow.apps.catalogue import API_METHODS, REFUNDS, RULE_TEXTS
from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.i18n import english
from workflow.models import AccountKind, ReviewStatus, Role

DELIVERY = "https://delivery.example.com/moved"


@pytest.fixture
def drafting(make_account, make_user, make_journey, login, app, monkeypatch):
    """An APP draft with the demo APP registered; the L8 link moved by the operator."""
    monkeypatch.setitem(app.config, "GUIDE_LINK_L8", DELIVERY)
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    return journey, applicant, login(applicant)


def _api_box(html: str, method: str) -> str:
    found = re.search(
        rf'<div class="api-rules" data-api="{re.escape(method)}">(.*?)</div>', html, re.S
    )
    assert found, f"no rules beside {method}"
    return found.group(1)


def test_app_form_shows_each_apis_rules_and_the_https_warning(drafting):
    journey, _, client = drafting
    html = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    for method in API_METHODS:
        box = _api_box(html, method)
        keys = re.findall(r'data-rule="([^"]+)"', box)
        assert keys == ["https-only"] + [rule.key for rule in RULES if rule.api == method]
        assert "https only" in box
    sold = _api_box(html, "taobao.trades.sold.get")
    assert "past 3 months" in sold and "taobao.trades.sold.increment.get" in sold
    assert "at most one day" in _api_box(html, "taobao.trades.sold.increment.get")
    send = _api_box(html, "taobao.logistics.offline.send")
    assert "is_split=1 and sub_tid" in send and "(COD) is not supported" in send
    assert f'<a href="{DELIVERY}"' in send  # own delivery: Taobao's service is in L8
    detail = _api_box(html, "taobao.logistics.orders.detail.get")
    assert "buyer (buyer_nick), an order ID (tid) or a time frame" in detail
    refunds = re.search(r'<p class="api-refunds small" data-rule="refunds">(.*?)</p>', html, re.S)
    assert refunds and REFUND_NOTE in refunds.group(1) and DELIVERY in refunds.group(1)


def test_reviewer_sees_the_rules_beside_the_requested_apis(drafting, make_user, login):
    journey, _, _ = drafting
    journey.state = "api_access_submitted"
    db.session.commit()
    reviewer = make_user(Role.reviewer)
    html = login(reviewer).get(f"/journeys/{journey.id}").get_data(as_text=True)
    requested = [r.method for r in journey.app.api_requests]
    shown = re.findall(r'<div class="api-rules" data-api="([^"]+)"', html)
    assert shown == requested
    assert "is_split=1 and sub_tid" in _api_box(html, "taobao.logistics.offline.send")
    assert 'data-rule="refunds"' in html


@pytest.fixture
def checking(drafting, gateway):
    """Sandbox verification with both demo APIs granted, the desk pointing at a local gateway."""
    journey, applicant, client = drafting
    for request in journey.app.api_requests:
        request.decision = ReviewStatus.accepted
    journey.state = "sandbox_verification"
    db.session.commit()
    return journey, client


FORM = {"gateway": "default", "sign_method": "hmac-sha256", "app_secret": DEMO_APP_SECRET,
        "session": DEMO_SESSION, "attach": "no"}  # fmt: skip


def test_checker_page_warns_that_customer_apis_are_https_only(checking):
    journey, client = checking
    page = client.get(f"/journeys/{journey.id}/check/sandbox").get_data(as_text=True)
    warning = re.search(r'data-warning="https-only">(.*?)</p>', page, re.S)
    assert warning and "taobao.trades.sold.get" in warning.group(1)
    assert "https only (guide §3.1 a)" in warning.group(1)
    ran = client.post(f"/journeys/{journey.id}/check/sandbox", data=FORM).get_data(as_text=True)
    assert "All checks passed" in ran and 'data-warning="https-only-run"' in ran
    assert "rule:" not in ran  # the rules pass runs only when asked


def test_checker_page_runs_the_rules_pass_with_advice(checking, gateway):
    journey, client = checking
    before = [(t.tid, t.status) for t in gateway.dataset.trades("tmall_global_demo_shop")]
    ran = client.post(
        f"/journeys/{journey.id}/check/sandbox", data={**FORM, "rules": "y"}
    ).get_data(as_text=True)
    assert "All checks passed" in ran
    three_months = re.search(r"rule:taobao.trades.sold.get:three-months</td>(.*?)</tr>", ran, re.S)
    assert three_months and "enforced:" in three_months.group(1)
    assert "keep start_created within the last 90 days" in three_months.group(1)
    split = re.search(r"rule:taobao.logistics.offline.send:split</td>(.*?)</tr>", ran, re.S)
    assert split and "isv.logistics-offline-service-error:CD26" in split.group(1)
    assert "is_split=1 together with sub_tid" in split.group(1)
    after = [(t.tid, t.status) for t in gateway.dataset.trades("tmall_global_demo_shop")]
    assert after == before  # the rules pass shipped nothing


def test_the_desk_shows_every_rule_of_top_in_the_words_top_keeps():
    # top.rules keeps the English for the checker and the gateway; the desk's catalog holds the
    # same English as its message ids, so a page in English reads exactly what TOP enforces.
    assert {(rule.api, rule.key) for rule in RULES} == set(RULE_TEXTS)
    for rule in RULES:
        assert english(RULE_TEXTS[rule.api, rule.key]) == rule.text, rule.key
    assert english(REFUNDS) == REFUND_NOTE


def test_a_chinese_reader_sees_the_rules_and_the_api_groups_in_chinese(drafting):
    journey, _, client = drafting
    html = client.get(
        f"/journeys/{journey.id}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).get_data(as_text=True)
    sold = _api_box(html, "taobao.trades.sold.get")
    assert "返回最近 3 个月内创建的订单" in sold and "past 3 months" not in sold
    assert "不支持货到付款（COD）" in _api_box(html, "taobao.logistics.offline.send")
    assert "订单 · 按创建时间查询已卖出的订单" in html
    assert "TOP API 不支持退款" in html and REFUND_NOTE not in html
