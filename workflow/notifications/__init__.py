"""Mail the other side when a journey changes; queued in the same transaction.

Receipts and assignment mails follow each person's choices (``preferences``); the periodic
notices (digest, escalation, applicant reminders) live in ``reminders``.
"""

from __future__ import annotations

from flask import current_app

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
def notify(journey: Journey, *, event, actor, data, **_):
    if actor.role is Role.applicant and event.to_state in REVIEW_STATES:
        if snapshot_of_event(event) is not None:
            return  # the mail carries the packet, so it waits for it (``notify_packet_ready``)
        _notify_reviewers(journey, event)
        _send_receipt(journey, event, actor)
    elif actor.is_staff:
        _notify_applicants(journey, event)


@packet_ready.connect
def notify_packet_ready(packet: Packet, *, submission: Event, **_):
    """The submission's mails, once its packet is rendered: to the reviewers and the receipt."""
    journey, applicant = submission.journey, submission.actor
    _notify_reviewers(journey, submission, packet)
    if applicant is not None:
        _send_receipt(journey, submission, applicant, packet)


def _notify_reviewers(journey: Journey, event, packet: Packet | None = None) -> None:
    account = journey.account
    body = (
        f"{account.name} (taobao account ID {account.taobao_account_id}) submitted "
        f"“{journey.title}”.\n\nState: {state_name(event.to_state)}\n"
        f"Review it at {journey_url(journey)}\n"
    )
    to_addr = current_app.config["TMALL_MAILBOX"]
    subject = f"[TOP onboarding] {state_name(event.to_state)}: {account.name}"
    if packet is None:
        queue_mail(to_addr, subject, body, journey_id=journey.id)
        return
    body += f"\nPacket {packet.reference}, SHA-256 {packet.sha256}\n"
    mail_packet(packet, to_addr, subject, body)


def _send_receipt(journey: Journey, event, applicant: User, packet: Packet | None = None) -> None:
    """The submitting applicant's receipt, with the packet the submission recorded: attached,
    or linked when it is over the attachment limit."""
    if not wants(applicant, "receipt"):
        return
    subject = f"[TOP onboarding] Received: {state_name(event.to_state)} of “{journey.title}”"
    body = (
        f"Tmall Global received your submission of “{journey.title}” on "
        f"{event.created_at:%Y-%m-%d %H:%M} UTC.\n\n"
        f"State: {state_name(event.to_state)}\n"
        f"Reviewers are told, and you get a mail when they act. Follow it at "
        f"{journey_url(journey)}\n"
    )
    if packet is None:
        queue_mail(applicant.email, subject, body, journey_id=journey.id)
        return
    body += f"\nPacket {packet.reference}, SHA-256 {packet.sha256}: what you submitted, as sent.\n"
    mail_packet(packet, applicant.email, subject, body)


@journey_assigned.connect
def notify_assignee(journey: Journey, *, actor: User, assignee: User | None, **_):
    """Mail the reviewer someone else assigned the item to; claiming it oneself mails nobody."""
    if assignee is None or assignee.id == actor.id or not wants(assignee, "assignment"):
        return
    account = journey.account
    body = (
        f"{actor.display_name} assigned “{journey.title}” of {account.name} to you.\n\n"
        f"State: {state_name(journey.state)}, since {journey.state_changed_at:%Y-%m-%d %H:%M} "
        f"UTC.\nReview it at {journey_url(journey)}\n"
    )
    queue_mail(
        assignee.email,
        f"[TOP onboarding] Assigned to you: {account.name}",
        body,
        journey_id=journey.id,
    )


def _notify_applicants(journey: Journey, event) -> None:
    lines = [
        f"Tmall Global has acted on “{journey.title}”: {event_label(event.event)}.",
        f"The journey is now: {state_name(event.to_state)}.",
    ]
    if event.comment:
        lines += ["", "Reason:", event.comment]
    if event.event == "reject":
        lines += [
            "",
            "This journey stays closed. From its page you can start a new request linked to it,",
            "carrying over what you choose; the reviewer sees the link and the reasons above.",
        ]
    lines += ["", f"Open it at {journey_url(journey)}"]
    for user in journey.account.users:
        if user.is_active:
            queue_mail(
                user.email,
                f"[TOP onboarding] {state_name(event.to_state)}",
                "\n".join(lines) + "\n",
                journey_id=journey.id,
            )


@message_posted.connect
def notify_message(message, **_):
    """Mail a stage's message to the other side: the applicant's account when staff write;
    the assigned reviewer, or the reviewers' mailbox when nobody is assigned, when the
    applicant writes."""
    journey = message.journey
    stage = next(s for s in STAGES if s.number == message.stage)
    author = message.author.display_name
    if message.is_from_staff:
        recipients = [user.email for user in journey.account.users if user.is_active]
        heading = f"{author} of Tmall Global wrote on “{journey.title}”"
        subject = f"[TOP onboarding] Message from Tmall Global: {stage.title}"
    else:
        assignee = journey.assignee
        recipients = [assignee.email if assignee else current_app.config["TMALL_MAILBOX"]]
        heading = f"{author} of {journey.account.name} wrote on “{journey.title}”"
        subject = f"[TOP onboarding] Message from {journey.account.name}: {stage.title}"
    body = (
        f"{heading}, stage {stage.number} ({stage.title}):\n\n{message.body}\n\n"
        f"Reply on the journey page: {journey_url(journey)}#conversation\n"
    )
    for to_addr in recipients:
        queue_mail(to_addr, subject, body, journey_id=journey.id)


def notify_app_key_claimed(app, *, claimant: str, claimant_journey: int) -> None:
    """Tell the reviewer of the APP holding a key that another journey tried to register it."""
    journey = app.journey
    to_addr = journey.assignee.email if journey.assignee else current_app.config["TMALL_MAILBOX"]
    body = (
        f"{claimant} tried to register APP key {app.app_key} on journey {claimant_journey}.\n"
        f"The key is held by “{app.name}” of {journey.account.name}: {journey_url(journey)}\n\n"
        "The desk refused the second registration. An APP key identifies one APP (guide §3.1 a); "
        "check which account really owns it.\n"
    )
    queue_mail(
        to_addr,
        f"[TOP onboarding] APP key {app.app_key} claimed again",
        body,
        journey_id=journey.id,
    )


def notify_sandbox_requirement(app) -> None:
    """Tell the applicants that Tmall Global required the sandbox for their APP, or lifted it."""
    journey = app.journey
    if app.is_sandbox_required:
        subject = f"[TOP onboarding] Sandbox verification required for {app.name}"
        lines = [
            f"Tmall Global requires sandbox verification for “{app.name}” before it goes on.",
            "",
            "Reason:",
            app.sandbox_required_reason,
        ]
    else:
        subject = f"[TOP onboarding] Sandbox verification recommended only for {app.name}"
        lines = [f"Tmall Global no longer requires sandbox verification for “{app.name}”."]
    lines += ["", f"Open it at {journey_url(journey)}"]
    for user in journey.account.users:
        if user.is_active:
            queue_mail(user.email, subject, "\n".join(lines) + "\n", journey_id=journey.id)
