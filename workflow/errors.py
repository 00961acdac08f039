"""Domain errors with a message for the user, mapped to HTTP codes in one place.

An error carries its message as a lazy string (``workflow.i18n._l``, with named placeholders):
the domain raises it without knowing who reads it, and ``message`` / ``str(error)`` read it in
the language of the request, or of the mail, that shows it.
"""

from __future__ import annotations

from workflow.i18n import _l


class DomainError(Exception):
    """Something the user asked for cannot be done; ``message`` says why."""

    status_code = 400
    #: Work that must happen although the request is refused (telling someone about the
    #: attempt), run by the view in a fresh transaction after the rollback.
    aftermath = None

    def __init__(self, message):
        super().__init__(message)
        self._message = message

    @property
    def message(self) -> str:
        """The message in the current language."""
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class RequirementsNotMet(DomainError):
    """A transition's validators found something missing."""

    def __init__(self, problems: list):
        super().__init__(problems[0] if len(problems) == 1 else "")
        self.problems = problems

    @property
    def message(self) -> str:
        return "; ".join(str(problem) for problem in self.problems)


class EventNotAllowed(DomainError):
    """The event does not exist in the journey's current state."""

    status_code = 409


class NotPermitted(DomainError):
    """The user's role may not do this."""

    status_code = 403


class EmailNotVerified(NotPermitted):
    """The user may do this once they have confirmed their e-mail address."""

    def __init__(self, email: str):
        super().__init__(
            _l(
                "Confirm your e-mail address first: open the link we mailed to %(email)s. "
                "Until then you can read, but not submit anything.",
                email=email,
            )
        )


class NotFound(DomainError):
    """Missing, or belonging to another account: both look the same from outside."""

    status_code = 404


class ConcurrentChange(DomainError):
    """Someone acted on the same record first."""

    status_code = 409

    def __init__(
        self,
        message=None,
        *,
        journey_id: int | None = None,
    ):
        super().__init__(message or _l("This journey changed while you were looking at it."))
        #: The journey acted on, where the URL does not name it; the 409 page shows its news.
        self.journey_id = journey_id
