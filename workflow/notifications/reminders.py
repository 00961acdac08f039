"""Periodic notices: each reviewer's daily digest, escalation of overdue items, and reminders to
applicants whose draft or requested changes sit idle.

``flask worker`` queues one ``reminders`` job an hour (a periodic job kind); ``flask reminders
send`` runs the same round by hand. A round is idempotent: every notice is owed once per item
and period, and a :class:`~workflow.models.SentReminder` row with a unique key records that it
went out, in the same transaction as its mail. The periods:

- digest: one per reviewer per UTC day, from ``DIGEST_HOUR_UTC``, when they have open items;
- escalation: an item waiting ``REVIEW_SLA_DAYS`` is mailed to its assignee (the reviewers'
  mailbox when nobody has it); each further period of as many days mails the admins;
- reminder: a journey idle ``APPLICANT_REMINDER_DAYS`` in a draft or "changes requested" state
  is mailed to its account's users, and again each such period.

A period counts from when the journey entered its state, which is part of the key: a journey
that moves on and comes back starts again at the first period. Escalations and reminders read
their due journeys ``PAGE_SIZE`` at a time, so one round never holds them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from workflow import jobs
from workflow.extensions import db
from workflow.i18n import _, ngettext
from workflow.mail.language import mail_time, written_for
from workflow.mail.outbox import queue_mail
from workflow.models import Account, Job, Journey, Role, SentReminder, User
from workflow.models.base import utcnow
from workflow.notifications import journey_url
from workflow.notifications.preferences import who_wants
from workflow.stages import APPLICANT_STATES, REVIEW_STATES, state_name

KIND = "reminders"
#: How often ``flask worker`` runs a round; each notice has its own, longer, period.
EVERY = timedelta(hours=1)
MAX_ATTEMPTS = 3
#: Keys looked up per statement when checking what already went out.
_KEY_BATCH = 500
#: Due journeys read per statement by escalations and reminders.
PAGE_SIZE = 500


@dataclass
class Sent:
    """One notice a round sent: what, about which item, to whom."""

    kind: str
    key: str
    summary: str
    recipients: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        to = ", ".join(self.recipients) or "nobody (every recipient turned it off)"
        return f"{self.kind} {self.summary} to {to}"


def send_reminders(now: datetime | None = None) -> list[Sent]:
    """Queue every notice owed at ``now`` and not sent yet (flush, never commit)."""
    now = now or utcnow()
    sent: list[Sent] = []
    sent += send_digests(now)
    sent += send_escalations(now)
    sent += send_applicant_reminders(now)
    return sent


def _periods(since: datetime, now: datetime, days: int) -> int:
    """Whole periods of ``days`` days from ``since`` to ``now``."""
    return int((now - since) / timedelta(days=days))


def _waited(since: datetime, now: datetime) -> str:
    days = round((now - since) / timedelta(days=1))
    return ngettext("%(num)d day", "%(num)d days", days)


def _record(
    key: str,
    kind: str,
    mail: Callable[[], list[str]],
    *,
    summary: str,
    journey_id: int | None = None,
    user_id: int | None = None,
) -> Sent | None:
    """Record the notice under ``key`` and queue its mail, or nothing if it went out already
    (here, or in a round that committed it first)."""
    try:
        with db.session.begin_nested():
            row = SentReminder(key=key, kind=kind, journey_id=journey_id, user_id=user_id)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return None
    recipients = mail()
    row.mails = len(recipients)
    db.session.flush()
    return Sent(kind, key, summary, recipients)


def _already_sent(keys: Iterable[str]) -> set[str]:
    keys, found = list(keys), set()
    for start in range(0, len(keys), _KEY_BATCH):
        batch = keys[start : start + _KEY_BATCH]
        stmt = select(SentReminder.key).where(SentReminder.key.in_(batch))
        found |= set(db.session.scalars(stmt))
    return found


def _due_pages(stmt: Select) -> Iterator[list[Journey]]:
    """The journeys ``stmt`` selects, oldest in their state first, ``PAGE_SIZE`` at a time.

    Pages follow on from the last journey seen (its ``state_changed_at`` and id), which a
    round does not change, so no journey is skipped or read twice.
    """
    stmt = stmt.order_by(Journey.state_changed_at, Journey.id).limit(PAGE_SIZE)
    page = list(db.session.scalars(stmt).unique())
    while page:
        yield page
        if len(page) < PAGE_SIZE:
            return
        last = page[-1]
        after = or_(
            Journey.state_changed_at > last.state_changed_at,
            and_(Journey.state_changed_at == last.state_changed_at, Journey.id > last.id),
        )
        page = list(db.session.scalars(stmt.where(after)).unique())


def _send_once_each(
    kind: str,
    pages: Iterable[list[Journey]],
    key_for: Callable[[Journey], str],
    notice_for: Callable[[Journey], tuple[Callable[[], list[str]], str]],
) -> list[Sent]:
    """For each journey whose notice under ``key_for(journey)`` has not gone out, queue it:
    ``notice_for(journey)`` gives the function that mails it (returning the recipients) and
    its summary."""
    sent = []
    for page in pages:
        keys = {journey.id: key_for(journey) for journey in page}
        done = _already_sent(keys.values())
        for journey in page:
            if keys[journey.id] in done:
                continue
            mail, summary = notice_for(journey)
            notice = _record(keys[journey.id], kind, mail, summary=summary, journey_id=journey.id)
            if notice is not None:
                sent.append(notice)
    return sent


def _settings_url() -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/account/settings"


def _staff() -> list[User]:
    stmt = select(User).where(User.role.in_((Role.reviewer, Role.admin)), User.is_active_user)
    return list(db.session.scalars(stmt.order_by(User.email)))


# --- the daily digest


def send_digests(now: datetime) -> list[Sent]:
    """Each reviewer with open items gets one digest a day, from ``DIGEST_HOUR_UTC``."""
    config = current_app.config
    if now.hour < config["DIGEST_HOUR_UTC"]:
        return []
    day = now.date().isoformat()
    reviewers = {u.id: u for u in who_wants(_staff(), "digest")}
    keys = {uid: f"digest:{uid}:{day}" for uid in reviewers}
    done = _already_sent(keys.values())
    waiting = [uid for uid, key in keys.items() if key not in done]
    if not waiting:
        return []
    items = db.session.scalars(
        select(Journey)
        .options(joinedload(Journey.account), joinedload(Journey.app))
        .where(Journey.state.in_(REVIEW_STATES), Journey.assignee_id.in_(waiting))
        .order_by(Journey.state_changed_at, Journey.id)
    ).unique()
    by_reviewer: dict[int, list[Journey]] = {}
    for journey in items:
        by_reviewer.setdefault(journey.assignee_id, []).append(journey)
    unassigned = _unassigned_count()
    sent = []
    for uid in waiting:
        mine = by_reviewer.get(uid)
        if not mine:
            continue  # nothing open: no mail, and a later round today may still send one
        reviewer = reviewers[uid]

        def mail(reviewer=reviewer, mine=mine) -> list[str]:
            with written_for(reviewer):
                queue_mail(
                    reviewer.email,
                    _(
                        "[TOP onboarding] Your open items: %(count)d (%(day)s)",
                        count=len(mine),
                        day=day,
                    ),
                    _digest_body(mine, now, unassigned),
                )
            return [reviewer.email]

        overdue = sum(1 for j in mine if _is_overdue(j, now))
        summary = f"of {day} for {reviewer.email}: {len(mine)} open, {overdue} overdue"
        notice = _record(keys[uid], "digest", mail, summary=summary, user_id=uid)
        if notice is not None:
            sent.append(notice)
    return sent


def _is_overdue(journey: Journey, now: datetime) -> bool:
    return _periods(journey.state_changed_at, now, current_app.config["REVIEW_SLA_DAYS"]) >= 1


def _unassigned_count() -> int:
    stmt = select(func.count()).where(
        Journey.state.in_(REVIEW_STATES), Journey.assignee_id.is_(None)
    )
    return db.session.scalar(stmt) or 0


def _digest_body(items: list[Journey], now: datetime, unassigned: int) -> str:
    sla = current_app.config["REVIEW_SLA_DAYS"]
    overdue = [j for j in items if _is_overdue(j, now)]
    current = [j for j in items if not _is_overdue(j, now)]
    lines = [_("Items assigned to you and waiting for a reviewer: %(count)d.", count=len(items))]
    lines.append("")
    groups = (
        (_("Overdue (waiting %(sla)d days or more)", sla=sla), overdue),
        (_("Open"), current),
    )
    for heading, group in groups:
        if not group:
            continue
        lines.append(_("%(heading)s: %(count)d", heading=heading, count=len(group)))
        for j in group:
            item = _(
                "#%(id)d %(account)s: %(title)s, %(state)s, waiting %(waited)s.",
                id=j.id,
                account=j.account.name,
                title=j.title,
                state=state_name(j.state),
                waited=_waited(j.state_changed_at, now),
            )
            lines.append(f"- {item} {journey_url(j)}")
        lines.append("")
    if unassigned:
        lines.append(_("%(num)d more item(s) wait unassigned in the review queue.", num=unassigned))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    lines += [
        _("The queue: %(url)s", url=base + "/review/"),
        "",
        _("Turn this digest off at %(url)s", url=_settings_url()),
    ]
    return "\n".join(lines) + "\n"


# --- escalation of overdue items


def send_escalations(now: datetime) -> list[Sent]:
    """Overdue items: the first period to the assignee, each later one to the admins."""
    sla = current_app.config["REVIEW_SLA_DAYS"]
    cutoff = now - timedelta(days=sla)
    overdue = (
        select(Journey)
        .options(joinedload(Journey.account), joinedload(Journey.assignee))
        .options(joinedload(Journey.app))
        .where(Journey.state.in_(REVIEW_STATES), Journey.state_changed_at <= cutoff)
    )
    admins: list[User] | None = None

    def key_for(journey: Journey) -> str:
        period = _periods(journey.state_changed_at, now, sla)
        return f"escalation:{journey.id}:{journey.state_changed_at.isoformat()}:{period}"

    def notice_for(journey: Journey):
        nonlocal admins
        if admins is None:  # read once, and only when something is owed
            admins = [u for u in _staff() if u.role is Role.admin]
        period = _periods(journey.state_changed_at, now, sla)
        recipients = _escalation_recipients(journey, period, admins)

        def mail() -> list[str]:
            for reader, to_addr in recipients:
                with written_for(reader):
                    subject, body = _escalation_text(journey, period, now, reader)
                    queue_mail(to_addr, subject, body, journey_id=journey.id)
            return [to_addr for _reader, to_addr in recipients]

        waited = _waited(journey.state_changed_at, now)
        return mail, f"#{journey.id} (waiting {waited}, period {period})"

    return _send_once_each("escalation", _due_pages(overdue), key_for, notice_for)


def _escalation_recipients(
    journey: Journey, period: int, admins: list[User]
) -> list[tuple[User | None, str]]:
    """Who is told, as (user, address); the reviewers' mailbox has no user."""
    mailbox = (None, current_app.config["TMALL_MAILBOX"])
    if period <= 1:
        assignee = journey.assignee
        if assignee is None or not assignee.is_active:
            return [mailbox]  # nobody holds it: the reviewers' mailbox is told
        return [(u, u.email) for u in who_wants([assignee], "escalation")]
    if not admins:
        return [mailbox]
    return [(u, u.email) for u in who_wants(admins, "escalation")]


