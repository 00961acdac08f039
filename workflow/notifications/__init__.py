"""Mail the other side when a journey changes; queued in the same transaction.

Receipts and assignment mails follow each person's choices (``preferences``); the periodic
notices (digest, escalation, applicant reminders) live in ``reminders``.
"""

from __future__ import annotations

from flask import current_app

from workflow.i18n import _
from workflow.mail.language import mail_time, written_for
from workflow.mail.outbox import queue_mail
from workflow.models import Event, Journey, Packet, Role, User
from workflow.notifications.preferences import wants
from workflow.packets.operations import mail_packet
from workflow.packets.rendering import snapshot_of_event
from workflow.signals import journey_assigned, journey_changed, message_posted, packet_ready
from workflow.stages import REVIEW_STATES, STAGES, event_label, state_name


def journey_url(journey: Journey) -> str:
    # Mail is also queued from CLI commands, where no request exists to build a URL from.
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/journeys/{journey.id}"


@journey_changed.connect
def notify(journey: Journey, *, event, actor, data, **_unused):
    if actor.role is Role.applicant and event.to_state in REVIEW_STATES:
        if snapshot_of_event(event) is not None:
            return  # the mail carries the packet, so it waits for it (``notify_packet_ready``)
        _notify_reviewers(journey, event)
        _send_receipt(journey, event, actor)
    elif actor.is_staff:
        _notify_applicants(journey, event)


@packet_ready.connect
def notify_packet_ready(packet: Packet, *, submission: Event, **_unused):
    """The submission's mails, once its packet is rendered: to the reviewers and the receipt."""
    journey, applicant = submission.journey, submission.actor
    _notify_reviewers(journey, submission, packet)
    if applicant is not None:
        _send_receipt(journey, submission, applicant, packet)


def _notify_reviewers(journey: Journey, event, packet: Packet | None = None) -> None:
    account = journey.account
    with written_for(None):
        body = _(
            "%(account)s (taobao account ID %(taobao_id)s) submitted “%(title)s”.\n\n"
            "State: %(state)s\nReview it at %(url)s\n",
            account=account.name,
            taobao_id=account.taobao_account_id,
            title=journey.title,
            state=state_name(event.to_state),
            url=journey_url(journey),
        )
        subject = _(
            "[TOP onboarding] %(state)s: %(account)s",
            state=state_name(event.to_state),
            account=account.name,
        )
        about = packet and _(
            "Packet %(reference)s, SHA-256 %(sha256)s",
            reference=packet.reference,
            sha256=packet.sha256,
        )
        _send(current_app.config["TMALL_MAILBOX"], subject, body, journey, packet, about)


def _send(to_addr, subject, body, journey: Journey, packet: Packet | None, about) -> None:
    """Queue a submission's mail; with its packet, ``about`` names it and the packet goes along
    (attached, or linked when it is over the attachment limit)."""
    if packet is None:
        queue_mail(to_addr, subject, body, journey_id=journey.id)
    else:
        mail_packet(packet, to_addr, subject, f"{body}\n{about}\n")


def _send_receipt(journey: Journey, event, applicant: User, packet: Packet | None = None) -> None:
    """The submitting applicant's receipt, with the packet the submission recorded: attached,
    or linked when it is over the attachment limit."""
    if not wants(applicant, "receipt"):
        return
    with written_for(applicant):
        state = state_name(event.to_state)
        subject = _(
            "[TOP onboarding] Received: %(state)s of “%(title)s”", state=state, title=journey.title
        )
        body = _(
            "Tmall Global received your submission of “%(title)s” on %(time)s.\n\n"
            "State: %(state)s\n"
            "Reviewers are told, and you get a mail when they act. Follow it at %(url)s\n",
            title=journey.title,
            time=mail_time(event.created_at, applicant),
            state=state,
            url=journey_url(journey),
        )
        about = packet and _(
            "Packet %(reference)s, SHA-256 %(sha256)s: what you submitted, as sent.",
            reference=packet.reference,
            sha256=packet.sha256,
        )
        _send(applicant.email, subject, body, journey, packet, about)


@journey_assigned.connect
def notify_assignee(journey: Journey, *, actor: User, assignee: User | None, **_unused):
    """Mail the reviewer someone else assigned the item to; claiming it oneself mails nobody."""
    if assignee is None or assignee.id == actor.id or not wants(assignee, "assignment"):
        return
    account = journey.account
    with written_for(assignee):
        body = _(
            "%(actor)s assigned “%(title)s” of %(account)s to you.\n\n"
            "State: %(state)s, since %(since)s.\nReview it at %(url)s\n",
            actor=actor.display_name,
            title=journey.title,
            account=account.name,
            state=state_name(journey.state),
            since=mail_time(journey.state_changed_at, assignee),
            url=journey_url(journey),
        )
        subject = _("[TOP onboarding] Assigned to you: %(account)s", account=account.name)
        queue_mail(assignee.email, subject, body, journey_id=journey.id)


