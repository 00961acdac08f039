"""A refused report's problem reads in the language of whoever is shown it; stored evidence that
is not a report is still told apart (unsigned or malformed) whatever the language."""

from __future__ import annotations

import html

import pytest

from tests.apps.evidence_helpers import upload
from top.evidence import build_payload, sign
from top.report import CheckReport, CheckResult
from workflow.apps.provenance import verdict_of
from workflow.apps.report_schema import ReportProblem, load_json, parse_report
from workflow.extensions import db
from workflow.i18n import english, force_locale


def _signed(**payload_fields) -> dict:
    check = CheckResult("tcp", False, message="refused", advice="an advice")
    payload = build_payload(
        CheckReport("https://gw.api.tbsandbox.com/router/rest", [check], app_key="12345678"),
        journey_id=1, stage="sandbox", source="host", host={"name": "h", "addresses": []},
    )  # fmt: skip
    payload.update(payload_fields)
    return sign(payload, b"k" * 32, "token:0123456789abcdef")


def _problem(value) -> ReportProblem:
    with pytest.raises(ReportProblem) as refused:
        parse_report(value)
    return refused.value


@pytest.mark.parametrize(
    ("report", "chinese", "in_english"),
    [
        (_signed(environment="staging"),
         "report.payload.environment：应为sandbox或production或other，而不是“staging”。",
         "report.payload.environment: expected sandbox or production or other, not “staging”."),
        (_signed(journey_id="7"),
         "report.payload.journey_id：应为整数，而不是文本 “7”。",
         "report.payload.journey_id: expected a whole number, not the text “7”."),
        (_signed(checks=[]),
         "report.payload.checks：应有 1 至 64 项，而不是 0 项。",
         "report.payload.checks: expected 1 to 64 items, not 0."),
        ({"format": "top-evidence/1", "payload": [], "signature": None},
         "report.payload：应为对象，而不是列表。",
         "report.payload: expected an object, not a list."),
    ],
)  # fmt: skip
def test_a_problem_reads_in_the_current_language(app, report, chinese, in_english):
    problem = _problem(report)
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert problem.message == chinese
    with app.test_request_context():
        assert problem.message == in_english
    assert english(problem._message) == in_english


def test_strict_json_problems_read_in_chinese(app):
    with pytest.raises(ReportProblem) as twice:
        load_json(b'{"a": 1, "a": 2}')
    with pytest.raises(ReportProblem) as not_utf8:
        load_json(b"\xff\xfe")
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert twice.value.message == "该 JSON 两次出现字段 “a”。"
        assert not_utf8.value.message.startswith("该文件不是 UTF-8 文本")


def test_unsigned_and_malformed_are_told_apart_in_any_language(app):
    unsigned = {"ok": False, "checks": [{"name": "dns", "ok": False}]}
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        verdict, _ = verdict_of(unsigned)
        assert verdict.status == "unsigned" and str(verdict.message).startswith("该报告未签名")
        assert verdict_of([])[0].status == "malformed"


def test_an_upload_refused_in_chinese_names_its_problem_in_chinese(collecting):
    journey, applicant, client = collecting
    applicant.language = "zh_Hans_CN"
    db.session.commit()
    response = upload(client, journey, {"ok": "false", "checks": []})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "该报告未签名。请使用 --evidence-token 运行检查工具" in page
    assert "This report is not signed" not in page
