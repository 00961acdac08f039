from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workflow.i18n import _l
from workflow.web.forms import DeskForm, WholeNumberField
from workflow.web.urls import MAX_ID


class FireEventForm(DeskForm):
    """One button of the journey page; the version guards against stale pages."""

    version = WholeNumberField(
        _l("Journey version"), validators=[DataRequired()], minimum=1, maximum=MAX_ID
    )
    comment = TextAreaField(_l("Reason shown to the applicant"), validators=[Length(max=5000)])
    note = TextAreaField(
        _l("Internal note (reviewers only)"), validators=[Optional(), Length(max=5000)]
    )
    confirm = HiddenField(validators=[Length(max=3)])
