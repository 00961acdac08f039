"""Staff find any journey by account, taobao ID or APP."""

from __future__ import annotations

from workflow.extensions import db
from workflow.models import AccountKind, App, Role


def test_search_by_name_taobao_id_and_app_key(client, login, make_account, make_user, make_journey):
    hz = make_account(AccountKind.isv, name="杭州测试科技有限公司")
    shop = make_account(AccountKind.seller, name="50%_Off Shop")
    hz_journey = make_journey(hz)
    shop_journey = make_journey(shop, state="released")
    db.session.add(
        App(account_id=shop.id, journey_id=shop_journey.id, app_key="87654321", name="Order sync")
    )
    login(make_user(Role.reviewer))

    def found(**args):
        page = client.get("/review/journeys", query_string=args).get_data(as_text=True)
        return {j.id for j in (hz_journey, shop_journey) if f"#{j.id} " in page}

    assert found() == {hz_journey.id, shop_journey.id}
    assert found(q="测试科技") == {hz_journey.id}
    assert found(q=hz.taobao_account_id.upper()) == {hz_journey.id}
    assert found(q="8765") == {shop_journey.id}
    assert found(q="50%_") == {shop_journey.id}
    assert found(q="5_%") == set()  # as wildcards these would match "50%_Off"
    assert found(state="released") == {shop_journey.id}
    assert "No journey matches" in client.get("/review/journeys?q=nothing").get_data(as_text=True)


def test_applicants_cannot_search(client, login, make_account, make_user):
    login(make_user(Role.applicant, make_account()))
    assert client.get("/review/journeys").status_code == 404
