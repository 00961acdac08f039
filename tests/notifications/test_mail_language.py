"""Every mail is written in its recipient's language, with times in their zone."""

from __future__ import annotations

from datetime import timedelta

from tests.notifications.conftest import NOW, outbox
from workflow.auth.mails import mail_invitation, mail_password_reset, mail_verification
from workflow.extensions import db
from workflow.models import Role
from workflow.notifications.reminders import send_reminders
from workflow.operations import fire


def _chinese(user, zone: str | None = None) -> None:
    user.language = "zh_Hans_CN"
    user.time_zone = zone
    db.session.commit()


def test_a_chinese_applicants_receipt_is_chinese_and_in_their_zone(app, seller_submission):
    journey, applicant, submit = seller_submission
    _chinese(applicant, "Asia/Shanghai")
    event = submit()
    [receipt] = outbox(applicant.email)
    assert receipt.subject.startswith("[TOP 入驻] 已收到：")
    assert "开通申请已提交" in receipt.subject
    assert "天猫国际已于" in receipt.body and "状态：开通申请已提交" in receipt.body
    shanghai = event.created_at + timedelta(hours=8)
    assert f"{shanghai:%Y-%m-%d %H:%M} Asia/Shanghai" in receipt.body
    assert "Tmall Global received" not in receipt.body
    # The reviewers' mailbox reads the desk's default language.
    [reviewers] = outbox(app.config["TMALL_MAILBOX"])
    assert reviewers.subject == "[TOP onboarding] Enablement submitted: Demo Flagship Store"


def test_a_decision_mails_each_applicant_in_their_own_language(app, seller_submission, make_user):
    journey, applicant, submit = seller_submission
    _chinese(applicant)
    colleague = make_user(Role.applicant, journey.account)  # reads English
    reviewer = make_user(Role.reviewer)
    submit()
    fire(journey, "request_changes", reviewer, comment="请补充营业执照扫描件")
    db.session.commit()
    chinese = outbox(applicant.email)[-1]
    english = outbox(colleague.email)[-1]
    assert chinese.subject == "[TOP 入驻] 开通申请退回修改"
    assert "天猫国际已处理" in chinese.body and "退回修改" in chinese.body
    assert "原因：\n请补充营业执照扫描件" in chinese.body
    assert english.subject == "[TOP onboarding] Enablement changes requested"
    assert "Tmall Global has acted on" in english.body and "Request changes" in english.body


def test_account_mails_are_written_in_the_users_language(app, database, make_user):
    user = make_user(Role.applicant)
    _chinese(user)
    admin = make_user(Role.admin)
    with app.test_request_context():
        mail_verification(user)
        mail_password_reset(user, sent_by=admin)
        invited = make_user(Role.reviewer)
        _chinese(invited)
        mail_invitation(invited, admin)
    db.session.commit()
    verification, reset = outbox(user.email)
    assert verification.subject == "[TOP 入驻] 确认你的邮箱"
    assert "打开以下链接确认邮箱" in verification.body and "有效期" in verification.body
    assert reset.subject == "[TOP 入驻] 设置新密码"
    assert "管理员" in reset.body and "/password/reset?token=" in reset.body
    [invitation] = outbox(invited.email)
    assert invitation.subject == "[TOP 入驻] 邀请你加入 TOP 入驻服务台"
    assert "以审核人员身份加入" in invitation.body


def test_a_reminder_reads_in_chinese_and_an_escalation_in_the_reviewers_zone(app, place, make_user):
    journey, applicant = place("enablement_draft", timedelta(days=8))
    _chinese(applicant)
    reviewer = make_user(Role.reviewer)  # staff: Asia/Shanghai by default
    waiting, _ = place("enablement_submitted", timedelta(days=4), assignee=reviewer)
    send_reminders(NOW)
    db.session.commit()
    [reminder] = outbox(applicant.email)
    assert reminder.subject == "[TOP 入驻] 等你处理：开通申请草稿"
    assert "处于“开通申请草稿”已 8 天" in reminder.body
    overdue = [m for m in outbox(reviewer.email) if "Overdue" in m.subject]
    assert overdue, [m.subject for m in outbox(reviewer.email)]
    since = waiting.state_changed_at + timedelta(hours=8)
    assert f"since {since:%Y-%m-%d %H:%M} Asia/Shanghai" in overdue[0].body
