"""Request-rate limits (Flask-Limiter): a named limit per kind of form, one line per route.

A route takes a limit with one decorator next to its access mark::

    @bp.route("/reset", methods=["GET", "POST"])
    @public("asking for a password reset link")
    @rate_limit("account_mail")
    def request_reset(): ...

Each name in :data:`LIMITS` reads its rate from a setting (``RATELIMIT_*``, in
``workflow/config.py``) and says whom it counts: an address for the public forms, a user for
the checker. Routes that share a name share one budget, so registration and password reset
together send a limited number of mails per address. Only the methods named are counted
(POST: showing a form costs nothing).

The counts live where ``RATELIMIT_STORAGE_URI`` says: ``memory://`` inside one process, Redis
for several processes or instances (``docs/operations.md``). When Redis cannot be reached, the
limits fall back to each process's memory and a line is logged; requests are never refused for
it.

Flask-Limiter keeps its storage on the ``Limiter`` object, so :func:`install_rate_limits`
builds one per app (tests build several apps in one process) and wraps the marked views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from limits import parse_many

from workflow.i18n import LazyText, _l, lazy_join, lazy_ngettext

#: The attribute a route's limit name is kept in on its view function.
LIMIT_ATTRIBUTE = "rate_limit"
#: Where the app's limiter is kept (``app.extensions``).
EXTENSION = "rate_limits"


def by_address() -> str:
    """The client's address (the proxy's ``X-Forwarded-For`` when ``PROXY_FIX_HOPS`` trusts it)."""
    return f"address:{request.remote_addr or 'unknown'}"


def by_user() -> str:
    """The signed-in user, wherever they connect from; an address when nobody is signed in."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return by_address()


def by_api_token() -> str:
    """The personal API token the request came with (``workflow.api.auth``)."""
    from flask import g

    row = g.get("api_token")
    if row is not None:
        return f"api-token:{row.id}"
    return by_address()


@dataclass(frozen=True)
class NamedLimit:
    #: The setting that holds the rate, e.g. "5 per minute; 20 per hour".
    setting: str
    key: Callable[[], str]
    #: Who is counted, for the 429 page: "from one address", "for one user".
    counted: LazyText
    methods: tuple[str, ...] = ("POST",)


LIMITS: dict[str, NamedLimit] = {
    # Every public form that sends a mail: registration, password reset.
    "account_mail": NamedLimit("RATELIMIT_ACCOUNT_MAIL", by_address, _l("from one address")),
    "sign_in": NamedLimit("RATELIMIT_SIGN_IN", by_address, _l("from one address")),
    "checker": NamedLimit("RATELIMIT_CHECKER", by_user, _l("for one user")),
    # Every request to /api/v1 with a token, reads and writes, one budget per token.
    "api": NamedLimit(
        "RATELIMIT_API", by_api_token, _l("for one API token"), methods=("GET", "POST", "PUT")
    ),
}


def rate_limit(name: str):
    """Count the route's requests against the named limit of :data:`LIMITS`."""
    if name not in LIMITS:
        raise ValueError(f"no rate limit named {name!r}; add it to LIMITS")

    def mark(view):
        setattr(view, LIMIT_ATTRIBUTE, name)
        return view

    return mark


def install_rate_limits(app: Flask) -> Limiter:
    """Bind a limiter to ``app`` and wrap every view marked with :func:`rate_limit`."""
    config = app.config
    limiter = Limiter(
        key_func=by_address,
        storage_uri=config["RATELIMIT_STORAGE_URI"],
        strategy="moving-window",
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix=config.get("RATELIMIT_KEY_PREFIX") or "onboarding",
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = limiter
    if not limiter.enabled:
        return limiter
    for endpoint, view in list(app.view_functions.items()):
        name = getattr(view, LIMIT_ATTRIBUTE, None)
        if name is None:
            continue
        named = LIMITS[name]
        wrap = limiter.shared_limit(
            config[named.setting],
            scope=name,
            key_func=named.key,
            methods=list(named.methods),
            error_message=_message(config[named.setting], named.counted),
        )
        app.view_functions[endpoint] = wrap(view)
    return limiter


def _message(rate: str, counted: LazyText) -> Callable[[], str]:
    """The 429 page's reason, written when a request is refused, in its reader's language."""
    message = _l(
        "This form takes at most %(rate)s %(counted)s. Wait a little and try again; nothing you "
        "sent with this request was used.",
        rate=rate_text(rate),
        counted=counted,
    )
    return lambda: str(message)


#: "5 per minute", by the granularity of a rate (Flask-Limiter's notation).
PER = {
    "second": lambda num: _l("%(num)d per second", num=num),
    "minute": lambda num: _l("%(num)d per minute", num=num),
    "hour": lambda num: _l("%(num)d per hour", num=num),
    "day": lambda num: _l("%(num)d per day", num=num),
    "month": lambda num: _l("%(num)d per month", num=num),
    "year": lambda num: _l("%(num)d per year", num=num),
}
#: "2 minutes", for a rate over several of its unit ("3 per 2 minutes").
PERIODS = {
    "second": lambda num: lazy_ngettext("%(num)d second", "%(num)d seconds", num),
    "minute": lambda num: lazy_ngettext("%(num)d minute", "%(num)d minutes", num),
    "hour": lambda num: lazy_ngettext("%(num)d hour", "%(num)d hours", num),
    "day": lambda num: lazy_ngettext("%(num)d day", "%(num)d days", num),
    "month": lambda num: lazy_ngettext("%(num)d month", "%(num)d months", num),
    "year": lambda num: lazy_ngettext("%(num)d year", "%(num)d years", num),
}


def rate_text(rate: str) -> LazyText | str:
    """A rate setting ("5 per minute; 20 per hour") in the reader's language; the setting as
    written if it is not one Flask-Limiter reads."""
    try:
        items = parse_many(rate)
    except ValueError:
        return rate
    parts = []
    for item in items:
        unit = item.GRANULARITY.name
        if unit not in PER:
            return rate
        if item.multiples == 1:
            parts.append(PER[unit](item.amount))
        else:
            period = PERIODS[unit](item.multiples)
            parts.append(_l("%(amount)d per %(period)s", amount=item.amount, period=period))
    return lazy_join(parts)


def retry_after(exc: RateLimitExceeded) -> int:
    """Seconds of the window that was breached: an upper bound on the wait."""
    return int(exc.limit.limit.get_expiry())
