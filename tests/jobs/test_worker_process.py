"""`flask worker` as `make run` starts it: a process that delivers queued mail and stops on
SIGTERM after the job at hand."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from tests.support import desk_config
from workflow.extensions import db
from workflow.mail.outbox import queue_mail
from workflow.models import Job, JobStatus

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_process_delivers_mail_and_stops_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    app = create_app(desk_config(tmp_path, url))
    with app.app_context():
        upgrade()
    env = os.environ | {
        "DATABASE_URL": url,
        "ONBOARDING_SECRET_KEY": "worker-test-key",
        "ONBOARDING_INSTANCE_PATH": str(tmp_path / "instance"),
        "ONBOARDING_STORAGE_FS_ROOT": str(tmp_path / "files"),
        "ONBOARDING_MAIL_OUTBOX_DIR": str(tmp_path / "mail"),
    }
    flask = [sys.executable, "-m", "flask", "--app", "app", "worker", "--interval", "0.2"]
    worker = subprocess.Popen(
        flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        with app.app_context():
            message = queue_mail("someone@example.com", "From the worker", "Hello")
            db.session.commit()
            message_id = message.message_id
        mail = tmp_path / "mail"
        assert _wait_for(lambda: mail.exists() and any(mail.glob("*.eml")), 60)
        [eml] = list(mail.glob("*.eml"))
        assert message_id in eml.read_text()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, output
    assert "worker serving mail, ocr, packet, reminders, retention, webhook every 0.2 s" in output
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(type(message), message.id).sent_at is not None
        # The worker also queued and ran the hour's reminders job and the day's retention
        # job (nothing was owed or due).
        periodic = db.session.scalars(
            select(Job).where(Job.kind.in_(("reminders", "retention")))
        ).all()
        assert {j.kind for j in periodic} == {"reminders", "retention"}
        assert {j.status for j in periodic} == {JobStatus.done}
    done = [int(n) for n in re.findall(r"^done (\d+), retrying 0, failed 0$", output, re.M)]
    assert sum(done) == 1 + len(periodic), output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
