"""The checker against the local gateway, one test per failure it diagnoses."""

import json
import re
from datetime import UTC, datetime, timedelta

from top.checker import run_check, run_checks_concurrently
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION

ALL_APIS = (
    "taobao.time.get",
    "taobao.trades.sold.get",
    "taobao.trades.sold.increment.get",
    "taobao.trade.fullinfo.get",
    "taobao.logistics.offline.send",
    "taobao.logistics.orders.detail.get",
    "taobao.logistics.trace.search",
)


def check(running_gateway, **overrides):
    kwargs = {
        "gateway": running_gateway.url,
        "app_key": DEMO_APP_KEY,
        "app_secret": DEMO_APP_SECRET,
        "sign_method": "hmac-sha256",
        "session": DEMO_SESSION,
        "apis": ALL_APIS,
        "timeout": 5,
        **overrides,
    }
    return run_check(**kwargs)


def names(report):
    return [result.name for result in report.checks]


def test_healthy_app_passes_every_check(gateway):
    report = check(gateway)
    assert report.ok, report.to_dict()
    assert names(report) == [
        "dns",
        "tcp",
        "http",
        "clock",
        "app_key_signature",
        "session",
        *(f"api:{api}" for api in ALL_APIS),
    ]
    assert report.check("session").message == "session accepted (seller tmall_global_demo_shop)"


def test_offline_send_is_only_probed_nothing_ships(gateway):
    before = [trade.status for trade in gateway.dataset.trades("tmall_global_demo_shop")]
    report = check(gateway, apis=["taobao.logistics.offline.send"])
    probe = report.check("api:taobao.logistics.offline.send")
    assert probe.ok and probe.code == 40
    assert "nothing was read or changed" in probe.message
    after = [trade.status for trade in gateway.dataset.trades("tmall_global_demo_shop")]
    assert before == after


def test_to_dict_shape_and_no_secret(gateway):
    report = check(gateway, app_secret="wrong-secret-value")
    body = report.to_dict()
    assert set(body) == {"gateway", "ok", "checks"}
    assert body["gateway"] == gateway.url and body["ok"] is False
    for item in body["checks"]:
        assert set(item) == {"name", "ok", "latency_ms", "code", "sub_code", "message", "advice"}
    assert "wrong-secret-value" not in json.dumps(body)


def test_wrong_secret_is_code_25(gateway):
    report = check(gateway, app_secret="not-the-secret")
    result = report.check("app_key_signature")
    assert (result.ok, result.code) == (False, 25)
    assert result.advice.startswith("code 25: the signature does not match")
    assert "UTF-8" in result.advice
    # The clock is still measured, from the HTTP Date header.
    assert report.check("clock").ok and "HTTP Date header" in report.check("clock").message
    assert report.check("session").message.startswith("skipped: the APP key and signature")


def test_unknown_app_key_is_code_29(gateway):
    result = check(gateway, app_key="99990000").check("app_key_signature")
    assert (result.ok, result.code, result.sub_code) == (False, 29, "isv.appkey-not-exists")
    assert "does not know APP key 99990000" in result.advice


def test_clock_skew_over_ten_minutes_is_code_31(gateway):
    def skewed_clock():
        return datetime.now(UTC) + timedelta(minutes=15)

    report = check(gateway, clock=skewed_clock)
    clock = report.check("clock")
    assert (clock.ok, clock.code) == (False, 31)
    assert "NTP" in clock.advice and "10 minutes" in clock.advice
    measured = re.search(r"this host is (\d+) s ahead of it", clock.message)
    assert measured and 895 <= int(measured.group(1)) <= 905
    assert report.check("app_key_signature").code == 31
    assert report.check("session").message.startswith("skipped:")


def test_small_skew_passes_with_a_warning(gateway):
    report = check(gateway, clock=lambda: datetime.now(UTC) - timedelta(minutes=3), apis=())
    clock = report.check("clock")
    assert clock.ok and "behind" in clock.message and "NTP" in clock.advice


def test_expired_session_is_code_27(gateway):
    gateway.faults.expire_session(DEMO_SESSION)
    report = check(gateway, apis=["taobao.trades.sold.get"])
    session = report.check("session")
    assert (session.ok, session.code) == (False, 27)
    assert "authorize the APP again" in session.advice
    assert report.check("api:taobao.trades.sold.get").code == 27


