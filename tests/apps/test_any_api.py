"""Any TOP API by name, or none; customer-information APIs marked one by one (guide §3.5, §4).

Through HTTP where a person acts: the API form, the reviewer's mark, the chain's replay by
``flask audit verify`` and the packets the submissions produce.
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select, text

from tests.enablement.conftest import (  # noqa: F401  (fixtures)
    client_for,
    desk_storage,
    fire_event,
    seller,
    state_of,
)
from tests.test_end_to_end import _enable_seller, _ok, _post, _read_packets
from top.gateway import DEMO_APP_KEY
from top.methods import is_method_name, method_problem
from workflow.apps.catalogue import customer_info_source
from workflow.apps.operations import mark_customer_info
from workflow.config import ConfigError, from_environment
from workflow.errors import NotPermitted
from workflow.extensions import db
from workflow.models import ApiRequest, DecisionKind, Event, Journey

SOLD = "taobao.trades.sold.get"
ITEMS = "taobao.item.seller.get"
APP_FORM = {"app_key": DEMO_APP_KEY, "name": "Catalogue sync", "description": "Lists items.",
            "origin": "new", "audience": "own_shop"}  # fmt: skip


def _requests(jid: int) -> list[ApiRequest]:
    db.session.expire_all()
    app = db.session.get(Journey, jid).app
    return list(app.api_requests) if app else []


def _page(client, jid: int) -> str:
    return html.unescape(client.get(f"/journeys/{jid}").get_data(as_text=True))


def _customer_info_cell(page: str, method: str) -> str:
    """The review table's "Customer information" cell of ``method``, as text."""
    cell = re.search(rf'<td [^>]*data-customer-info="{re.escape(method)}">(.*?)</td>', page, re.S)
    assert cell, f"no customer-information cell for {method}"
    return " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())


@pytest.fixture
def app_draft(seller, client_for):  # noqa: F811
    applicant, reviewer = client_for(seller.applicant), client_for(seller.reviewer)
    jid = seller.journey.id
    _enable_seller(applicant, reviewer, jid)
    _post(applicant, f"/journeys/{jid}/app", APP_FORM)
    assert state_of(jid) == "app_draft"
    return applicant, reviewer, jid


@pytest.mark.parametrize(
    "name",
    [
        "taobao.time.get",
        ITEMS,
        "tmall.item.update.schema.get",
        "alibaba.wholesale.goods.search",
        "cainiao.waybill.ii.get",
        "aliexpress.solution.order.get",
        "alibaba.retail.device.payUrl.get",  # one of TOP's few names with a capital inside
    ],
)
def test_real_top_method_names_are_accepted(name):
    assert is_method_name(name) and method_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Taobao.Item.Seller.Get", "lower case"),
        ("taobao.Item.get", "lower case"),
        ("taobao.item", "3 to 12 dotted parts"),
        ("taobao..get", "no empty part"),
        ("taobao.item-seller.get", "“item-seller” is not a part"),
        ("taobao.item_seller.get", "“item_seller” is not a part"),
        ("open.taobao.item.get", "starts with taobao, tmall, alibaba, cainiao"),
        ("taobao.item.seller.get/", "“get/” is not a part"),
        ("taobao." + "a." * 60 + "get", "at most 100 characters"),
    ],
)
def test_malformed_method_names_are_refused_with_the_reason(name, problem):
    assert not is_method_name(name)
    assert problem in method_problem(name)


def test_form_takes_a_real_method_beyond_the_six_by_name(app_draft):
    applicant, _, jid = app_draft
    lines = (
        f"{ITEMS} — Shows the seller's items in the APP\n"
        "\n"
        "tmall.item.update.schema.get: Reads the item schema before an update\n"
        "cainiao.waybill.ii.get - Prints waybills"
    )
    form = {"api": SOLD, f"reason-{SOLD}": "Import orders.", "other_apis": lines}
    _post(applicant, f"/journeys/{jid}/apis", form)
    assert [(r.method, r.reason) for r in _requests(jid)] == [
        (SOLD, "Import orders."),
        (ITEMS, "Shows the seller's items in the APP"),
        ("tmall.item.update.schema.get", "Reads the item schema before an update"),
        ("cainiao.waybill.ii.get", "Prints waybills"),
    ]
    page = _page(applicant, jid)
    # The box shows the saved methods again, one "method — reason" line each.
    assert f"{ITEMS} — Shows the seller's items in the APP\ntmall.item.update" in page
    assert "The checker has no probe for these" in page


