"""Shared fixtures: one app per session on SQLite or PostgreSQL (DATABASE_URL), a clean
database per test, and factories for accounts, users and logins."""

from __future__ import annotations

import functools
import os
import tempfile

import pytest

os.environ.setdefault(
    "ONBOARDING_INSTANCE_PATH", tempfile.mkdtemp(prefix="onboarding-test-instance-")
)

# WeasyPrint first, through the packets package: without HarfBuzz subsetting the desk's own
# refusal names the fix, instead of WeasyPrint's import-time warning stopping collection.
import workflow.packets  # noqa: E402, F401, I001
from app import create_app  # noqa: E402
from tests.support import (  # noqa: E402
    PASSWORD,
    OwnUserClient,
    clear_tables,
    desk_config,
    require_service,
    reset_schema,
)
from workflow import requirements  # noqa: E402
from workflow.config import normalise_database_url  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.i18n import compile_catalogs  # noqa: E402
from workflow.models import Account, AccountKind, EnablementRequest, Role, User  # noqa: E402
from workflow.models.base import utcnow  # noqa: E402
from workflow.operations import fire  # noqa: E402


def pytest_configure(config):
    compile_catalogs()  # the catalogs as they are in the tree, not as last compiled


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    base = tmp_path_factory.mktemp("desk")
    url = os.environ.get("DATABASE_URL")
    database_url = normalise_database_url(url) if url else f"sqlite:///{base / 'test.sqlite3'}"
    app = create_app(desk_config(base, database_url))
    app.test_client_class = OwnUserClient
    with app.app_context():
        reset_schema()
    return app


@pytest.fixture(scope="session")
def pg_app(tmp_path_factory):
    """An app on a PostgreSQL database of its own, for tests that need real row locks."""
    url = os.environ.get("ONBOARDING_TEST_POSTGRES_URL")
    if not url:
        require_service("PostgreSQL (ONBOARDING_TEST_POSTGRES_URL)")
    app = create_app(desk_config(tmp_path_factory.mktemp("pg"), normalise_database_url(url)))
    with app.app_context():
        reset_schema()
    return app


@pytest.fixture
def database(app):
    with app.app_context():
        clear_tables()
        yield db
        db.session.rollback()


@pytest.fixture
def client(app, database):
    return app.test_client()


@pytest.fixture
def make_account(database):
    counter = iter(range(1, 10_000))

    def make(kind: AccountKind = AccountKind.isv, *, name: str | None = None) -> Account:
        n = next(counter)
        account = Account(
            kind=kind, name=name or f"Account {n}", taobao_account_id=f"tb_account_{n}"
        )
        db.session.add(account)
        db.session.flush()
        return account

    return make


@functools.cache
def _password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def make_user(database):
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.applicant, account: Account | None = None) -> User:
        user = User(
            email=f"{role.value}{next(counter)}@example.com",
            role=role,
            account=account,
            email_verified_at=utcnow(),  # as if they had opened their confirmation link
        )
        # Every test user has the same password: hash it once (a real hash, but scrypt takes
        # half a second a time).
        user.password_hash = _password_hash()
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_journey(database):
    from workflow.operations import open_journey

    def make(account: Account, actor: User | None = None, *, state: str | None = None):
        journey = open_journey(account, actor)
        if state is not None:
            # Tests may place a journey anywhere in the chart; the app never does this.
            journey.state = state
            db.session.flush()
        db.session.commit()
        return journey

    return make


@pytest.fixture
def login(client):
    def do_login(user: User):
        db.session.commit()  # what the test made so far is data the app finds, as in real use
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return client

    return do_login


@pytest.fixture
def seller_submission(make_account, make_user, make_journey, monkeypatch):
    """A seller journey ready to submit: ``(journey, applicant, submit)``."""
    # No content checks: the submission's packet and mail are what these tests are about.
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    account = make_account(AccountKind.seller, name="Demo Flagship Store")
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant)
    db.session.add(
        EnablementRequest(
            journey_id=journey.id,
            seller_id="2200123456",
            shop_name="Demo Flagship Store",
            contact_name="Li Lei",
            contact_email="li@example.com",
            reason="Sync orders to our ERP",
        )
    )
    db.session.flush()

    def submit():
        event = fire(journey, "submit", applicant)
        db.session.commit()
        return event

    return journey, applicant, submit
