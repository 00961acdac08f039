"""`make run` serves the desk through gunicorn and mails links to the port it serves on."""

from __future__ import annotations

import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
WAIT_FOR_DESK = ROOT / "scripts" / "wait_for_desk.py"


def make_dry_run(target: str, *args: str, **env: str) -> str:
    """What `make TARGET ARGS` would run, without running it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    environ.pop("ONBOARDING_PUBLIC_BASE_URL", None)
    environ.update(env)
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", target, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def exported(output: str, name: str) -> set[str]:
    return set(re.findall(rf"{name}='([^']*)'", output))


def test_make_run_mails_links_to_the_port_it_serves():
    output = make_dry_run("run", "PORT=5101", "GATEWAY_PORT=8611")
    assert exported(output, "ONBOARDING_PUBLIC_BASE_URL") == {"http://127.0.0.1:5101"}
    assert exported(output, "ONBOARDING_TOP_GATEWAY_URL") == {"http://127.0.0.1:8611/router/rest"}
    # The demo seed queues mail too, so it runs with the same base URL as the servers.
    export_at = output.index("export ONBOARDING_PUBLIC_BASE_URL='http://127.0.0.1:5101'")
    assert export_at < output.index("demo seed") < output.index("gunicorn --config")


def test_make_run_keeps_a_public_base_url_that_is_already_set():
    output = make_dry_run("run", "PORT=5101", ONBOARDING_PUBLIC_BASE_URL="https://desk.example.com")
    assert exported(output, "ONBOARDING_PUBLIC_BASE_URL") == {"https://desk.example.com"}


def test_make_run_on_every_interface_links_to_loopback():
    output = make_dry_run("run", "HOST=0.0.0.0", "PORT=5102")
    assert exported(output, "ONBOARDING_PUBLIC_BASE_URL") == {"http://127.0.0.1:5102"}
    assert "HOST=0.0.0.0 PORT=5102" in output  # gunicorn still listens everywhere


def test_make_run_uses_gunicorn_and_make_dev_the_reloader():
    run = make_dry_run("run", "PORT=5101")
    assert "gunicorn --config gunicorn.conf.py" in run
    assert " run --" not in run  # no `flask run` anywhere
    dev = make_dry_run("dev", "PORT=5101")
    assert "--app app run --debug --host 127.0.0.1 --port 5101" in dev
    assert "gunicorn" not in dev


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_follow_the_cores_unless_web_concurrency_says(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    settings = gunicorn_settings(monkeypatch)
    assert settings["workers"] == 2 * cores + 1
    assert settings["bind"] == "127.0.0.1:5000"
    assert (settings["accesslog"], settings["errorlog"]) == ("-", "-")
    settings = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", HOST="0.0.0.0", PORT="5105")
    assert (settings["workers"], settings["bind"]) == (3, "0.0.0.0:5105")
    assert gunicorn_settings(monkeypatch, HOST="::", PORT="5106")["bind"] == "[::]:5106"
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY='many' is not a whole number"):
        gunicorn_settings(monkeypatch, WEB_CONCURRENCY="many")
    with pytest.raises(SystemExit, match="GUNICORN_TIMEOUT='0' must be positive"):
        gunicorn_settings(monkeypatch, GUNICORN_TIMEOUT="0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(tmp_path: Path, port: int, **env: str) -> subprocess.Popen:
    environ = dict(os.environ)
    for name in ("DATABASE_URL", "GUNICORN_CMD_ARGS", "WEB_CONCURRENCY"):
        environ.pop(name, None)
    environ.update(
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        ONBOARDING_INSTANCE_PATH=str(tmp_path),
        ONBOARDING_SECRET_KEY="gunicorn-test-secret",
        **env,
    )
    return subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_desk(url: str, server: subprocess.Popen) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(WAIT_FOR_DESK), url, "--pid", str(server.pid)]
        + ["--config", str(ROOT / "gunicorn.conf.py"), "--timeout", "180"],
        cwd=ROOT,
        env={**os.environ, "WEB_CONCURRENCY": "2"},
        capture_output=True,
        text=True,
        timeout=240,
    )


def stop(server: subprocess.Popen) -> tuple[str, str]:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    return server.communicate(timeout=120)


def test_gunicorn_serves_the_desk_with_its_checked_in_config(tmp_path):
    port = free_port()
    server = start_gunicorn(tmp_path, port)
    try:
        waited = wait_for_desk(f"http://127.0.0.1:{port}/login", server)
        assert waited.returncode == 0, waited.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=30) as response:
            assert response.status == 200
            assert "Sign in" in response.read().decode()
    finally:
        out, err = stop(server)
    assert server.returncode == 0, err
    # Requests go to stdout, one line each; start-up and shutdown to stderr.
    assert len(re.findall(r'"GET /login HTTP/1.1" 200 ', out)) == 2
    assert f"Listening at: http://127.0.0.1:{port}" in err
    assert err.count("Booting worker") == 2
    assert "development server" not in (out + err).lower()


def test_gunicorn_stops_with_the_one_line_configuration_error(tmp_path):
    port = free_port()
    server = start_gunicorn(tmp_path, port, ONBOARDING_MAX_UPLOAD_BYTES="lots")
    waited = wait_for_desk(f"http://127.0.0.1:{port}/login", server)
    out, err = stop(server)
    assert waited.returncode == 1
    assert "the desk did not start" in waited.stderr
    assert server.returncode != 0
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("configuration error: ONBOARDING_MAX_UPLOAD_BYTES='lots' is invalid")
    )
    assert "Traceback" not in err
