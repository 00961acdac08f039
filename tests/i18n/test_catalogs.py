"""The catalogs are complete: extracted from the tree as it is, every message translated in
Chinese, nothing fuzzy, placeholders the same in every translation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from workflow.i18n import DOMAINS, LANGUAGES, TRANSLATIONS

ROOT = TRANSLATIONS.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}


def extracted(domain: str) -> set:
    """The message ids the tree holds now, as ``make messages`` would extract them."""
    with (ROOT / f"babel-{domain}.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


def catalog(path: Path, locale: str | None = None):
    with path.open("rb") as source:
        return read_po(io.BytesIO(source.read()), locale=locale)


def ids_of(messages) -> set:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages if m.id}


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_every_string_of_the_tree(domain):
    template = ids_of(catalog(TRANSLATIONS / f"{domain}.pot"))
    now = extracted(domain)
    assert now - template == set(), f"new strings not extracted: run `make messages` ({domain})"
    assert template - now == set(), f"strings no longer in the tree: run `make messages` ({domain})"


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_each_catalog_is_complete(domain, locale):
    template = ids_of(catalog(TRANSLATIONS / f"{domain}.pot"))
    translated = catalog(TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po", locale)
    messages = [m for m in translated if m.id]
    assert ids_of(messages) == template, f"{locale}/{domain}.po is behind: run `make messages`"
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert fuzzy == [], f"fuzzy messages in {locale}/{domain}.po"
    obsolete = list(translated.obsolete)
    assert obsolete == [], f"obsolete messages left in {locale}/{domain}.po"
    if locale != "en":  # English reads the message ids themselves
        untranslated = [
            m.id
            for m in messages
            if not (all(m.string) if isinstance(m.string, tuple | list) else m.string)
        ]
        assert untranslated == [], f"untranslated in {locale}/{domain}.po"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in translated.check()]
    assert problems == [], problems


#: Words the Chinese catalogs do not use, and the glossary's word in their place (docs/i18n.md).
NOT_THE_GLOSSARYS = {
    "帐号": "账号",
    "独立软件开发商": "服务商",
    "商家": "卖家",
}


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_chinese_uses_the_glossarys_words(domain):
    translated = catalog(TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / f"{domain}.po", "zh_Hans_CN")
    found = []
    for message in translated:
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for text in strings:
            found += [(message.id, word) for word in NOT_THE_GLOSSARYS if word in (text or "")]
            # An account on the desk is a 账号; 账户 is a bank's.
            if "账户" in (text or "").replace("银行账户", ""):
                found.append((message.id, "账户"))
    assert found == []


def test_a_persons_name_and_a_things_name_are_told_apart(app):
    from workflow.admin.forms import InviteUserForm
    from workflow.i18n import _, force_locale, pgettext

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert pgettext("person", "Name") == "姓名"
        assert _("Name") == "名称"
        # The invitee's name on the admin's invitation form is a person's.
        assert str(InviteUserForm.name.args[0]) == "姓名"
    with app.test_request_context():
        assert pgettext("person", "Name") == "Name"


def test_a_message_in_both_domains_reads_the_same_in_each():
    # A request reads both catalogs at once: a message id in both must not read two ways.
    web, core = (
        catalog(TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / f"{domain}.po", "zh_Hans_CN")
        for domain in ("web", "core")
    )
    differ = [
        (m.id, web.get(m.id, m.context).string, m.string)
        for m in core
        if m.id
        and web.get(m.id, m.context) is not None
        and web.get(m.id, m.context).string != m.string
    ]
    assert differ == []