def test_api_not_granted_is_code_11(gateway):
    gateway.faults.refuse_api(DEMO_APP_KEY, "taobao.logistics.trace.search")
    report = check(gateway)
    refused = report.check("api:taobao.logistics.trace.search")
    assert (refused.ok, refused.code) == (False, 11)
    assert refused.advice.startswith(
        "code 11: the APP is not granted taobao.logistics.trace.search"
    )
    assert [r.name for r in report.checks if not r.ok] == ["api:taobao.logistics.trace.search"]


def test_session_check_falls_back_when_user_api_not_granted(gateway):
    gateway.faults.refuse_api(DEMO_APP_KEY, "taobao.user.seller.get")
    assert check(gateway, apis=()).check("session").ok


def test_rate_limit_is_code_7(gateway):
    gateway.faults.rate_limit(DEMO_APP_KEY, max_calls=0)
    report = check(gateway)
    limited = report.check("app_key_signature")
    assert (limited.ok, limited.code) == (False, 7)
    assert "call limit" in limited.advice
    assert "ban" in limited.message


def test_missing_session_is_reported_per_api(gateway):
    report = check(gateway, session=None, apis=["taobao.trades.sold.get", "taobao.time.get"])
    assert "session" not in names(report)
    assert report.check("api:taobao.trades.sold.get").code == 26
    assert "--session" in report.check("api:taobao.trades.sold.get").advice
    assert report.check("api:taobao.time.get").ok


def test_refused_connection(closed_port):
    report = run_check(f"http://127.0.0.1:{closed_port}/router/rest", "1", "secret", timeout=2)
    tcp = report.check("tcp")
    assert (tcp.ok, tcp.sub_code) == (False, "net.connection-refused")
    assert "refused the connection" in tcp.advice
    assert report.check("dns").ok
    skipped = report.checks[2:]
    assert skipped and all(r.message == "skipped: the TCP connection failed" for r in skipped)


def test_unresolvable_host():
    report = run_check("http://gw.top-checker-test.invalid/router/rest", "1", "secret", timeout=2)
    dns = report.check("dns")
    assert (dns.ok, dns.code, dns.sub_code) == (False, None, "net.name-not-resolved")
    assert "cannot resolve gw.top-checker-test.invalid" in dns.advice
    assert [r.message for r in report.checks[1:]] == ["skipped: DNS resolution failed"] * 4


def test_not_a_top_gateway(gateway):
    report = check(gateway, gateway=gateway.base_url + "/somewhere/else")
    http = report.check("http")
    assert (http.ok, http.sub_code) == (False, "http.not-a-top-gateway")
    assert "/router/rest" in http.advice


def test_an_api_without_a_probe_is_reported_not_checked_and_never_called(gateway):
    apis = ["taobao.item.delete", "taobao.item.seller.get"]
    report = check(gateway, apis=apis)
    for method in apis:
        result = report.check(f"api:{method}")
        assert result.ok and result.latency_ms is None and result.sub_code == "checker.no-probe"
        assert result.message.startswith(f"not checked: the checker has no probe for {method}")
        assert "by hand against the sandbox" in result.advice
    # The APP may use any TOP API: one the checker cannot prove is no failure.
    assert report.ok


def test_concurrent_checks_keep_order(gateway):
    jobs = [
        {"gateway": gateway.url, "app_key": DEMO_APP_KEY, "app_secret": secret, "timeout": 5}
        for secret in (DEMO_APP_SECRET, "bad-secret", DEMO_APP_SECRET)
    ]
    reports = run_checks_concurrently(jobs, max_workers=3)
    assert [report.ok for report in reports] == [True, False, True]
    assert reports[1].check("app_key_signature").code == 25


def test_untrusted_certificate_fails_tls(tls_gateway):
    gateway, _ = tls_gateway
    report = check(gateway, apis=())
    tls = report.check("tls")
    assert (tls.ok, tls.sub_code) == (False, "tls.certificate-invalid")
    assert "CA certificates" in tls.advice
    assert report.check("http").message == "skipped: the TLS handshake failed"


def test_trusted_certificate_passes_tls(tls_gateway):
    gateway, ca_file = tls_gateway
    report = check(gateway, apis=["taobao.time.get"], ca_file=ca_file)
    assert report.ok, report.to_dict()
    assert "certificate valid" in report.check("tls").message