def _escalation_text(
    journey: Journey, period: int, now: datetime, reader: User | None
) -> tuple[str, str]:
    sla = current_app.config["REVIEW_SLA_DAYS"]
    account = journey.account
    waited = _waited(journey.state_changed_at, now)
    holder = journey.assignee.display_name if journey.assignee else _("nobody (unassigned)")
    lines = [
        ngettext(
            "“%(title)s” of %(account)s has waited %(waited)s for a reviewer; the SLA is "
            "%(num)d day.",
            "“%(title)s” of %(account)s has waited %(waited)s for a reviewer; the SLA is "
            "%(num)d days.",
            sla,
            title=journey.title,
            account=account.name,
            waited=waited,
        ),
        "",
        _(
            "State: %(state)s, since %(since)s",
            state=state_name(journey.state),
            since=mail_time(journey.state_changed_at, reader),
        ),
        _("Assigned to: %(holder)s", holder=holder),
    ]
    if period > 1:
        more = period - 1
        lines += [
            "",
            _(
                "Escalated to the admins: overdue %(more)d more period(s) of %(sla)d days.",
                more=more,
                sla=sla,
            ),
        ]
    lines += [
        "",
        _("Review it at %(url)s", url=journey_url(journey)),
        _("Your mail settings: %(url)s", url=_settings_url()),
    ]
    if period <= 1:
        subject = _(
            "[TOP onboarding] Overdue: %(account)s, waiting %(waited)s",
            account=account.name,
            waited=waited,
        )
    else:
        subject = _(
            "[TOP onboarding] Escalated: %(account)s, waiting %(waited)s",
            account=account.name,
            waited=waited,
        )
    return subject, "\n".join(lines) + "\n"


