"""§3.4: configuration before distribution. The TOP console is confirmed before the request; a
reviewer specifies the security-center and cloud configurations with what exactly is required,
and the applicant confirms each with what they configured."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from tests.workflow.decisions_desk import (  # noqa: F401  (fixtures)
    assert_sound,
    client_for,
    desk,
    desk_storage,
    fire_event,
    isv,
)
from workflow.extensions import db
from workflow.models import DecisionKind, Event

SECURITY_ASKED = "Allow-list the APP's outbound IPs 203.0.113.10 and 203.0.113.11."
CLOUD_ASKED = "Bind the APP to the RDS instance Tmall Global set up (rds-tg-042)."


def _refused(client, url: str, data: dict) -> str:
    """Post a form the desk refuses: the journey page again, as a 400, with what was typed."""
    response = client.post(url, data=data)
    assert response.status_code == 400, response.status_code
    return html.unescape(response.get_data(as_text=True))


def _page(client, jid) -> str:
    return html.unescape(client.get(f"/journeys/{jid}").get_data(as_text=True))


def _decisions(jid, kind):
    return db.session.scalars(
        select(Event).where(Event.journey_id == jid, Event.event == kind.value).order_by(Event.id)
    ).all()


def _at_distribution(desk):
    desk.register_app()
    desk.place("distribution_setup")


def test_a_reviewer_specifies_what_exactly_is_required(app, desk):
    _at_distribution(desk)
    required = {"security": "yes", "security_details": SECURITY_ASKED,
                "cloud": "yes", "cloud_details": CLOUD_ASKED}  # fmt: skip
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required", required)
    row = desk.journey().app
    assert (row.is_security_config_required, row.security_config_details) == (True, SECURITY_ASKED)
    assert (row.is_cloud_config_required, row.cloud_config_details) == (True, CLOUD_ASKED)
    [event] = _decisions(desk.jid, DecisionKind.config_required)
    assert event.actor_id == desk.party.reviewer.id
    page = _page(desk.applicant, desk.jid)
    assert SECURITY_ASKED in page and CLOUD_ASKED in page
    assert "Security-center configuration (guide §3.4 2), required by Tmall Global" in page
    assert_sound(app)


def test_a_requirement_without_details_is_refused(desk):
    _at_distribution(desk)
    page = _refused(desk.reviewer, f"/journeys/{desk.jid}/configs/required", {"security": "yes"})
    assert "Say what exactly the security-center configuration must be" in page
    assert re.search(
        r'<input[^>]*checked[^>]*id="require-security"|id="require-security"[^>]*checked', page
    )
    assert not desk.journey().app.is_security_config_required
    assert _decisions(desk.jid, DecisionKind.config_required) == []


def test_the_applicant_confirms_with_what_they_configured(app, desk):
    _at_distribution(desk)
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required",
              {"security": "yes", "security_details": SECURITY_ASKED})  # fmt: skip
    url = f"/journeys/{desk.jid}/configs/security/confirm"
    page = _refused(desk.applicant, url, {"details": "  "})
    assert "Say what you configured for the security-center configuration." in page
    assert desk.journey().app.security_config_confirmed_at is None
    done = "Added 203.0.113.10 and 203.0.113.11 to the IP allow-list in the security center."
    desk.post(desk.applicant, url, {"details": done})
    row = desk.journey().app
    assert row.security_config_confirmed_at is not None
    assert row.security_config_confirmation == done
    [event] = _decisions(desk.jid, DecisionKind.config_confirmed)
    assert event.data["about"] == {"config": "security"}
    assert done in _page(desk.reviewer, desk.jid)
    assert_sound(app)
    # New details ask for a new confirmation.
    more = {"security": "yes", "security_details": SECURITY_ASKED + " And 203.0.113.12."}
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required", more)
    row = desk.journey().app
    assert (row.security_config_confirmed_at, row.security_config_confirmation) == (None, "")
    assert_sound(app)


def test_a_configuration_not_required_cannot_be_confirmed(desk):
    _at_distribution(desk)
    page = _refused(
        desk.applicant, f"/journeys/{desk.jid}/configs/cloud/confirm", {"details": "Done."}
    )
    assert "Tmall Global does not require the cloud configuration." in page
    assert desk.journey().app.cloud_config_confirmed_at is None


def test_no_cloud_configuration_for_an_app_on_the_own_server_exemption(app, desk):
    desk.register_app()
    desk.place("exemption_submitted")
    assert fire_event(desk.reviewer, desk.jid, "approve").status_code == 302
    assert desk.journey().state == "deployed"
    page = _refused(desk.reviewer, f"/journeys/{desk.jid}/configs/required",
                    {"cloud": "yes", "cloud_details": CLOUD_ASKED})  # fmt: skip
    assert "runs on its own servers under the own-server exemption" in page
    assert "no Taobao cloud configuration can be required of it" in page
    assert not desk.journey().app.is_cloud_config_required
    page = _page(desk.reviewer, desk.jid)
    assert "Cloud configuration: not applicable" in page
    # The security center still can be required.
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required",
              {"security": "yes", "security_details": SECURITY_ASKED})  # fmt: skip
    assert desk.journey().app.is_security_config_required
    assert_sound(app)


def test_the_console_is_confirmed_before_the_distribution_request(app, desk):
    _at_distribution(desk)
    page = _page(desk.applicant, desk.jid)
    assert "I confirm the APP is configured in the TOP console" in page
    assert 'data-guide="L11"' in page
    desk.place("distribution_draft")
    journey = desk.journey()
    from workflow.distribution.checks import distribution_list_ready

    assert distribution_list_ready(journey)[0] == (
        "Confirm the APP is configured in the TOP console (guide §3.4) before the request"
    )
    desk.post(desk.applicant, f"/journeys/{desk.jid}/configs/console/confirm")
    row = desk.journey().app
    assert row.console_configured_at is not None
    [event] = _decisions(desk.jid, DecisionKind.config_confirmed)
    assert event.data["about"] == {"config": "console"}
    assert distribution_list_ready(desk.journey()) == [
        "Save the distribution list of seller IDs before submitting"
    ]
    assert "TOP console configuration (guide §3.4):" in _page(desk.reviewer, desk.jid)
    assert_sound(app)


def test_a_cloud_requirement_made_before_the_exemption_no_longer_applies(desk):
    desk.register_app()
    desk.place("sandbox_verified")
    desk.post(desk.reviewer, f"/journeys/{desk.jid}/configs/required",
              {"cloud": "yes", "cloud_details": CLOUD_ASKED})  # fmt: skip
    from workflow.distribution.configs import unconfirmed_configs

    assert unconfirmed_configs(desk.journey()) == [
        "Confirm the cloud configuration Tmall Global requires, saying what you configured"
    ]
    desk.place("exemption_submitted")
    assert fire_event(desk.reviewer, desk.jid, "approve").status_code == 302
    assert unconfirmed_configs(desk.journey()) == []
    desk.place("distribution_setup")
    page = _page(desk.applicant, desk.jid)
    assert "TOP console configuration" in page and CLOUD_ASKED not in page
