"""The journey page and every stage's panels in Simplified Chinese (issue 15).

Each request here asks for Chinese the way a reader's browser does (``Accept-Language``), or
through the user's own language setting; the page's headings, labels, buttons and form errors
come back in Chinese, and a refused form keeps what was typed. Without the header the same pages
stay English (the rest of the suite asserts that).
"""

from __future__ import annotations

import html
import re

import pytest

from workflow.apps.demo import register_demo_app
from workflow.extensions import db
from workflow.models import AccountKind, Role

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _value_of(page: str, name: str) -> str:
    """What the page's ``<textarea name=…>`` or ``<input name=… value=…>`` holds."""
    area = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    if area:  # a browser drops the newline that opens a text area
        return area.group(1).removeprefix("\r\n").removeprefix("\n")
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else ""


@pytest.fixture
def seller(make_account, make_user, make_journey):
    """A seller's journey at ``app_draft`` with the demo APP registered, and its applicant."""
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="app_draft")
    register_demo_app(journey, applicant)
    db.session.commit()
    return journey, applicant


def _at(journey, state: str):
    journey.state = state
    db.session.commit()
    return journey


def test_the_dashboard_timeline_and_diagram_read_in_chinese(seller, login):
    journey, applicant = seller
    client = login(applicant)

    dashboard = _text(client.get("/journeys", headers=ZH))
    assert 'lang="zh-Hans-CN"' in dashboard
    assert "<h1>我的入驻流程</h1>" in dashboard and "<h1>My journeys</h1>" not in dashboard
    assert f"淘宝账号 {journey.account.taobao_account_id}" in dashboard

    timeline = _text(client.get(f"/journeys/{journey.id}/timeline", headers=ZH))
    assert "<h2>时间线</h2>" in timeline
    assert "当前阶段" in timeline and "流程图" in timeline  # the tabs

    diagram = _text(client.get(f"/journeys/{journey.id}/diagram", headers=ZH))
    assert "流程进展" in diagram and "显示当前状态" in diagram
    assert "被驳回的流程不再重开" in diagram  # the legend, from the diagram module
    assert "Where this journey stands" not in diagram


def test_the_same_pages_stay_english_without_the_header(seller, login):
    journey, applicant = seller
    page = _text(login(applicant).get(f"/journeys/{journey.id}"))
    assert 'lang="en"' in page
    assert "APP and API access" in page and "应用与 API 权限" not in page


