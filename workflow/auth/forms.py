from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from workflow.i18n import _l
from workflow.models import AccountKind
from workflow.web.forms import MAX_PASSWORD, DeskForm, MemberName

#: The three developer types of the guide's §1.1, in plain words, and what each one sends.
ACCOUNT_KIND_CHOICES = {
    AccountKind.seller: _l(
        "A Tmall Global seller: you sell on Tmall Global and build an APP for your own shop "
        "(or for other sellers). You send Tmall Global a formal request to enable your seller "
        "account."
    ),
    AccountKind.isv: _l(
        "An ISV (independent software vendor): a software company that builds, sells or runs "
        "software for Tmall Global sellers. You send your taobao account ID and documents a–f."
    ),
    AccountKind.tp: _l(
        "A TP (Taobao Partner): a company in the taobao partner program that helps merchants "
        "run their taobao business, usually as their agent. The guide gives a TP the ISV's "
        "path: your taobao account ID and documents a–f."
    ),
}

NEW_PASSWORD_LENGTH = Length(min=10, max=MAX_PASSWORD, message=_l("Use 10 to 1024 characters."))


def new_password_pair(label, repeat_label) -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition, which must match."""
    return (
        PasswordField(label, validators=[DataRequired(), NEW_PASSWORD_LENGTH]),
        PasswordField(
            repeat_label,
            validators=[
                DataRequired(),
                Length(max=MAX_PASSWORD),
                EqualTo("password", message=_l("The passwords differ.")),
            ],
        ),
    )


class LoginForm(DeskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class RegisterForm(DeskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password, confirm = new_password_pair(_l("Password"), _l("Repeat the password"))
    account_kind = RadioField(
        _l("You are"),
        choices=[SelectChoice(kind.value, text) for kind, text in ACCOUNT_KIND_CHOICES.items()],
        default=AccountKind.seller.value,
        validators=[DataRequired()],
    )
    account_name = StringField(
        _l("Company or shop name"), validators=[DataRequired(), Length(max=200)]
    )
    taobao_account_id = StringField(
        _l("Taobao account ID"), validators=[DataRequired(), Length(max=64), MemberName()]
    )


class ChangePasswordForm(DeskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    password, confirm = new_password_pair(_l("New password"), _l("Repeat the new password"))


class ForgotPasswordForm(DeskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(DeskForm):
    """The form behind a mailed link: a reset, or an invitation (which also asks a name)."""

    token = HiddenField(validators=[DataRequired(), Length(max=100)])
    password, confirm = new_password_pair(_l("New password"), _l("Repeat the new password"))


class AcceptInvitationForm(NewPasswordForm):
    name = StringField(
        _l("Your name"),
        validators=[Optional(), Length(max=200)],
    )


class ConfirmEmailForm(DeskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=100)])