# --- reminders to applicants


def send_applicant_reminders(now: datetime) -> list[Sent]:
    """A journey idle in a draft or "changes requested" reminds its account's users."""
    days = current_app.config["APPLICANT_REMINDER_DAYS"]
    cutoff = now - timedelta(days=days)
    idle = (
        select(Journey)
        .options(joinedload(Journey.account).selectinload(Account.users))
        .options(joinedload(Journey.app))
        .where(Journey.state.in_(APPLICANT_STATES), Journey.state_changed_at <= cutoff)
    )

    def key_for(journey: Journey) -> str:
        period = _periods(journey.state_changed_at, now, days)
        return f"reminder:{journey.id}:{journey.state_changed_at.isoformat()}:{period}"

    def notice_for(journey: Journey):
        people = who_wants(journey.account.users, "reminder")

        def mail() -> list[str]:
            for user in people:
                with written_for(user):
                    subject, body = _reminder_text(journey, now)
                    queue_mail(user.email, subject, body, journey_id=journey.id)
            return [u.email for u in people]

        waited = _waited(journey.state_changed_at, now)
        return mail, f"#{journey.id} ({state_name(journey.state)} for {waited})"

    return _send_once_each("reminder", _due_pages(idle), key_for, notice_for)


def _reminder_text(journey: Journey, now: datetime) -> tuple[str, str]:
    waited = _waited(journey.state_changed_at, now)
    if journey.state.endswith("_changes_requested"):
        doing = _("Tmall Global asked for changes and is waiting for them.")
    else:
        doing = _("It is a draft: nothing is sent to Tmall Global until you submit it.")
    state = state_name(journey.state)
    lines = [
        _(
            "“%(title)s” has been %(state)s for %(waited)s.",
            title=journey.title,
            state=state,
            waited=waited,
        ),
        doing,
        "",
        _("Continue at %(url)s", url=journey_url(journey)),
        "",
        _(
            "If you no longer need it, you can withdraw it there. Turn these reminders off at "
            "%(url)s",
            url=_settings_url(),
        ),
    ]
    return _("[TOP onboarding] Waiting for you: %(state)s", state=state), "\n".join(lines) + "\n"


# --- the job


def run_reminders(job: Job) -> None:
    """Send the notices owed now (``send_reminders``).

    Effect rule: inside the database only: the mails are queued in the outbox and their
    ``sent_reminders`` rows written, once, together with marking the job done; a failed round
    leaves nothing and the next one (or its retry) sends what is owed. The outbox's ``mail``
    jobs deliver them.
    """
    send_reminders()


def reminders_kind() -> jobs.JobKind:
    return jobs.JobKind(KIND, run_reminders, max_attempts=MAX_ATTEMPTS, every=EVERY)


__all__ = ["Sent", "reminders_kind", "send_reminders"]
