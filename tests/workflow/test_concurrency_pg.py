"""Two reviewers approve the same journey at the same moment on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.support import clear_tables
from workflow import requirements
from workflow.errors import ConcurrentChange
from workflow.extensions import db
from workflow.models import Account, AccountKind, Event, Journey, Role, User
from workflow.models.base import utcnow
from workflow.operations import fire, open_journey


def _setup(app) -> tuple[int, int, list[int]]:
    with app.app_context():
        clear_tables()
        account = Account(kind=AccountKind.isv, name="Race Ltd", taobao_account_id="race")
        reviewers = [
            User(
                email=f"r{i}@x.test",
                role=Role.reviewer,
                password_hash="x",
                email_verified_at=utcnow(),
            )
            for i in (1, 2)
        ]
        db.session.add_all([account, *reviewers])
        db.session.flush()
        journey = open_journey(account, None)
        journey.state = "enablement_submitted"
        db.session.commit()
        return journey.id, journey.version_id, [r.id for r in reviewers]


def test_two_reviewers_approving_at_once_make_one_transition(pg_app, monkeypatch):
    monkeypatch.setattr(requirements, "_checks", requirements.defaultdict(list))
    journey_id, version, reviewer_ids = _setup(pg_app)
    both_loaded = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(reviewer_id: int) -> None:
        with pg_app.app_context():
            journey = db.session.get(Journey, journey_id)
            reviewer = db.session.get(User, reviewer_id)
            both_loaded.wait()  # both have read the journey in its submitted state
            try:
                fire(journey, "approve", reviewer, comment="Looks good")
                db.session.commit()
                outcomes.append("won")
            except ConcurrentChange:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(rid,)) for rid in reviewer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "won"]
    with pg_app.app_context():
        approvals = db.session.scalar(
            select(func.count()).select_from(Event).where(Event.event == "approve")
        )
        journey = db.session.get(Journey, journey_id)
        assert approvals == 1
        assert journey.state == "enabled"
        assert journey.version_id == version + 1
        from workflow.audit import verify_chain

        assert verify_chain().ok


def test_document_rejection_and_approval_at_once_cannot_both_win(pg_app):
    """A reviewer approving on six accepted documents while another rejects one of them."""
    from workflow.enablement.operations import decide_document
    from workflow.models import DocumentKind, DocumentVersion, EnablementRequest, ReviewStatus

    journey_id, _, reviewer_ids = _setup(pg_app)
    with pg_app.app_context():
        journey = db.session.get(Journey, journey_id)
        db.session.add(
            EnablementRequest(
                journey_id=journey_id,
                company_name="Race Ltd",
                registration_number="R-1",
                company_address="1 Road",
                signatory_name="Ann Lee",
                contact_name="Ann",
                contact_email="ann@example.com",
            )
        )
        for kind in DocumentKind:
            db.session.add(
                DocumentVersion(
                    journey_id=journey_id, kind=kind, version=1, file_id=f"2026/11/{kind.name}",
                    filename=f"{kind.value}.pdf", content_type="application/pdf", size=1,
                    sha256="0" * 64, review_status=ReviewStatus.accepted,
                )
            )  # fmt: skip
        db.session.commit()
        target_id = db.session.scalars(select(DocumentVersion.id)).first()
        assert journey.state == "enablement_submitted"

    both_loaded = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name: str, reviewer_id: int) -> None:
        with pg_app.app_context():
            journey = db.session.get(Journey, journey_id)
            reviewer = db.session.get(User, reviewer_id)
            document = db.session.get(DocumentVersion, target_id)
            both_loaded.wait()
            try:
                if name == "approve":
                    fire(journey, "approve", reviewer)
                else:
                    decide_document(journey, reviewer, document, "reject", "Blurred scan")
                db.session.commit()
                outcomes[name] = "won"
            except ConcurrentChange:
                outcomes[name] = "conflict"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=("approve", reviewer_ids[0])),
        threading.Thread(target=act, args=("reject", reviewer_ids[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "won"]
    with pg_app.app_context():
        journey = db.session.get(Journey, journey_id)
        rejected = db.session.get(DocumentVersion, target_id).review_status is ReviewStatus.rejected
        # Never an enabled account whose documents include a rejected one.
        assert (journey.state == "enabled") != rejected
