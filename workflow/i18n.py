"""The desk's languages and time zones: which one a request speaks, and the catalogs it reads.

Two catalogs domains hold the desk's strings, each extracted from its own files so that the web
layer and the domain code keep separate ``.po`` files (``babel-web.cfg``, ``babel-core.cfg``):

- ``web``: the pages' templates, forms, flashes and views;
- ``core``: the domain: states and events, stage titles, errors and prechecks, mails, packets.

A request reads both. The language is, in order: the signed-in user's choice, the session's
(for pages before sign-in), then the browser's ``Accept-Language``, then English. The time zone
is the user's own, or the desk's default for their role: staff work in Hangzhou.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, lazy_ngettext, ngettext, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

__all__ = [
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "STAFF_TIME_ZONE",
    "DEFAULT_TIME_ZONE",
    "_",
    "_l",
    "ngettext",
    "lazy_ngettext",
    "force_locale",
    "language_of",
    "current_language",
    "init_app",
]

#: The catalogs, by locale identifier, with the name a reader knows their language by.
LANGUAGES = {"en": "English", "zh_Hans_CN": "中文"}
DEFAULT_LANGUAGE = "en"
#: Tmall Global's reviewers work in Hangzhou.
STAFF_TIME_ZONE = "Asia/Shanghai"
#: Until an applicant's browser tells the desk theirs.
DEFAULT_TIME_ZONE = "UTC"
DOMAINS = ("web", "core")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: The session key of the language chosen before signing in.
SESSION_KEY = "language"


def language_of(tag: str | None) -> str | None:
    """The desk's locale for a language tag (``zh``, ``zh-CN``, ``zh_Hans``, ``en-GB``), or None."""
    if not tag:
        return None
    tag = tag.replace("-", "_").strip()
    if tag in LANGUAGES:
        return tag
    primary = tag.split("_", 1)[0].lower()
    if primary == "zh":
        # Traditional Chinese readers (zh_Hant, zh_TW, zh_HK) read Simplified better than English.
        return "zh_Hans_CN"
    if primary == "en":
        return "en"
    return None


def _browser_language() -> str | None:
    for tag, _quality in request.accept_languages:
        language = language_of(tag)
        if language:
            return language
    return None


def select_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    user_choice = getattr(current_user, "language", None) if current_user else None
    return (
        language_of(user_choice)
        or language_of(session.get(SESSION_KEY))
        or _browser_language()
        or DEFAULT_LANGUAGE
    )


def default_time_zone(user) -> str:
    return STAFF_TIME_ZONE if getattr(user, "is_staff", False) else DEFAULT_TIME_ZONE


def select_time_zone() -> str:
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return DEFAULT_TIME_ZONE
    return getattr(current_user, "time_zone", None) or default_time_zone(current_user)


def current_language() -> str:
    locale = get_locale()
    return str(locale) if locale else DEFAULT_LANGUAGE


def html_lang() -> str:
    """The page's ``lang`` attribute: a BCP 47 tag."""
    return "zh-Hans-CN" if current_language() == "zh_Hans_CN" else "en"


def init_app(app: Flask) -> None:
    directories = ";".join(str(TRANSLATIONS) for _domain in DOMAINS)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", directories)
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    Babel(app, locale_selector=select_language, timezone_selector=select_time_zone)
    # Flask-Babel keeps its choice in ``g``, which outlives one request wherever an app context
    # is held open around several (the CLI, tests): each request chooses afresh.
    app.before_request(refresh)
    app.jinja_env.globals.update(html_lang=html_lang, languages=LANGUAGES)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile each ``.po`` whose ``.mo`` is missing or older; return the ones compiled.

    ``make translations`` runs it, and so does the test session, so that a catalog edited by hand
    is what the next request reads.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalog)
        compiled.append(po)
    return compiled
