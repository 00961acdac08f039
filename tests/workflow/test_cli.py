"""Command-line tools: users, audit, demo data, configuration errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app import create_app
from workflow.config import ConfigError
from workflow.extensions import db
from workflow.models import Account, AccountKind, Event, Journey, OutboxMessage, Role, User


def test_users_invite_mails_an_invitation_and_sets_no_password(app, database):
    result = app.test_cli_runner().invoke(
        args=["users", "invite", "--role", "admin", "--name", "Ops", "Adm@Example.com"]
    )
    assert result.exit_code == 0, result.output
    assert "invited admin adm@example.com" in result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.role, user.name) == ("adm@example.com", Role.admin, "Ops")
    assert not user.is_email_verified
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_addr == "adm@example.com"
    assert "The desk operator invited you to the TOP Onboarding Desk as an admin" in message.body
    assert "http://desk.test/invitation?token=" in message.body
    assert "token=" not in result.output
    refused = app.test_cli_runner().invoke(
        args=["users", "invite", "--role", "applicant", "x@example.com"]
    )
    assert refused.exit_code == 1 and "existing account" in refused.output


def test_audit_verify_reports_ok_then_the_edited_row(app, database):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count()).select_from(Event))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"ok {count} events"
    assert result.output.splitlines()[1].startswith("replay ok: 3 journeys, 3 document_versions")
    victim = db.session.scalars(select(Event).order_by(Event.id).offset(2)).first()
    db.session.execute(
        text("UPDATE events SET to_state = 'released' WHERE id = :id"), {"id": victim.id}
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {victim.id}" in result.output


def test_demo_seed_is_idempotent_and_prints_logins(app, database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.output == second.output
    assert "reviewer@demo.example.com" in first.output
    assert "tp@demo.example.com" in first.output
    people = select(func.count()).select_from(User).where(User.role != Role.system)
    assert db.session.scalar(people) == 5
    states = sorted(db.session.scalars(select(Journey.state)))
    # The seller is enabled and waits for API access; the ISV and the TP collect documents.
    assert states == ["api_access_submitted", "enablement_draft", "enablement_draft"]
    tp = db.session.scalars(select(Account).where(Account.kind == AccountKind.tp)).one()
    assert tp.takes_isv_path and tp.enabled_at is None
    assert db.session.scalars(select(Account).where(Account.enabled_at.is_not(None))).one()


def test_missing_secret_key_stops_startup_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("ONBOARDING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("ONBOARDING_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ONBOARDING_SECRET_KEY is not set"):
        create_app()


def test_invalid_setting_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("ONBOARDING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ONBOARDING_MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(ConfigError, match="ONBOARDING_MAX_UPLOAD_BYTES='lots' is invalid"):
        create_app({"SECRET_KEY": "x"})


def test_readme_documents_every_setting():
    from pathlib import Path

    from workflow.config import ENV_PREFIX, SETTINGS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{ENV_PREFIX}{s.name}`" not in readme]
    assert missing in ([], ["SQLALCHEMY_DATABASE_URI"])
