"""The checker's advice on the desk's pages: in the reader's language by its key, English where
the report has no key the desk knows, escaped whatever the report's parameters say."""

from __future__ import annotations

import copy
import html
from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.apps.evidence_helpers import issue, sandbox_url, upload
from top.advice import ADVICE, DEFAULTS, advice, placeholders
from top.checker import run_check
from top.checkflow import BLOCKING, skipped_message
from top.evidence import EvidenceToken as Token
from top.evidence import build_payload, sign, sign_with_token
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from top.report import CheckReport, CheckResult
from workflow.apps.advice_text import SKIPPED, check_advice, check_message, known, translated
from workflow.apps.report_schema import ReportProblem, parse_report
from workflow.extensions import db
from workflow.models import Evidence

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
ENGLISH = {"Accept-Language": "en"}
WRONG_SECRET = "not-the-demo-secret"
SIGNATURE_ZH = "错误码 25：签名不匹配"
SIGNATURE_EN = "code 25: the signature does not match"


def _samples(template: str) -> dict[str, str | int]:
    return {
        name: 8080 if name in ("port", "code") else f"v-{name}" for name in placeholders(template)
    }


# --- the table ------------------------------------------------------------------------------


def test_the_desk_has_a_text_for_every_key_the_checker_gives(app):
    """Keys from top/advice.py's own table; in English each reads exactly as the CLI prints it."""
    assert ADVICE and [key for key in ADVICE if not known(key)] == []
    with app.test_request_context(headers=ENGLISH):
        for key, template in ADVICE.items():
            made = advice(key, **_samples(template))
            assert translated(key, made.params) == made.text, key
        # A parameter the checker did not know reads the way the CLI says it.
        assert translated("top.code.11", advice("top.code.11").params) == advice("top.code.11").text
        assert DEFAULTS["api"] in advice("top.code.11").text


def test_every_advice_reads_in_chinese_with_its_parameters(app):
    with app.test_request_context(headers=CHINESE):
        for key, template in ADVICE.items():
            made = advice(key, **_samples(template))
            chinese = translated(key, made.params)
            assert chinese and chinese != made.text, key
            assert all(str(value) in chinese for value in made.params.values()), (key, chinese)
        assert translated("top.code.11", {}).startswith("错误码 11：应用没有 该 API 的权限")
        both = translated("top.code.26+api.https-only", {"api": "taobao.trades.sold.get"})
        assert both.startswith("错误码 26：taobao.trades.sold.get 需要卖家会话")
        assert "；通过 http 调用" in both


def test_an_unknown_key_or_a_missing_parameter_shows_the_english(app):
    with app.test_request_context(headers=CHINESE):
        newer = {"advice": "advice from a newer checker", "advice_key": "net.new-failure",
                 "advice_params": {}}  # fmt: skip
        assert check_advice(newer) == "advice from a newer checker"
        short = {
            "advice": "cannot resolve gw.example",
            "advice_key": "net.dns",
            "advice_params": {},
        }
        assert check_advice(short) == "cannot resolve gw.example"
        old = {"advice": "an old report's advice"}
        assert check_advice(old) == "an old report's advice"
        assert check_advice({"advice": None, "advice_key": None}) is None


def test_a_skipped_steps_reason_reads_in_the_readers_language(app):
    """The reasons come from the checker's own table; other messages stay as the report has them."""
    assert set(SKIPPED) == set(BLOCKING)
    rows = [{"ok": False, "message": skipped_message(step)} for step in BLOCKING]
    with app.test_request_context(headers=ENGLISH):
        assert [check_message(row) for row in rows] == [row["message"] for row in rows]
    with app.test_request_context(headers=CHINESE):
        assert check_message(rows[0]) == "已跳过：DNS 解析失败"
        assert all(check_message(row).startswith("已跳过：") for row in rows)
        other = {"ok": False, "message": "gw.example resolves to 203.0.113.7"}
        assert check_message(other) == other["message"]


# --- the pages ------------------------------------------------------------------------------


def _signed(token: str, report: CheckReport) -> dict:
    return sign_with_token(report, Token.parse(token), host={"name": "host", "addresses": []})


def _failed_run(gateway) -> CheckReport:
    return run_check(sandbox_url(gateway), DEMO_APP_KEY, WRONG_SECRET, session=DEMO_SESSION)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_chinese_reader_sees_the_failed_checks_advice_in_chinese(collecting, gateway):
    journey, _, client = collecting
    signed = _signed(issue(client, journey), _failed_run(gateway))
    [failed] = [c for c in signed["payload"]["checks"] if c["name"] == "app_key_signature"]
    assert failed["advice_key"] == "top.code.25"
    assert upload(client, journey, signed).status_code == 302
    row = db.session.scalars(select(Evidence)).one()
    assert row.is_passing is False

    chinese = _text(client.get(f"/journeys/{journey.id}", headers=CHINESE))
    assert SIGNATURE_ZH in chinese and "AppSecret" in chinese
    assert SIGNATURE_EN not in chinese
    english = _text(client.get(f"/journeys/{journey.id}", headers=ENGLISH))
    assert SIGNATURE_EN in english and SIGNATURE_ZH not in english
    assert "Signature verified" in english  # the key and parameters are part of what is signed


