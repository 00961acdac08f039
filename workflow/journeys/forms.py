from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class FireEventForm(FlaskForm):
    """One button of the journey page; the version guards against stale pages."""

    version = IntegerField(validators=[DataRequired()])
    comment = TextAreaField("Reason shown to the applicant", validators=[Length(max=5000)])
    note = TextAreaField(
        "Internal note (reviewers only)", validators=[Optional(), Length(max=5000)]
    )
    confirm = HiddenField()
