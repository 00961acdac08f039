"""LocalGateway: a small TOP-compatible HTTP server on a background thread."""

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from top.client import utc_now
from top.gateway.dataset import Dataset
from top.gateway.faults import Faults
from top.gateway.protocol import GatewayState, answer

#: Demo values for the LOCAL gateway only. They open nothing on the real TOP platform.
DEMO_APP_KEY = "12345678"
#: A second demo APP, for a new APP registered in a demo where the first key is taken.
DEMO_SECOND_APP_KEY = "87654321"
DEMO_APP_SECRET = "demo-secret-not-for-production"
DEMO_SESSION = "demo-session-tmall-global"
DEMO_SELLER_NICK = "tmall_global_demo_shop"
DEFAULT_SEED = 20240101
ROUTER_PATH = "/router/rest"
#: The same router under the names it answers to when it stands in for sandbox or production
#: (see ``top.evidence.STAND_IN_PATHS``).
STAND_IN_ROUTER_PATHS = ("/stand-in/sandbox/router/rest", "/stand-in/production/router/rest")
ADMIN_PATH = "/__admin__/faults"


class _QuietHandler(WSGIRequestHandler):
    """No access log: request lines could carry session keys."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LocalGateway:
    """A TOP gateway for development and tests: real signing, real envelopes, fake data.

    ``apps`` maps APP key → secret, ``sessions`` maps session key → seller nick. With neither,
    the demo APP (:data:`DEMO_APP_KEY`) and session (:data:`DEMO_SESSION`) are served.
    """

    def __init__(
        self,
        apps: Mapping[str, str] | None = None,
        sessions: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = DEFAULT_SEED,
        clock: Callable[[], datetime] = utc_now,
        ssl_context: Any = None,
        admin: bool = True,
    ) -> None:
        self.clock = clock
        self.faults = Faults()
        self.admin_enabled = admin
        self.state = GatewayState(
            apps=dict(
                apps
                if apps is not None
                else {DEMO_APP_KEY: DEMO_APP_SECRET, DEMO_SECOND_APP_KEY: DEMO_APP_SECRET}
            ),
            sessions=dict(sessions if sessions is not None else {DEMO_SESSION: DEMO_SELLER_NICK}),
            faults=self.faults,
            dataset=Dataset(seed, anchor=clock()),
        )
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            self.wsgi,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=ssl_context,
        )
        self._thread: threading.Thread | None = None
        scheme = "https" if ssl_context else "http"
        self.base_url = f"{scheme}://{host}:{self._server.server_port}"

    @property
    def url(self) -> str:
        """The router URL to give a client or the checker."""
        return self.base_url + ROUTER_PATH

    @property
    def admin_url(self) -> str:
        return self.base_url + ADMIN_PATH

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def dataset(self) -> Dataset:
        return self.state.dataset

    def add_app(self, app_key: str, secret: str) -> None:
        self.state.apps[app_key] = secret

    def add_session(self, session: str, seller_nick: str) -> None:
        self.state.sessions[session] = seller_nick

    def start(self) -> "LocalGateway":
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns quickly
            name=f"top-gateway-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI); Ctrl-C ends it."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        # shutdown() waits for serve_forever(), so it is only called when one is running.
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "LocalGateway":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wsgi(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        if request.path == ADMIN_PATH and self.admin_enabled:
            response = self._admin(request)
        elif request.path == ROUTER_PATH or request.path in STAND_IN_ROUTER_PATHS:
            response = self._router(request)
        else:
            response = Response("not found; the TOP router is at /router/rest\n", status=404)
        return response(environ, start_response)

    def _router(self, request: Request) -> Response:
        # Latency comes first so that every answer, errors included, feels the slow link.
        time.sleep(self.faults.latency_seconds)
        params = {**request.args.to_dict(), **request.form.to_dict()}
        return _json(answer(params, self.state, self.clock()))

    def _admin(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.faults.apply(json.loads(request.get_data(as_text=True) or "{}"))
            except (ValueError, KeyError, TypeError) as error:
                return _json({"error": str(error)}, status=400)
        return _json(self.faults.snapshot())


def _json(body: dict[str, Any], status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, content_type="application/json;charset=UTF-8")
