from wtforms import SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from workflow.continuation.operations import CARRY_LABELS
from workflow.i18n import _l
from workflow.web.forms import DeskForm


class ContinueForm(DeskForm):
    """Start a new journey from a rejected one: what to carry over, and why (an admin)."""

    carry = SelectMultipleField(
        _l("Carry over"),
        choices=[SelectChoice(name, label) for name, label in CARRY_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    reason = TextAreaField(_l("Reason"), validators=[Length(max=5000)])
