from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from workflow.i18n import _l, lazy_pgettext
from workflow.models import RetentionKind, Role
from workflow.models.accounts import PEOPLE_ROLES
from workflow.retention import MAX_DAYS
from workflow.web.forms import DeskForm, MemberName

ROLE_CHOICES = {
    Role.applicant: _l("Applicant"),
    Role.reviewer: _l("Reviewer"),
    Role.admin: _l("Admin"),
}


class InviteUserForm(DeskForm):
    """An invitation: the invitee chooses their own password through the mailed link."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(lazy_pgettext("person", "Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLE_CHOICES[r]) for r in PEOPLE_ROLES],
        default=Role.reviewer.value,
    )
    taobao_account_id = StringField(
        _l("Developer account (taobao account ID)"),
        validators=[Optional(), Length(max=64), MemberName()],
    )


class RetentionForm(DeskForm):
    """Days to keep each kind of record after its journey ended; empty keeps it for ever."""

    documents = IntegerField(
        _l("Documents"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)]
    )
    evidence = IntegerField(
        _l("Evidence"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)]
    )
    packets = IntegerField(_l("Packets"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)])
    mail = IntegerField(_l("Mail"), validators=[Optional(), NumberRange(min=1, max=MAX_DAYS)])

    def days(self) -> dict[RetentionKind, int | None]:
        return {kind: getattr(self, kind.value).data for kind in RetentionKind}


class RunRetentionForm(DeskForm):
    """The button that deletes what is due now; its token is its only field."""


class EraseForm(DeskForm):
    """The button that erases a person's data; its token is its only field."""
