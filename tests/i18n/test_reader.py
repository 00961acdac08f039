"""The reader's choices: the language switch in the top bar, and the zone their times show in."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from tests.support import PASSWORD
from workflow.extensions import db
from workflow.models import AccountKind, Role, User

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_browser_language_is_the_first_default(client, database):
    page = _text(client.get("/login", headers=CHINESE))
    assert "登录" in page and "TOP 入驻服务台" in page
    assert '<html lang="zh-Hans-CN">' in client.get("/login", headers=CHINESE).get_data(True)
    assert "Sign in" in _text(client.get("/login"))


def test_the_switch_keeps_an_anonymous_choice_in_the_session(client, database):
    page = client.get("/login").get_data(as_text=True)
    assert 'action="/language"' in page and 'name="next" value="/login"' in page
    response = client.post("/language", data={"language": "zh_Hans_CN", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "忘记密码" in _text(client.get("/login"))
    client.post("/language", data={"language": "en", "next": "/login"}, headers=CHINESE)
    assert "Forgotten your password?" in _text(client.get("/login", headers=CHINESE))


def test_a_signed_in_choice_is_stored_on_the_user(app, make_account, make_user, login):
    applicant = make_user(Role.applicant, make_account(AccountKind.seller))
    client = login(applicant)
    response = client.post("/language", data={"language": "zh_Hans_CN", "next": "/journeys"})
    assert response.status_code == 302 and response.headers["Location"] == "/journeys"
    assert db.session.get(User, applicant.id).language == "zh_Hans_CN"
    # Another browser, with an English Accept-Language, signs in and reads Chinese.
    other = app.test_client()
    other.post("/login", data={"email": applicant.email, "password": PASSWORD})
    page = _text(other.get("/journeys", headers={"Accept-Language": "en"}))
    assert "退出登录" in page and "我的入驻" in page


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:1"]
)
def test_the_switch_never_leaves_the_site(client, database, target):
    response = client.post("/language", data={"language": "zh_Hans_CN", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_language_is_refused_in_words(client, database):
    response = client.post(
        "/language", data={"language": "xx", "next": "/login"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "The language could not be changed" in _text(response)
    assert "Sign in" in _text(response)


def _dashboard_time(client) -> str:
    return _text(client.get("/journeys"))


@pytest.fixture
def journey_at_a_known_time(make_account, make_user, make_journey):
    account = make_account(AccountKind.seller)
    applicant = make_user(Role.applicant, account)
    journey = make_journey(account, applicant)
    journey.state_changed_at = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)
    db.session.commit()
    return applicant


def test_times_show_in_the_users_zone_with_the_zone_named(journey_at_a_known_time, login):
    applicant = journey_at_a_known_time
    client = login(applicant)
    assert "since 2026-01-15 02:30 UTC" in _dashboard_time(client)
    response = client.post("/account/time-zone", data={"time_zone": "Asia/Shanghai"})
    assert response.status_code == 302
    assert db.session.get(User, applicant.id).time_zone == "Asia/Shanghai"
    assert "since 2026-01-15 10:30 China Standard Time" in _dashboard_time(client)
    client.post("/account/time-zone", data={"time_zone": "Europe/London"})
    assert "since 2026-01-15 02:30 Greenwich Mean Time" in _dashboard_time(client)
    client.post("/language", data={"language": "zh_Hans_CN"})
    client.post("/account/time-zone", data={"time_zone": "Asia/Shanghai"})
    assert "2026年1月15日 10:30 中国标准时间" in _dashboard_time(client)


def test_the_settings_page_offers_the_zones_and_refuses_an_unknown_one(
    make_user, make_account, login
):
    applicant = make_user(Role.applicant, make_account())
    client = login(applicant)
    page = client.get("/account/settings").get_data(as_text=True)
    assert '<option selected value="UTC">UTC</option>' in page
    assert '<option value="Europe/London">Europe/London</option>' in page
    response = client.post(
        "/account/time-zone", data={"time_zone": "Mars/Olympus_Mons"}, follow_redirects=True
    )
    assert "Your time zone is not saved: Time zone: Choose a time zone from the list." in _text(
        response
    )
    assert db.session.get(User, applicant.id).time_zone is None


def test_staff_start_in_hangzhou(make_user, login):
    reviewer = make_user(Role.reviewer)
    page = login(reviewer).get("/account/settings").get_data(as_text=True)
    assert '<option selected value="Asia/Shanghai">Asia/Shanghai</option>' in page
    assert 'id="time-zone-report"' not in page


def test_the_browser_reports_an_applicants_zone_once(make_user, make_account, login):
    applicant = make_user(Role.applicant, make_account())
    client = login(applicant)
    assert 'id="time-zone-report"' in client.get("/journeys").get_data(as_text=True)
    detected = {"time_zone": "America/New_York", "detected": "yes"}
    assert client.post("/account/time-zone", data=detected).status_code == 204
    assert db.session.get(User, applicant.id).time_zone == "America/New_York"
    assert 'id="time-zone-report"' not in client.get("/journeys").get_data(as_text=True)
    # A later report never replaces what is set.
    again = {"time_zone": "Asia/Tokyo", "detected": "yes"}
    assert client.post("/account/time-zone", data=again).status_code == 204
    assert db.session.get(User, applicant.id).time_zone == "America/New_York"
    bad = {"time_zone": "Nowhere/Else", "detected": "yes"}
    assert client.post("/account/time-zone", data=bad).status_code == 400


def test_a_staff_browser_report_leaves_the_hangzhou_default(make_user, login):
    reviewer = make_user(Role.reviewer)
    client = login(reviewer)
    client.post("/account/time-zone", data={"time_zone": "Europe/Paris", "detected": "yes"})
    assert db.session.get(User, reviewer.id).time_zone is None


def test_durations_and_sizes_read_in_the_language(app):
    from workflow.ui import file_size, waited

    since = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime(2026, 1, 4, 5, 7, tzinfo=UTC)
    with app.test_request_context(headers=CHINESE):
        assert waited(since, now) == "3 天 5 小时"
        assert waited(since, since.replace(hour=2, minute=9)) == "2 小时 9 分钟"
        assert file_size(1) == "1 字节" and file_size(2_000_000) == "1.9 MB"
    with app.test_request_context():
        assert waited(since, now) == "3 d 5 h"
        assert file_size(1) == "1 byte" and file_size(812) == "812 bytes"
        assert file_size(5_000) == "4.9 KB"


def test_form_errors_and_flashes_read_in_chinese(client, database):
    response = client.post("/login", data={"email": "", "password": ""}, headers=CHINESE)
    page = _text(response)
    assert "邮箱" in page and "该字段是必填字段。" in page
    client.post("/language", data={"language": "zh_Hans_CN"})
    response = client.post(
        "/login",
        data={"email": "nobody@example.com", "password": "wrong password"},
        follow_redirects=True,
    )
    assert "邮箱或密码不正确。" in _text(response)


def test_the_staff_pages_read_in_chinese(make_user, login):
    admin = make_user(Role.admin)
    client = login(admin)
    client.post("/language", data={"language": "zh_Hans_CN"})
    users = _text(client.get("/admin/users"))
    assert "邀请用户" in users and "管理员" in users and "发送邀请" in users
    queue = _text(client.get("/review/"))
    assert "审核队列" in queue and "暂无待审核的项目。" in queue
    reports = _text(client.get("/reports/"))
    assert "各阶段当前入驻数" in reports and "截至" in reports and "中国标准时间" in reports


def test_a_language_chosen_before_signing_in_becomes_the_users(client, make_user, make_account):
    applicant = make_user(Role.applicant, make_account())
    db.session.commit()
    client.post("/language", data={"language": "zh_Hans_CN", "next": "/login"})
    client.post("/login", data={"email": applicant.email, "password": PASSWORD})
    assert db.session.get(User, applicant.id).language == "zh_Hans_CN"
