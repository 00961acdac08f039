from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from workflow.api.tokens import LIFETIMES
from workflow.i18n import _l, lazy_ngettext
from workflow.web.forms import DeskForm


class CreateTokenForm(DeskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    read = BooleanField(_l("Read: journeys, their stages and the review queue"), default=True)
    write = BooleanField(_l("Write: take steps and make decisions as you"))
    days = SelectField(
        _l("Works for"),
        choices=[
            SelectChoice(str(days), lazy_ngettext("%(num)d day", "%(num)d days", days))
            for days in LIFETIMES
        ],
        default="90",
    )

    def validate_write(self, field) -> None:
        if not field.data and not self.read.data:
            raise ValidationError(_l("Choose what the token may do: read, write, or both."))

    def scopes(self) -> list[str]:
        return [name for name in ("read", "write") if self[name].data]


class RevokeTokenForm(DeskForm):
    confirm = BooleanField(_l("Yes, stop this token working"), validators=[DataRequired()])
