"""The mail worker, as the real process, outlives a PostgreSQL server stopped and started under it
and an SMTP server stopped and started under it, with every message received exactly once.

What the SMTP server received is counted by Message-ID. The database outage uses a PostgreSQL
server of the test's own (``tests/pgcluster.py``); without PostgreSQL binaries the test skips on
a developer's machine and fails under CI.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from tests.mail.conftest import Recorder, SmtpServer, free_port
from tests.pgcluster import ThrowawayPostgres
from tests.support import desk_config
from workflow.extensions import db
from workflow.mail.outbox import queue_mail
from workflow.models import OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]


class SlowRecorder(Recorder):
    """Takes a moment over each message, so that an outage lands in the middle of a batch.
    A message counts as received only once the server is about to answer 250."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _smtp_server() -> SmtpServer:
    server = SmtpServer(free_port())
    server.recorder = SlowRecorder()
    server.start()
    return server


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _queue(app, first: int, count: int) -> list[str]:
    with app.app_context():
        ids = [
            queue_mail(f"user{n}@example.com", f"Message {n}", "body").message_id
            for n in range(first, first + count)
        ]
        db.session.commit()
        db.session.remove()
    return ids


def _start(command: list[str], tmp_path: Path, url: str, smtp_port: int) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": url,
        "ONBOARDING_SECRET_KEY": "worker-fault-test-key",
        "ONBOARDING_INSTANCE_PATH": str(tmp_path / "instance"),
        "ONBOARDING_STORAGE_FS_ROOT": str(tmp_path / "files"),
        "ONBOARDING_MAIL_BACKEND": "smtp",
        "ONBOARDING_MAIL_SMTP_HOST": "127.0.0.1",
        "ONBOARDING_MAIL_SMTP_PORT": str(smtp_port),
    }
    log = (tmp_path / "worker.log").open("w")
    flask = [sys.executable, "-m", "flask", "--app", "app", *command]
    return subprocess.Popen(flask, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(worker: subprocess.Popen, tmp_path: Path) -> str:
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    return (tmp_path / "worker.log").read_text()


def _assert_each_received_once(smtp: SmtpServer, expected: list[str]) -> None:
    time.sleep(1)  # a repeat would arrive now
    received = Counter(message["Message-ID"] for message in smtp.messages)
    assert sorted(received) == sorted(expected)  # 0 lost
    assert [mid for mid, n in received.items() if n > 1] == []  # 0 duplicated


def _assert_all_recorded_sent(app, count: int) -> None:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert len(rows) == count
        assert {row.status for row in rows} == {OutboxStatus.sent}
        # An outage is no fault of a message: none spent a second attempt on it.
        assert {row.delivery.attempts for row in rows} == {1}
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def postgres():
    # Not under tmp_path: pytest's folders are private to root, and the server may not be.
    server = ThrowawayPostgres(Path(tempfile.mkdtemp(prefix="onboarding-pg-")))
    try:
        yield server, server.create()
    finally:
        server.destroy()


def test_the_worker_outlives_a_database_stop_and_start(tmp_path, postgres):
    pg, url = postgres
    app = create_app(desk_config(tmp_path, url))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    expected = _queue(app, 0, 30)
    smtp = _smtp_server()
    worker = _start(["worker", "--interval", "0.2"], tmp_path, url, smtp.port)
    try:
        _wait_for(lambda: len(smtp.messages) >= 5, 120, "the first messages")
        pg.stop()
        time.sleep(4)  # the outage that once ended `flask outbox send --loop`
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        pg.start()
        with app.app_context():
            db.engine.dispose()  # the test's own connections died with the server
        expected += _queue(app, 30, 10)
        _wait_for(lambda: len(smtp.messages) >= 40, 120, "every message")
        _assert_each_received_once(smtp, expected)
        assert worker.poll() is None
        output = _stop(worker, tmp_path)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        smtp.stop()
    assert worker.returncode == 0, output
    assert output.count("database unavailable") == 1, output  # one line per outage
    assert "database back after" in output
    _assert_all_recorded_sent(app, 40)


def test_outbox_send_loop_outlives_an_smtp_stop_and_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    app = create_app(desk_config(tmp_path, url))
    with app.app_context():
        upgrade()
        db.session.remove()
    expected = _queue(app, 0, 30)
    smtp = _smtp_server()
    command = ["outbox", "send", "--loop", "--interval", "0.2"]
    worker = _start(command, tmp_path, url, smtp.port)
    try:
        _wait_for(lambda: len(smtp.messages) >= 5, 120, "the first messages")
        smtp.stop()
        time.sleep(4)
        expected += _queue(app, 30, 10)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        smtp.start()
        _wait_for(lambda: len(smtp.messages) >= 40, 120, "every message")
        _assert_each_received_once(smtp, expected)
        output = _stop(worker, tmp_path)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        smtp.stop()
    assert worker.returncode == 0, output
    unavailable = f"SMTP server 127.0.0.1:{smtp.port} (for mail jobs) unavailable"
    assert output.count(unavailable) == 1, output
    assert f"SMTP server 127.0.0.1:{smtp.port} (for mail jobs) back after" in output
    _assert_all_recorded_sent(app, 40)