def test_stage_1_seller_request_in_chinese_keeps_what_was_typed(make_account, make_user, login):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    from workflow.operations import open_journey

    journey = open_journey(account, applicant)
    db.session.commit()
    client = login(applicant)

    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "账号开通：卖家申请" in page
    assert "您天猫国际店铺的数字卖家ID。" in page  # the seller ID's hint
    assert "联系人姓名" in page and "保存申请" in page

    refused = client.post(
        f"/journeys/{journey.id}/enablement/request",
        data={"seller_id": "22008abc", "shop_name": "上海旗舰店", "contact_name": "李雷"},
        headers=ZH,
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "卖家ID由数字 0-9 组成，例如 2200812345678。" in page
    assert "未保存任何内容。" in page  # the flash
    assert _value_of(page, "seller_id") == "22008abc"
    assert _value_of(page, "shop_name") == "上海旗舰店"
    db.session.expire_all()
    assert journey.enablement_request is None  # nothing was saved


def test_stage_1_isv_documents_and_the_upload_script_texts_in_chinese(
    make_account, make_user, login
):
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    from workflow.operations import open_journey

    journey = open_journey(account, applicant)
    db.session.commit()
    page = _text(login(applicant).get(f"/journeys/{journey.id}", headers=ZH))
    assert "账号开通：公司信息及文件 a–f" in page
    assert "<h3>文件</h3>" in page
    assert "选择文件，或拖放到此处" in page and "尚未上传。" in page
    # uploads.js shows what the server translated, through the form's data- attributes
    assert 'data-uploading="正在上传 {name}…"' in page
    assert 'data-too-large="文件超过服务器允许的大小，请选择较小的文件。"' in page
    assert re.search(r"每个文件不超过 \d+(\.\d)? MB", page)


def test_stage_1_reviewer_in_chinese_by_their_own_setting(make_account, make_user, login):
    """No header: the reviewer's language setting alone makes the decision pane Chinese."""
    account = make_account(AccountKind.isv)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    reviewer.language = "zh_Hans_CN"
    from workflow.operations import open_journey

    journey = open_journey(account, applicant)
    journey.state = "enablement_submitted"
    db.session.commit()
    page = _text(login(reviewer).get(f"/journeys/{journey.id}"))
    assert "<h2>您的决定</h2>" in page
    assert "证据：第 1 阶段" in page
    assert "已上传 0/6 份文件" in page  # the evidence summary
    assert "申请及其文件" in page  # the link to the panel
    assert "申请人尚未填写申请。" in page
    assert "向申请人展示的原因" in page and "仅审核人员可见" in page


def test_stage_2_app_form_refused_in_chinese(login, make_account, make_user):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    from workflow.operations import open_journey

    journey = open_journey(account, applicant)
    journey.state = "app_draft"
    db.session.commit()
    client = login(applicant)

    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>应用与 API 权限</h2>" in page
    assert "先在淘宝开放平台控制台创建应用，再在此登记" in page
    assert "新应用" in page and "我的自有店铺" in page  # the radio choices
    assert "登记应用" in page

    refused = client.post(
        f"/journeys/{journey.id}/app",
        data={
            "app_key": "12",
            "name": "跨境订单助手",
            "description": "同步天猫国际订单",
            "origin": "new",
            "audience": "own_shop",
        },
        headers=ZH,
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "AppKey 为 4 到 20 位数字 0-9，与淘宝开放平台控制台显示的一致。" in page
    assert _value_of(page, "name") == "跨境订单助手"
    assert _value_of(page, "description") == "同步天猫国际订单"
    db.session.expire_all()
    assert journey.app is None


def test_stage_2_api_reason_refused_in_chinese(seller, login):
    journey, applicant = seller
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h3>淘宝开放平台 API</h3>" in page and "保存 API 申请" in page

    refused = client.post(
        f"/journeys/{journey.id}/apis",
        data={
            "api": "taobao.trades.sold.get",
            "reason-taobao.trades.sold.get": "",
            "other_apis": "taobao.item.seller.get — 展示卖家商品",
        },
        headers=ZH,
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "请说明应用需要 taobao.trades.sold.get 的原因。" in page
    assert "taobao.item.seller.get — 展示卖家商品" in _value_of(page, "other_apis")


def test_stage_3_sandbox_and_evidence_in_chinese(seller, login):
    journey, applicant = seller
    _at(journey, "sandbox_verification")
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>沙箱验证</h2>" in page
    assert "<h2>连通性证据</h2>" in page and "<h3>沙箱检查</h3>" in page
    assert "运行连通性检查工具" in page and "上传报告" in page
    assert "暂无证据。" in page

    checker = _text(client.get(f"/journeys/{journey.id}/check/sandbox", headers=ZH))
    assert "<h1>沙箱连通性检查</h1>" in checker
    assert "AppSecret 仅用于本次运行，不会保存。" in checker
    assert "本系统配置的网关" in checker and "签名方法" in checker
    assert "运行检查" in checker


def test_stage_4_deployment_form_refused_in_chinese(seller, login):
    journey, applicant = seller
    _at(journey, "mrd_prd_draft")
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>部署</h2>" in page
    assert "或以 PDF 上传 MRD" in page

    refused = client.post(
        f"/journeys/{journey.id}/forms/mrd",
        data={"market": "上海的跨境消费者", "target_sellers": ""},
        headers=ZH,
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "必填" in page
    assert _value_of(page, "market") == "上海的跨境消费者"


def test_stage_5_distribution_list_refused_in_chinese(seller, login):
    journey, applicant = seller
    _at(journey, "distribution_setup")
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>分发</h2>" in page
    assert "<h3>分发前的配置</h3>" in page and "<h3>授权名单</h3>" in page
    assert "卖家ID，每行一个（也可用逗号或空格分隔）" in page and "保存名单" in page
    assert "我确认已在淘宝开放平台控制台完成应用配置" in page

    refused = client.post(
        f"/journeys/{journey.id}/sellers/authorization", data={"ids": "1001\nabc"}, headers=ZH
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "未保存：" in page
    assert _value_of(page, "ids") == "1001\nabc"


def test_released_journey_reads_live_in_chinese(seller, login):
    journey, applicant = seller
    from workflow.models.base import utcnow

    journey.released_at = utcnow()
    _at(journey, "released")
    page = _text(login(applicant).get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>您的应用已上线</h2>" in page
    assert "您仍可修改的内容" in page and "卖家ID授权名单。" in page


def test_a_rejected_journey_offers_to_continue_in_chinese(seller, login):
    journey, applicant = seller
    _at(journey, "rejected")
    page = _text(login(applicant).get(f"/journeys/{journey.id}", headers=ZH))
    assert "<h2>接下来可以做什么</h2>" in page
    assert "本流程已被驳回并保持关闭。" in page
    assert "新建与此关联的流程" in page
    assert "本流程已结束。" in page  # the actions card


def test_conversation_refused_in_chinese_keeps_the_message(seller, login):
    journey, applicant = seller
    client = login(applicant)
    page = _text(client.get(f"/journeys/{journey.id}", headers=ZH))
    assert "第 2 阶段沟通" in page
    assert "本阶段暂无消息。" in page and "发送消息" in page
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)

    refused = client.post(
        f"/journeys/{journey.id}/conversation",
        data={"body": "请问需要哪些文件？", "stage": "9", "nonce": nonce},
        headers=ZH,
    )
    assert refused.status_code == 400
    page = _text(refused)
    assert "阶段不存在，请刷新页面。" in page
    assert _value_of(page, "body") == "请问需要哪些文件？"


def test_a_flash_after_a_step_is_chinese(seller, login):
    journey, applicant = seller
    client = login(applicant)
    response = client.post(
        f"/journeys/{journey.id}/apis",
        data={"api": "taobao.trades.sold.get", "reason-taobao.trades.sold.get": "同步订单"},
        headers=ZH,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "API 申请已保存。" in _text(response)


def test_the_reviewers_api_summary_counts_in_either_language(app):
    """A count reads as Babel's plural for the language: one API, two APIs; 个 in Chinese."""
    from types import SimpleNamespace

    from workflow.apps.panels import app_summary

    def request(method: str, status: str):
        return SimpleNamespace(method=method, decision=SimpleNamespace(value=status))

    one = {"app": object(), "requested": {"a": request("a", "pending")}, "reason_changes": {},
           "customer_info": {}}  # fmt: skip
    two = {**one, "requested": {"a": request("a", "pending"), "b": request("b", "accepted")}}
    with app.test_request_context("/"):
        assert app_summary(one) == [("ok", "1 API requested; 1 to decide, 0 granted, 0 refused")]
        assert app_summary(two)[0][1].startswith("2 APIs requested; 1 to decide, 1 granted")
    with app.test_request_context("/", headers=ZH):
        assert app_summary(two) == [
            ("ok", "已申请 2 个 API；待决定 1 个，已授予 1 个，已拒绝 0 个")
        ]
