"""Each advice of the checker has a key and parameters beside its English, from one table."""

import re

from top import rules
from top.advice import ADVICE, advice, error_advice, placeholders
from top.checker import _scrub, run_check
from top.checkflow import CheckRun
from top.errors import TopError
from top.evidence import ADVICE_KEY_PATTERN, build_payload
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION
from top.report import CheckReport, CheckResult

SOLD = "taobao.trades.sold.get"


def test_every_key_has_the_shape_reports_carry_and_every_template_formats():
    for key, template in ADVICE.items():
        assert re.match(ADVICE_KEY_PATTERN, key), key
        values = {name: f"<{name}>" for name in placeholders(template)}
        made = advice(key, **values)
        assert made.key == key and made.params == values
        assert "{" not in made.text and "}" not in made.text, key


def test_a_wrong_secret_gives_code_25_by_its_key(gateway):
    report = run_check(gateway.url, DEMO_APP_KEY, "not-the-secret", session=DEMO_SESSION)
    signature = report.check("app_key_signature")
    assert (signature.advice_key, signature.advice_params) == ("top.code.25", {})
    assert signature.advice == ADVICE["top.code.25"]
    assert report.check("dns").advice_key is None and report.check("dns").advice is None


def test_the_parameters_are_what_the_english_was_formatted_with():
    report = run_check("http://gw.top-advice-test.invalid/router/rest", "1", "secret", timeout=2)
    dns = report.check("dns")
    assert (dns.advice_key, dns.advice_params) == (
        "net.dns",
        {"host": "gw.top-advice-test.invalid"},
    )
    assert dns.advice.startswith("cannot resolve gw.top-advice-test.invalid — check the gateway")


def test_refused_connection_names_host_and_port(closed_port):
    report = run_check(f"http://127.0.0.1:{closed_port}/router/rest", "1", "secret", timeout=2)
    tcp = report.check("tcp")
    assert tcp.advice_key == "net.refused"
    assert tcp.advice_params == {"host": "127.0.0.1", "port": closed_port}


def test_advice_in_two_parts_joins_both_keys(gateway):
    """Over http, a customer API's advice gains the https warning: two keys, one English text."""
    report = run_check(gateway.url, DEMO_APP_KEY, DEMO_APP_SECRET, apis=[SOLD])
    sold = report.check(f"api:{SOLD}")
    assert sold.advice_key == "top.code.26+api.https-only"
    assert sold.advice_params == {"api": SOLD}
    assert sold.advice == (
        f"code 26: {SOLD} needs a seller session — pass --session with a session key from the "
        f"seller's authorization of the APP; called over http, but {SOLD} needs the customer's "
        "authorization and TOP serves it over https only (guide §3.1 a): use an https:// gateway "
        "such as https://eco.taobao.com/router/rest"
    )
    granted = run_check(
        gateway.url, DEMO_APP_KEY, DEMO_APP_SECRET, session=DEMO_SESSION, apis=[SOLD]
    )
    assert granted.check(f"api:{SOLD}").advice_key == "api.https-only"


def test_a_broken_rule_is_keyed_by_the_rule():
    error = TopError(41, "isv.invalid-parameter:start_created", sub_msg="too old")
    made = error_advice(error, api=SOLD)
    assert (made.key, made.params) == (f"rule.{SOLD}.three-months.broken", {"code": 41})
    assert made.text.startswith(f"code 41: {SOLD} reaches back 3 months only")
    other = error_advice(TopError(99, "isp.down", msg="Odd failure"))
    assert (other.key, other.params) == (
        "top.code.other.retryable",
        {"code": 99, "msg": "Odd failure"},
    )
    assert other.text == "code 99: Odd failure — it is server-side and can be retried"
    unknown_api = error_advice(TopError(11))
    assert (unknown_api.key, unknown_api.params) == ("top.code.11", {})
    assert "not granted the API" in unknown_api.text


def test_a_rule_outside_the_table_keeps_its_english_without_a_key(demo_client):
    lenient = rules.UsageRule(SOLD, "lenient", "§4.1", "A rule.", "keep to the rule",
                              ("isv.invalid-parameter:start_created",),
                              lambda now: {"fields": "tid", "page_size": 1})  # fmt: skip
    result = CheckRun(demo_client, [SOLD], timeout=5, ca_file=None, rules=True).rule(lenient)
    assert result.advice.startswith("keep to the rule; this gateway does not refuse")
    assert (result.advice_key, result.advice_params) == (None, {})


def test_the_rules_pass_keys_each_rule(gateway):
    report = run_check(
        gateway.url, DEMO_APP_KEY, DEMO_APP_SECRET, session=DEMO_SESSION,
        apis=["taobao.trades.sold.increment.get"], rules=True,
    )  # fmt: skip
    one_day = report.check("rule:taobao.trades.sold.increment.get:one-day")
    assert one_day.ok and one_day.advice_key == "rule.taobao.trades.sold.increment.get.one-day"
    assert one_day.advice == ADVICE[one_day.advice_key]


def test_evidence_carries_key_and_parameters_only_where_advice_has_a_key():
    checks = [
        CheckResult("dns", True, 1.0, message="resolves"),
        CheckResult("tcp", False, sub_code="net.refused", message="refused",
                    **advice("net.refused", host="gw.example", port=80).fields()),
        CheckResult("tls", False, message="odd", advice="an English-only hint"),
    ]  # fmt: skip
    report = CheckReport("https://gw.example/router/rest", checks, app_key="12345678")
    payload = build_payload(report, journey_id=1, stage="sandbox", source="host", host={})
    dns, tcp, tls = payload["checks"]
    assert "advice_key" not in dns and "advice_key" not in tls
    assert tcp["advice_key"] == "net.refused"
    assert tcp["advice_params"] == {"host": "gw.example", "port": 80}
    assert set(report.to_dict()["checks"][1]) == {
        "name", "ok", "latency_ms", "code", "sub_code", "message", "advice"
    }  # fmt: skip


def test_no_parameter_echoes_the_secret():
    secret = "s3cret-value-123"
    leaked = CheckResult(
        "api:x", False, **error_advice(TopError(41, sub_msg=f"bad {secret}")).fields()
    )
    scrubbed = _scrub(leaked, secret)
    assert secret not in scrubbed.advice and secret not in str(scrubbed.advice_params)
    assert scrubbed.advice_params == {"sub_msg": "bad ***"}
