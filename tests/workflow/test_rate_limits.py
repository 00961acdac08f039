"""Request-rate limits on the public forms and the checker, in memory and on a real Redis.

The suite's shared app runs with limits off (tests/support.py); every test here builds apps
of its own with them on, on the suite's database.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

import pytest
from sqlalchemy import select

from tests.support import PASSWORD, desk_config, require_service
from top.gateway import DEMO_APP_SECRET, LocalGateway
from workflow.apps.demo import register_demo_app
from workflow.config import ConfigError
from workflow.extensions import db
from workflow.models import AccountKind, Role, User


@pytest.fixture
def limited_app(app, database, tmp_path):
    """Build an app with limits on: ``limited_app(RATELIMIT_…=…)``; each has a key prefix of
    its own unless one is given, so counts never leak between tests sharing a Redis."""

    def build(**config):
        from app import create_app

        settings = {
            **desk_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            **config,
        }
        return create_app(settings)

    return build


def settle() -> None:
    """Commit what the test made and end the session: on SQLite an open transaction here
    holds the write lock that the limited app's requests wait for."""
    db.session.commit()
    db.session.close()


def registration(n: int) -> dict[str, str]:
    return {
        "email": f"limited{n}@example.com",
        "password": "long enough password",
        "confirm": "long enough password",
        "account_kind": "seller",
        "account_name": f"Shop {n}",
        "taobao_account_id": f"limited_{n}",
    }


def register(app, n: int, address: str = "127.0.0.1"):
    client = app.test_client()
    return client.post("/register", data=registration(n), environ_base={"REMOTE_ADDR": address})


def users_named(n: int) -> list[str]:
    db.session.rollback()
    stmt = select(User.email).where(User.email == f"limited{n}@example.com")
    emails = list(db.session.scalars(stmt))
    db.session.rollback()
    return emails


def test_registration_over_the_limit_is_a_clear_429_and_registers_nobody(limited_app):
    desk = limited_app(RATELIMIT_ACCOUNT_MAIL="2 per minute")
    statuses = [register(desk, n).status_code for n in (1, 2)]
    refused = register(desk, 3)
    elsewhere = register(desk, 4, address="10.1.2.3")  # a WSGI environ value; nothing is sent
    assert 429 not in statuses and refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many attempts" in text and "at most 2 per minute from one address" in text
    assert int(refused.headers["Retry-After"]) <= 60
    assert users_named(3) == []
    assert elsewhere.status_code != 429 and len(users_named(4)) == 1


def test_the_429_page_reads_in_the_readers_language(limited_app):
    desk = limited_app(RATELIMIT_ACCOUNT_MAIL="1 per minute")
    client = desk.test_client()
    zh = {"Accept-Language": "zh-CN"}
    assert client.post("/register", data=registration(11), headers=zh).status_code != 429
    refused = client.post("/register", data=registration(12), headers=zh)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "此表单对每个地址的提交上限为每分钟 1 次。请稍候再试" in text
    assert "This form takes" not in text
    again = client.post("/register", data=registration(13), headers={"Accept-Language": "en"})
    assert "This form takes at most 1 per minute from one address." in again.get_data(True)


def test_registration_and_password_reset_share_one_budget_per_address(limited_app):
    desk = limited_app(RATELIMIT_ACCOUNT_MAIL="2 per minute")
    client = desk.test_client()
    assert register(desk, 1).status_code != 429
    forgot = client.post("/password/forgot", data={"email": "someone@example.com"})
    assert forgot.status_code == 200 and "Check your mailbox" in forgot.get_data(as_text=True)
    again = client.post("/password/forgot", data={"email": "someone@example.com"})
    assert again.status_code == 429
    assert "Too many attempts" in again.get_data(as_text=True)


def test_showing_a_limited_form_costs_nothing(limited_app):
    desk = limited_app(RATELIMIT_ACCOUNT_MAIL="1 per minute")
    client = desk.test_client()
    assert all(client.get("/register").status_code == 200 for _ in range(5))
    assert register(desk, 1).status_code != 429
    assert register(desk, 2).status_code == 429


