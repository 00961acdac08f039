"""Periodic job kinds: `flask worker` queues one job per period, however many rounds or workers
ask, and the reminders it runs go out once per item and period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from workflow import jobs
from workflow.extensions import db
from workflow.jobs import queue as queue_module
from workflow.jobs import worker as worker_module
from workflow.mail.delivery import mail_kind
from workflow.models import AccountKind, Job, JobStatus, OutboxMessage, Role
from workflow.notifications import reminders
from workflow.notifications.preferences import set_preferences

NOW = datetime(2026, 12, 1, 10, 20, tzinfo=UTC)


class Recorder:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, message):
        self.sent.append((message["To"], message["Subject"]))


def _set_clock(monkeypatch, at: datetime) -> None:
    for module in (queue_module, reminders):
        monkeypatch.setattr(module, "utcnow", lambda at=at: at)


def test_period_start_counts_whole_periods_from_the_epoch():
    hour = timedelta(hours=1)
    assert jobs.period_start(hour, NOW) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert jobs.period_start(timedelta(days=1), NOW) == datetime(2026, 12, 1, tzinfo=UTC)


def test_one_job_per_period_however_often_it_is_scheduled(app, database):
    registry = jobs.app_registry()
    assert [k.name for k in registry.periodic()] == ["reminders", "retention"]
    assert [j.dedupe_key for j in jobs.schedule_periodic(registry, now=NOW)] == [
        "reminders:2026-12-01T10:00:00+00:00",
        "retention:2026-12-01T00:00:00+00:00",
    ]
    assert jobs.schedule_periodic(registry, now=NOW + timedelta(minutes=39)) == []
    assert jobs.schedule_periodic(registry, ["mail"], now=NOW + timedelta(hours=1)) == []
    # The next hour owes a reminders round; the retention job is daily.
    [later] = jobs.schedule_periodic(registry, now=NOW + timedelta(hours=1))
    assert later.run_after == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    assert sorted(db.session.scalars(select(Job.kind)).all()) == [
        "reminders", "reminders", "retention"
    ]  # fmt: skip
    [tomorrow] = [
        job
        for job in jobs.schedule_periodic(registry, now=NOW + timedelta(days=1))
        if job.kind == "retention"
    ]
    assert tomorrow.run_after == datetime(2026, 12, 2, tzinfo=UTC)


def test_the_worker_sends_an_escalation_once_per_period(
    app, monkeypatch, make_account, make_user, make_journey
):
    reviewer, admin = make_user(Role.reviewer), make_user(Role.admin)
    for person in (reviewer, admin):
        set_preferences(person, {"digest": False})
    account = make_account(AccountKind.isv, name="Slow Co")
    make_user(Role.applicant, account)
    journey = make_journey(account, state="api_access_submitted")
    sla = timedelta(days=app.config["REVIEW_SLA_DAYS"])
    journey.state_changed_at, journey.assignee = NOW - sla - timedelta(hours=1), reviewer
    db.session.commit()
    transport = Recorder()
    registry = jobs.JobRegistry([mail_kind(transport), reminders.reminders_kind()])
    worker = worker_module.Worker(registry, registry.names())

    _set_clock(monkeypatch, NOW)
    for _ in range(3):  # rounds of the same hour: one reminders job, one mail
        worker.round(once=True)
    _set_clock(monkeypatch, NOW + timedelta(hours=5))
    worker.round(once=True)
    worker.round(once=True)
    assert transport.sent == [(reviewer.email, "[TOP onboarding] Overdue: Slow Co, waiting 3 days")]
    runs = db.session.scalars(select(Job).where(Job.kind == "reminders").order_by(Job.id)).all()
    assert [j.status for j in runs] == [JobStatus.done, JobStatus.done]  # 10:00 and 15:00

    _set_clock(monkeypatch, NOW + sla)  # the next period: the admins
    worker.round(once=True)
    worker.round(once=True)
    assert transport.sent[1:] == [
        (admin.email, "[TOP onboarding] Escalated: Slow Co, waiting 6 days")
    ]
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 2
