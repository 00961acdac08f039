"""/healthz: 200 when every part is sound; 503 naming the part when one is not; no login."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from app import create_app
from storage.memory import MemoryStorage
from tests.support import desk_config
from workflow.extensions import db
from workflow.health.checks import code_head
from workflow.jobs import enqueue
from workflow.models import Job, JobStatus
from workflow.models.base import utcnow

SOUND = {"database": "ok", "migrations": "ok", "storage": "ok", "jobs": "ok"}


def test_every_part_sound_answers_200_without_a_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": SOUND}
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 405  # no form, no CSRF token, no redirect


def test_the_storage_probe_is_removed_again(app, client):
    before = set(app.extensions["storage"].iter_ids())
    assert client.get("/healthz").status_code == 200
    assert set(app.extensions["storage"].iter_ids()) == before


class BrokenStorage(MemoryStorage):
    """Every write fails, as a full disk or a bucket without permission does."""

    def save(self, stream, *, content_type=None, max_size=None):
        raise PermissionError("/srv/secret/files/2026/12: permission denied")


class ForgetfulStorage(MemoryStorage):
    """Accepts writes but hands back other bytes."""

    def open(self, file_id):
        return io.BytesIO(b"something else")


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (BrokenStorage, "failing: PermissionError"),
        (ForgetfulStorage, "failing: the probe object read back differs from what was written"),
    ],
)
def test_a_failing_storage_backend_gives_503_naming_storage(
    app, client, monkeypatch, backend, reason
):
    monkeypatch.setitem(app.extensions, "storage", backend())
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing" and body["failing"] == ["storage"]
    assert body["checks"] == SOUND | {"storage": reason}
    assert "/srv/secret" not in response.get_data(as_text=True)


def test_a_database_that_cannot_be_reached_gives_503_naming_the_database(tmp_path):
    url = "postgresql+psycopg://desk:hunter2-secret@127.0.0.1:9/onboarding"
    unreachable = create_app(desk_config(tmp_path, url))
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "failing: OperationalError"
    assert body["checks"]["migrations"] == "unknown: needs database"
    assert body["checks"]["storage"] == "ok"
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "127.0.0.1" not in text


def test_a_database_behind_the_code_gives_503_naming_migrations(tmp_path):
    behind = create_app(desk_config(tmp_path, f"sqlite:///{tmp_path / 'behind.sqlite3'}"))
    with behind.app_context():
        upgrade(revision="0006")
        response = behind.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["migrations"]
    assert (
        body["checks"]["migrations"] == f"failing: database at revision 0006, code at {code_head()}"
    )
    assert body["checks"]["jobs"] == "unknown: needs migrations"


def test_an_overdue_job_gives_503_naming_jobs(app, client):
    job = enqueue("mail", {"message": 0}, dedupe_key="probe")
    job.run_after = utcnow() - timedelta(seconds=app.config["HEALTH_JOB_DELAY_SECONDS"] - 30)
    db.session.commit()
    assert client.get("/healthz").status_code == 200  # due, but a worker has time yet
    job.run_after = utcnow() - timedelta(seconds=app.config["HEALTH_JOB_DELAY_SECONDS"] + 60)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["jobs"]
    assert body["checks"]["jobs"].startswith("failing: the oldest due job has waited 36")


def test_a_job_whose_worker_died_counts_once_its_lease_ran_out(app, client):
    job = enqueue("mail", {"message": 0}, dedupe_key="probe")
    job.status = JobStatus.running
    job.leased_until = utcnow() - timedelta(seconds=app.config["HEALTH_JOB_DELAY_SECONDS"] + 5)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["failing"] == ["jobs"]
    db.session.get(Job, job.id).leased_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    assert client.get("/healthz").status_code == 200
