"""Signals the domain sends; areas connect their handlers (mail, packets) to them."""

from blinker import Namespace

_signals = Namespace()

#: Sent by ``fire`` after a transition is recorded, inside the same transaction.
#: Receivers get ``journey`` as sender and ``event`` (the Event row), ``actor``, ``data``.
journey_changed = _signals.signal("journey-changed")
