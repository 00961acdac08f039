import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from top.cli import top_group
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.delenv("TOP_APP_SECRET", raising=False)
    return CliRunner()


def invoke(runner, args, secret=DEMO_APP_SECRET):
    env = {"TOP_APP_SECRET": secret} if secret else {}
    return runner.invoke(top_group, args, env=env)


def check_args(gateway, *extra):
    return ["check", "--gateway", gateway.url, "--app-key", DEMO_APP_KEY, *extra]


def test_all_ok_exits_0_with_a_table(runner, gateway):
    args = check_args(gateway, "--session", DEMO_SESSION, "--api", "taobao.trades.sold.get")
    result = invoke(runner, args)
    assert result.exit_code == 0, result.output
    assert f"TOP check of APP {DEMO_APP_KEY} at {gateway.url}" in result.output
    assert "api:taobao.trades.sold.get" in result.output
    assert result.output.rstrip().endswith("Result: OK")
    assert DEMO_APP_SECRET not in result.output


def test_json_is_one_report_object(runner, gateway):
    result = invoke(runner, check_args(gateway, "--json", "--sign-method", "md5"))
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) == {"gateway", "ok", "checks"}
    assert body["ok"] is True
    assert [check["name"] for check in body["checks"]] == [
        "dns",
        "tcp",
        "http",
        "clock",
        "app_key_signature",
    ]


def test_failure_exits_1_with_advice_and_no_secret(runner, gateway):
    result = invoke(runner, check_args(gateway), secret="a-wrong-secret-1234")
    assert result.exit_code == 1
    assert "code 25" in result.output
    assert "advice: code 25: the signature does not match" in result.output
    assert "FAILED" in result.output
    assert "a-wrong-secret-1234" not in result.output


def test_secret_file(runner, gateway, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(DEMO_APP_SECRET + "\n")
    result = invoke(runner, check_args(gateway, "--app-secret-file", str(secret_file)), None)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--gateway", "sandbox", "--app-key", "1"], "no APP secret"),
        (["check", "--gateway", "sandbox"], "--app-key"),
        (["check", "--gateway", "ftp://x", "--app-key", "1"], "gateway must be one of"),
        (["check", "--gateway", "sandbox", "--app-key", "1", "--sign-method", "sha1"], "sha1"),
        (["check", "--gateway", "sandbox", "--app-key", "1", "--app-secret", "s3"], "No such"),
    ],
)
def test_usage_errors_exit_2(runner, args, message):
    result = runner.invoke(top_group, args)
    assert result.exit_code == 2
    assert message in result.output


def test_apps_file_json_checks_each_app(runner, gateway, tmp_path, monkeypatch):
    gateway.add_app("22223333", "second-app-secret")
    (tmp_path / "second.secret").write_text("second-app-secret")
    monkeypatch.setenv("FIRST_APP_SECRET", DEMO_APP_SECRET)
    apps = [
        {
            "app_key": DEMO_APP_KEY,
            "secret_env": "FIRST_APP_SECRET",
            "session": DEMO_SESSION,
            "apis": ["taobao.trades.sold.get"],
        },
        {"app_key": "22223333", "secret_file": "second.secret", "sign_method": "hmac"},
        {"app_key": "44445555", "secret_env": "FIRST_APP_SECRET"},
    ]
    apps_file = tmp_path / "apps.json"
    apps_file.write_text(json.dumps(apps))
    result = invoke(
        runner, ["check", "--gateway", gateway.url, "--apps-file", str(apps_file), "--json"], None
    )
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert [app["app_key"] for app in body["apps"]] == [DEMO_APP_KEY, "22223333", "44445555"]
    assert [app["report"]["ok"] for app in body["apps"]] == [True, True, False]
    assert "second-app-secret" not in result.output and DEMO_APP_SECRET not in result.output


def test_apps_file_csv(runner, gateway, tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_SECRET", DEMO_APP_SECRET)
    apps_file = tmp_path / "apps.csv"
    apps_file.write_text(
        "app_key,secret_env,session,apis\n"
        f"{DEMO_APP_KEY},DEMO_SECRET,{DEMO_SESSION},taobao.trades.sold.get;taobao.time.get\n"
    )
    result = invoke(
        runner, ["check", "--gateway", gateway.url, "--apps-file", str(apps_file)], None
    )
    assert result.exit_code == 0, result.output
    assert "api:taobao.time.get" in result.output


def test_apps_file_refuses_inline_secrets(runner, tmp_path):
    apps_file = tmp_path / "apps.json"
    apps_file.write_text(json.dumps([{"app_key": "1", "secret": "inline"}]))
    result = runner.invoke(
        top_group, ["check", "--gateway", "sandbox", "--apps-file", str(apps_file)]
    )
    assert result.exit_code == 2
    assert "secret_env or secret_file" in result.output
    assert "inline" not in result.output


def test_gateway_command_help(runner):
    result = runner.invoke(top_group, ["gateway", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--apps-file" in result.output


def test_gateway_command_serves_the_demo_app(closed_port):
    """``top gateway`` in its own process, then ``top check`` against it."""
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "top.cli", "gateway", "--port", str(closed_port)]
    server = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        banner = server.stdout.readline()
        apps_line = server.stdout.readline()
        assert banner.strip() == f"TOP gateway: http://127.0.0.1:{closed_port}/router/rest"
        runner = CliRunner()
        result = runner.invoke(
            top_group,
            ["check", "--gateway", banner.split()[-1], "--app-key", DEMO_APP_KEY, "--json"],
            env={"TOP_APP_SECRET": DEMO_APP_SECRET},
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["ok"] is True
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=10)
    assert DEMO_APP_SECRET not in banner + apps_line + rest
    assert apps_line.strip() == "APP keys: 12345678"


def test_rules_flag_adds_the_usage_rule_checks(runner, gateway):
    args = check_args(
        gateway, "--session", DEMO_SESSION, "--api", "taobao.trades.sold.increment.get",
        "--rules", "--json",
    )  # fmt: skip
    result = invoke(runner, args)
    assert result.exit_code == 0, result.output
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    rule = checks["rule:taobao.trades.sold.increment.get:one-day"]
    assert (rule["ok"], rule["code"]) == (True, 41)
    assert "one-day slices" in rule["advice"]
