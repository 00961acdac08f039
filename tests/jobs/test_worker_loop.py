"""The worker loop in-process: an outage is one warning and one "back" line however many tries it
takes, a stop request ends the backoff at once, and --once reports a database it cannot reach."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import OperationalError

from workflow import jobs
from workflow.extensions import db
from workflow.jobs import worker as worker_module
from workflow.mail.delivery import mail_kind
from workflow.mail.outbox import queue_mail
from workflow.models import OutboxMessage, OutboxStatus


class Recorder:
    def __init__(self):
        self.sent: list[str] = []

    def send(self, message):
        self.sent.append(message["Message-ID"])


def _database_away_for(tries: int, monkeypatch):
    real_run_due, calls = worker_module.run_due, []

    def run_due(*args, **kwargs):
        calls.append(1)
        if len(calls) <= tries:
            raise OperationalError("SELECT", {}, Exception("connection refused"))
        return real_run_due(*args, **kwargs)

    monkeypatch.setattr(worker_module, "run_due", run_due)
    return calls


def test_an_outage_is_logged_once_however_many_tries_it_takes(database, monkeypatch, caplog):
    message = queue_mail("ops@example.com", "Report", "body")
    db.session.commit()
    calls = _database_away_for(6, monkeypatch)
    transport, stop, results = Recorder(), threading.Event(), []

    def report(result):
        results.append(result)
        stop.set()  # one delivering round is enough

    loop = jobs.JobRegistry([mail_kind(transport)])
    worker = worker_module.Worker(
        loop, ["mail"], interval=0.01, stop=stop, report=report, longest_backoff=0.02
    )
    with caplog.at_level(logging.INFO, logger="workflow.jobs.worker"):
        assert worker.run() == 0
    assert len(calls) == 7 and [r.done for r in results] == [1]
    lines = [r.getMessage() for r in caplog.records if r.name == "workflow.jobs.worker"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("database unavailable (Exception: connection refused)")
    assert lines[1].startswith("database back after") and "6 tries" in lines[1]
    assert transport.sent == [message.message_id]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status is OutboxStatus.sent


def test_a_stop_during_the_backoff_ends_the_worker_at_once(database, monkeypatch):
    _database_away_for(1000, monkeypatch)
    stop = threading.Event()
    worker = worker_module.Worker(
        jobs.JobRegistry([mail_kind(Recorder())]), ["mail"], stop=stop, longest_backoff=60
    )
    threading.Timer(0.3, stop.set).start()
    assert worker.run() == 0


def test_worker_once_says_when_the_database_cannot_be_reached(app, database, monkeypatch):
    _database_away_for(1, monkeypatch)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 1
    assert "database unavailable; stopped" in result.output
