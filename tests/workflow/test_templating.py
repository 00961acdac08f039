"""The pages' template machinery answers as Jinja's and WTForms' own do, only cheaper: the
one-call gettext, the template globals, the form controls' attributes, the cached moments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string
from flask_babel import refresh
from flask_login import login_user
from markupsafe import Markup
from wtforms import Form, StringField, TextAreaField

from workflow.i18n import force_locale
from workflow.models import Role
from workflow.ui import file_size, local_time, number
from workflow.web.templating import WTFORMS_HTML_PARAMS, fast_html_params

ATTRIBUTES = [
    {"name": "comment", "id": "comment", "class_": "wide text"},
    {"checked": True, "readonly": False, "value": 'he said "no" <b>&amp;'},
    {"data_field_name": "x", "aria_described_by": "x-hint", "for_": "x"},
    {"value": Markup('<i class="q">kept</i>'), "maxlength": 5000},
    {"aria-describedby": "comment-hint comment-error", "placeholder": "必填 …"},
    {},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_the_controls_attributes_read_as_wtforms_writes_them(attributes):
    ours, theirs = fast_html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_a_form_control_renders_through_the_desks_attributes(app):
    class Note(Form):
        body = TextAreaField("Note")
        title = StringField("Title")

    form = Note(data={"body": "<script>x</script>", "title": 'a "b"'})
    with app.test_request_context():
        assert str(form.body(rows=3, aria_invalid="true")) == (
            '<textarea aria-invalid="true" id="body" name="body" rows="3">\r\n'
            "&lt;script&gt;x&lt;/script&gt;</textarea>"
        )
        assert (
            str(form.title()) == '<input id="title" name="title" type="text" value="a &#34;b&#34;">'
        )


def test_template_strings_are_translated_escaped_and_formatted(app):
    template = (
        "{{ _('Next steps') }}|{{ _('<b>%(who)s</b> done', who='<i>x</i>') }}|{{ _('100%% sure') }}"
        "|{{ ngettext('%(num)d check', '%(num)d checks', 3) }}|{{ gettext('Next steps') }}"
    )
    with app.test_request_context():
        assert render_template_string(template) == (
            "Next steps|<b>&lt;i&gt;x&lt;/i&gt;</b> done|100% sure|3 checks|Next steps"
        )
        with force_locale("zh_Hans_CN"):
            assert render_template_string("{{ _('Next steps') }}") == "下一步"


def test_a_global_added_after_a_template_loaded_is_still_seen(app):
    with app.test_request_context():
        template = app.jinja_env.from_string("{{ late_global|default('missing') }}")
        assert template.render() == "missing"
        app.jinja_env.globals["late_global"] = "seen"
        try:
            assert template.render() == "seen"
            assert "late_global" in set(template.globals.keys())
        finally:
            del app.jinja_env.globals["late_global"]


def test_a_kept_moment_follows_the_zone_and_its_summer_time(app, make_user):
    winter, summer = (
        datetime(2026, 1, 15, 2, 30, tzinfo=UTC),
        datetime(2026, 7, 15, 2, 30, tzinfo=UTC),
    )
    with app.test_request_context():
        user = make_user(Role.applicant)
        user.time_zone = "Europe/London"
        login_user(user)
        refresh()
        assert local_time(winter) == "2026-01-15 02:30 Greenwich Mean Time"
        assert local_time(summer) == "2026-07-15 03:30 British Summer Time"
        assert local_time(winter) == "2026-01-15 02:30 Greenwich Mean Time"
        user.time_zone = "Asia/Shanghai"
        refresh()
        assert local_time(winter) == "2026-01-15 10:30 China Standard Time"
        with force_locale("zh_Hans_CN"):
            assert local_time(winter) == "2026年1月15日 10:30 中国标准时间"


def test_kept_numbers_follow_the_value_and_the_locale(app):
    with app.test_request_context():
        assert [file_size(812), file_size(1), file_size(60_000)] == [
            "812 bytes",
            "1 byte",
            "58.6 KB",
        ]
        assert [number(1234), number(1234.5), number(None)] == ["1,234", "1,234.5", ""]
        with force_locale("zh_Hans_CN"):
            assert file_size(60_000) == "58.6 KB" and number(1234) == "1,234"
            assert file_size(812) != "812 bytes"
