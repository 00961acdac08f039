"""Domain errors with a message for the user, mapped to HTTP codes in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Something the user asked for cannot be done; ``message`` says why."""

    status_code = 400
    #: Work that must happen although the request is refused (telling someone about the
    #: attempt), run by the view in a fresh transaction after the rollback.
    aftermath = None

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RequirementsNotMet(DomainError):
    """A transition's validators found something missing."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else "; ".join(problems))
        self.problems = problems


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
            f"Confirm your e-mail address first: open the link we mailed to {email}. "
            "Until then you can read, but not submit anything."
        )


class NotFound(DomainError):
    """Missing, or belonging to another account: both look the same from outside."""

    status_code = 404


class ConcurrentChange(DomainError):
    """Someone acted on the same record first."""

    status_code = 409

    def __init__(
        self,
        message: str = "This journey changed while you were looking at it.",
        *,
        journey_id: int | None = None,
    ):
        super().__init__(message)
        #: The journey acted on, where the URL does not name it; the 409 page shows its news.
        self.journey_id = journey_id
