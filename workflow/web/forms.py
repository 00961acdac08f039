"""The one base of every form the desk reads: text arrives normalised, bounded and visible.

Every Flask-WTF form derives from :class:`DeskForm`. When a form is bound, each text field
(``StringField`` and its kin: text areas, e-mail, password and hidden fields) gets

- an NFC filter, so ``e`` + combining acute and ``é`` are one value, and the same member name
  typed on two keyboards is one name;
- a :class:`VisibleText` check in front of its own validators, which refuses NUL and every other
  control character (a text area keeps tab and line breaks), and invisible characters: zero-width
  spaces and joiners, bidirectional controls, the byte-order mark, line and paragraph separators,
  Hangul fillers, private-use and noncharacters. The error names the character;

and it must already carry a ``Length`` with a maximum (the column's size): a text field without
one is a programming error, raised when the form is first used. A password is checked for
control characters only and is not normalised (existing password hashes were made from what
people typed). Upload fields get the same treatment for the file's name.

Query strings go through :class:`QueryForm` and :func:`parse_query`: a bad value is a 400 that
names the field, never an ``int()`` in a view.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, StopValidation, ValidationError

from workflow.errors import DomainError
from workflow.i18n import _

#: Unicode categories no typed text needs: controls, format characters (zero-width, bidi, BOM),
#: surrogates, private use, and the line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
#: Characters that draw nothing although their category says "letter" or "mark".
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u3164\uffa0")
#: ASCII control characters; a text area keeps tab and line breaks.
_ASCII_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_ASCII_CONTROLS_IN_AREA = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
#: The longest file name a row keeps.
MAX_FILENAME = 255
#: A password longer than this is no password anyone types; hashing it would only cost time.
MAX_PASSWORD = 1024

F = TypeVar("F", bound="DeskForm")


def refused_character(
    text: str, *, multiline: bool = False, controls_only: bool = False
) -> str | None:
    """The first character of ``text`` the desk does not accept, or None.

    ``controls_only`` refuses control characters alone: a password is hashed, never shown, so
    an invisible character in it deceives nobody. ASCII is checked by one regular expression,
    and only the text's other characters one by one, so a long pasted list stays cheap.
    """
    ascii_controls = _ASCII_CONTROLS_IN_AREA if multiline else _ASCII_CONTROLS
    found = ascii_controls.search(text)
    first = found.group() if found else None
    if text.isascii():
        return first
    limit = found.start() if found else len(text)
    for other in _NOT_ASCII.finditer(text, 0, limit):
        char = other.group()
        if (unicodedata.category(char) == "Cc") if controls_only else _is_refused(char):
            return char
    return first


def _is_refused(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in _REFUSED_CATEGORIES
        or char in _INVISIBLE
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
    )


def describe_character(char: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how an error names a character it refuses."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = {"\x00": "NUL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN"}.get(
            char, "CONTROL CHARACTER"
        )
    return f"U+{ord(char):04X} {name}".rstrip()


def refusal_message(char: str) -> str:
    described = describe_character(char)
    if unicodedata.category(char) == "Cc":
        return _(
            "contains a control character (%(char)s); remove it and try again.", char=described
        )
    return _("contains an invisible character (%(char)s); remove it and try again.", char=described)


def normalise_text(value: Any) -> Any:
    """NFC for text; anything else (None, a number, an upload) as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def normalise_filename(value: Any) -> Any:
    if isinstance(value, FileStorage) and value.filename:
        value.filename = unicodedata.normalize("NFC", value.filename)
    return value


class VisibleText:
    """Refuses control and invisible characters; ``multiline`` keeps tab and line breaks."""

    def __init__(self, *, multiline: bool = False, controls_only: bool = False):
        self.multiline, self.controls_only = multiline, controls_only
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        value = field.data if isinstance(field.data, str) else ""
        char = refused_character(value, multiline=self.multiline, controls_only=self.controls_only)
        if char is not None:
            field.errors[:] = []
            raise StopValidation(refusal_message(char))


class SafeFileName:
    """An uploaded file's name: visible characters only, at most :data:`MAX_FILENAME` long."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        upload = field.data
        name = getattr(upload, "filename", None) or ""
        if not name:
            return
        char = refused_character(name)
        if char is not None:
            raise StopValidation(_("The file name %(problem)s", problem=refusal_message(char)))
        if len(name) > MAX_FILENAME:
            raise StopValidation(
                _(
                    "The file name is %(length)d characters long; rename the file to at most "
                    "%(most)d.",
                    length=len(name),
                    most=MAX_FILENAME,
                )
            )


class AsciiDigits:
    """Digits 0-9 only, ``minimum`` to ``maximum`` of them (``١٢٣٤`` and ``²`` are not).

    ``str.isdigit()`` and ``\\d`` accept every script's digits; identifiers with a defined
    alphabet must not, or two spellings of one key become two keys.
    """

    def __init__(self, minimum: int, maximum: int, message: str):
        self.pattern = re.compile(rf"[0-9]{{{minimum},{maximum}}}")
        self.message = message
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        if value and not self.pattern.fullmatch(value):
            raise ValidationError(self.message)


class MemberName:
    """A taobao account ID is a member name: any script, but one word with no spaces."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        value = (field.data or "").strip()
        if any(char.isspace() for char in value):
            raise ValidationError(_("A taobao account ID has no spaces."))


