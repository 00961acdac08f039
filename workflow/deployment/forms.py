"""Stage 4's forms, built once from the stage specs: one Flask-WTF class per form kind."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date

from flask_babel.speaklater import LazyString
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from workflow.deployment.specs import SPECS, FieldSpec
from workflow.i18n import LazyText, _, _l
from workflow.models import FormKind
from workflow.web.forms import DeskForm


class StageForm(DeskForm):
    """The fields of one stage form; :func:`stage_form_class` makes one subclass per kind."""

    kind: FormKind

    def stage_data(self) -> dict[str, object]:
        """What a row keeps: every spec field, text stripped, confirmations as booleans."""
        return {
            f.name: self[f.name].data if f.type == "check" else (self[f.name].data or "").strip()
            for f in SPECS[self.kind].fields
        }


class _IsoDate:
    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        try:
            date.fromisoformat((field.data or "").strip())
        except ValueError:
            raise ValidationError(_("Use the form YYYY-MM-DD.")) from None


def _field(spec: FieldSpec) -> Field:
    required = spec.is_required
    if spec.type == "check":
        message = LazyString(lambda: _("Confirm: %(label)s", label=str(spec.label).lower()))
        return BooleanField(spec.label, validators=[DataRequired(message=message)])
    validators = [
        DataRequired(message=_l("required")) if required else Optional(),
        Length(
            max=spec.max_length,
            message=_l("at most %(max)d characters", max=spec.max_length),
        ),
    ]
    if spec.type == "date":
        validators.append(_IsoDate())
    if spec.name.endswith("email"):
        validators.append(Email(message=_l("not an e-mail address")))
    field_class = TextAreaField if spec.type == "area" else StringField
    return field_class(spec.label, validators=validators)


@functools.cache
def stage_form_class(kind: FormKind) -> type[StageForm]:
    """The form class of ``kind``, with a field per :class:`FieldSpec` in the spec's order."""
    fields = {f.name: _field(f) for f in SPECS[kind].fields}
    return type(f"{kind.name.title().replace('_', '')}Form", (StageForm,), {"kind": kind, **fields})


def checked_stage_values(
    kind: FormKind, values: Mapping[str, object]
) -> dict[str, object] | LazyText:
    """``values`` checked by the form of ``kind``: its data, or every problem in one lazy message.

    Operations call this for values that did not come through a request (seeding, tests);
    the view has already run the same form on the request.
    """
    formdata = MultiDict(
        {k: ("y" if v is True else v) for k, v in values.items() if v not in (None, False)}
    )
    form = stage_form_class(kind)(formdata=formdata, meta={"csrf": False})
    if not form.validate():
        # Summarised when it is shown, so it reads in the language of whoever reads it: the
        # values are checked again there (no locale is known here).
        return LazyText(_error_summary, kind, tuple(formdata.items(multi=True)))
    return form.stage_data()


def _error_summary(kind: FormKind, items: tuple[tuple[str, object], ...]) -> str:
    form = stage_form_class(kind)(formdata=MultiDict(list(items)), meta={"csrf": False})
    form.validate()
    return form.error_summary()


class StageDocumentForm(DeskForm):
    """A PDF that stands in for the structured form (MRD, PRD)."""

    document = FileField(_l("Document"))
