"""What replaying the log costs next to walking the chain, and that it grows with the log only.

Builds journeys whose six documents are each decided through ``decisions.decide`` (plus a claim
per journey), on a fresh SQLite database built by the migrations, then times
``audit.verify_chain`` and ``replay.replay_log`` at two sizes.

Goals: replay below 3x the chain walk; time per event about the same at both sizes. The chain
walk and the replay alternate round by round at each size.

Run: .venv/bin/python bench/bench_audit.py
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from app import create_app  # noqa: E402
from bench.timing import Spread, alternate, ratio, show, show_ratio  # noqa: E402
from workflow import audit  # noqa: E402
from workflow.decisions import decide  # noqa: E402
from workflow.extensions import db  # noqa: E402
from workflow.models import (  # noqa: E402
    Account,
    AccountKind,
    DecisionKind,
    DocumentKind,
    DocumentVersion,
    Event,
    ReviewStatus,
    Role,
    User,
)
from workflow.operations import open_journey  # noqa: E402
from workflow.replay import replay_log  # noqa: E402


def build(journeys: int, start: int) -> None:
    reviewer = db.session.scalars(select(User).where(User.role == Role.reviewer)).one()
    for n in range(start, start + journeys):
        account = Account(kind=AccountKind.isv, name=f"A{n}", taobao_account_id=f"tb{n}")
        db.session.add(account)
        db.session.flush()
        journey = open_journey(account, None)
        journey.state = "enablement_submitted"  # placed, then recorded, as a seed would
        audit.append_event(journey, None, "open", "enablement_draft", journey.state)
        for kind in DocumentKind:
            document = DocumentVersion(
                journey_id=journey.id, kind=kind, version=1, file_id=f"{n}/{kind.name}",
                filename="a.pdf", content_type="application/pdf", size=1, sha256="0" * 64,
                review_status=ReviewStatus.accepted,
            )  # fmt: skip
            db.session.add(document)
            db.session.flush()
            about = {"document": kind.value, "version": 1}
            decide(journey, reviewer, DecisionKind.document, [document], about)
        journey.assignee = reviewer
        decide(journey, reviewer, DecisionKind.assigned, [journey], {"claimed": True})
    db.session.commit()


ROUNDS = 5


def timed(fn):
    """One round of ``fn`` on a fresh session, nothing cached from the build or the last round."""

    def side() -> float:
        db.session.remove()
        started = time.perf_counter()
        report = fn()
        elapsed = time.perf_counter() - started
        assert report.ok, report
        return elapsed

    return side


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "STORAGE_BACKEND": "memory",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.session.execute(text("PRAGMA synchronous = OFF"))
            db.session.add(User(email="r@x.test", role=Role.reviewer, password_hash="x"))
            db.session.commit()
            rows = []
            built = 0
            for journeys in (150, 600):
                build(journeys - built, built)
                built = journeys
                events = db.session.scalar(select(func.count()).select_from(Event))
                rounds = alternate(
                    {"chain walk": timed(audit.verify_chain), "replay": timed(replay_log)},
                    ROUNDS,
                    clock=None,
                )
                replay = Spread.of(rounds["replay"]).median
                rows.append((events, replay))
                print(f"{events:6d} events, {ROUNDS} alternated rounds:")
                show(rounds, digits=1)
                show_ratio("  replay/chain", ratio(rounds, "replay", "chain walk"), goal=3)
                print(f"  replay per event {replay / events * 1e6:5.1f} µs (median)")
            (small_n, small_r), (big_n, big_r) = rows
            growth = (big_r / big_n) / (small_r / small_n)
            print(f"replay time per event, {big_n} vs {small_n} events: {growth:4.2f}x")


if __name__ == "__main__":
    main()
