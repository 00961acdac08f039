"""The desk as the browser tests see it: built like production, served on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from tests.support import PASSWORD, desk_config, reset_schema
from workflow import audit

#: The single limit for any browser step: generous, for a loaded machine.
PAGE_TIMEOUT_MS = 60_000


def browser_desk(base: Path, **settings) -> Flask:
    """CSRF on, a file-backed SQLite database under ``base``, the schema built by migrations."""
    config = desk_config(base, f"sqlite:///{base / 'desk.sqlite3'}")
    config.update(WTF_CSRF_ENABLED=True, **settings)
    app = create_app(config)
    with app.app_context():
        reset_schema()
        audit.ensure_chain_head()
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the block; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign ``page`` in through the sign-in form, and wait until the desk let it in."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def signed_in(browser, base_url: str, email: str, *, width: int = 1280, height: int = 900):
    """A new page of ``width`` x ``height``, signed in as ``email``."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    sign_in(page, base_url, email)
    return page