def test_the_checker_page_shows_a_runs_advice_in_chinese(collecting, gateway):
    journey, _, client = collecting
    form = {"gateway": "stand-in-sandbox", "sign_method": "hmac-sha256",
            "app_secret": WRONG_SECRET, "session": DEMO_SESSION, "attach": "no"}  # fmt: skip
    page = client.post(f"/journeys/{journey.id}/check/sandbox", data=form, headers=CHINESE)
    assert page.status_code == 200
    assert SIGNATURE_ZH in _text(page) and SIGNATURE_EN not in _text(page)
    assert "已跳过：AppKey 与签名检查未通过" in _text(page)


def test_a_report_without_advice_keys_still_shows_its_english_advice(collecting, gateway):
    journey, _, client = collecting
    token = Token.parse(issue(client, journey))
    payload = copy.deepcopy(_signed(str(token), _failed_run(gateway))["payload"])
    for check in payload["checks"]:
        check.pop("advice_key", None), check.pop("advice_params", None)
    old_style = sign(payload, token.key, token.key_id)
    assert upload(client, journey, old_style).status_code == 302

    chinese = _text(client.get(f"/journeys/{journey.id}", headers=CHINESE))
    assert SIGNATURE_EN in chinese and SIGNATURE_ZH not in chinese
    assert "签名无法验证" not in chinese and "does not verify" not in chinese


def test_parameters_from_a_report_are_escaped_on_the_page(collecting, gateway):
    """An applicant signs what their host ran: a parameter may hold anything a string can."""
    journey, _, client = collecting
    token = issue(client, journey)
    report = run_check(sandbox_url(gateway), DEMO_APP_KEY, DEMO_APP_SECRET, session=DEMO_SESSION)
    hostile = "<img src=x onerror=alert(1)>.example"
    dns = replace(report.checks[0], ok=False, **advice("net.dns", host=hostile).fields())
    report = replace(report, checks=[dns, *report.checks[1:]])
    assert upload(client, journey, _signed(token, report)).status_code == 302

    raw = client.get(f"/journeys/{journey.id}", headers=CHINESE).get_data(as_text=True)
    assert "<img src=x" not in raw
    assert "无法解析 &lt;img src=x onerror=alert(1)&gt;.example——" in raw


def test_an_edited_advice_parameter_breaks_the_signature(collecting, gateway):
    journey, _, client = collecting
    signed = _signed(issue(client, journey), _failed_run(gateway))
    assert upload(client, journey, signed).status_code == 302
    row = db.session.scalars(select(Evidence)).one()
    edited = copy.deepcopy(row.report)
    [check] = [c for c in edited["payload"]["checks"] if c.get("advice_key") == "top.code.25"]
    check["advice_key"] = "top.code.10"
    row.report = edited
    db.session.commit()
    page = _text(client.get(f"/journeys/{journey.id}", headers=ENGLISH))
    assert "The signature does not verify" in page


# --- the schema -----------------------------------------------------------------------------


def _report_with(**fields) -> dict:
    check = CheckResult("tcp", False, message="refused", advice="an advice")
    payload = build_payload(
        CheckReport("https://gw.api.tbsandbox.com/router/rest", [check], app_key="12345678"),
        journey_id=1, stage="sandbox", source="host", host={"name": "h", "addresses": []},
    )  # fmt: skip
    payload["checks"][0].update(fields)
    return sign(payload, b"k" * 32, "token:0123456789abcdef")


def test_the_schema_reads_reports_with_and_without_keys():
    old = parse_report(_report_with()).payload.checks[0]
    assert (old.advice, old.advice_key, old.advice_params) == ("an advice", None, {})
    keyed = parse_report(
        _report_with(advice_key="net.refused", advice_params={"host": "gw", "port": 80})
    ).payload.checks[0]
    assert (keyed.advice_key, keyed.advice_params) == ("net.refused", {"host": "gw", "port": 80})
    both = parse_report(_report_with(advice_key="top.code.26+api.https-only", advice_params={}))
    assert both.payload.checks[0].advice_key == "top.code.26+api.https-only"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"advice_key": "Net DNS"}, "advice_key: “Net DNS” is not in the expected form"),
        ({"advice_key": "net.dns<b>"}, "is not in the expected form"),
        ({"advice_key": "net"}, "is not in the expected form"),
        ({"advice_key": "a.b" * 80}, "at most 200 characters"),
        ({"advice_key": 7}, "advice_key: expected text"),
        ({"advice_params": {"host": "gw"}}, "advice_params without an advice_key"),
        ({"advice_key": "net.dns", "advice": None}, "an advice_key without the advice's text"),
        ({"advice_key": "net.dns", "advice_params": []}, "advice_params: expected an object"),
        ({"advice_key": "net.dns", "advice_params": {"host": True}}, "expected text"),
        ({"advice_key": "net.dns", "advice_params": {"host": 1.5}}, "expected text"),
        ({"advice_key": "net.dns", "advice_params": {"host": {"a": 1}}}, "expected text"),
        ({"advice_key": "net.dns", "advice_params": {"host": "x" * 501}}, "at most 500"),
        ({"advice_key": "net.dns", "advice_params": {"port": 10**12}}, "out of range"),
        ({"advice_key": "net.dns", "advice_params": {"Host Name": "x"}}, "not in the expected"),
        ({"advice_key": "net.dns", "advice_params": {f"p{i}": i for i in range(9)}}, "at most 8"),
    ],
)
def test_the_schema_refuses_keys_and_parameters_out_of_bounds(fields, problem):
    with pytest.raises(ReportProblem) as refused:
        parse_report(_report_with(**fields))
    assert problem in refused.value.message
