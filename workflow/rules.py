"""Rules under which the desk decides by itself, and the named actor that records each.

A rule's decision goes through the same audited door as a person's
(``workflow.decisions.decide``). Its actor is a user of the system role, one per rule, named
after it, so the trail says who decided and why: "Onboarding desk, guide §3.4.1 a". No one signs
in as it (it has no password) and the policy lets it do nothing but apply its rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.extensions import db
from workflow.models import Role, User
from workflow.models.base import utcnow


@dataclass(frozen=True)
class DeskRule:
    code: str
    #: The section of the Tmall Global developer guide the rule comes from.
    section: str
    #: What the rule decided, for the applicant and the reviewer.
    text: str
    #: The actor's name, for a rule that is the desk's own rather than the guide's.
    title: str = ""

    @property
    def actor_email(self) -> str:
        return f"rule-{self.code}@desk.invalid"

    @property
    def actor_name(self) -> str:
        return self.title or f"Onboarding desk, guide §{self.section}"


#: §3.4.1 a: a seller's own seller ID is on its APP's authorization list by default; only
#: adding other sellers needs Tmall Global's review.
OWN_SHOP = DeskRule(
    "own-shop",
    "3.4.1 a",
    "In force at once, without Tmall Global review: the list adds no seller other than the "
    "seller's own shop (guide §3.4.1 a).",
)

#: The periods an admin set for keeping files and mail (``workflow.retention``).
RETENTION = DeskRule(
    "retention",
    "",
    "Deleted once the retention period the admin set had passed; the SHA-256 stays on record.",
    title="Onboarding desk, retention policy",
)

#: The worker that renders each submission's packet from the inputs frozen at submission.
PACKETS = DeskRule(
    "packets",
    "",
    "Rendered from the inputs frozen at submission; the PDF's SHA-256 is on record.",
    title="Onboarding desk, packet renderer",
)

#: A password hash no password matches (``check_password_hash`` refuses its format).
_NO_PASSWORD = "!"


def desk_actor(rule: DeskRule) -> User:
    """The system user that records ``rule``'s decisions, created the first time it acts."""
    user = _find(rule)
    if user is not None:
        return user
    try:
        with db.session.begin_nested():
            user = User(
                email=rule.actor_email,
                name=rule.actor_name,
                role=Role.system,
                password_hash=_NO_PASSWORD,
                # The desk's own address: no one confirms it, and no mail goes to it.
                email_verified_at=utcnow(),
            )
            db.session.add(user)
    except IntegrityError:  # another request created it at the same moment
        user = _find(rule)
    return user


def _find(rule: DeskRule) -> User | None:
    return db.session.scalar(select(User).where(User.email == rule.actor_email))
