"""The job queue: queued with the change, claimed once, retried with backoff, failed, requeued."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.support import counting_statements
from workflow import jobs
from workflow.extensions import db
from workflow.jobs import JobKind, JobRegistry, UnknownJobKind
from workflow.models import Account, Job, JobStatus
from workflow.models.base import utcnow

KIND = ["create_account"]


def _accounts() -> list[str]:
    return list(db.session.scalars(select(Account.name).order_by(Account.name)))


def _make_due(job_id: int) -> None:
    db.session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(run_after=utcnow() - timedelta(seconds=1), leased_until=utcnow())
    )
    db.session.commit()


def test_a_job_runs_once_and_its_database_effect_commits_with_it(create_account_kind):
    job = jobs.enqueue("create_account", {"name": "alpha"})
    db.session.commit()
    result = jobs.run_due(kinds=KIND)
    assert (result.done, result.claimed) == (1, 1)
    assert _accounts() == ["alpha"]
    job = db.session.get(Job, job.id)
    assert job.status is JobStatus.done and job.attempts == 1 and job.finished_at
    assert job.leased_until is None and job.claim_token is None
    assert not jobs.run_due(kinds=KIND)
    assert create_account_kind.runs == [job.id]


def test_a_job_queued_in_a_rolled_back_transaction_never_runs(create_account_kind):
    jobs.enqueue("create_account", {"name": "ghost"})
    db.session.rollback()
    assert not jobs.run_due(kinds=KIND)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert create_account_kind.runs == [] and _accounts() == []


def test_failures_back_off_exponentially_and_roll_back_the_handlers_writes(create_account_kind):
    create_account_kind.failures_left = 2
    job_id = jobs.enqueue("create_account", {"name": "beta"}).id
    db.session.commit()
    delays = []
    for attempt in (1, 2):
        before = utcnow()
        assert jobs.run_due(kinds=KIND).retried == 1
        job = db.session.get(Job, job_id)
        assert job.status is JobStatus.pending and job.attempts == attempt
        assert "RuntimeError: the service is down" in job.last_error
        delays.append((job.run_after - before).total_seconds())
        assert _accounts() == []  # the failed attempt's write was rolled back
        assert not jobs.run_due(kinds=KIND)  # waiting out its backoff
        _make_due(job_id)
    assert 29 <= delays[0] <= 31 and 59 <= delays[1] <= 61
    assert jobs.run_due(kinds=KIND).done == 1
    assert _accounts() == ["beta"]
    assert db.session.get(Job, job_id).last_error == ""


def test_the_last_failure_fails_the_job_and_an_operator_requeues_it(app, create_account_kind):
    create_account_kind.failures_left = 3  # max_attempts of the kind
    job_id = jobs.enqueue("create_account", {"name": "gamma"}).id
    db.session.commit()
    outcomes = []
    for _ in range(3):
        result = jobs.run_due(kinds=KIND)
        outcomes.append((result.retried, result.failed))
        _make_due(job_id)
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.failed and job.attempts == 3 and job.finished_at
    assert not jobs.run_due(kinds=KIND)
    runner = app.test_cli_runner()
    status = runner.invoke(args=["jobs", "status"]).output
    assert "failed 1" in status and f"#{job_id} create_account after 3" in status
    assert runner.invoke(args=["jobs", "requeue"]).output.strip() == "requeued 1"
    assert jobs.run_due(kinds=KIND).done == 1
    assert _accounts() == ["gamma"]
    assert db.session.get(Job, job_id).attempts == 1


def test_a_held_job_is_not_claimed_again_until_its_lease_runs_out(create_account_kind):
    job_id = jobs.enqueue("create_account", {"name": "delta"}).id
    db.session.commit()
    [dead_workers_claim] = jobs.claim_due(KIND)  # and then that worker died
    assert jobs.claim_due(KIND) == []
    assert not jobs.run_due(kinds=KIND)
    _make_due(job_id)  # the lease runs out
    assert jobs.run_due(kinds=KIND).done == 1
    assert db.session.get(Job, job_id).attempts == 2
    # The dead worker's claim is worth nothing now.
    registry = jobs.app_registry()
    assert jobs.run_claimed(dead_workers_claim, registry) == "lost"
    assert create_account_kind.runs == [job_id] and _accounts() == ["delta"]


def test_a_worker_whose_lease_ran_out_while_it_worked_records_nothing(create_account_kind, caplog):
    job_id = jobs.enqueue("create_account", {"name": "epsilon"}).id
    db.session.commit()

    def another_worker_takes_over(job):
        db.session.execute(update(Job).where(Job.id == job.id).values(claim_token="f" * 32))

    create_account_kind.during = another_worker_takes_over
    with caplog.at_level(logging.WARNING, logger="workflow.jobs"):
        assert jobs.run_due(kinds=KIND).lost == 1
    assert "ran after its claim ran out" in caplog.text
    assert _accounts() == []
    assert db.session.get(Job, job_id).status is JobStatus.running  # still the other's


def test_jobs_whose_worker_always_dies_are_failed_at_last(create_account_kind):
    job_id = jobs.enqueue("create_account", {"name": "zeta"}).id
    db.session.commit()
    for _ in range(3):  # max_attempts claims, each by a worker that dies
        assert jobs.claim_due(KIND)
        _make_due(job_id)
    assert jobs.claim_due(KIND) == []
    job = db.session.get(Job, job_id)
    assert job.status is JobStatus.failed and "stopped before finishing" in job.last_error
    assert create_account_kind.runs == []


def test_queuing_twice_with_one_key_makes_one_job(create_account_kind):
    first = jobs.enqueue("create_account", {"name": "eta"}, dedupe_key="account:eta")
    second = jobs.enqueue("create_account", {"name": "eta"}, dedupe_key="account:eta")
    db.session.commit()
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_unknown_kinds_and_handlers_without_an_effect_rule_are_refused(database):
    with pytest.raises(UnknownJobKind):
        jobs.enqueue("no_such_kind", {})

    def silent(job):
        pass

    with pytest.raises(ValueError, match="effect rule"):
        JobRegistry([JobKind("silent", silent)])


def test_a_claim_costs_the_same_statements_whatever_its_size(create_account_kind):
    counts = {}
    for size in (3, 30):
        db.session.execute(update(Job).values(status=JobStatus.done))
        for n in range(size):
            jobs.enqueue("create_account", {"name": f"size{size}-{n}"})
        db.session.commit()
        with counting_statements() as statements:
            claims = jobs.claim_due(KIND, limit=100)
        assert len(claims) == size
        counts[size] = len(statements)
    assert counts[3] == counts[30]


def test_flask_worker_once_runs_every_kind(app, create_account_kind):
    from workflow.mail.outbox import queue_mail

    jobs.enqueue("create_account", {"name": "theta"})
    message = queue_mail("someone@example.com", "Hello", "A body")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    # The worker queued this hour's reminders job and today's retention job (periodic kinds)
    # and ran them with the others.
    assert result.output.strip() == "done 4, retrying 0, failed 0"
    for kind in ("reminders", "retention"):
        [periodic] = db.session.scalars(select(Job).where(Job.kind == kind)).all()
        assert periodic.status is JobStatus.done
    assert _accounts() == ["theta"]
    db.session.expire_all()
    assert db.session.get(type(message), message.id).sent_at is not None
    bad = runner.invoke(args=["worker", "--once", "--kinds", "mail,nope"])
    assert bad.exit_code == 2 and "unknown job kind nope" in bad.output


def test_flask_worker_kinds_limits_what_runs(app, create_account_kind):
    jobs.enqueue("create_account", {"name": "iota"})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once", "--kinds", "mail"])
    assert result.output.strip() == "done 0, retrying 0, failed 0"
    assert _accounts() == []
