"""Digests, escalations and applicant reminders go out once per item and period: a second run
sends nothing, and a period later exactly one more goes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.notifications.conftest import NOW, outbox
from workflow.extensions import db
from workflow.models import Role, SentReminder
from workflow.notifications.preferences import set_preferences
from workflow.notifications.reminders import send_reminders

DAY = timedelta(days=1)


def _run(at):
    sent = send_reminders(at)
    db.session.commit()
    return sent


def test_an_overdue_item_goes_to_its_assignee_then_each_period_to_the_admins(app, make_user, place):
    reviewer, admin = make_user(Role.reviewer), make_user(Role.admin)
    sla = app.config["REVIEW_SLA_DAYS"]
    journey, _ = place("api_access_submitted", sla * DAY + timedelta(hours=2), assignee=reviewer)
    set_preferences(reviewer, {"digest": False})  # this test reads escalations alone
    set_preferences(admin, {"digest": False})
    db.session.commit()

    [notice] = _run(NOW)
    assert notice.kind == "escalation" and notice.recipients == [reviewer.email]
    [mail] = outbox(reviewer.email)
    assert mail.journey_id == journey.id and mail.subject.startswith("[TOP onboarding] Overdue:")
    assert f"/journeys/{journey.id}" in mail.body and f"the SLA is {sla} days" in mail.body
    assert outbox(admin.email) == []

    assert _run(NOW) == [] and _run(NOW + timedelta(hours=5)) == []  # the same period
    assert len(outbox()) == 1

    [later] = _run(NOW + sla * DAY)  # the next period: the admins
    assert later.recipients == [admin.email]
    [escalated] = outbox(admin.email)
    assert escalated.subject.startswith("[TOP onboarding] Escalated:")
    assert "Escalated to the admins" in escalated.body and reviewer.email in escalated.body
    assert _run(NOW + sla * DAY) == []
    assert len(outbox(reviewer.email)) == 1 and len(outbox(admin.email)) == 1
    keys = db.session.scalars(select(SentReminder.key).order_by(SentReminder.id)).all()
    since = journey.state_changed_at.isoformat()
    assert keys == [f"escalation:{journey.id}:{since}:1", f"escalation:{journey.id}:{since}:2"]


def test_an_unassigned_overdue_item_goes_to_the_reviewers_mailbox(app, place):
    journey, _ = place("enablement_submitted", 4 * DAY, name="Nobody's Shop")
    [notice] = _run(NOW)
    mailbox = app.config["TMALL_MAILBOX"]
    assert notice.recipients == [mailbox]
    [mail] = outbox(mailbox)
    assert "Nobody's Shop" in mail.subject and "Assigned to: nobody (unassigned)" in mail.body


def test_an_item_within_its_sla_and_one_that_moved_on_are_not_escalated(app, make_user, place):
    reviewer = make_user(Role.reviewer)
    set_preferences(reviewer, {"digest": False})
    place("api_access_submitted", 2 * DAY, assignee=reviewer)
    place("api_access_granted", 30 * DAY, assignee=reviewer)  # not waiting for a reviewer
    assert _run(NOW) == [] and outbox() == []


def test_the_digest_lists_a_reviewers_open_items_overdue_first_once_a_day(app, make_user, place):
    reviewer, other = make_user(Role.reviewer), make_user(Role.reviewer)
    set_preferences(reviewer, {"escalation": False})
    db.session.commit()
    fresh, _ = place("mrd_prd_submitted", timedelta(hours=3), assignee=reviewer, name="Fresh Co")
    old, _ = place("api_access_submitted", 5 * DAY, assignee=reviewer, name="Old Co")
    place("cloud_plan_submitted", DAY, name="Waiting Co")  # unassigned: counted, not listed
    place("app_draft", 9 * DAY, assignee=reviewer, name="Draft Co")  # not a review item

    before_hour = NOW.replace(hour=app.config["DIGEST_HOUR_UTC"] - 1)
    assert [n for n in _run(before_hour) if n.kind == "digest"] == []

    digests = [n for n in _run(NOW) if n.kind == "digest"]
    assert [n.recipients for n in digests] == [[reviewer.email]]  # the other has no items
    [mail] = outbox(reviewer.email)
    assert mail.subject == "[TOP onboarding] Your open items: 2 (2026-12-01)"
    body = mail.body
    assert body.index("Overdue (waiting 3 days or more): 1") < body.index("Old Co")
    assert body.index("Old Co") < body.index("Open: 1") < body.index("Fresh Co")
    assert "waiting 5 days" in body and "Draft Co" not in body and "Waiting Co" not in body
    assert "1 more item(s) wait unassigned" in body
    assert body.rstrip().endswith("Turn this digest off at http://desk.test/account/settings")
    assert outbox(other.email) == []

    assert [n for n in _run(NOW + timedelta(hours=6)) if n.kind == "digest"] == []
    assert len(outbox(reviewer.email)) == 1
    next_day = [n for n in _run(NOW + DAY) if n.kind == "digest"]
    assert [n.recipients for n in next_day] == [[reviewer.email]]
    assert [m.subject[-12:] for m in outbox(reviewer.email)] == ["(2026-12-01)", "(2026-12-02)"]


def test_an_idle_applicant_is_reminded_once_per_period(app, make_user, place):
    days = app.config["APPLICANT_REMINDER_DAYS"]
    journey, applicant = place("enablement_changes_requested", days * DAY + timedelta(hours=1))
    colleague = make_user(Role.applicant, journey.account)
    quiet = make_user(Role.applicant, journey.account)
    set_preferences(quiet, {"reminder": False})
    draft, _ = place("app_draft", DAY)  # not idle long enough yet
    db.session.commit()

    [notice] = _run(NOW)
    assert notice.kind == "reminder" and sorted(notice.recipients) == sorted(
        [applicant.email, colleague.email]
    )
    [mail] = outbox(applicant.email)
    assert mail.subject == "[TOP onboarding] Waiting for you: Enablement changes requested"
    assert "Tmall Global asked for changes" in mail.body and f"/journeys/{journey.id}" in mail.body
    assert outbox(quiet.email) == []
    assert _run(NOW) == [] and _run(NOW + 3 * DAY) == []
    assert len(outbox()) == 2

    again, first_for_draft = _run(NOW + days * DAY)  # a period later
    assert again.key == f"reminder:{journey.id}:{journey.state_changed_at.isoformat()}:2"
    assert first_for_draft.key.startswith(f"reminder:{draft.id}:")  # idle long enough now
    assert len(outbox(applicant.email)) == 2 and len(outbox()) == 5
    assert _run(NOW + days * DAY) == []


def test_a_journey_that_comes_back_to_a_state_starts_its_periods_again(app, place):
    days = app.config["APPLICANT_REMINDER_DAYS"]
    journey, applicant = place("api_access_changes_requested", days * DAY)
    assert len(_run(NOW)) == 1
    journey.state_changed_at = NOW  # resubmitted and sent back again just now
    db.session.commit()
    assert _run(NOW + (days - 1) * DAY) == []
    [notice] = _run(NOW + days * DAY)
    assert notice.key.endswith(":1") and len(outbox(applicant.email)) == 2


def test_a_recipient_who_turned_a_notice_off_is_skipped_and_the_period_still_counts(
    make_user, place
):
    reviewer = make_user(Role.reviewer)
    set_preferences(reviewer, {"escalation": False, "digest": False})
    db.session.commit()
    place("api_access_submitted", 4 * DAY, assignee=reviewer)
    [notice] = _run(NOW)
    assert notice.recipients == [] and outbox() == []
    assert db.session.scalars(select(SentReminder.mails)).all() == [0]
    assert _run(NOW) == []


def test_flask_reminders_send_prints_what_it_sent(app, make_user, place, monkeypatch):
    from workflow.notifications import reminders

    monkeypatch.setattr(reminders, "utcnow", lambda: NOW)
    reviewer = make_user(Role.reviewer)
    journey, _ = place("api_access_submitted", 4 * DAY, assignee=reviewer, name="Printed Co")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert f"sent digest of 2026-12-01 for {reviewer.email}: 1 open, 1 overdue" in lines[0]
    assert lines[1] == (
        f"sent escalation #{journey.id} (waiting 4 days, period 1) to {reviewer.email}"
    )
    assert lines[-1] == "2 notice(s), 2 mail(s) queued"
    second = runner.invoke(args=["reminders", "send"])
    assert second.output.strip() == "0 notice(s), 0 mail(s) queued"
    assert len(outbox(reviewer.email)) == 2


def test_due_items_are_read_a_page_at_a_time_and_each_is_sent_once(app, place, monkeypatch):
    from workflow.notifications import reminders

    monkeypatch.setattr(reminders, "PAGE_SIZE", 2)
    pages: list[list[int]] = []
    paged = reminders._due_pages

    def recording(stmt):
        for page in paged(stmt):
            pages.append([journey.id for journey in page])
            yield page

    monkeypatch.setattr(reminders, "_due_pages", recording)
    overdue = [place("enablement_submitted", days * DAY)[0] for days in (10, 5, 4)]
    # two journeys in their state since one instant, which the first page boundary splits
    twins = [place("enablement_submitted", 9 * DAY)[0] for _ in range(2)]
    idle = [place("app_draft", (20 + n) * DAY)[0] for n in range(3)]

    sent = _run(NOW)
    escalated = [int(n.key.split(":")[1]) for n in sent if n.kind == "escalation"]
    reminded = [int(n.key.split(":")[1]) for n in sent if n.kind == "reminder"]
    assert sorted(escalated) == sorted(j.id for j in overdue + twins)
    assert sorted(reminded) == sorted(j.id for j in idle)
    assert [len(page) for page in pages] == [2, 2, 1, 2, 1]  # 5 overdue, then 3 idle
    assert _run(NOW) == []  # the next round finds every notice sent
