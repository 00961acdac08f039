"""Signed evidence on the checker's side: canonical form, tokens, gateways, the CLI, no Flask."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from top.cli import top_group
from top.evidence import (
    EvidenceToken,
    canonical_json,
    classify_gateway,
    mac,
    signature_matches,
    stand_in_url,
)
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET

TOKEN = "tev1.42.cloud.0123456789abcdef." + "A" * 43
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("url", "environment", "stand_in"),
    [
        ("https://gw.api.tbsandbox.com/router/rest", "sandbox", False),
        ("http://gw.api.tbsandbox.com/router/rest", "sandbox", False),
        ("https://gw.api.taobao.com/router/rest", "production", False),
        ("https://eco.taobao.com/router/rest", "production", False),
        ("https://api.taobao.com/router/rest", "production", False),
        ("https://GW.API.TAOBAO.COM./router/rest", "production", False),
        ("https://gw.api.taobao.com.evil.example/router/rest", "other", False),
        ("https://gw.api.taobao.com/elsewhere", "other", False),
        ("http://127.0.0.1:8600/router/rest", "other", False),
        ("http://127.0.0.1:8600/stand-in/sandbox/router/rest", "sandbox", True),
        ("http://127.0.0.1:8600/stand-in/production/router/rest", "production", True),
        ("https://gw.api.taobao.com/stand-in/sandbox/router/rest", "other", False),
    ],
)
def test_gateway_classification(url, environment, stand_in):
    kind = classify_gateway(url)
    assert (kind.environment, kind.is_stand_in) == (environment, stand_in)


def test_stand_in_names_live_on_the_local_gateway():
    assert stand_in_url("http://127.0.0.1:8600/router/rest", "production") == (
        "http://127.0.0.1:8600/stand-in/production/router/rest"
    )


def test_canonical_form_is_sorted_compact_utf8_and_refuses_nan():
    assert canonical_json({"b": 1, "a": ["天猫", 1.5, None]}) == (
        '{"a":["天猫",1.5,null],"b":1}'.encode()
    )
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_signature_covers_every_payload_field():
    payload = {"journey_id": 1, "checks": [{"name": "dns", "ok": True}]}
    envelope = {"payload": payload, "signature": {"value": mac(b"k", payload)}}
    assert signature_matches(envelope, b"k")
    assert not signature_matches(envelope, b"another key")
    envelope["payload"]["checks"][0]["ok"] = False
    assert not signature_matches(envelope, b"k")


def test_token_parses_and_prints_back():
    token = EvidenceToken.parse(f"  {TOKEN}\n")
    assert (token.journey_id, token.stage, token.token_id) == (42, "cloud", "0123456789abcdef")
    assert str(token) == TOKEN and token.key_id == "token:0123456789abcdef"
    for bad in ("", "tev1.42.cloud.0123", TOKEN.replace("cloud", "moon"), TOKEN + "x"):
        with pytest.raises(ValueError, match="not an evidence token"):
            EvidenceToken.parse(bad)


def test_cli_token_run_writes_a_signed_report(gateway, tmp_path):
    out = tmp_path / "e.json"
    result = CliRunner().invoke(
        top_group,
        ["check", "--gateway", stand_in_url(gateway.url, "sandbox"), "--app-key", DEMO_APP_KEY,
         "--evidence-token", TOKEN.replace("cloud", "sandbox"), "--output", str(out)],
        env={"TOP_APP_SECRET": DEMO_APP_SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    signed = json.loads(out.read_text())
    payload = signed["payload"]
    assert (payload["journey_id"], payload["stage"], payload["source"]) == (42, "sandbox", "host")
    assert payload["environment"] == "sandbox" and payload["is_stand_in"] is True
    assert payload["gateway_address"] == "127.0.0.1" and payload["host"]["name"]
    assert signature_matches(signed, EvidenceToken.parse(TOKEN.replace("cloud", "sandbox")).key)
    assert DEMO_APP_SECRET not in out.read_text() and DEMO_APP_SECRET not in result.output
    assert f"written to {out}" in result.output


def test_cli_refuses_a_bad_token_or_many_apps(gateway, tmp_path):
    runner = CliRunner()
    env = {"TOP_APP_SECRET": DEMO_APP_SECRET}
    base = ["check", "--gateway", gateway.url, "--app-key", DEMO_APP_KEY]
    bad = runner.invoke(top_group, [*base, "--evidence-token", "nope"], env=env)
    assert bad.exit_code == 2 and "not an evidence token" in bad.output
    apps = tmp_path / "apps.json"
    apps.write_text(json.dumps([{"app_key": DEMO_APP_KEY, "secret_env": "TOP_APP_SECRET"}]))
    many = runner.invoke(
        top_group, [*base, "--apps-file", str(apps), "--evidence-token", TOKEN], env=env
    )
    assert many.exit_code == 2 and "an evidence token is for one APP" in many.output


def test_python_m_top_runs_without_flask():
    code = (
        "import sys, runpy; sys.argv = ['top', 'check', '--help'];\n"
        "try:\n    runpy.run_module('top', run_name='__main__')\n"
        "except SystemExit: pass\n"
        "assert 'flask' not in sys.modules, 'top imported Flask'\n"
        "print('no flask')"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "--evidence-token" in run.stdout and "no flask" in run.stdout
