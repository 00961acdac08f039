"""One of several OS processes that write to one SQLite file at once, through the real
operations: registrations, seller submissions (each stores a packet and queues mail), ISV
document uploads (storage plus rows), reviewer decisions, and mail jobs claimed and sent.

Run by ``tests/workflow/test_sqlite_writers.py`` in spawned processes; it returns what it did
and every error it met, so the parent can check that nothing was lost.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from tests.support import PASSWORD, desk_config

ROUNDS = 2


class LoggingTransport:
    """Appends each delivered Message-ID to this process's log, so duplicates would show."""

    def __init__(self, path: Path):
        self.path = path

    def send(self, message) -> None:
        with self.path.open("a") as log:
            log.write(f"{message['Message-ID']}\n")


#: Writers queue for SQLite's one write lock. On a loaded shared machine the holder can be
#: descheduled for long; the test is about nobody being locked out, not about how fast.
BUSY_TIMEOUT_SECONDS = 180


def writer_config(base: Path, database_url: str) -> dict:
    return desk_config(base, database_url) | {"SQLITE_BUSY_TIMEOUT_SECONDS": BUSY_TIMEOUT_SECONDS}


def run_writer(index: int, base: str, database_url: str, start, reports) -> None:
    """Wait for the others, write, and put a report on ``reports``."""
    try:
        reports.put(_write(index, base, database_url, start))
    except BaseException as exc:
        reports.put({"pid": os.getpid(), "done": {}, "errors": [f"crashed: {exc!r}"]})
        raise


def _write(index: int, base: str, database_url: str, start) -> dict:
    from app import create_app

    app = create_app(writer_config(Path(base), database_url))
    transport = LoggingTransport(Path(base) / f"delivered-{index}.log")
    done = {"sellers": 0, "submissions": 0, "uploads": 0, "reviews": 0, "sent": 0}
    errors: list[str] = []
    with app.app_context():
        start.wait(timeout=90)
        for round_ in range(ROUNDS):
            for step, action in _steps(index, round_, transport):
                try:
                    done[step] += action()
                except Exception as exc:  # collected and reported by the parent test
                    from workflow.extensions import db

                    db.session.rollback()
                    errors.append(f"{step} in round {round_}: {type(exc).__name__}: {exc}")
        done["sent"] += _drain(transport)
    return {
        "pid": os.getpid(),
        "done": done,
        "errors": errors,
    }


def _steps(index: int, round_: int, transport: LoggingTransport):
    from workflow.extensions import db

    tag = f"p{index}r{round_}"
    state = {}

    def commit(value=1):
        db.session.commit()
        return value

    def register_seller():
        state["seller"] = _register(f"seller-{tag}", "seller")
        return commit()

    def submit():
        from workflow.enablement.operations import save_enablement_request
        from workflow.operations import fire, journeys_of

        user = _reload(state["seller"])
        [journey] = journeys_of(user.account)
        save_enablement_request(
            journey,
            user,
            {
                "seller_id": f"22{index:02d}{round_:06d}",
                "shop_name": f"Shop {tag}",
                "contact_name": "Li Lei",
                "contact_email": f"li-{tag}@example.com",
                "reason": "Sync orders to our ERP",
            },
        )
        fire(journey, "submit", user)
        state["journey_id"] = journey.id
        return commit()

    def upload():
        from workflow.auth.operations import mark_email_verified, register_applicant
        from workflow.enablement.operations import upload_document
        from workflow.enablement.samples import sample_pdf
        from workflow.models import AccountKind, DocumentKind

        user = register_applicant(
            f"isv-{tag}@example.com", PASSWORD, AccountKind.isv, f"ISV {tag}", f"isv_{tag}"
        )
        mark_email_verified(user)
        from workflow.operations import journeys_of

        db.session.flush()
        [journey] = journeys_of(user.account)
        pdf = sample_pdf(f"Certificate of incorporation of ISV {tag}")
        upload_document(
            journey, user, DocumentKind.certificate_of_incorporation, io.BytesIO(pdf), "a.pdf"
        )
        return commit()

    def review():
        from workflow.auth.operations import find_user
        from workflow.models import Journey
        from workflow.operations import fire

        reviewer = find_user("reviewer@writers.example.com")
        journey = db.session.get(Journey, state["journey_id"])
        fire(journey, "request_changes", reviewer, comment=f"Please check the shop name {tag}.")
        return commit()

    def send_some():
        from workflow.mail.delivery import send_due

        return send_due(transport, limit=2).sent

    return [
        ("sellers", register_seller),
        ("submissions", submit),
        ("uploads", upload),
        ("reviews", review),
        ("sent", send_some),
    ]


def _register(name: str, kind: str):
    from workflow.auth.operations import mark_email_verified, register_applicant
    from workflow.models import AccountKind

    user = register_applicant(
        f"{name}@example.com", PASSWORD, AccountKind(kind), name.title(), name.replace("-", "_")
    )
    mark_email_verified(user)  # as if they had opened their confirmation link
    return user.email


def _reload(email: str):
    from workflow.auth.operations import find_user

    return find_user(email)


def _drain(transport: LoggingTransport) -> int:
    from workflow.mail.delivery import send_due

    sent = 0
    while True:
        result = send_due(transport, limit=3)
        sent += result.sent
        if not (result.sent or result.retried):
            return sent
