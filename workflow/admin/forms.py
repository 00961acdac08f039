from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from workflow.models import Role
from workflow.models.accounts import PEOPLE_ROLES
from workflow.web.forms import MAX_PASSWORD, DeskForm, MemberName


class CreateUserForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, r.value.capitalize()) for r in PEOPLE_ROLES],
        default=Role.reviewer.value,
    )
    taobao_account_id = StringField(
        "Developer account (taobao account ID)",
        validators=[Optional(), Length(max=64), MemberName()],
    )
    password = PasswordField(
        "Initial password",
        validators=[
            DataRequired(),
            Length(min=10, max=MAX_PASSWORD, message="Use 10 to 1024 characters."),
        ],
    )
