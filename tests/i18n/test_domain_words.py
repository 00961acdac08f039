"""The domain's words reach the reader in their language: states, events, stages, errors,
seller-list problems with their line numbers, the trail and the chart diagram."""

from __future__ import annotations

import pytest

from workflow.distribution.sellerids import SellerIdListError, parse_seller_ids
from workflow.errors import DomainError, NotPermitted, RequirementsNotMet
from workflow.extensions import db
from workflow.i18n import _l, force_locale
from workflow.journeys.diagram import chart_svg
from workflow.models import Role
from workflow.policy import Action, authorize
from workflow.stages import STAGES, event_label, state_name


def test_names_and_titles_read_in_the_current_language(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert state_name("enablement_changes_requested") == "开通申请退回修改"
        assert state_name("released") == "已发布"
        assert event_label("request_changes") == "退回修改"
        assert STAGES[2].title == "沙箱验证"
    with app.test_request_context():
        assert state_name("released") == "Released" and STAGES[2].title == "Sandbox verification"
    # What stored data records stays English, whoever wrote it.
    assert STAGES[2].title_id == "Sandbox verification"


def test_an_error_raised_without_a_locale_reads_in_the_readers(app):
    error = DomainError(_l("Journey #%(id)s already continues this one.", id=7))
    problems = RequirementsNotMet([_l("Register the APP first."), _l("Write a message first.")])
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert error.message == str(error) == "入驻流程 #7 已接续此流程。"
        assert problems.message == "请先登记应用。; 请先填写留言。"
    with app.test_request_context(headers={"Accept-Language": "en-GB"}):
        assert str(error) == "Journey #7 already continues this one."


def test_seller_list_problems_keep_their_line_numbers_in_chinese(app):
    with pytest.raises(SellerIdListError) as refused:
        parse_seller_ids("2200123456\nabc\n0123")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        lines = [problem.message for problem in refused.value.problems]
    assert lines == [
        "第 2 行：'abc' 不是数字（只能包含 0-9）",
        "第 3 行：'0123' 以 0 开头，卖家ID不会以 0 开头",
    ]
    with app.test_request_context():
        assert refused.value.problems[0].message == "line 2: 'abc' is not numeric (digits 0-9 only)"


def test_a_refused_step_says_why_in_chinese_on_the_page(
    client, login, make_account, make_user, make_journey
):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enablement_submitted")
    db.session.commit()
    browser = login(applicant)
    response = browser.post(
        f"/journeys/{journey.id}/events/submit",
        data={"version": journey.version_id},
        headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        follow_redirects=True,
    )
    assert "入驻流程处于“开通申请已提交”时，不能执行“提交审核”。" in response.text


def test_the_diagram_draws_its_labels_in_the_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = chart_svg("app_draft").decode()
    with app.test_request_context():
        english = chart_svg("app_draft").decode()
    assert "应用草稿" in chinese and ">提交<" in chinese and "驳回：任何已提交状态" in chinese
    assert "APP draft" not in chinese
    assert "APP draft" in english and ">Submit<" in english and "应用草稿" not in english


def test_a_refusal_of_the_policy_reads_in_chinese(app, make_account, make_user, make_journey):
    account = make_account()
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enablement_submitted")
    with pytest.raises(NotPermitted) as refused:
        authorize(applicant, Action.decide_step, journey)
    # The database fixture holds one app context for the test, whose cached locale a request
    # context pushed inside it would share: read the message under each locale explicitly.
    with force_locale("zh_Hans_CN"):
        assert refused.value.message == "只有审核人员才能审核提交内容。"
    with force_locale("en"):
        assert refused.value.message == "Only reviewers decide submissions."


def test_the_domains_tables_read_in_the_readers_language_and_record_english(app):
    from workflow.deployment.specs import SPECS
    from workflow.enablement.documents import describe
    from workflow.i18n import english, lazy_join
    from workflow.models import DOCUMENT_TITLES, AccountKind, DocumentKind, FormKind

    cloud_order = SPECS[FormKind.cloud_order]
    gaps = _l(
        "Complete the %(form)s: %(gaps)s",
        form=cloud_order.title,
        gaps=lazy_join(f.label for f in cloud_order.fields[:2]),
    )
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert str(cloud_order.title) == "云资源订单"
        assert str(DOCUMENT_TITLES[DocumentKind.certificate_of_incorporation]) == "公司注册证书"
        assert str(AccountKind.seller.label) == "天猫国际卖家"
        assert str(describe(DocumentKind.bank_account_proof)) == "银行账户证明（文件 b）"
        assert "订单编号、下单日期" in str(gaps)
    with app.test_request_context():
        assert str(gaps) == "Complete the Cloud order: Order reference, Date ordered"
    # Stored data (packets, retention records) keeps the English, whoever's request writes it.
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert english(gaps) == "Complete the Cloud order: Order reference, Date ordered"
        assert english(AccountKind.isv.label) == "ISV (independent software vendor)"


def test_a_documents_findings_read_in_the_readers_language(app):
    from workflow.enablement.findings import document_findings

    findings = document_findings(
        "d",
        text="Agreement for taobao account tb-123",
        text_source="pdf",
        ocr_status=None,
        account_id="tb-123",
        signatory_name="",
    )
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert [str(f.message) for f in findings] == [
            "在 PDF 文字中找到了淘宝账号 ID tb-123。",
            "公司资料中尚未填写授权签字人，因此无法查找。",
        ]
    with app.test_request_context():
        assert (
            str(findings[0].message) == "The taobao account ID tb-123 was found in the PDF's text."
        )
