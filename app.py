"""The TOP Onboarding Desk web application."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, session

from workflow import config as config_layers
from workflow.extensions import csrf, db, login_manager, migrate
from workflow.web.templating import DeskEnvironment, use_fast_html_params
from workflow.web.urls import DatabaseIdConverter

BASE_DIR = Path(__file__).resolve().parent


def create_app(config_override: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("ONBOARDING_INSTANCE_PATH", str(BASE_DIR / "instance")),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    app.jinja_environment = DeskEnvironment  # before anything builds app.jinja_env
    use_fast_html_params()
    _configure(app, config_override or {})
    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_job_kinds(app)
    _connect_handlers()
    app.after_request(_security_headers)
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind a TLS-terminating proxy, see the scheme and host the browser used.

    Without it the desk would take every request for plain HTTP to an internal host, and
    Flask-WTF would skip the referrer check it makes on HTTPS form posts.
    """
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


#: Pages load only the desk's own scripts, styles and frames; there is no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


#: Sent when the desk is configured for HTTPS (secure session cookie): browsers then refuse
#: plain HTTP to it for a year.
HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response):
    # Only pages get the policy: on a PDF it would stop the browser's own viewer from drawing.
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if session.get("_user_id"):
        # What a signed-in user sees is theirs alone: no shared or back-button cache keeps it.
        response.headers.setdefault("Cache-Control", "no-store")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _configure(app: Flask, override: Mapping[str, Any]) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config_layers.defaults(app.instance_path))
    secret_file = Path(app.instance_path) / "secret_key"
    if secret_file.exists():
        app.config["SECRET_KEY"] = secret_file.read_text().strip()
    app.config.update(config_layers.from_environment(os.environ))
    app.config.update(override)
    config_layers.check(app.config)
    logging.getLogger("workflow").setLevel(logging.INFO)


def _init_extensions(app: Flask) -> None:
    from workflow import database, files, i18n, storage_setup

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            database.configure_sqlite(
                engine, busy_timeout_seconds=app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]
            )
    database.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    storage_setup.init_app(app)
    files.install_rollback_cleanup()


#: Areas whose ``views`` module holds a blueprint ``bp``; importing it also registers the
#: area's journey-page panels and transition requirements.
AREAS = (
    "auth",
    "journeys",
    "review",
    "reports",
    "enablement",
    "apps",
    "deployment",
    "distribution",
    "continuation",
    "conversation",
    "packets",
    "admin",
    "notifications",
    "webhooks",
    "health",
    "tokens",
    "api",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from workflow.api import auth as api_auth
    from workflow.errors_views import register_error_handlers
    from workflow.ui import register_template_helpers
    from workflow.web.access import install_access_gate
    from workflow.web.limits import install_rate_limits

    for area in AREAS:
        app.register_blueprint(import_module(f"workflow.{area}.views").bp)
    api_auth.install(app, app.blueprints["api"])  # tokens, not cookies, on /api/v1
    install_access_gate(app)
    install_rate_limits(app)  # after the gate: a request the policy refuses costs nothing
    register_error_handlers(app)
    register_template_helpers(app)


def _register_cli(app: Flask) -> None:
    from workflow.cli import register_cli

    register_cli(app)


def _register_job_kinds(app: Flask) -> None:
    """Every kind of background job, by name; ``flask worker`` runs them all."""
    from workflow.enablement.ocr_job import ocr_kind
    from workflow.jobs import JobRegistry
    from workflow.mail.delivery import mail_kind
    from workflow.notifications.reminders import reminders_kind
    from workflow.packets.rendering import packet_kind_job
    from workflow.retention import retention_kind
    from workflow.webhooks.delivery import webhook_kind

    app.extensions["jobs"] = JobRegistry(
        [
            mail_kind(),
            ocr_kind(),
            packet_kind_job(),
            reminders_kind(),
            retention_kind(),
            webhook_kind(),
        ]
    )


def _connect_handlers() -> None:
    """Import the modules whose signal handlers and requirement checks must be live."""
    import workflow.notifications  # noqa: F401
    import workflow.packets.rendering  # noqa: F401  (freezes each submission's packet inputs)
    import workflow.webhooks.events  # noqa: F401  (writes the deliveries each change owes)
