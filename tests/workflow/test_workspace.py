"""The journey page as a workspace: the decision pane, folded stages, a change request's lead."""

from __future__ import annotations

import html

from tests.seeding import journey_with_app
from workflow.apps.operations import decide_api
from workflow.extensions import db
from workflow.models import Role
from workflow.models.base import utcnow
from workflow.operations import fire

REASON = "The order list carries the addresses; use it."


def _page(client, journey_id: int, tab: str = "") -> str:
    return html.unescape(client.get(f"/journeys/{journey_id}{tab}").get_data(as_text=True))


def _journey(make_account, make_user, state: str):
    account = make_account()
    account.enabled_at = utcnow()  # a second APP's journey starts at the APP draft
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    journey = journey_with_app(account, applicant, state, app_key="55501", name="Order sync")
    db.session.commit()
    return journey, applicant, reviewer


def test_a_reviewer_decides_beside_the_evidence_before_the_items(
    client, make_account, make_user, login
):
    journey, _, reviewer = _journey(make_account, make_user, "api_access_submitted")
    login(reviewer)
    page = _page(client, journey.id)
    pane, items = page.index('id="decision"'), page.index('<section class="card" id="app">')
    assert pane < page.index('id="actions"') < items  # the controls come before the items
    evidence = page[pane : page.index('id="actions"')]
    assert "1 API requested; 1 to decide, 0 granted, 0 refused" in evidence
    assert "Your decision" in page and '<span class="tag">reviewers only</span>' in page
    assert 'href="#app"' in evidence  # a link down to the per-item decisions
    assert page.count('id="actions"') == 1


def test_the_applicant_sees_no_decision_pane_and_the_stage_first(
    client, make_account, make_user, login
):
    journey, applicant, _ = _journey(make_account, make_user, "app_draft")
    login(applicant)
    page = _page(client, journey.id)
    assert 'id="decision"' not in page and "Next steps" in page
    assert page.index('id="app"') < page.index('id="actions"')
    assert 'aria-current="page">Current stage</a>' in page


def test_a_finished_stage_folds_to_its_decision(client, make_account, make_user, login):
    journey, applicant, reviewer = _journey(make_account, make_user, "api_access_submitted")
    [request] = journey.app.api_requests
    decide_api(journey, reviewer, request.id, grant=True)
    fire(journey, "approve", reviewer, comment="Granted as asked.", note="Checked by phone.")
    fire(journey, "start_sandbox", applicant)  # on to stage 3: stage 2 is finished
    db.session.commit()
    login(applicant)
    page = _page(client, journey.id)
    folded = page[page.index('id="done-stages"') :]
    assert '<details class="done-stage" id="stage-2">' in folded
    summary = folded[folded.index("<summary>") : folded.index("</summary>")]
    assert "2. APP and API access" in summary and "Approve by" in summary
    assert reviewer.display_name in summary and "API access granted" in summary
    assert "Granted as asked." in folded and "Checked by phone." not in page
    assert '<section class="card" id="app">' in folded  # what was submitted, on demand


def test_a_change_request_leads_the_applicants_page(client, make_account, make_user, login):
    journey, applicant, reviewer = _journey(make_account, make_user, "api_access_submitted")
    [request] = journey.app.api_requests
    decide_api(journey, reviewer, request.id, grant=False, reason=REASON)
    fire(journey, "request_changes", reviewer, comment="Drop the API.", note="INTERNAL-7")
    db.session.commit()
    login(applicant)
    page = _page(client, journey.id)
    lead = page.index('id="changes-requested"')
    assert lead < page.index('id="app"') and lead < page.index('id="actions"')
    block = page[lead : page.index("</section>", lead)]
    assert "Tmall Global asked for changes" in block and "Drop the API." in block
    assert f"{request.method}</strong>: {REASON}" in block
    assert "INTERNAL-7" not in page and "INTERNAL-7" not in _page(client, journey.id, "/timeline")


def test_the_timeline_and_diagram_are_tabs_of_their_own(client, make_account, make_user, login):
    journey, applicant, reviewer = _journey(make_account, make_user, "api_access_submitted")
    fire(journey, "request_changes", reviewer, comment="Say why.", note="INTERNAL-8")
    db.session.commit()
    login(applicant)
    page = _page(client, journey.id)
    assert 'id="timeline"' not in page and 'id="diagram-box"' not in page
    trail = _page(client, journey.id, "/timeline")
    assert 'aria-current="page">Timeline</a>' in trail
    assert "Request changes" in trail and "Say why." in trail and "INTERNAL-8" not in trail
    chart = _page(client, journey.id, "/diagram")
    assert 'id="diagram-box"' in chart and "Now: API access changes requested" in chart
    client.post("/logout")
    login(reviewer)
    assert "INTERNAL-8" in _page(client, journey.id, "/timeline")
