"""The packet's two languages: Chinese headings and labels with the English beside them.

A packet is one document per submission, read in Hangzhou and abroad, so it is written in both
languages at once, whatever the language of the request that submitted it: "公司资料 Company
documents". The English is the catalog's message id and stays what the packet data records;
the Chinese comes from the ``core`` catalog's ``.po`` file, read here directly, so the same data
and the same catalog give the same bytes with or without a Flask app (the renderer's digest
covers the catalog).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from workflow.i18n import TRANSLATIONS

#: The language the packet puts first; English follows.
PACKET_LANGUAGE = "zh_Hans_CN"
CATALOG = TRANSLATIONS / PACKET_LANGUAGE / "LC_MESSAGES" / "core.po"


@cache
def _catalog(path: Path = CATALOG) -> dict[str, str]:
    """Message id → Chinese, for every translated, non-fuzzy singular message."""
    if not path.is_file():
        return {}
    with path.open("rb") as source:
        catalog = read_po(source, locale=PACKET_LANGUAGE)
    return {
        message.id: message.string
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def english(message) -> str:
    """The English of a message marked for the catalog (``_l("…")``): what packet data holds."""
    if isinstance(message, LazyString):
        text, params = message._args[0], message._kwargs
        return text % {k: english(v) for k, v in params.items()} if params else text
    return message


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
#: these in both languages, and everything else in a value cell as typed.
KNOWN_VALUES: set[str] = set()


def desk_value(message) -> str:
    """A value the desk writes (``_l("…")``), in English, marked as the desk's own."""
    text = english(message)
    KNOWN_VALUES.add(text)
    return text


def known(text):
    """A value cell: the desk's own words in English, as recorded, with the Chinese after
    them; user data as it is."""
    if not isinstance(text, str) or text not in KNOWN_VALUES:
        return text
    zh = chinese(text)
    return text if zh == text else f"{text} {zh}"
