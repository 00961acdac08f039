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

from flask import Flask, g, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, force_locale, get_locale, get_translations, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

__all__ = [
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "STAFF_TIME_ZONE",
    "DEFAULT_TIME_ZONE",
    "_",
    "_l",
    "ngettext",
    "lazy_ngettext",
    "pgettext",
    "lazy_pgettext",
    "lazy_join",
    "english",
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


def _app_globals():
    """The application context's ``g`` itself (one lookup, not one per read through the
    proxy), or None outside an application context."""
    try:
        return g._get_current_object()
    except RuntimeError:
        return None


def translations():
    """The request's catalogs, looked up once per locale rather than once per string.

    A page translates a few hundred strings; Flask-Babel finds the catalogs anew for each (the
    context, the domain, the locale, the cache). The result is kept beside Flask-Babel's own
    locale, so ``force_locale`` (a mail in its reader's language) gets its own catalogs.
    """
    store = _app_globals()
    state = getattr(store, "_flask_babel", None)
    if state is not None:
        kept = getattr(state, "desk_translations", None)
        if kept is not None and kept[0] is getattr(state, "babel_locale", None):
            return kept[1]
    found = get_translations()
    state = getattr(store, "_flask_babel", None)
    if state is not None:
        state.desk_translations = (getattr(state, "babel_locale", None), found)
    return found


def _(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables) -> str:
    """A message whose English has two meanings, told apart by ``context``: "Name" as a
    person's (姓名) or as a thing's (名称)."""
    text = translations().upgettext(context, string)
    return text % variables if variables else text


class LazyText(LazyString):
    """A message translated when it is shown. Unlike Flask-Babel's, it is text, not markup: a
    template (or a flash, which the session keeps as markup) escapes it, so a file name or a
    company name formatted into it cannot become HTML."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def _l(string: str, **variables) -> LazyText:
    return LazyText(_, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyText:
    return LazyText(ngettext, singular, plural, num, **variables)


@pass_eval_context
def _template_gettext(eval_context, string: str, **variables) -> str:
    """``_()`` in a template, as Jinja's new-style gettext answers it: markup in an escaping
    template (so the variables are escaped, the message's own tags are not), and always
    formatted, so a message's ``%%`` reads as one ``%`` with or without variables."""
    text = translations().ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)
    return text % variables


@pass_eval_context
def _template_ngettext(eval_context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        text = Markup(text)
    return text % variables


def lazy_pgettext(context: str, string: str, **variables) -> LazyText:
    return LazyText(pgettext, context, string, **variables)


def _joined(items) -> str:
    return _(", ").join(str(item) for item in items)


def lazy_join(items) -> LazyText:
    """Lazy messages listed in one: "a, b, c" (Chinese "a、b、c"), in the reader's language."""
    return LazyText(_joined, tuple(items))


def english(message) -> str:
    """The English of a message marked for the catalog (``_l("…")``), whatever the locale:
    what stored data (packets, retention records) keeps. Plain text is returned as it is."""
    if isinstance(message, LazyString):
        if message._func is _joined:
            return ", ".join(english(item) for item in message._args[0])
        if message._func is pgettext:
            text, params = message._args[1], message._kwargs
        elif message._func is _:
            text, params = message._args[0], message._kwargs
        elif message._func is ngettext:
            singular, plural, num = message._args
            text, params = singular if num == 1 else plural, {"num": num, **message._kwargs}
        else:
            raise TypeError(f"no English for a lazy {message._func.__name__}")
        return text % {k: english(v) for k, v in params.items()} if params else text
    return message


class JSONProvider(DefaultJSONProvider):
    """JSON answers carry a lazy message as its text (Flask would take its escaped markup)."""

    @staticmethod
    def default(o):
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    directories = ";".join(str(TRANSLATIONS) for _domain in DOMAINS)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", directories)
    app.config.setdefault("BABEL_DOMAIN", ";".join(DOMAINS))
    Babel(app, locale_selector=select_language, timezone_selector=select_time_zone)
    # Flask-Babel keeps its choice in ``g``, which outlives one request wherever an app context
    # is held open around several (the CLI, tests): each request chooses afresh.
    app.before_request(refresh)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # The same answers in one call each: Jinja's own go through the template context three
    # times per string (the ``_`` alias, the wrapper, the lookup), and a journey page has 150.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
    app.jinja_env.globals.update(ngettext=_template_ngettext)
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
