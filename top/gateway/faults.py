"""Faults the local gateway can be told to inject, at runtime, for demos and tests."""

import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class _RateLimit:
    max_calls: int
    window_seconds: float
    window_started: float
    calls: int = 0


class Faults:
    """Thread-safe switchboard: latency, refused APIs, expired sessions, rate limits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency_seconds = 0.0
        self._refused: set[tuple[str, str]] = set()
        self._expired_sessions: set[str] = set()
        self._rate_limits: dict[str, _RateLimit] = {}

    def set_latency(self, milliseconds: float) -> None:
        """Delay every gateway answer (also the plain HTTP one) by ``milliseconds``."""
        with self._lock:
            self._latency_seconds = max(0.0, milliseconds) / 1000

    def refuse_api(self, app_key: str, method: str) -> None:
        """Answer ``method`` for ``app_key`` with code 11 (API not granted)."""
        with self._lock:
            self._refused.add((app_key, method))

    def grant_api(self, app_key: str, method: str) -> None:
        with self._lock:
            self._refused.discard((app_key, method))

    def expire_session(self, session: str) -> None:
        """Answer calls made with ``session`` with code 27 (invalid session)."""
        with self._lock:
            self._expired_sessions.add(session)

    def rate_limit(self, app_key: str, max_calls: int = 0, window_seconds: float = 60) -> None:
        """Allow ``max_calls`` per window for ``app_key``; later calls get code 7."""
        with self._lock:
            self._rate_limits[app_key] = _RateLimit(max_calls, window_seconds, time.monotonic())

    def reset(self) -> None:
        with self._lock:
            self._latency_seconds = 0.0
            self._refused.clear()
            self._expired_sessions.clear()
            self._rate_limits.clear()

    @property
    def latency_seconds(self) -> float:
        with self._lock:
            return self._latency_seconds

    def is_refused(self, app_key: str, method: str) -> bool:
        with self._lock:
            return (app_key, method) in self._refused

    def is_expired(self, session: str) -> bool:
        with self._lock:
            return session in self._expired_sessions

    def take_call(self, app_key: str) -> float | None:
        """Count one call; return the seconds the ban still lasts when over the limit."""
        with self._lock:
            limit = self._rate_limits.get(app_key)
            if limit is None:
                return None
            now = time.monotonic()
            if now - limit.window_started >= limit.window_seconds:
                limit.window_started, limit.calls = now, 0
            limit.calls += 1
            if limit.calls <= limit.max_calls:
                return None
            return limit.window_seconds - (now - limit.window_started)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": round(self._latency_seconds * 1000),
                "refused_apis": [
                    {"app_key": key, "method": method} for key, method in sorted(self._refused)
                ],
                "expired_sessions": sorted(self._expired_sessions),
                "rate_limits": {
                    key: {"max_calls": rl.max_calls, "window_seconds": rl.window_seconds}
                    for key, rl in sorted(self._rate_limits.items())
                },
            }

    def apply(self, command: dict[str, Any]) -> None:
        """The admin knob: apply a JSON command such as ``{"latency_ms": 200}``.

        Keys (any combination): ``reset`` (true), ``latency_ms`` (number),
        ``refuse_api`` / ``grant_api`` ({"app_key", "method"}), ``expire_session`` (session key),
        ``rate_limit`` ({"app_key", "max_calls"=0, "window_seconds"=60}).
        """
        unknown = set(command) - _ADMIN_KEYS
        if unknown:
            raise ValueError(f"unknown admin keys: {', '.join(sorted(unknown))}")
        if command.get("reset"):
            self.reset()
        if "latency_ms" in command:
            self.set_latency(float(command["latency_ms"]))
        if "refuse_api" in command:
            self.refuse_api(str(command["refuse_api"]["app_key"]), command["refuse_api"]["method"])
        if "grant_api" in command:
            self.grant_api(str(command["grant_api"]["app_key"]), command["grant_api"]["method"])
        if "expire_session" in command:
            self.expire_session(str(command["expire_session"]))
        if "rate_limit" in command:
            spec = command["rate_limit"]
            self.rate_limit(
                str(spec["app_key"]),
                int(spec.get("max_calls", 0)),
                float(spec.get("window_seconds", 60)),
            )


_ADMIN_KEYS = {
    "reset",
    "latency_ms",
    "refuse_api",
    "grant_api",
    "expire_session",
    "rate_limit",
}
