"""A resubmitted stage form shows the reviewer, field by field, what changed since their last
step, and a changed API reason shows beside the one decided: in the decision pane's evidence and
beside the form (issue 13, item 4)."""

from __future__ import annotations

import html

from tests.deployment.test_keep_typed import MRD, party  # noqa: F401  (fixture)
from tests.deployment.test_records import PRD
from workflow.apps.operations import decide_api, request_api_access
from workflow.deployment.operations import save_stage_form
from workflow.deployment.panels import form_changes
from workflow.extensions import db
from workflow.models import FormKind, Journey
from workflow.operations import fire


def _page(client, journey_id: int) -> str:
    return " ".join(
        html.unescape(client.get(f"/journeys/{journey_id}").get_data(as_text=True)).split()
    )


def test_the_reviewer_sees_each_changed_field_of_a_resubmitted_mrd(party, login):  # noqa: F811
    journey, applicant, reviewer = party
    save_stage_form(journey, FormKind.mrd, applicant, MRD)
    save_stage_form(journey, FormKind.prd, applicant, PRD)
    fire(journey, "submit", applicant)
    fire(journey, "request_changes", reviewer, comment="Say which sellers, by size.")
    db.session.commit()
    assert journey.state == "mrd_prd_draft"  # back to the applicant
    # Nothing changed yet: nothing to show.
    assert form_changes(journey, FormKind.mrd, journey_form(journey)) == []

    changed = {**MRD, "target_sellers": "Flagship stores with over 10,000 orders a month."}
    save_stage_form(journey, FormKind.mrd, applicant, changed)
    fire(journey, "submit", applicant)
    db.session.commit()
    changes = form_changes(db.session.get(Journey, journey.id), FormKind.mrd, journey_form(journey))
    assert [(c.before, c.after) for c in changes] == [
        ("Flagship stores.", "Flagship stores with over 10,000 orders a month.")
    ]

    client = login(reviewer)
    page = _page(client, journey.id)
    assert "1 field changed since the last decision (" in page
    assert "Changed since the last decision (1)" in page
    assert (
        '<dt>Target sellers</dt><dd><del class="prewrap">Flagship stores.</del> '
        '<ins class="prewrap">Flagship stores with over 10,000 orders a month.</ins></dd>'
    ) in page
    # The applicant's page does not carry the reviewer's comparison.
    client.post("/logout")
    assert "Changed since the last decision (" not in _page(login(applicant), journey.id)


def journey_form(journey):
    from workflow.deployment.operations import latest_form

    return latest_form(journey, FormKind.mrd)


def test_a_changed_api_reason_shows_beside_the_one_decided(party, login):  # noqa: F811
    journey, applicant, reviewer = party
    journey.state = "app_draft"  # the demo APP and its two APIs, before their submission
    fire(journey, "submit", applicant)
    by_method = {r.method: r for r in journey.app.api_requests}
    sold, shipped = by_method["taobao.trades.sold.get"], by_method["taobao.logistics.offline.send"]
    decide_api(journey, reviewer, shipped.id, grant=True)
    decide_api(journey, reviewer, sold.id, grant=False, reason="Say how often.")
    fire(journey, "request_changes", reviewer, comment="See the refused API.")
    new_reason = "Import new orders every five minutes, 300 calls an hour."
    request_api_access(
        journey,
        applicant,
        {sold.method: new_reason, shipped.method: shipped.reason},
    )
    fire(journey, "submit", applicant)
    db.session.commit()
    assert journey.state == "api_access_submitted"

    client = login(reviewer)
    page = _page(client, journey.id)
    assert f"Reason changed since the decision: {sold.method}" in page
    assert (
        '<del class="prewrap">Import new orders into the warehouse every few minutes.</del> '
        f'<ins class="prewrap">{new_reason}</ins>'
    ) in page
    # The API granted with its reason unchanged shows no comparison.
    assert page.count("Changed since the decision:") == 1
    client.post("/logout")
    assert "Changed since the decision:" not in _page(login(applicant), journey.id)
