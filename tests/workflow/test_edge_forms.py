"""The shared base of every form: which characters it refuses, and that no form escapes it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

import workflow
from workflow.deployment.forms import stage_form_class
from workflow.models import FormKind
from workflow.web.forms import (
    DeskForm,
    QueryForm,
    VisibleText,
    WholeNumberField,
    describe_character,
    refused_character,
)


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("plain ASCII", False, None),
        ("杭州示例软件有限公司", False, None),
        ("Ünïcödé and emoji 🎉", False, None),
        ("no-break\u00a0and ideographic\u3000spaces", False, None),
        ("a\x00b", False, "\x00"),
        ("a\x00b", True, "\x00"),
        ("a\tb", False, "\t"),
        ("a\tb\r\nc", True, None),
        ("bell\x07", True, "\x07"),
        ("delete\x7f", False, "\x7f"),
        ("c1 control\x85", True, "\x85"),
        ("zero\u200bwidth", False, "\u200b"),
        ("joiner\u200d", True, "\u200d"),
        ("bidi\u202eoverride", False, "\u202e"),
        ("isolate\u2066", False, "\u2066"),
        ("\ufeffbom", False, "\ufeff"),
        ("line\u2028separator", True, "\u2028"),
        ("hangul\u3164filler", False, "\u3164"),
        ("private\ue000use", False, "\ue000"),
        ("non\uffffcharacter", False, "\uffff"),
        ("tag\U000e0041", False, "\U000e0041"),
        ("中\u200b文\x00", False, "\u200b"),  # the first one, whichever kind
    ],
)
def test_refused_characters(text, multiline, refused):
    assert refused_character(text, multiline=multiline) == refused


def test_a_password_refuses_only_control_characters():
    assert refused_character("pass\u200bword", controls_only=True) is None
    assert refused_character("pass\x00word", controls_only=True) == "\x00"


def test_refused_characters_are_named():
    assert describe_character("\x00") == "U+0000 NUL"
    assert describe_character("\u200b") == "U+200B ZERO WIDTH SPACE"


def test_a_long_pasted_list_is_checked_by_pattern_not_char_by_char(monkeypatch):
    """What keeps a million-line paste cheap: ASCII never goes through the per-character check,
    and in mixed text only the characters outside ASCII do."""
    from workflow.web import forms

    looked_at: list[str] = []
    original = forms._is_refused
    monkeypatch.setattr(forms, "_is_refused", lambda c: looked_at.append(c) or original(c))
    text = "2200812345678\n" * 1_000_000
    assert refused_character(text, multiline=True) is None
    assert looked_at == []
    assert refused_character(text + "店铺\u200b", multiline=True) == "\u200b"
    assert looked_at == ["店", "铺", "\u200b"]


class _Query(QueryForm):
    name = StringField("Name", validators=[Length(max=5)])
    notes = TextAreaField("Notes", validators=[Length(max=50)])
    count = WholeNumberField("Count", default=1, minimum=1, maximum=100)


def _query(app, **values) -> _Query:
    with app.test_request_context():
        form = _Query(formdata=MultiDict(values))
        form.validate()
        return form


def test_text_is_nfc_normalised(app):
    form = _query(app, name="e\u0301", notes="line one\nline two")
    assert form.errors == {}
    assert form.name.data == "\u00e9"


def test_a_refusal_names_the_field_and_the_character(app):
    form = _query(app, name="a\u200bb", notes="tab\tok", count="7")
    assert form.errors == {
        "name": [
            "contains an invisible character (U+200B ZERO WIDTH SPACE); remove it and try again."
        ]
    }
    assert form.error_summary().startswith("Name: contains an invisible character")


@pytest.mark.parametrize("count", ["٣", "²", "1e3", "1_0", " 7", "-1", "0", "101", "9" * 5000])
def test_whole_numbers_are_ascii_digits_in_range(app, count):
    form = _query(app, count=count)
    assert form.count.errors and form.count.errors[0].startswith("Expected a whole number")


def test_a_text_field_without_a_length_cannot_be_used(app):
    class Unbounded(DeskForm):
        free = StringField("Free text")

    with app.test_request_context(), pytest.raises(TypeError, match="Free text"):
        Unbounded(meta={"csrf": False})


def _all_form_classes() -> set[type]:
    for module in pkgutil.walk_packages(workflow.__path__, "workflow."):
        importlib.import_module(module.name)
    for kind in FormKind:
        stage_form_class(kind)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("workflow.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_form_of_the_desk_checks_every_text_field(app):
    forms = _all_form_classes()
    assert len(forms) > 20
    with app.test_request_context():
        for form_class in forms:
            assert issubclass(form_class, DeskForm), form_class
            form = form_class(meta={"csrf": False})  # binding checks each field's Length
            for field in form:
                if isinstance(field, StringField):
                    assert any(isinstance(v, VisibleText) for v in field.validators), (
                        form_class,
                        field.name,
                    )
