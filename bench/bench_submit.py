"""What a submission costs the applicant now that its packet is rendered by ``flask worker``.

Side A: an applicant submits a seller enablement request (``POST .../events/submit``), which
freezes the packet's inputs, chains their digest and queues the render. Side B: the same
applicant fires an event that makes no packet (withdrawing another draft), through the same
route. Both go through the Flask test client against a SQLite database built by the migrations
(fs storage), one fresh journey per request, alternated round by round. Goal: A / B below 2x.

Afterwards the worker renders every queued packet (``run_due``), and each packet must verify
against the chain: the inputs' digest on the submission's event, the PDF's SHA-256 on the
second event, the stored copy, and a byte-identical re-render from the snapshot.

Run: .venv/bin/python bench/bench_submit.py [rounds]
(``BENCH_SUBMIT_INLINE=1`` renders in the request instead, the way it was, for comparison.)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402

ROUNDS = 15
PASSWORD = "bench-password-1"
GOAL = 2.0


def _seed_journeys(count: int):
    """``count`` seller accounts, each with a signed-in client and a complete draft request."""
    from werkzeug.security import generate_password_hash

    from workflow.extensions import db
    from workflow.models import Account, AccountKind, EnablementRequest, Role, User
    from workflow.models.base import utcnow
    from workflow.operations import open_journey

    password_hash = generate_password_hash(PASSWORD)
    made = []
    for n in range(count):
        account = Account(
            kind=AccountKind.seller, name=f"Bench Store {n}", taobao_account_id=f"tb_bench_{n}"
        )
        user = User(
            email=f"bench{n}@example.com",
            role=Role.applicant,
            account=account,
            email_verified_at=utcnow(),
            password_hash=password_hash,
        )
        db.session.add_all([account, user])
        db.session.flush()
        journey = open_journey(account, user)
        db.session.add(
            EnablementRequest(
                journey_id=journey.id,
                seller_id=str(2200100000 + n),
                shop_name=f"Bench Store {n}",
                contact_name="Li Lei",
                contact_email=f"contact{n}@example.com",
                contact_phone="+86 571 0000 0000",
                reason="Sync orders to our ERP",
            )
        )
        made.append((user.email, journey.id))
    db.session.commit()
    return made


def _signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _message(response) -> str:
    """The message of a refusal page, for the assertion that reports it."""
    page = response.get_data(as_text=True)
    start = page.find("<h1>")
    return page[start : start + 400] if start >= 0 else page[:400]


def main(rounds: int = ROUNDS) -> int:
    base = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    os.environ.setdefault("ONBOARDING_SECRET_KEY", "bench-secret")
    from app import create_app
    from tests.support import desk_config, reset_schema

    config = desk_config(base, f"sqlite:///{base / 'bench.sqlite3'}")
    # The production way: flask worker renders. BENCH_SUBMIT_INLINE=1 renders in the request,
    # as every submission did before, for the figure to compare with.
    inline = os.environ.get("BENCH_SUBMIT_INLINE") == "1"
    config["PACKETS_RENDER_INLINE"] = inline
    app = create_app(config)
    # Each request runs in an app context of its own, as on a server: nothing the bench reads
    # (nor the signed-in user a request loads) carries over into the next request.
    from sqlalchemy import select

    from workflow.extensions import db
    from workflow.jobs import run_due
    from workflow.models import Journey, Packet
    from workflow.packets.chain import check_against_chain
    from workflow.packets.operations import stored_bytes

    with app.app_context():
        reset_schema()
        total = (rounds + 1) * 2  # one warm-up round
        people = _seed_journeys(total)
    clients = [(_signed_in(app, email), jid) for email, jid in people]
    submitting, withdrawing = iter(clients[0::2]), iter(clients[1::2])

    def post(pair, event: str, **extra):
        client, jid = pair
        with app.app_context():
            version = db.session.get(Journey, jid).version_id
        started = time.perf_counter()
        response = client.post(
            f"/journeys/{jid}/events/{event}", data={"version": version, **extra}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, (event, response.status_code, _message(response))
        return elapsed

    submit = "submit (packet rendered inline)" if inline else "submit (packet queued)"
    figures = alternate(
        {
            submit: lambda: post(next(submitting), "submit"),
            "withdraw (no packet)": lambda: post(next(withdrawing), "withdraw", confirm="yes"),
        },
        rounds,
        clock=None,
    )
    print(f"submission request, {rounds} rounds alternated (SQLite, Flask test client):")
    show(figures)
    spread = ratio(figures, submit, "withdraw (no packet)")
    show_ratio("submit / event without a packet", spread, goal=GOAL)

    with app.app_context():
        states = db.session.scalars(select(Journey.state).order_by(Journey.id)).all()
        assert states.count("enablement_submitted") == rounds + 1, states
        assert states.count("withdrawn") == rounds + 1, states
        started = time.perf_counter()
        done = 0
        while result := run_due(kinds=["packet"]):
            done += result.done
            assert not result.failed and not result.retried, str(result)
        worker = time.perf_counter() - started
        print(
            f"worker rendered {done} packets in {worker:.2f} s "
            f"({worker / max(done, 1) * 1000:.0f} ms each)"
        )
        packets = db.session.scalars(select(Packet).order_by(Packet.id)).all()
        failures = 0
        for index, packet in enumerate(packets):
            check = check_against_chain(stored_bytes(packet), render=index == 0)
            if not check.ok:
                failures += 1
                print("\n".join(check.lines()))
        verdict = "all verify" if not failures else f"{failures} FAILED"
        print(
            f"packets against the chain: {len(packets)} checked "
            f"(the first also re-rendered byte for byte): {verdict}"
        )
    ok = failures == 0 and len(packets) == rounds + 1 and spread.median < GOAL
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS))