def is_ascii_number(text: str, max_digits: int) -> bool:
    """Whether ``text`` is 1 to ``max_digits`` ASCII digits: the only text ``int()`` may see."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


class WholeNumberField(IntegerField):
    """A whole number typed in ASCII digits, within ``minimum`` and ``maximum``.

    ``IntegerField`` hands the text to ``int()``, which reads ``١٢``, ``1_000``, `` 7 `` and
    numbers of any length; this reads 0-9 only, and refuses values out of range before they
    reach a query.
    """

    def __init__(self, label=None, validators=None, *, minimum: int = 0, maximum: int, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            return
        text = valuelist[0]
        if not is_ascii_number(text, len(str(self.maximum))):
            self.data = None
            raise ValueError(self.range_message())
        self.data = int(text)

    def range_message(self) -> str:
        return _(
            "Expected a whole number from %(minimum)d to %(maximum)d.",
            minimum=self.minimum,
            maximum=self.maximum,
        )

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the reading error says it all; "required" would hide it
        if self.data is not None and not self.minimum <= self.data <= self.maximum:
            raise StopValidation(self.range_message())


def _with_edge_checks(unbound_field: UnboundField) -> UnboundField:
    """The same field, with the normalising filter and the visibility check added."""
    field_class = unbound_field.field_class
    if issubclass(field_class, CSRFTokenField):
        return unbound_field  # checked against the session's token, never stored
    args, kwargs = list(unbound_field.args), dict(unbound_field.kwargs)
    if len(args) > 1:  # validators given positionally, after the label
        kwargs["validators"] = args.pop(1)
    if len(args) > 1:
        raise TypeError(f"{field_class.__name__}: pass filters and the rest by keyword")
    validators = list(kwargs.get("validators") or ())
    filters = list(kwargs.get("filters") or ())
    if issubclass(field_class, FileField):
        kwargs["filters"] = [normalise_filename, *filters]
        kwargs["validators"] = [SafeFileName(), *validators]
    elif issubclass(field_class, StringField):
        if not any(isinstance(v, Length) and v.max is not None and v.max >= 0 for v in validators):
            label = args[0] if args else kwargs.get("label", "")
            raise TypeError(f"The text field {label!r} needs a Length(max=…) validator")
        multiline = issubclass(field_class, TextAreaField)
        if issubclass(field_class, PasswordField):
            # Not normalised: that would change what existing password hashes were made from.
            check = VisibleText(controls_only=True)
        else:
            kwargs["filters"] = [normalise_text, *filters]
            check = VisibleText(multiline=multiline)
        kwargs["validators"] = [check, *validators]
    else:
        return unbound_field
    return UnboundField(field_class, *args, **kwargs)


#: Each declared field with its edge checks, made once per field rather than per form built.
_checked_fields: WeakKeyDictionary[UnboundField, UnboundField] = WeakKeyDictionary()


class DeskForm(FlaskForm):
    """The base of every form: see the module's docstring for what it adds to each field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            checked = _checked_fields.get(unbound_field)
            if checked is None:
                checked = _checked_fields[unbound_field] = _with_edge_checks(unbound_field)
            return checked.bind(form=form, **options)

    def error_summary(self) -> str:
        """Every error as ``Label: message``, for a flash or an error page."""
        return _("; ").join(
            _("%(label)s: %(message)s", label=self[name].label.text, message=message)
            for name, messages in self.errors.items()
            if name in self._fields
            for message in messages
        )

    def refuse(self, status: int = 400) -> DomainError:
        """A domain error carrying :meth:`error_summary`, for routes that answer with a page."""
        error = DomainError(self.error_summary() or _("The form could not be used."))
        error.status_code = status
        return error


class QueryForm(DeskForm):
    """A query string read as a form: no CSRF token (nothing changes), values from the URL."""

    class Meta:
        csrf = False


def parse_query(form_class: type[F]) -> F:
    """``request.args`` through ``form_class``; a bad value ends the request with a 400."""
    form = form_class(formdata=request.args)
    if not form.validate():
        raise form.refuse()
    return form


def parse_post(form_class: type[F], **kwargs) -> F:
    """A POSTed form whose fields the page set (hidden fields, choices): bad values are a 400."""
    form = form_class(**kwargs)
    if not form.validate_on_submit():
        raise form.refuse()
    return form