def _notify_applicants(journey: Journey, event) -> None:
    for user in journey.account.users:
        if user.is_active:
            with written_for(user):
                subject = _("[TOP onboarding] %(state)s", state=state_name(event.to_state))
                body = _applicant_news(journey, event)
                queue_mail(user.email, subject, body, journey_id=journey.id)


def _applicant_news(journey: Journey, event) -> str:
    lines = [
        _(
            "Tmall Global has acted on “%(title)s”: %(event)s.",
            title=journey.title,
            event=event_label(event.event),
        ),
        _("The journey is now: %(state)s.", state=state_name(event.to_state)),
    ]
    if event.comment:
        lines += ["", _("Reason:"), event.comment]
    if event.event == "reject":
        lines += [
            "",
            _(
                "This journey stays closed. From its page you can start a new request linked "
                "to it, carrying over what you choose; the reviewer sees the link and the "
                "reasons above."
            ),
        ]
    lines += ["", _("Open it at %(url)s", url=journey_url(journey))]
    return "\n".join(lines) + "\n"


@message_posted.connect
def notify_message(message, **_unused):
    """Mail a stage's message to the other side: the applicant's account when staff write;
    the assigned reviewer, or the reviewers' mailbox when nobody is assigned, when the
    applicant writes."""
    journey = message.journey
    stage = next(s for s in STAGES if s.number == message.stage)
    author = message.author.display_name
    if message.is_from_staff:
        readers = [(user, user.email) for user in journey.account.users if user.is_active]
    else:
        assignee = journey.assignee
        readers = [
            (assignee, assignee.email) if assignee else (None, current_app.config["TMALL_MAILBOX"])
        ]
    for reader, to_addr in readers:
        with written_for(reader):
            if message.is_from_staff:
                heading = _(
                    "%(author)s of Tmall Global wrote on “%(title)s”",
                    author=author,
                    title=journey.title,
                )
                subject = _(
                    "[TOP onboarding] Message from Tmall Global: %(stage)s", stage=stage.title
                )
            else:
                heading = _(
                    "%(author)s of %(account)s wrote on “%(title)s”",
                    author=author,
                    account=journey.account.name,
                    title=journey.title,
                )
                subject = _(
                    "[TOP onboarding] Message from %(account)s: %(stage)s",
                    account=journey.account.name,
                    stage=stage.title,
                )
            body = _(
                "%(heading)s, stage %(number)s (%(stage)s):\n\n%(body)s\n\n"
                "Reply on the journey page: %(url)s#conversation\n",
                heading=heading,
                number=stage.number,
                stage=stage.title,
                body=message.body,
                url=journey_url(journey),
            )
            queue_mail(to_addr, subject, body, journey_id=journey.id)


def notify_app_key_claimed(app, *, claimant: str, claimant_journey: int) -> None:
    """Tell the reviewer of the APP holding a key that another journey tried to register it."""
    journey = app.journey
    reader = journey.assignee
    to_addr = reader.email if reader else current_app.config["TMALL_MAILBOX"]
    with written_for(reader):
        body = _(
            "%(claimant)s tried to register APP key %(app_key)s on journey %(journey)s.\n"
            "The key is held by “%(app)s” of %(account)s: %(url)s\n\n"
            "The desk refused the second registration. An APP key identifies one APP "
            "(guide §3.1 a); check which account really owns it.\n",
            claimant=claimant,
            app_key=app.app_key,
            journey=claimant_journey,
            app=app.name,
            account=journey.account.name,
            url=journey_url(journey),
        )
        subject = _("[TOP onboarding] APP key %(app_key)s claimed again", app_key=app.app_key)
        queue_mail(to_addr, subject, body, journey_id=journey.id)


def notify_sandbox_requirement(app) -> None:
    """Tell the applicants that Tmall Global required the sandbox for their APP, or lifted it."""
    journey = app.journey
    for user in journey.account.users:
        if not user.is_active:
            continue
        with written_for(user):
            if app.is_sandbox_required:
                subject = _(
                    "[TOP onboarding] Sandbox verification required for %(app)s", app=app.name
                )
                lines = [
                    _(
                        "Tmall Global requires sandbox verification for “%(app)s” before it "
                        "goes on.",
                        app=app.name,
                    ),
                    "",
                    _("Reason:"),
                    app.sandbox_required_reason,
                ]
            else:
                subject = _(
                    "[TOP onboarding] Sandbox verification recommended only for %(app)s",
                    app=app.name,
                )
                lines = [
                    _(
                        "Tmall Global no longer requires sandbox verification for “%(app)s”.",
                        app=app.name,
                    )
                ]
            lines += ["", _("Open it at %(url)s", url=journey_url(journey))]
            queue_mail(user.email, subject, "\n".join(lines) + "\n", journey_id=journey.id)
