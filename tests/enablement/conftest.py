"""Stage-1 fixtures: a fresh storage per test, an ISV or seller with a journey, upload helpers."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from storage import FsStorage, Storage
from workflow.enablement.samples import sample_pdf, sample_png
from workflow.extensions import db
from workflow.models import Account, AccountKind, Journey, Role, User
from workflow.models.enablement import DocumentKind, DocumentVersion

LETTERS = [kind.value for kind in DocumentKind]


@pytest.fixture
def desk_storage(app, tmp_path, monkeypatch) -> Storage:
    """An empty filesystem storage for this test, so leftovers can be counted exactly."""
    storage = FsStorage(tmp_path / "objects")
    monkeypatch.setitem(app.extensions, "storage", storage)
    return storage


@dataclass
class Party:
    account: Account
    applicant: User
    reviewer: User
    journey: Journey


@pytest.fixture
def isv(make_account, make_user, make_journey, desk_storage) -> Party:
    return _party(AccountKind.isv, make_account, make_user, make_journey)


@pytest.fixture
def seller(make_account, make_user, make_journey, desk_storage) -> Party:
    return _party(AccountKind.seller, make_account, make_user, make_journey)


def _party(kind, make_account, make_user, make_journey) -> Party:
    account = make_account(kind)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = make_journey(account, applicant)
    db.session.commit()
    return Party(account, applicant, reviewer, journey)


def file_for(letter: str, account_id: str) -> tuple[bytes, str]:
    """A plausible file for each slot: PDFs with text (d names the account, d and f the
    signatory), PNG scans."""
    if letter in ("c", "e"):
        return sample_png(shade=150 + ord(letter)), f"passport-{letter}.png"
    lines = [f"Document {letter}", "Demo Software Ltd"]
    if letter == "d":
        lines.append(f"Taobao account ID {account_id}")
    if letter in ("d", "f"):
        lines.append("Signed by Li Lei")
    return sample_pdf(*lines), f"document-{letter}.pdf"


def upload(client, journey_id: int, letter: str, data: bytes, filename: str, *, as_json=False):
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(
        f"/journeys/{journey_id}/enablement/documents/{letter}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers=headers,
    )


def upload_all(client, party: Party) -> None:
    for letter in LETTERS:
        data, name = file_for(letter, party.account.taobao_account_id)
        response = upload(client, party.journey.id, letter, data, name)
        assert response.status_code == 302, response.data[:300]


def versions(journey_id: int) -> list[DocumentVersion]:
    db.session.expire_all()
    query = select(DocumentVersion).where(DocumentVersion.journey_id == journey_id)
    return list(db.session.scalars(query.order_by(DocumentVersion.id)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save_isv_details(client, journey_id: int):
    return client.post(
        f"/journeys/{journey_id}/enablement/request",
        data={
            "company_name": "Demo Software Ltd",
            "registration_number": "91330100MA2DEMO01X",
            "company_address": "1 Demo Road, Hangzhou",
            "signatory_name": "Li Lei",
            "contact_name": "Li Lei",
            "contact_email": "li.lei@example.com",
        },
    )


def fire_event(client, journey_id: int, event: str, comment: str = ""):
    db.session.expire_all()
    version = db.session.get(Journey, journey_id).version_id
    return client.post(
        f"/journeys/{journey_id}/events/{event}",
        data={"version": version, "comment": comment, "confirm": "yes"},
    )


def decide(client, document_id: int, decision: str, reason: str = "", seen: str = "pending"):
    return client.post(
        f"/enablement/documents/{document_id}/decision",
        data={"decision": decision, "reason": reason, "seen_status": seen},
    )


def state_of(journey_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Journey, journey_id).state


@pytest.fixture
def client_for(app):
    """A separate signed-in browser per user, so applicant and reviewer can take turns."""
    from tests.support import PASSWORD

    def make(user: User):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        return client

    return make
