"""The packet's two languages: Chinese headings and labels with the English beside them.

A packet is one document per submission, read in Hangzhou and abroad, so it is written in both
languages at once, whatever the language of the request that submitted it: "公司资料 Company
documents". The English is the catalog's message id and stays what the packet data records;
the Chinese comes from the ``core`` catalog's ``.po`` file, read here directly, so the same data
and the same catalog give the same bytes with or without a Flask app (the renderer's digest
covers the catalog).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from markupsafe import Markup

from workflow.i18n import TRANSLATIONS, english

#: The language the packet puts first; English follows.
PACKET_LANGUAGE = "zh_Hans_CN"
CATALOG = TRANSLATIONS / PACKET_LANGUAGE / "LC_MESSAGES" / "core.po"


@cache
def _catalog(path: Path = CATALOG) -> dict[str, str]:
    """Message id → Chinese, for every translated, non-fuzzy singular message without a context."""
    if not path.is_file():
        return {}
    with path.open("rb") as source:
        catalog = read_po(source, locale=PACKET_LANGUAGE)
    return {
        message.id: message.string
        for message in catalog
        if message.id
        and isinstance(message.id, str)
        and message.context is None  # "Name" as a person's is the web's; the packet's is a thing's
        and message.string
        and not message.fuzzy
    }


def chinese(text: str, **params) -> str:
    """``text`` (an English message id) in Chinese; the English where the catalog has none."""
    translated = _catalog().get(text, text)
    return translated % params if params else translated


def zh(text) -> str:
    """The Chinese of a recorded English label, or "" where the catalog has none."""
    text = english(text)
    translated = chinese(text) if text else ""
    return "" if translated == text else translated


def both(text, **params) -> str:
    """Chinese, then the English: "公司资料 Company documents"; once where they are the same."""
    text = english(text)
    if text is None or text == "":
        return ""
    zh, en = chinese(text, **params), text % params if params else text
    return en if zh == en else f"{zh} {en}"


def stacked(text) -> Markup:
    """A heading in two lines, the Chinese above the English, so neither wraps into the other."""
    text = english(text)
    zh = chinese(text)
    if zh == text:
        return Markup.escape(text)
    return Markup.escape(zh) + Markup("<br>") + Markup.escape(text)


#: Values the desk writes into packet data itself ("New APP", "not confirmed"): the packet shows
#: these in both languages, and everything else in a value cell as typed. They are registered
#: when ``workflow.packets.values`` is imported (the packet's template context imports it), so
#: every process that renders a packet (the web, a worker, ``flask audit verify``) knows the same
#: ones, and the same data gives the same bytes wherever it is rendered.
KNOWN_VALUES: set[str] = set()
#: Values the desk writes around a time or a number ("confirmed 2026-05-06 10:30 UTC"): the
#: message id, and a pattern that finds its placeholders in the English.
KNOWN_PATTERNS: dict[str, re.Pattern] = {}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def desk_value(message) -> str:
    """A value the desk writes (``_l("…")``), in English, marked as the desk's own."""
    text = english(message)
    KNOWN_VALUES.add(text)
    return text


def desk_pattern(message) -> str:
    """Mark a message with placeholders (``_l("…")``) as a value the desk writes; returns its
    message id, to be formatted with ``%``.

    A value cell whose whole text reads as this message, with a date, time or number in each
    placeholder, shows the Chinese with the same values after the English."""
    message_id = english(message)
    parts = _PLACEHOLDER.split(message_id)
    pattern = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>[0-9][0-9:.,/ -]*)"
        for index, part in enumerate(parts)
    )
    KNOWN_PATTERNS[message_id] = re.compile(f"^{pattern}$")
    return message_id


def known(text):
    """A value cell: the desk's own words in English, as recorded, with the Chinese after
    them; user data as it is."""
    if not isinstance(text, str):
        return text
    if text in KNOWN_VALUES:
        zh = chinese(text)
        return text if zh == text else f"{text} {zh}"
    for message_id, pattern in KNOWN_PATTERNS.items():
        found = pattern.match(text)
        if found:
            zh = chinese(message_id, **found.groupdict())
            return text if zh == text else f"{text} {zh}"
    return text
