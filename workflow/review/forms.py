"""What the reviewer's pages read: the queue's filters, the search and the assign button."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from workflow.i18n import _l
from workflow.review.queries import MAX_PAGE_SIZE, PAGE_SIZE
from workflow.review.search import MAX_SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE
from workflow.stages import STAGES, STATE_NAMES
from workflow.web.forms import DeskForm, QueryForm, WholeNumberField, is_ascii_number
from workflow.web.urls import MAX_ID, MAX_NEXT_LENGTH

#: Further than any person pages; the queue counts to 1000 and a search shows 50 a page.
MAX_PAGE = 10_000
#: Ten years: longer than anything waits.
MAX_WAITING_DAYS = 3650


class _Assignee:
    """``me``, ``none`` (where allowed) or a user id in ASCII digits that the database can hold."""

    field_flags: dict = {}

    def __init__(self, *, anyone: bool):
        self.words = {"me", "none"} | ({""} if anyone else set())

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if value in self.words:
            return
        if not is_ascii_number(value, len(str(MAX_ID))) or int(value) > MAX_ID:
            raise ValidationError(_l("Choose a reviewer from the list."))


def _page_field() -> WholeNumberField:
    return WholeNumberField(_l("Page"), default=1, minimum=1, maximum=MAX_PAGE)


class QueueArgs(QueryForm):
    stage = SelectField(
        _l("Stage"),
        choices=[SelectChoice("", _l("All stages"))]
        + [SelectChoice(s.number, s.title) for s in STAGES],
        default="",
    )
    waiting = WholeNumberField(
        _l("Waiting at least"), default=0, minimum=0, maximum=MAX_WAITING_DAYS
    )
    assignee = StringField(
        _l("Assignee"), default="", validators=[Length(max=10), _Assignee(anyone=True)]
    )
    page = _page_field()
    per_page = WholeNumberField(_l("Per page"), default=PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE)


class SearchArgs(QueryForm):
    q = StringField(_l("Search"), default="", validators=[Length(max=200)])
    state = SelectField(
        _l("State"),
        choices=[SelectChoice("", _l("Any state"))]
        + [SelectChoice(value, name) for value, name in STATE_NAMES.items()],
        default="",
    )
    page = _page_field()
    per_page = WholeNumberField(
        _l("Per page"), default=SEARCH_PAGE_SIZE, minimum=1, maximum=MAX_SEARCH_PAGE_SIZE
    )


class AssignForm(DeskForm):
    assignee = StringField(
        _l("Assignee"), default="me", validators=[Length(max=10), _Assignee(anyone=False)]
    )
    #: The queue page the button was on, to return to (through ``safe_next``).
    next = StringField(_l("Next page"), default="", validators=[Length(max=MAX_NEXT_LENGTH)])
