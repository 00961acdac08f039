"""Signals the domain sends; areas connect their handlers (mail, packets) to them."""

from blinker import Namespace

_signals = Namespace()

#: Sent by ``fire`` after a transition is recorded, inside the same transaction.
#: Receivers get ``journey`` as sender and ``event`` (the Event row), ``actor``, ``data``.
journey_changed = _signals.signal("journey-changed")

#: Sent by ``fire`` after the transition, before its event is written, with ``actor`` and
#: ``at`` (the event's time). A receiver may return an object with ``sha256`` and
#: ``event_payload`` (both covered by the event's hash; either may be None),
#: ``finish(event)`` (called once the event exists) and ``discard()`` (called when recording
#: fails). The packets area answers with the submission's packet inputs, frozen.
preparing_event = _signals.signal("preparing-event")

#: Sent once a submission's packet is rendered and recorded (by ``flask worker``, or in the
#: request with ``PACKETS_RENDER_INLINE``), inside the same transaction. Receivers get the
#: ``Packet`` as sender and ``submission`` (its submission's Event); mail that carries the
#: packet goes out from here.
packet_ready = _signals.signal("packet-ready")

#: Sent by ``workflow.conversation.operations.post_message`` once a message and its event are
#: recorded, inside the same transaction. Receivers get the ``StageMessage`` as sender.
message_posted = _signals.signal("message-posted")

#: Sent by ``workflow.review.operations.assign_journey`` once the assignment is recorded,
#: inside the same transaction, with ``actor`` and ``assignee`` (None when unassigned).
journey_assigned = _signals.signal("journey-assigned")

#: Sent by ``workflow.decisions.decide`` once a decision's event is recorded, inside the same
#: transaction. Receivers get the ``journey`` as sender and ``event``, ``kind`` (the
#: ``DecisionKind``), ``rows`` (the rows decided) and ``actor``.
decision_recorded = _signals.signal("decision-recorded")
