"""The Tmall Global developer guide's useful links (Appendix A, L1–L12), where each step needs them.

Each link is a setting (``GUIDE_LINK_L1`` … ``GUIDE_LINK_L12``) whose default is the address the
guide prints, so an operator can follow a moved page without a release. Pages ask for the links of
their step by name; they never spell an address themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from workflow.i18n import _l


@dataclass(frozen=True)
class GuideLink:
    key: str
    title: str  # lazy: read in the reader's language
    default: str

    @property
    def setting(self) -> str:
        return f"GUIDE_LINK_{self.key}"


LINKS: tuple[GuideLink, ...] = (
    GuideLink("L1", _l("TOP SDK"), "http://open.taobao.com/doc/detail.htm?id=101618"),
    GuideLink("L2", _l("APP authorization"), "http://open.taobao.com/doc/detail.htm?id=101423"),
    GuideLink(
        "L3", _l("How to use the TOP API"), "http://open.taobao.com/doc/detail.htm?id=101617"
    ),
    GuideLink(
        "L4",
        _l("How to access the TOP API through the sandbox"),
        "http://open.taobao.com/doc/detail.htm?id=101644",
    ),
    GuideLink("L5", _l("Cloud service rules"), "http://open.taobao.com/doc/detail.htm?id=101896"),
    GuideLink("L6", _l("Taobao home page"), "http://www.taobao.com"),
    GuideLink("L7", _l("TOP API document"), "http://open.taobao.com/doc/category_list.htm?id=102"),
    GuideLink("L8", _l("Taobao online delivery system"), "http://wuliu.taobao.com/"),
    GuideLink(
        "L9", _l("APP authorization requests"), "http://open.taobao.com/doc/detail.htm?id=118"
    ),
    GuideLink("L10", _l("Tmall Global introduction"), "http://about.tmall.com/tmallglobal"),
    GuideLink("L11", _l("TOP console"), "http://my.open.taobao.com/"),
    GuideLink("L12", _l("Taobao cloud homepage"), "http://cloud.tmall.com/index.htm"),
)

LINKS_BY_KEY = {link.key: link for link in LINKS}

# Which links each step of the journey shows, and why (the guide's sections).
STEPS: dict[str, tuple[str, ...]] = {
    # §1.4 step 1 and §2.2 step 1: becoming a Tmall Global seller, registering a taobao account.
    "signup": ("L10", "L6"),
    # §3.1: the APP is created in the TOP console and requests are signed (L3).
    "app": ("L11", "L3"),
    # §3.5: customer-information APIs are authorized one by one (L2, L9).
    "apis": ("L2", "L9"),
    # §4 and §4.3: the API reference, and refunds in the delivery system.
    "api_reference": ("L7", "L8"),
    # §3.2: develop with the SDK, verify through the sandbox.
    "sandbox": ("L1", "L4"),
    # §3.3 a: the cloud guide and the cloud homepage where resources are ordered.
    "cloud": ("L5", "L12"),
    # §3.4: the APP is configured in the TOP console before distribution. The guide says L10
    # there, but L10 is the Tmall Global introduction; the console is L11.
    "configuration": ("L11",),
}


def url_for_link(key: str, config=None) -> str:
    link = LINKS_BY_KEY[key]
    config = current_app.config if config is None else config
    return config.get(link.setting) or link.default


def links_for(step: str, config=None) -> list[tuple[str, str, str]]:
    """(key, title, address) of each link the step shows, addresses read from the settings."""
    return [(key, LINKS_BY_KEY[key].title, url_for_link(key, config)) for key in STEPS[step]]
