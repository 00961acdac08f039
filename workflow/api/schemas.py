"""The API's bodies, written once: pydantic validates what comes in, and their JSON Schema
(draft 2020-12, the dialect of OpenAPI 3.1) documents it in ``/api/v1/openapi.json``."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from flask_babel import LazyString
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from workflow.web.forms import describe_character, refused_character

#: The longest comment or note a step takes: the journey page's limit.
MAX_TEXT = 5000


def _visible_text(text: str) -> str:
    """The pages' rule for typed text: NFC, and no control or invisible characters."""
    text = unicodedata.normalize("NFC", text)
    char = refused_character(text, multiline=True)
    if char is not None:
        raise ValueError(f"contains {describe_character(char)}, which the desk does not accept")
    return text


VisibleText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_visible_text)]


class Out(BaseModel):
    """What the desk answers. Its words are the reader's: a lazy catalog string (a state's
    name, a journey's title before its APP is registered) is read out in the request's language."""

    @field_validator("*", mode="before")
    @classmethod
    def _read_out(cls, value):
        return str(value) if isinstance(value, LazyString) else value


class Body(BaseModel):
    """What a client sends: unknown fields are refused, so a typo is never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Out):
    field: str = Field(description="The field, header or parameter the problem is about.")
    detail: str


class ProblemDetails(Out):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None


class StageOut(Out):
    number: str = Field(description="1 to 5, in the order of the guide.")
    title: str


class EventChoice(Out):
    name: str = Field(description="Post to /journeys/{id}/events/{name} to take the step.")
    label: str


class JourneySummary(Out):
    id: int
    title: str
    state: str = Field(description="The state chart's state.")
    state_name: str
    stage: StageOut | None
    version: int = Field(description="The journey's version: send it back in If-Match.")
    state_changed_at: datetime


class JourneyDetail(JourneySummary):
    needs: list[str] = Field(
        description="What the applicant still has to provide before the next step."
    )
    waiting_for: str | None = Field(
        description="What Tmall Global is doing, when the journey waits for them."
    )
    events: list[EventChoice] = Field(description="The steps this token's user may take now.")
    assignee_id: int | None


class JourneyPage(Out):
    items: list[JourneySummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null at the end."
    )


class QueueItem(JourneySummary):
    account: str
    assignee_id: int | None


class QueuePage(Out):
    items: list[QueueItem]
    next_cursor: str | None


class EventIn(Body):
    comment: VisibleText = Field(
        default="",
        description="Shown to the applicant; a reason is required to request changes or reject.",
    )
    note: VisibleText = Field(default="", description="Internal note, for reviewers only.")


class EventOut(Out):
    id: int
    event: str
    from_state: str
    to_state: str
    at: datetime
    via: str = Field(description="“api” for a step taken through the API.")


class StepResult(Out):
    event: EventOut
    journey: JourneyDetail


class ClaimResult(Out):
    journey_id: int
    assignee_id: int | None
    version: int


#: The longest typed seller list: the journey page's limit.
MAX_SELLER_TEXT = 22_000_000


class SellerListIn(Body):
    text: Annotated[
        str, Field(min_length=1, max_length=MAX_SELLER_TEXT), AfterValidator(_visible_text)
    ] = Field(
        description="Seller IDs, one a line or separated by commas, as typed on the journey page."
    )


class SellerListOut(Out):
    id: int
    kind: str
    count: int = Field(description="Seller IDs on the saved list.")
    added: int = Field(description="Added against the list in force.")
    removed: int = Field(description="Removed against the list in force.")
    journey_version: int


#: The longest text a stage form's field takes (each field's own limit is the form's).
MAX_FIELD = 20_000


class StageFormIn(Body):
    values: dict[
        Annotated[str, Field(max_length=40, pattern="^[a-z_]+$")],
        Annotated[str, Field(max_length=MAX_FIELD)] | bool,
    ] = Field(
        max_length=50,
        description="The form's fields by name: text, a date as YYYY-MM-DD, or true for a "
        "tick. The fields of each form are listed in this operation's description.",
    )


class StageFormOut(Out):
    id: int
    kind: str
    journey_version: int


class ApiDecisionIn(Body):
    decision: Literal["grant", "refuse"]
    reason: VisibleText = Field(
        default="", description="Shown to the applicant; required to refuse."
    )


class ApiDecisionOut(Out):
    id: int
    method: str = Field(description="The TOP API, e.g. taobao.trades.sold.get.")
    decision: str = Field(description="accepted, rejected or pending.")
    reason: str
    journey_version: int
