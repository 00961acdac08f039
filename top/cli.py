"""The ``top`` command group: ``top check`` and ``top gateway``.

Plain click, so the web app attaches it with ``app.cli.add_command(top_group)`` and it also
runs on its own (``python -m top.cli``).
"""

import json
import os
import sys
from typing import Any

import click
import requests

from top.apps_file import AppEntry, AppsFileError, load_apps_file, read_secret_file
from top.checker import DEFAULT_CHECK_TIMEOUT, run_check, run_checks_concurrently
from top.checkflow import NO_PROBE
from top.client import resolve_gateway
from top.evidence import EvidenceToken, sign_with_token
from top.post import evidence_url, post_report
from top.report import CheckReport, CheckResult
from top.signing import SIGN_METHODS

SECRET_ENV = "TOP_APP_SECRET"
GATEWAY_DEMO_SECRET_ENV = "TOP_GATEWAY_DEMO_SECRET"


@click.group("top")
def top_group() -> None:
    """TOP connectivity checker and local TOP gateway."""


@top_group.command("check")
@click.option(
    "--gateway",
    required=True,
    help="sandbox, production, overseas (add -http for plain HTTP) or a router URL.",
)
@click.option("--app-key", help="The APP key to check (not needed with --apps-file).")
@click.option(
    "--sign-method", type=click.Choice(SIGN_METHODS), default="hmac-sha256", show_default=True
)
@click.option("--session", help="A seller session key, to check the authorization too.")
@click.option(
    "--api",
    "apis",
    multiple=True,
    metavar="METHOD",
    help="An API to check, e.g. taobao.trades.sold.get (repeatable).",
)
@click.option(
    "--rules",
    is_flag=True,
    help="Also check that the gateway refuses calls that break each API's usage rules "
    "(3-month history, one-day increment window, split flags), as TOP does.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option(
    "--app-secret-file",
    type=click.Path(dir_okay=False),
    help=f"A file holding only the APP secret (default: ${SECRET_ENV}).",
)
@click.option(
    "--apps-file",
    type=click.Path(dir_okay=False),
    help="JSON or CSV list of APPs to check concurrently (see docs/top.md).",
)
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_CHECK_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each network step.",
)
@click.option(
    "--evidence-token",
    metavar="TOKEN",
    help="Sign the report with this one-time token from the journey's evidence page.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the signed report (with --evidence-token; "
    "default top-evidence-JOURNEY-STAGE.json).",
)
@click.option(
    "--post-to",
    metavar="URL",
    help="Also post the signed report to the desk at this address (e.g. "
    "https://desk.example.com), authorised by the evidence token, and print its answer.",
)
def check_command(
    gateway: str,
    app_key: str | None,
    sign_method: str,
    session: str | None,
    apis: tuple[str, ...],
    rules: bool,
    as_json: bool,
    app_secret_file: str | None,
    apps_file: str | None,
    timeout: float,
    evidence_token: str | None,
    output: str | None,
    post_to: str | None,
) -> None:
    """Check that an APP can reach TOP and call its APIs. Exit 0 if all checks pass, 1 if not.

    The APP secret is read from $TOP_APP_SECRET or --app-secret-file, never from an argument.
    With --evidence-token the report is signed for the desk and written to --output; with
    --post-to it is also posted to the desk (exit 1 if the desk does not accept it).
    """
    try:
        resolve_gateway(gateway)
        token = _evidence_token(evidence_token, apps_file)
        if post_to and token is None:
            raise ValueError("--post-to sends signed evidence: give --evidence-token too")
        post_url = evidence_url(post_to, token) if post_to and token else None
        options = dict(
            gateway=gateway,
            sign_method=sign_method,
            session=session,
            apis=apis,
            timeout=timeout,
            rules=rules,
        )
        jobs = (
            _jobs_from_file(apps_file, options)
            if apps_file
            else [_single_job(app_key, app_secret_file, options)]
        )
    except (ValueError, AppsFileError) as error:
        raise click.UsageError(str(error)) from None
    reports = run_checks_concurrently(jobs) if len(jobs) > 1 else [run_check(**jobs[0])]
    accepted = True
    if token is not None:
        signed = _write_evidence(reports[0], token, output, as_json and not post_url)
        if post_url:
            accepted = _post_evidence(post_url, signed, token, timeout, as_json)
    else:
        _print(reports, as_json, many=bool(apps_file))
    sys.exit(0 if accepted and all(report.ok for report in reports) else 1)


def _evidence_token(text: str | None, apps_file: str | None) -> EvidenceToken | None:
    if not text:
        return None
    if apps_file:
        raise ValueError("an evidence token is for one APP: leave out --apps-file")
    return EvidenceToken.parse(text)