def test_sign_in_is_limited_per_address_even_with_the_right_password(limited_app, make_user):
    form = {"email": make_user(Role.reviewer).email, "password": PASSWORD}
    settle()
    desk = limited_app(RATELIMIT_SIGN_IN="2 per minute")
    answers = [desk.test_client().post("/login", data=form) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    other = desk.test_client().post("/login", data=form, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 302


def test_the_checker_is_limited_per_user(limited_app, make_account, make_user, make_journey):
    account = make_account(AccountKind.seller)
    applicant, colleague = make_user(Role.applicant, account), make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    register_demo_app(journey, applicant)
    journey.state = "sandbox_verification"
    journeys = [(journey.id, applicant.email), (journey.id, colleague.email)]
    settle()
    with LocalGateway() as gateway:
        desk = limited_app(RATELIMIT_CHECKER="1 per minute", TOP_GATEWAY_URL=gateway.url)
        form = {"gateway": "default", "sign_method": "hmac-sha256",
                "app_secret": DEMO_APP_SECRET, "attach": "no"}  # fmt: skip
        answers = []
        for journey_id, email in (journeys[0], journeys[0], journeys[1]):
            client = desk.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            answers.append(client.post(f"/journeys/{journey_id}/check/sandbox", data=form))
    first, again, other_user = answers
    assert first.status_code == 200 and "All checks passed" in first.get_data(as_text=True)
    assert again.status_code == 429
    assert "at most 1 per minute for one user" in again.get_data(as_text=True)
    assert other_user.status_code == 200


def test_memory_counts_belong_to_one_process(limited_app):
    """Why memory:// is for one process: a second instance starts from zero."""
    first = limited_app(RATELIMIT_ACCOUNT_MAIL="1 per minute")
    second = limited_app(RATELIMIT_ACCOUNT_MAIL="1 per minute")
    assert register(first, 1).status_code != 429
    assert register(first, 2).status_code == 429
    assert register(second, 3).status_code != 429


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("ONBOARDING_TEST_REDIS_URL")
    if not url:
        require_service("Redis (ONBOARDING_TEST_REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        require_service(f"Redis at {url}")
    return url


def test_instances_sharing_redis_share_the_count(limited_app, redis_url):
    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_ACCOUNT_MAIL": "2 per minute",
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    first, second = limited_app(**settings), limited_app(**settings)
    assert register(first, 1).status_code != 429
    assert register(second, 2).status_code != 429
    refused = register(first, 3)
    assert refused.status_code == 429 and register(second, 4).status_code == 429
    assert users_named(3) == [] and users_named(4) == []
    server = redis.Redis.from_url(redis_url)
    keys = list(server.scan_iter(f"*{prefix}*"))
    assert keys, "the counts are kept in Redis"
    server.delete(*keys)


def test_an_unreachable_redis_falls_back_to_memory_and_never_fails_a_request(limited_app, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    desk = limited_app(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}/0", RATELIMIT_ACCOUNT_MAIL="2 per minute"
    )
    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        statuses = [register(desk, n).status_code for n in (1, 2, 3)]
    assert 500 not in statuses and statuses[2] == 429
    assert "falling back to in-memory storage" in caplog.text


def test_a_bad_rate_or_storage_uri_stops_start_up_with_its_name(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("ONBOARDING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ONBOARDING_RATELIMIT_CHECKER", "lots per minute")
    with pytest.raises(ConfigError, match="ONBOARDING_RATELIMIT_CHECKER='lots per minute'"):
        create_app({"SECRET_KEY": "x"})
    monkeypatch.delenv("ONBOARDING_RATELIMIT_CHECKER")
    monkeypatch.setenv("ONBOARDING_RATELIMIT_STORAGE_URI", "mysql://user:hunter2@db/limits")
    with pytest.raises(ConfigError) as caught:
        create_app({"SECRET_KEY": "x"})
    assert "ONBOARDING_RATELIMIT_STORAGE_URI" in str(caught.value)
    assert "hunter2" not in str(caught.value)
