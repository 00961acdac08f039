"""A lazy message is text: shown on a page, flashed or sent as JSON, what was formatted into it
stays what it was, and a page escapes it."""

from __future__ import annotations

from flask import flash, get_flashed_messages, jsonify, render_template_string

from workflow.i18n import _l, lazy_ngettext

NAME = '<img src=x onerror="alert(1)"> & "Co"'


def test_a_page_escapes_what_was_formatted_into_a_lazy_message(app):
    message = _l("Uploaded %(name)s.", name=NAME)
    with app.test_request_context("/"):
        html = render_template_string("{{ message }}", message=message)
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;Co&#34;" in html


def test_a_flashed_lazy_message_comes_back_escaped_on_the_next_page(app):
    with app.test_request_context("/"):
        flash(_l("Uploaded %(name)s.", name=NAME))
        kept = get_flashed_messages()
        html = render_template_string("{{ kept[0] }}", kept=kept)
    assert "<img" not in html and "&lt;img" in html
    assert html.count("&amp;lt;") == 0  # escaped once, not twice


def test_json_carries_the_text_itself(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        body = jsonify(
            message=_l("Uploaded %(name)s.", name=NAME),
            plural=lazy_ngettext("%(num)d file", "%(num)d files", 2),
        ).get_json()
    assert body == {"message": f"Uploaded {NAME}.", "plural": "2 files"}
