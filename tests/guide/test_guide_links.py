"""Every Appendix A link is on the page of the step that needs it, read from the settings."""

from __future__ import annotations

import re

import pytest

from workflow.apps.demo import register_demo_app
from workflow.config import SETTINGS_BY_NAME
from workflow.extensions import db
from workflow.guide import LINKS, STEPS, links_for
from workflow.models import AccountKind, App, Role

# (step, journey state, whether an APP is registered first)
AT_STEP = {
    "app": ("enabled", False),
    "apis": ("enabled", True),
    "api_reference": ("enabled", True),
    "sandbox": ("sandbox_verification", True),
    "cloud": ("mrd_prd_draft", True),
    "configuration": ("distribution_setup", True),
}


def _links_on(html: str, step: str) -> dict[str, str]:
    box = re.search(rf'<aside class="guide-links" data-step="{step}">(.*?)</aside>', html, re.S)
    assert box, f"no guide links for {step!r} on the page"
    return dict(
        (key, href.replace("&amp;", "&"))
        for href, key in re.findall(r'<a href="([^"]+)" data-guide="(L\d+)"', box.group(1))
    )


def test_every_appendix_link_is_a_setting_and_shown_on_some_step():
    shown = {key for keys in STEPS.values() for key in keys}
    assert shown == {link.key for link in LINKS}
    for link in LINKS:
        assert SETTINGS_BY_NAME[link.setting].default == link.default


def test_the_console_before_distribution_is_l11_not_the_guides_l10():
    assert STEPS["configuration"] == ("L11",)


def test_sign_up_shows_the_seller_and_taobao_links(client, app):
    html = client.get("/register").get_data(as_text=True)
    with app.app_context():
        expected = {key: address for key, _, address in links_for("signup")}
    assert (
        _links_on(html, "signup")
        == expected
        == {
            "L10": "http://about.tmall.com/tmallglobal",
            "L6": "http://www.taobao.com",
        }
    )


@pytest.mark.parametrize("step", sorted(AT_STEP))
def test_each_step_page_shows_its_links_from_the_settings(
    step, app, monkeypatch, make_account, make_user, make_journey, login
):
    state, with_app = AT_STEP[step]
    moved = {key: f"https://guide.example/{key.lower()}?step={step}&v=2" for key in STEPS[step]}
    for key, address in moved.items():
        monkeypatch.setitem(app.config, f"GUIDE_LINK_{key}", address)
    html = _journey_page(make_account, make_user, make_journey, login, state, with_app)
    assert _links_on(html, step) == moved


def test_a_journey_past_the_steps_shows_no_stale_guide_boxes(
    make_account, make_user, make_journey, login
):
    html = _journey_page(make_account, make_user, make_journey, login, "released", True)
    assert 'class="guide-links"' not in html


def _journey_page(make_account, make_user, make_journey, login, state, with_app) -> str:
    """The applicant's page of a journey placed at ``state`` (a new APP registered if asked)."""
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant, state="enabled")
    if with_app:
        register_demo_app(journey, applicant)
        db.session.get(App, journey.app.id).is_new = True
    journey.state = state
    db.session.commit()
    return login(applicant).get(f"/journeys/{journey.id}").get_data(as_text=True)
