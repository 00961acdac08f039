from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from workflow.i18n import _l
from workflow.web.forms import DeskForm
from workflow.webhooks.events import EVENT_TYPES
from workflow.webhooks.operations import MAX_URL, url_problem


class EndpointForm(DeskForm):
    """Register an endpoint: its URL, a note to tell it apart, and the event types it hears."""

    url = StringField(_l("Endpoint URL"), validators=[InputRequired(), Length(max=MAX_URL)])
    description = StringField(_l("Description (optional)"), validators=[Length(max=200)])
    event_types = SelectMultipleField(
        _l("Event types"),
        choices=[SelectChoice(t.name, t.label) for t in EVENT_TYPES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_event_types(self, field):
        # Not DataRequired: that would mark every box required, as if each had to be ticked.
        if not field.data:
            raise ValidationError(_l("Choose at least one event type."))

    def validate_url(self, field):
        problem = url_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)


class DeleteEndpointForm(DeskForm):
    confirm = BooleanField(
        _l("Yes, delete this endpoint and its delivery log"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class RedeliverForm(DeskForm):
    confirm = BooleanField(
        _l("Yes, send it again under the same delivery ID"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class SwitchOnForm(DeskForm):
    """The button that switches an endpoint on again; its token is its only field."""
