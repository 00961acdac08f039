"""gunicorn settings for the desk: `make run` uses them, and so can a deployment.

Every value can be overridden without editing this file: HOST and PORT pick the address,
WEB_CONCURRENCY the number of workers, GUNICORN_TIMEOUT the request timeout, and
GUNICORN_CMD_ARGS any other gunicorn option (it wins over this file).
"""

from __future__ import annotations

import os


def _cores() -> int:
    # The cores this process may run on, which a container limits more often than the machine.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _whole_number(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name}={raw!r} is not a whole number") from None
    if value <= 0:
        raise SystemExit(f"configuration error: {name}={raw!r} must be positive")
    return value


def _bind() -> str:
    host = os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or "5000"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address such as ::
    return f"{host}:{port}"


wsgi_app = "app:create_app()"
# Build the app once, before forking: a configuration error stops start-up with its one line
# instead of failing in every worker, and workers start at once. A deploy restarts gunicorn.
preload_app = True
bind = _bind()

# Requests wait on the database and on WeasyPrint (a submission renders its packet), so a
# worker is idle for part of each request; two per core keeps the cores busy.
workers = _whole_number("WEB_CONCURRENCY", 2 * _cores() + 1)

# A submission renders its packet inside the request; a large one takes seconds, not minutes.
timeout = _whole_number("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5

# Requests to stdout, errors and start-up to stderr, so a process manager collects both.
# The path without its query string: mailed links carry their single-use token there.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = "info"

# gunicorn's control socket lives at one path in the user's home, so a second instance on the
# same host would take it over; the desk is managed with signals (HUP, TERM) instead.
control_socket_disable = True


def post_fork(server, worker):
    """Give each worker its own database connections, never one inherited from the master."""
    from workflow.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
