from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp

from workflow.models import Audience


class AppForm(FlaskForm):
    app_key = StringField(
        "APP key",
        validators=[DataRequired(), Regexp(r"^\d{4,20}$", message="The APP key is digits only.")],
    )
    name = StringField("APP name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("What the APP does", validators=[DataRequired(), Length(max=5000)])
    origin = RadioField(
        "New or existing",
        choices=[
            SelectChoice("new", "A new APP"),
            SelectChoice("existing", "An existing APP moving over"),
        ],
        default="new",
    )
    audience = RadioField(
        "Who it serves",
        choices=[
            SelectChoice(Audience.own_shop.value, "My own shop"),
            SelectChoice(Audience.other_sellers.value, "Other sellers, as an ISV"),
        ],
        default=Audience.own_shop.value,
    )


GATEWAY_CHOICES = [
    SelectChoice("default", "This desk's configured gateway"),
    SelectChoice("sandbox", "TOP sandbox"),
    SelectChoice("production", "TOP production"),
    SelectChoice("overseas", "TOP overseas"),
    SelectChoice("stand-in-sandbox", "Demo stand-in for the sandbox (local gateway)"),
    SelectChoice("stand-in-production", "Demo stand-in for production (local gateway)"),
    SelectChoice("custom", "Custom URL"),
]


class CheckerForm(FlaskForm):
    gateway = RadioField("Gateway", choices=GATEWAY_CHOICES, default="default")
    custom_url = StringField(
        "Custom gateway URL", validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    sign_method = RadioField(
        "Sign method",
        choices=[
            SelectChoice("hmac-sha256", "HMAC-SHA256"),
            SelectChoice("hmac", "HMAC-MD5"),
            SelectChoice("md5", "MD5"),
        ],
        default="hmac-sha256",
    )
    # Used for this one run only: never stored, logged or rendered back.
    app_secret = PasswordField("APP secret", validators=[DataRequired(), Length(max=200)])
    session = StringField("Session key (optional)", validators=[Optional(), Length(max=200)])
    rules = BooleanField("Also check that the gateway enforces the APIs' usage rules")