def test_malformed_names_are_refused_with_their_line_and_nothing_typed_is_lost(app_draft):
    applicant, _, jid = app_draft
    lines = (
        f"{ITEMS} — Shows items\n"
        "Taobao.Item.Get — typed in capitals\n"
        f"{ITEMS} - the same again\n"
        f"{SOLD} — ticked above as well\n"
        "cainiao.waybill.ii.get"
    )
    form = {"api": SOLD, f"reason-{SOLD}": "Import orders.", "other_apis": lines}
    response = applicant.post(f"/journeys/{jid}/apis", data=form)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Line 2: “Taobao.Item.Get — typed in capitals” is not a TOP method name" in page
    assert f"Line 3: {ITEMS} is already on line 1; give it once." in page
    assert f"Line 4: {SOLD} is ticked in the list above; give it once." in page
    assert "Line 5: say why the APP needs cainiao.waybill.ii.get" in page
    assert lines in page and "Import orders.</textarea>" in page  # all of it still there
    assert f'value="{SOLD}" checked' in page
    assert _requests(jid) == []


def test_a_ticked_api_without_a_reason_keeps_the_other_lines(app_draft):
    applicant, _, jid = app_draft
    form = {"api": SOLD, f"reason-{SOLD}": " ", "other_apis": f"{ITEMS} — Lists items"}
    response = applicant.post(f"/journeys/{jid}/apis", data=form)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f"Reason for {SOLD}: Say why the APP needs {SOLD}." in page
    assert f"{ITEMS} — Lists items</textarea>" in page
    assert _requests(jid) == []


def test_an_app_with_no_api_submits_and_is_approved(app_draft):
    applicant, reviewer, jid = app_draft
    _ok(fire_event(applicant, jid, "submit"))
    assert state_of(jid) == "api_access_submitted"
    assert "No APIs requested." in _page(reviewer, jid)
    _ok(fire_event(reviewer, jid, "approve"))
    assert state_of(jid) == "api_access_granted"
    (_, _, _), (kind, packet, _) = _read_packets(jid)
    assert kind == "api_access" and "APIs requested" in packet


