from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from workflow.apps.catalogue import API_METHODS
from workflow.models import Audience
from workflow.web.forms import AsciiDigits, DeskForm

#: The longest reason a person writes for one API, or for refusing it.
MAX_API_REASON = 2000


class AppForm(DeskForm):
    app_key = StringField(
        "APP key",
        validators=[
            DataRequired(),
            Length(max=20),
            AsciiDigits(4, 20, "The APP key is 4 to 20 digits 0-9, as the TOP console shows it."),
        ],
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


class CheckerForm(DeskForm):
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
    #: "yes" when the run should be attached as evidence (the page's second button).
    attach = StringField(validators=[Length(max=3)])


class _KnownApis:
    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        if any(method not in API_METHODS for method in field.data or ()):
            raise ValidationError("Choose APIs from the list on the page.")


class _ApiChoice(DeskForm):
    api = SelectMultipleField(
        "APIs",
        choices=[SelectChoice(method, method) for method in API_METHODS],
        validate_choice=False,
        validators=[_KnownApis()],
    )

    def reasons(self) -> dict[str, str]:
        """Each chosen API with the reason typed for it."""
        return {method: self[f"reason-{method}"].data or "" for method in self.api.data or ()}


#: The API request: a box per customer-information API and a reason beside each
#: (``reason-<method>``), built from the catalogue.
ApiRequestForm = type(
    "ApiRequestForm",
    (_ApiChoice,),
    {
        f"reason-{method}": TextAreaField(
            f"Reason for {method}", validators=[Length(max=MAX_API_REASON)]
        )
        for method in API_METHODS
    },
)


class ApiDecisionForm(DeskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice("grant", "Grant"), SelectChoice("refuse", "Refuse")],
        validators=[DataRequired(message="Choose grant or refuse.")],
    )
    reason = StringField("Reason if refused", validators=[Length(max=MAX_API_REASON)])


class ReportUploadForm(DeskForm):
    """The signed report a checker wrote on the applicant's host."""

    report = FileField("Signed report")


class SandboxRequirementForm(DeskForm):
    """A reviewer requires sandbox verification for the APP (§3.2 only recommends it)."""

    required = RadioField(
        "Sandbox verification",
        choices=[
            SelectChoice("yes", "Required for this APP"),
            SelectChoice("no", "Recommended only: the applicant may continue without it"),
        ],
        validators=[DataRequired(message="Choose required or recommended.")],
    )
    reason = TextAreaField("Reason shown to the applicant", validators=[Length(max=2000)])
