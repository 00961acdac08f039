from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from workflow.models import AccountKind
from workflow.web.forms import MAX_PASSWORD, DeskForm, MemberName

NEW_PASSWORD_LENGTH = Length(min=10, max=MAX_PASSWORD, message="Use 10 to 1024 characters.")


def new_password_pair(label: str) -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition, which must match; ``label`` in lower case."""
    return (
        PasswordField(label.capitalize(), validators=[DataRequired(), NEW_PASSWORD_LENGTH]),
        PasswordField(
            f"Repeat the {label}",
            validators=[
                DataRequired(),
                Length(max=MAX_PASSWORD),
                EqualTo("password", message="The passwords differ."),
            ],
        ),
    )


class LoginForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class RegisterForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password, confirm = new_password_pair("password")
    account_kind = RadioField(
        "You are",
        choices=[
            SelectChoice(AccountKind.seller.value, "A Tmall Global seller"),
            SelectChoice(
                AccountKind.isv.value, "A software vendor (ISV) serving Tmall Global sellers"
            ),
        ],
        default=AccountKind.seller.value,
        validators=[DataRequired()],
    )
    account_name = StringField("Company or shop name", validators=[DataRequired(), Length(max=200)])
    taobao_account_id = StringField(
        "Taobao account ID", validators=[DataRequired(), Length(max=64), MemberName()]
    )


class ChangePasswordForm(DeskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    password, confirm = new_password_pair("new password")


class ForgotPasswordForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(DeskForm):
    """The form behind a mailed link: a reset, or an invitation (which also asks a name)."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    password, confirm = new_password_pair("new password")


class AcceptInvitationForm(NewPasswordForm):
    name = StringField(
        "Your name",
        validators=[Optional(), Length(max=200)],
    )


class ConfirmEmailForm(DeskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=100)])
