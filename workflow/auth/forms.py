from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from workflow.models import AccountKind


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])


class RegisterForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=10, message="Use at least 10 characters.")],
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )
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
        "Taobao account ID",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^\S+$", message="A taobao account ID has no spaces."),
        ],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, message="Use at least 10 characters.")],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """The form behind a mailed link: a reset, or an invitation (which also asks a name)."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(min=10, message="Use at least 10 characters.")],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
    )


class AcceptInvitationForm(NewPasswordForm):
    name = StringField(
        "Your name",
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message="A name has no control characters."),
        ],
    )


class ConfirmEmailForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=100)])