def test_reviewer_marks_a_requested_api_as_customer_information(app, app_draft):
    applicant, reviewer, jid = app_draft
    form = {"api": SOLD, f"reason-{SOLD}": "Import orders.",
            "other_apis": f"{ITEMS} — Shows buyers' names beside the items"}  # fmt: skip
    _post(applicant, f"/journeys/{jid}/apis", form)
    _ok(fire_event(applicant, jid, "submit"))
    sold, items = _requests(jid)
    assert (customer_info_source(sold), customer_info_source(items)) == ("catalogue", None)

    page = _page(reviewer, jid)
    assert f'href="{app.config["GUIDE_LINK_L9"]}"' in page  # where §3.5 sends the developer
    assert f'href="{app.config["GUIDE_LINK_L2"]}"' in page
    assert _customer_info_cell(page, ITEMS) == "No Mark as customer information"
    assert _customer_info_cell(page, SOLD) == "Yes (the desk's catalogue)"  # no button

    marked = f"/journeys/{jid}/apis/{items.id}/customer-info"
    _post(reviewer, marked, {"marked": "yes"})
    _post(reviewer, marked, {"marked": "yes"})  # a repeated click records nothing
    assert _requests(jid)[1].is_customer_info_marked
    cell = _customer_info_cell(_page(reviewer, jid), ITEMS)
    assert cell == "Yes (marked by Tmall Global) Unmark"
    # The applicant sees the mark, and where to request the authorization, but no button.
    page = _page(applicant, jid)
    assert _customer_info_cell(page, ITEMS) == "Yes (marked by Tmall Global)"
    assert f'href="{app.config["GUIDE_LINK_L9"]}"' in page
    events = db.session.scalars(
        select(Event).where(Event.event == DecisionKind.api_customer_info.value)
    ).all()
    assert [(e.data["about"], e.data["rows"][0]["id"]) for e in events] == [
        ({"api": ITEMS, "customer_info": True}, items.id)
    ]
    _assert_audit_verifies(app)

    # The packet of the next submission says which APIs are customer-information.
    _ok(fire_event(reviewer, jid, "request_changes", "Request its authorization on L9."))
    _ok(fire_event(applicant, jid, "submit"))
    first, second = [t for k, t, _ in _read_packets(jid) if k == "api_access"]
    assert f"{SOLD} yes (the desk's catalogue)" in first and f"{ITEMS} no" in first
    assert f"{ITEMS} yes (marked by Tmall Global)" in second

    # A row changed behind the desk's back no longer matches the chain.
    db.session.execute(
        text("UPDATE api_requests SET is_customer_info_marked = :f WHERE id = :id"),
        {"f": False, "id": items.id},
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"api_requests {items.id}, is_customer_info_marked: the log says true" in result.output
    db.session.execute(
        text("UPDATE api_requests SET is_customer_info_marked = :t WHERE id = :id"),
        {"t": True, "id": items.id},
    )
    db.session.commit()

    _post(reviewer, marked, {"marked": "no"})
    assert not _requests(jid)[1].is_customer_info_marked
    _assert_audit_verifies(app)
    # Unmarking an API the catalogue lists leaves it a customer-information API.
    _post(reviewer, f"/journeys/{jid}/apis/{sold.id}/customer-info", {"marked": "no"})
    assert customer_info_source(_requests(jid)[0]) == "catalogue"


def test_the_policy_refuses_the_mark_to_applicants(app_draft, seller):  # noqa: F811
    applicant, _, jid = app_draft
    form = {"api": [], "other_apis": f"{ITEMS} — Lists items"}
    _post(applicant, f"/journeys/{jid}/apis", form)
    _ok(fire_event(applicant, jid, "submit"))
    (items,) = _requests(jid)
    journey = db.session.get(Journey, jid)
    with pytest.raises(NotPermitted, match="Only reviewers mark customer-information APIs"):
        mark_customer_info(journey, seller.applicant, items.id, marked=True)
    db.session.rollback()
    response = applicant.post(
        f"/journeys/{jid}/apis/{items.id}/customer-info", data={"marked": "yes"}
    )
    assert response.status_code == 403
    assert not _requests(jid)[0].is_customer_info_marked
    assert "Mark as customer information" not in _page(applicant, jid)


def test_customer_information_apis_are_a_setting(app, monkeypatch, app_draft):
    assert "CUSTOMER_INFO_APIS" not in from_environment({})
    assert app.config["CUSTOMER_INFO_APIS"][0] == SOLD  # by default, the six of §4
    parsed = from_environment({"ONBOARDING_CUSTOMER_INFO_APIS": f"{ITEMS}, {SOLD}, {ITEMS}"})
    assert parsed["CUSTOMER_INFO_APIS"] == (ITEMS, SOLD)
    with pytest.raises(ConfigError, match="ONBOARDING_CUSTOMER_INFO_APIS=.* is invalid: "
                       "'Taobao.Item.Get' is not a TOP method name"):  # fmt: skip
        from_environment({"ONBOARDING_CUSTOMER_INFO_APIS": "Taobao.Item.Get"})

    applicant, reviewer, jid = app_draft
    monkeypatch.setitem(app.config, "CUSTOMER_INFO_APIS", (ITEMS,))
    _post(applicant, f"/journeys/{jid}/apis", {"other_apis": f"{ITEMS} — Lists items"})
    _ok(fire_event(applicant, jid, "submit"))
    (items,) = _requests(jid)
    assert customer_info_source(items) == "catalogue"
    cell = _customer_info_cell(_page(reviewer, jid), ITEMS)
    assert cell == "Yes (the desk's catalogue)"
    # Granted, it is checked as https only (§3.1 a), like the six, though it has no probe.
    _post(reviewer, f"/journeys/{jid}/apis/{items.id}/decision", {"decision": "grant"})
    _ok(fire_event(reviewer, jid, "approve"))
    _ok(fire_event(applicant, jid, "start_sandbox"))
    page = html.unescape(applicant.get(f"/journeys/{jid}/check/sandbox").get_data(as_text=True))
    warning = re.search(r'data-warning="https-only">(.*?)</p>', page, re.S)
    assert warning and f"<code>{ITEMS}</code> need the customer's authorization" in warning[1]


def _assert_audit_verifies(app) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "replay ok: " in result.output
