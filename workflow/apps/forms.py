import re
from collections.abc import Iterable

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

from top.methods import method_problem
from workflow.apps.catalogue import API_METHODS, MAX_OTHER_APIS
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
            raise ValidationError("Tick APIs from the list on the page; name others below it.")


#: What may stand between a method's name and its reason on a line: a dash or a colon.
_LINE = re.compile(
    r"(?P<method>[^\s:\u2013\u2014]*)\s*(?:[:\u2013\u2014]|-(?=\s)|-$)?\s*(?P<reason>.*)"
)


def parse_api_lines(text: str, ticked: Iterable[str] = ()) -> tuple[dict[str, str], list[str]]:
    """Read "method — reason" lines (a dash, en or em dash, or colon between the two).

    Returns the methods with their reasons, in order, and the problems, each naming its line.
    Blank lines are skipped; a method ticked above, or named twice, is a problem.
    """
    found: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems = []
    ticked = set(ticked)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = _LINE.fullmatch(line.strip())
        method, reason = parts["method"], parts["reason"].strip()
        problem = method_problem(method)
        if problem:
            problems.append(f"Line {number}: “{_shown(line)}” is not a TOP method name: {problem}.")
        elif method in ticked:
            problems.append(f"Line {number}: {method} is ticked in the list above; give it once.")
        elif method in API_METHODS:
            problems.append(
                f"Line {number}: {method} is in the list above; tick it there, with its reason."
            )
        elif method in found:
            problems.append(
                f"Line {number}: {method} is already on line {first_line[method]}; give it once."
            )
        elif not reason:
            problems.append(f"Line {number}: say why the APP needs {method}, after a dash.")
        elif len(reason) > MAX_API_REASON:
            problems.append(f"Line {number}: the reason has more than {MAX_API_REASON} characters.")
        else:
            found[method], first_line[method] = reason, number
    if len(found) > MAX_OTHER_APIS:
        problems.append(f"Name at most {MAX_OTHER_APIS} other APIs.")
    return found, problems


def _shown(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _ApiLines:
    """Each line of the other-APIs box is a TOP method and its reason; errors name the line."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        _, problems = parse_api_lines(field.data or "", form.api.data or ())
        if problems:
            raise ValidationError(" ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))


class _ApiChoice(DeskForm):
    api = SelectMultipleField(
        "APIs",
        choices=[SelectChoice(method, method) for method in API_METHODS],
        validate_choice=False,
        validators=[_KnownApis()],
    )
    other_apis = TextAreaField(
        "Other TOP APIs",
        validators=[Length(max=MAX_OTHER_APIS * (MAX_API_REASON + 110)), _ApiLines()],
    )

    def reasons(self) -> dict[str, str]:
        """Each API asked for with the reason typed for it: the ticked ones, then the others."""
        ticked = {m: self[f"reason-{m}"].data or "" for m in API_METHODS if m in self.ticked()}
        others, _ = parse_api_lines(self.other_apis.data or "", ticked)
        return {**ticked, **others}

    def ticked(self) -> set[str]:
        return set(self.api.data or ())

    def validate(self, extra_validators=None) -> bool:
        """Also: a ticked API needs its reason, so the page keeps what was typed (a refusal
        from the operation would lose it)."""
        valid = super().validate(extra_validators)
        for method in API_METHODS:
            reason = self[f"reason-{method}"]
            if method in self.ticked() and not (reason.data or "").strip():
                reason.errors = [*reason.errors, f"Say why the APP needs {method}."]
                self._errors = None  # the summary is cached; it must see this error
                valid = False
        return valid


#: The API request: a box per API of the guide's §4 and a reason beside each
#: (``reason-<method>``), built from the catalogue, and a box of "method — reason" lines for
#: any other TOP API.
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


def api_lines(requests) -> str:
    """The other-APIs box filled from saved requests, one "method — reason" line each."""
    others = (r for r in requests if r.method not in API_METHODS)
    return "\n".join(f"{r.method} — {' '.join(r.reason.split())}" for r in others)


class CustomerInfoForm(DeskForm):
    marked = RadioField(
        "Customer information",
        choices=[SelectChoice("yes", "Mark"), SelectChoice("no", "Unmark")],
        validators=[DataRequired(message="Choose mark or unmark.")],
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
