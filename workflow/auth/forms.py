from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from workflow.models import AccountKind
from workflow.web.forms import MAX_PASSWORD, DeskForm, MemberName

NEW_PASSWORD_LENGTH = Length(min=10, max=MAX_PASSWORD, message="Use 10 to 1024 characters.")


class LoginForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class RegisterForm(DeskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), NEW_PASSWORD_LENGTH])
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired(),
            Length(max=MAX_PASSWORD),
            EqualTo("password", message="The passwords differ."),
        ],
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
        "Taobao account ID", validators=[DataRequired(), Length(max=64), MemberName()]
    )


class ChangePasswordForm(DeskForm):
    current = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD)]
    )
    password = PasswordField("New password", validators=[DataRequired(), NEW_PASSWORD_LENGTH])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(),
            Length(max=MAX_PASSWORD),
            EqualTo("password", message="The passwords differ."),
        ],
    )
