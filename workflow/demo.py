"""Demo data for ``make run``: a seller, an ISV mid-way, a TP, a reviewer and an admin.

Passwords are generated on the first run and kept in ``instance/demo_logins.txt`` (never in
the repository); re-running keeps existing data and prints the same logins.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from workflow import audit
from workflow.auth.operations import (
    create_user,
    find_user,
    mark_email_verified,
    register_applicant,
)
from workflow.extensions import db
from workflow.models import AccountKind, Role
from workflow.operations import fire, journeys_of

demo_cli = AppGroup("demo", help="Demo data for a local desk.")

SELLER = ("seller@demo.example.com", "Demo Global Flagship Store", "tg_demo_seller")
ISV = ("isv@demo.example.com", "杭州示例软件有限公司 Demo Software Ltd", "demo_isv_account")
TP = ("tp@demo.example.com", "Demo Partner Operations Ltd", "demo_tp_account")
REVIEWER = "reviewer@demo.example.com"
ADMIN = "admin@demo.example.com"


def _logins_file() -> Path:
    return Path(current_app.instance_path) / "demo_logins.txt"


def _load_passwords() -> dict[str, str]:
    path = _logins_file()
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text().splitlines() if " " in line)
    return {email: password for email, password in pairs}


def _save_passwords(passwords: dict[str, str]) -> None:
    path = _logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{email} {pw}\n" for email, pw in passwords.items()))
    path.chmod(0o600)


def seed_demo() -> dict[str, str]:
    """Create whatever demo data is missing; return the logins."""
    audit.ensure_chain_head()
    passwords = _load_passwords()

    def password_for(email: str) -> str:
        return passwords.setdefault(email, secrets.token_urlsafe(9))

    # Demo users have confirmed their addresses, so every demo login can act at once.
    reviewer = find_user(REVIEWER)
    if reviewer is None:
        reviewer = create_user(
            REVIEWER, password_for(REVIEWER), Role.reviewer, name="Demo Reviewer"
        )
        mark_email_verified(reviewer)
    if find_user(ADMIN) is None:
        mark_email_verified(create_user(ADMIN, password_for(ADMIN), Role.admin, name="Demo Admin"))
    if find_user(SELLER[0]) is None:
        seller = register_applicant(
            SELLER[0], password_for(SELLER[0]), AccountKind.seller, SELLER[1], SELLER[2]
        )
        mark_email_verified(seller)
        _enable_seller(seller, reviewer)
    if find_user(ISV[0]) is None:
        isv = register_applicant(ISV[0], password_for(ISV[0]), AccountKind.isv, ISV[1], ISV[2])
        mark_email_verified(isv)
        _start_isv(isv)
    if find_user(TP[0]) is None:
        # A TP takes the ISV's path (§1.1); its journey waits at the first step.
        tp = register_applicant(TP[0], password_for(TP[0]), AccountKind.tp, TP[1], TP[2])
        mark_email_verified(tp)
    db.session.commit()
    _save_passwords(passwords)
    return {email: passwords[email] for email in (SELLER[0], ISV[0], TP[0], REVIEWER, ADMIN)}


def _enable_seller(seller, reviewer) -> None:
    from workflow.enablement import demo as enablement_demo

    journey = first_journey(seller.account)
    enablement_demo.fill_seller_request(journey, seller)
    fire(journey, "submit", seller)
    fire(journey, "approve", reviewer, comment="Seller account enabled for TOP.")
    from workflow.apps.demo import register_demo_app

    register_demo_app(journey, seller)
    # Waiting for the reviewer, so the demo queue is not empty on the first sign-in.
    fire(journey, "submit", seller, comment="Please grant order and delivery access.")


def _start_isv(isv) -> None:
    from workflow.enablement import demo as enablement_demo

    enablement_demo.fill_isv_request(first_journey(isv.account), isv)


@demo_cli.command("seed")
def seed_command():
    """Create the demo accounts (idempotent) and print their logins."""
    logins = seed_demo()
    click.echo("Demo logins (also in instance/demo_logins.txt):")
    labels = {
        SELLER[0]: "enabled Tmall Global seller",
        ISV[0]: "ISV mid-way through enablement",
        TP[0]: "TP (Taobao Partner), ISV path",
        REVIEWER: "Tmall Global reviewer",
        ADMIN: "admin",
    }
    for email, password in logins.items():
        click.echo(f"  {labels[email]:32} {email:26} {password}")


def first_journey(account):
    return next(iter(journeys_of(account)))