def _write_evidence(
    report: CheckReport, token: EvidenceToken, output: str | None, as_json: bool
) -> dict[str, Any]:
    signed = sign_with_token(report, token)
    path = output or f"top-evidence-{token.journey_id}-{token.stage}.json"
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(signed, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    if as_json:
        click.echo(json.dumps(signed, ensure_ascii=False, indent=2))
        return signed
    click.echo(format_report(report))
    host = signed["payload"]["host"]
    click.echo(f"Host: {host['name']} ({', '.join(host['addresses']) or 'no address found'})")
    click.echo(
        f"Signed evidence for journey {token.journey_id} ({token.stage}) written to {path}; "
        "upload it on the journey's evidence page."
    )
    return signed


def _post_evidence(
    url: str, signed: dict[str, Any], token: EvidenceToken, timeout: float, as_json: bool
) -> bool:
    """Post the report to the desk and print its answer; whether the desk accepted it."""
    try:
        answer = post_report(url, signed, token, timeout)
    except requests.RequestException as exc:
        click.echo(f"Could not post the report to {url}: {type(exc).__name__}", err=True)
        return False
    if as_json:
        body = {"evidence": signed, "desk": {"status": answer.status, "answer": answer.body}}
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        click.echo(f"Posted to {url}")
        click.echo(answer.summary())
    return answer.accepted


@top_group.command("gateway")
@click.option("--port", type=int, default=8600, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--apps-file",
    type=click.Path(dir_okay=False),
    help="Serve these APPs (and their sessions) instead of the demo APP.",
)
@click.option(
    "--seed", type=int, default=20240101, show_default=True, help="Seed of the generated trades."
)
@click.option("--latency-ms", type=float, default=0, help="Delay every answer.")
@click.option("--no-admin", is_flag=True, help="Disable the /__admin__/faults knob.")
def gateway_command(
    port: int, host: str, apps_file: str | None, seed: int, latency_ms: float, no_admin: bool
) -> None:
    """Run a local TOP-compatible gateway for development and demos (Ctrl-C stops it)."""
    from top.gateway import server  # the server is only imported when it is wanted

    try:
        apps, sessions = _gateway_apps(apps_file, server)
    except AppsFileError as error:
        raise click.UsageError(str(error)) from None
    gateway = server.LocalGateway(
        apps, sessions, host=host, port=port, seed=seed, admin=not no_admin
    )
    gateway.faults.set_latency(latency_ms)
    click.echo(f"TOP gateway: {gateway.url}")
    click.echo(f"APP keys: {', '.join(apps)}")
    click.echo(f"sessions: {', '.join(sessions) or '(none)'}")
    if not no_admin:
        click.echo(f"admin knob: {gateway.admin_url} (POST JSON, see docs/top.md)")
        if host not in ("127.0.0.1", "::1", "localhost"):
            click.echo("warning: the admin knob is reachable by anyone who reaches this host")
    gateway.serve_forever()


def _single_job(app_key: str | None, secret_file: str | None, options: dict) -> dict[str, Any]:
    if not app_key:
        raise ValueError("give --app-key (or --apps-file)")
    if secret_file:
        secret = read_secret_file(secret_file)
    elif os.environ.get(SECRET_ENV):
        secret = os.environ[SECRET_ENV]
    else:
        raise ValueError(f"no APP secret: set ${SECRET_ENV} or pass --app-secret-file")
    return {**options, "app_key": app_key, "app_secret": secret}


def _jobs_from_file(apps_file: str, options: dict) -> list[dict[str, Any]]:
    return [_entry_job(entry, options) for entry in load_apps_file(apps_file)]


def _entry_job(entry: AppEntry, options: dict) -> dict[str, Any]:
    gateway = entry.gateway or options["gateway"]
    resolve_gateway(gateway)
    return {
        **options,
        "gateway": gateway,
        "app_key": entry.app_key,
        "app_secret": entry.secret,
        "sign_method": entry.sign_method or options["sign_method"],
        "session": entry.session or options["session"],
        "apis": entry.apis or options["apis"],
    }


def _gateway_apps(apps_file: str | None, server: Any) -> tuple[dict[str, str], dict[str, str]]:
    if not apps_file:
        secret = os.environ.get(GATEWAY_DEMO_SECRET_ENV) or server.DEMO_APP_SECRET
        return {server.DEMO_APP_KEY: secret}, {server.DEMO_SESSION: server.DEMO_SELLER_NICK}
    entries = load_apps_file(apps_file)
    apps = {entry.app_key: entry.secret for entry in entries}
    sessions = {e.session: f"seller_of_{e.app_key}" for e in entries if e.session}
    return apps, sessions


def _print(reports: list[CheckReport], as_json: bool, many: bool) -> None:
    if as_json:
        click.echo(json.dumps(_json_body(reports, many), ensure_ascii=False, indent=2))
        return
    for report in reports:
        click.echo(format_report(report))


def _json_body(reports: list[CheckReport], many: bool) -> dict[str, Any]:
    if not many:
        return reports[0].to_dict()
    return {
        "ok": all(report.ok for report in reports),
        "apps": [{"app_key": r.app_key, "report": r.to_dict()} for r in reports],
    }


def format_report(report: CheckReport) -> str:
    """A table a person can read in a terminal; advice sits under the message it explains."""
    lines = [f"TOP check of APP {report.app_key} at {report.gateway}"]
    width = max(len(check.name) for check in report.checks)
    for check in report.checks:
        columns = f"{_status(check):4}  {check.name:<{width}}  {_latency(check):>9}"
        prefix = f"  {columns}  {_code(check):<7}  "
        lines.append(prefix + check.message)
        if check.advice:
            lines.append(" " * len(prefix) + f"advice: {check.advice}")
    failed = sum(not check.ok for check in report.checks)
    verdict = "OK" if report.ok else f"FAILED ({failed} of {len(report.checks)} checks)"
    lines.append(f"Result: {verdict}")
    return "\n".join(lines)


def _status(check: CheckResult) -> str:
    if check.sub_code == NO_PROBE:
        return "n/a"
    if check.ok:
        return "ok"
    return "skip" if check.message.startswith("skipped:") else "FAIL"


def _latency(check: CheckResult) -> str:
    return "" if check.latency_ms is None else f"{check.latency_ms:.1f} ms"


def _code(check: CheckResult) -> str:
    return f"code {check.code}" if check.code is not None else ""


if __name__ == "__main__":
    top_group()
