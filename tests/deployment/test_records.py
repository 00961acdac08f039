"""The PRD's own form, the cloud order and environment records, the exemption's deployment plan
(guide §1.4, §3.3 a and b): each saves, refuses a missing field beside its name, and reads back
on the page and in the packet; PRD rows saved with the MRD's fields still read."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from workflow.deployment.operations import latest_form, save_stage_form
from workflow.deployment.specs import SPECS
from workflow.errors import NotPermitted, RequirementsNotMet
from workflow.extensions import db
from workflow.models import AccountKind, FormKind, Role, StageForm
from workflow.operations import fire
from workflow.packets.builder import build_packet_data

PRD = {
    "functional_requirements": "Import paid orders every 10 minutes.",
    "user_flows": "The seller links the shop; orders appear in the ERP.",
    "apis_used": "taobao.trades.sold.increment.get, to fetch new orders.",
    "data_handled": "Buyer address and phone, to print labels.",
    "data_retention": "Deleted 90 days after delivery.",
    "volumes": "2,000 orders a day",
    "peak_load": "40 calls a second on 11.11",
    "error_handling": "Retried with back-off; staff alerted after 5 failures.",
}
ORDER = {
    "order_reference": "ALY-2026-77812",
    "ordered_on": "2026-11-24",
    "services_ordered": "2 x ecs.g6.large, RDS MySQL 50 GB",
}
ENVIRONMENT = {
    "configured_on": "2026-11-25",
    "region": "cn-hangzhou-h",
    "resources": "2 ECS instances, RDS MySQL, SLB",
    "access": "VPC vpc-bp1 through the bastion host",
    "notes": "",
}
#: A PRD as the desk saved it before the PRD had its own form: the MRD's fields.
EARLIER_PRD = {
    "market": "Cross-border",
    "target_sellers": "Flagship stores",
    "features": "Order sync",
    "data_handled": "Order addresses",
}


@pytest.fixture
def party(make_account, make_user, make_journey):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    reviewer = make_user(Role.reviewer)
    return make_journey(account, applicant, state="mrd_prd_draft"), applicant, reviewer


def _page(client, journey) -> str:
    return html.unescape(client.get(f"/journeys/{journey.id}").get_data(as_text=True))


def _sections(journey, kind: str) -> dict[str, list[tuple[str, str]]]:
    data = build_packet_data(
        journey, kind, reference="PKT-T", submitted_at=datetime.now(UTC), trail=[]
    )
    return {s.title: list(s.rows) for s in data.sections}


def test_the_prd_is_saved_from_its_own_fields(party, login):
    journey, applicant, _ = party
    response = login(applicant).post(f"/journeys/{journey.id}/forms/prd", data=PRD)
    assert response.status_code == 302
    db.session.expire_all()
    assert latest_form(journey, FormKind.prd).data == PRD
    rows = dict(_sections(journey, "mrd_prd")["Product requirements (PRD)"])
    assert rows["Peak load"] == "40 calls a second on 11.11"
    assert rows["TOP APIs used, and why each is needed"] == PRD["apis_used"]
    assert "Target sellers" not in rows


def test_a_prd_without_its_error_handling_is_refused_beside_the_field(party, login):
    journey, applicant, _ = party
    partial = {k: v for k, v in PRD.items() if k != "error_handling"}
    response = login(applicant).post(f"/journeys/{journey.id}/forms/prd", data=partial)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Error handling: required" in page
    assert PRD["user_flows"] + "</textarea>" in page  # what was typed stays
    assert latest_form(journey, FormKind.prd) is None


def test_a_prd_saved_with_the_mrds_fields_still_reads_and_must_be_completed(party, login):
    journey, applicant, _ = party
    db.session.add(StageForm(journey_id=journey.id, kind=FormKind.prd, data=EARLIER_PRD))
    save_stage_form(journey, FormKind.mrd, applicant, EARLIER_PRD)
    db.session.commit()
    page = _page(login(applicant), journey)
    assert "Saved with an earlier version of this form" in page
    assert "Target sellers" in page and "Flagship stores" in page
    rows = dict(_sections(journey, "mrd_prd")["Product requirements (PRD)"])
    assert rows["Target sellers"] == "Flagship stores"
    assert rows["Data handled"] == "Order addresses"
    with pytest.raises(RequirementsNotMet) as refused:
        fire(journey, "submit", applicant)
    assert "Complete the Product requirements (PRD): Functional requirements, User flows" in str(
        refused.value.problems
    )
    save_stage_form(journey, FormKind.prd, applicant, PRD)
    fire(journey, "submit", applicant)
    assert journey.state == "mrd_prd_submitted"


def test_the_cloud_order_is_recorded_after_the_plans_approval(party, login):
    journey, applicant, _ = party
    journey.state = "cloud_plan_draft"
    client = login(applicant)
    refused = client.post(f"/journeys/{journey.id}/forms/cloud_order", data=ORDER)
    assert refused.status_code == 400  # the page again, with the refusal on it
    assert "The Cloud order cannot be changed at this stage." in html.unescape(
        refused.get_data(as_text=True)
    )
    assert latest_form(journey, FormKind.cloud_order) is None

    journey.state = "cloud_provisioning"
    db.session.commit()
    without = client.post(
        f"/journeys/{journey.id}/forms/cloud_order", data={**ORDER, "order_reference": ""}
    )
    assert without.status_code == 400
    assert "Order reference: required" in html.unescape(without.get_data(as_text=True))
    assert client.post(f"/journeys/{journey.id}/forms/cloud_order", data=ORDER).status_code == 302
    db.session.expire_all()
    assert latest_form(journey, FormKind.cloud_order).data == ORDER


def test_the_environment_is_recorded_by_a_reviewer_before_it_is_ready(party, login):
    journey, applicant, reviewer = party
    journey.state = "cloud_provisioning"
    db.session.commit()
    with pytest.raises(NotPermitted):
        save_stage_form(journey, FormKind.cloud_environment, applicant, ENVIRONMENT)
    with pytest.raises(RequirementsNotMet) as refused:
        fire(journey, "environment_ready", reviewer)
    assert "Record the cloud environment configured" in str(refused.value.problems)

    client = login(reviewer)
    without = client.post(
        f"/journeys/{journey.id}/forms/cloud_environment", data={**ENVIRONMENT, "access": ""}
    )
    assert without.status_code == 400
    assert "How the developer reaches it: required" in html.unescape(without.get_data(as_text=True))
    saved = client.post(f"/journeys/{journey.id}/forms/cloud_environment", data=ENVIRONMENT)
    assert saved.status_code == 302
    db.session.expire_all()
    fire(journey, "environment_ready", reviewer)
    db.session.commit()
    page = _page(login(applicant), journey)
    assert str(SPECS[FormKind.cloud_environment].title) in page
    assert "VPC vpc-bp1 through the bastion host" in page and "cn-hangzhou-h" in page
    assert "Notes for the developer" not in page  # an empty optional field is not shown


def test_cloud_verification_cannot_be_submitted_without_the_order(party, login):
    journey, applicant, reviewer = party
    journey.state = "cloud_verification"
    save_stage_form(journey, FormKind.deployment_confirmation, applicant, {"app_ported": True})
    with pytest.raises(RequirementsNotMet) as refused:
        fire(journey, "submit", applicant)
    assert "Record the Cloud order" in refused.value.problems
    save_stage_form(journey, FormKind.cloud_order, applicant, ORDER)
    journey.state = "cloud_provisioning"
    save_stage_form(journey, FormKind.cloud_environment, reviewer, ENVIRONMENT)
    sections = _sections(journey, "cloud_verification")
    assert dict(sections["Cloud order"])["Order reference"] == "ALY-2026-77812"
    environment = dict(sections["Cloud environment configured by Tmall Global"])
    assert environment["Region and zone"] == "cn-hangzhou-h"
    assert dict(sections["Deployment confirmation"]) == {
        "The APP is ported to and running on the cloud": "Yes"
    }


def test_an_exemption_without_its_deployment_plan_is_refused_beside_each_field(party, login):
    journey, applicant, _ = party
    journey.state = "exemption_draft"
    reason = {"reason": "The ERP must stay on premises.", "responsible_name": "Li Lei"}
    response = login(applicant).post(f"/journeys/{journey.id}/forms/exemption", data=reason)
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    for label in ("Region where TOP data is stored and processed", "Data flows",
                  "Security measures", "Servers and architecture"):  # fmt: skip
        assert f"{label}: required" in page, label
    assert latest_form(journey, FormKind.exemption) is None
