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
from workflow.i18n import _, _l
from workflow.models import Audience
from workflow.web.forms import AsciiDigits, DeskForm

#: The longest reason a person writes for one API, or for refusing it.
MAX_API_REASON = 2000


class AppForm(DeskForm):
    app_key = StringField(
        _l("APP key"),
        validators=[
            DataRequired(),
            Length(max=20),
            AsciiDigits(
                4, 20, _l("The APP key is 4 to 20 digits 0-9, as the TOP console shows it.")
            ),
        ],
    )
    name = StringField(_l("APP name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What the APP does"), validators=[DataRequired(), Length(max=5000)]
    )
    origin = RadioField(
        _l("New or existing"),
        choices=[
            SelectChoice("new", _l("A new APP")),
            SelectChoice("existing", _l("An existing APP moving over")),
        ],
        default="new",
    )
    audience = RadioField(
        _l("Who it serves"),
        choices=[
            SelectChoice(Audience.own_shop.value, _l("My own shop")),
            SelectChoice(Audience.other_sellers.value, _l("Other sellers, as an ISV")),
        ],
        default=Audience.own_shop.value,
    )


GATEWAY_CHOICES = [
    SelectChoice("default", _l("This desk's configured gateway")),
    SelectChoice("sandbox", _l("TOP sandbox")),
    SelectChoice("production", _l("TOP production")),
    SelectChoice("overseas", _l("TOP overseas")),
    SelectChoice("stand-in-sandbox", _l("Demo stand-in for the sandbox (local gateway)")),
    SelectChoice("stand-in-production", _l("Demo stand-in for production (local gateway)")),
    SelectChoice("custom", _l("Custom URL")),
]


class CheckerForm(DeskForm):
    gateway = RadioField(_l("Gateway"), choices=GATEWAY_CHOICES, default="default")
    custom_url = StringField(
        _l("Custom gateway URL"), validators=[Optional(), URL(require_tld=False), Length(max=500)]
    )
    sign_method = RadioField(
        _l("Sign method"),
        choices=[
            SelectChoice("hmac-sha256", "HMAC-SHA256"),
            SelectChoice("hmac", "HMAC-MD5"),
            SelectChoice("md5", "MD5"),
        ],
        default="hmac-sha256",
    )
    # Used for this one run only: never stored, logged or rendered back.
    app_secret = PasswordField(_l("APP secret"), validators=[DataRequired(), Length(max=200)])
    session = StringField(_l("Session key (optional)"), validators=[Optional(), Length(max=200)])
    rules = BooleanField(_l("Also check that the gateway enforces the APIs' usage rules"))
    #: "yes" when the run should be attached as evidence (the page's second button).
    attach = StringField(validators=[Length(max=3)])


class _KnownApis:
    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        if any(method not in API_METHODS for method in field.data or ()):
            raise ValidationError(_("Tick APIs from the list on the page; name others below it."))


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
            problems.append(
                _(
                    "Line %(number)d: “%(line)s” is not a TOP method name: %(problem)s.",
                    number=number,
                    line=_shown(line),
                    problem=problem,
                )
            )
        elif method in ticked:
            problems.append(
                _(
                    "Line %(number)d: %(method)s is ticked in the list above; give it once.",
                    number=number,
                    method=method,
                )
            )
        elif method in API_METHODS:
            problems.append(
                _(
                    "Line %(number)d: %(method)s is in the list above; tick it there, with its "
                    "reason.",
                    number=number,
                    method=method,
                )
            )
        elif method in found:
            problems.append(
                _(
                    "Line %(number)d: %(method)s is already on line %(first)d; give it once.",
                    number=number,
                    method=method,
                    first=first_line[method],
                )
            )
        elif not reason:
            problems.append(
                _(
                    "Line %(number)d: say why the APP needs %(method)s, after a dash.",
                    number=number,
                    method=method,
                )
            )
        elif len(reason) > MAX_API_REASON:
            problems.append(
                _(
                    "Line %(number)d: the reason has more than %(max)d characters.",
                    number=number,
                    max=MAX_API_REASON,
                )
            )
        else:
            found[method], first_line[method] = reason, number
    if len(found) > MAX_OTHER_APIS:
        problems.append(_("Name at most %(max)d other APIs.", max=MAX_OTHER_APIS))
    return found, problems


def _shown(line: str, limit: int = 60) -> str:
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _ApiLines:
    """Each line of the other-APIs box is a TOP method and its reason; errors name the line."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        _found, problems = parse_api_lines(field.data or "", form.api.data or ())
        if problems:
            raise ValidationError(" ".join(problems[:5]) + (" …" if len(problems) > 5 else ""))


class _ApiChoice(DeskForm):
    api = SelectMultipleField(
        _l("APIs"),
        choices=[SelectChoice(method, method) for method in API_METHODS],
        validate_choice=False,
        validators=[_KnownApis()],
    )
    other_apis = TextAreaField(
        _l("Other TOP APIs"),
        validators=[Length(max=MAX_OTHER_APIS * (MAX_API_REASON + 110)), _ApiLines()],
    )

    def reasons(self) -> dict[str, str]:
        """Each API asked for with the reason typed for it: the ticked ones, then the others."""
        ticked = {m: self[f"reason-{m}"].data or "" for m in API_METHODS if m in self.ticked()}
        others, _problems = parse_api_lines(self.other_apis.data or "", ticked)
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
                reason.errors = [
                    *reason.errors,
                    _("Say why the APP needs %(method)s.", method=method),
                ]
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
            _l("Reason for %(method)s", method=method), validators=[Length(max=MAX_API_REASON)]
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
        _l("Customer information"),
        choices=[SelectChoice("yes", _l("Mark")), SelectChoice("no", _l("Unmark"))],
        validators=[DataRequired(message=_l("Choose mark or unmark."))],
    )


class ApiDecisionForm(DeskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("grant", _l("Grant")), SelectChoice("refuse", _l("Refuse"))],
        validators=[DataRequired(message=_l("Choose grant or refuse."))],
    )
    reason = StringField(_l("Reason if refused"), validators=[Length(max=MAX_API_REASON)])


class ReportUploadForm(DeskForm):
    """The signed report a checker wrote on the applicant's host."""

    report = FileField(_l("Signed report"))


class SandboxRequirementForm(DeskForm):
    """A reviewer requires sandbox verification for the APP (§3.2 only recommends it)."""

    required = RadioField(
        _l("Sandbox verification"),
        choices=[
            SelectChoice("yes", _l("Required for this APP")),
            SelectChoice("no", _l("Recommended only: the applicant may continue without it")),
        ],
        validators=[DataRequired(message=_l("Choose required or recommended."))],
    )
    reason = TextAreaField(_l("Reason shown to the applicant"), validators=[Length(max=2000)])
