"""Outbound connections to URLs that someone else typed: resolve, judge, pin, connect.

A server that fetches a user's URL can be pointed at itself, at its database, at a cloud's
metadata address or at any host on its private network. :class:`EgressPolicy` decides which
addresses may be reached: only public (globally routable, unicast) ones, plus the networks an
operator names in an allow-list. It judges the *resolved* address, so every way of writing one
(``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``, ``[::ffff:127.0.0.1]``) is judged as the
address it is.

:func:`guarded_session` is a ``requests`` session that connects only to an address the policy
passed, and to that very address: the name is resolved once, judged, and the socket is opened
to the judged address, so a DNS answer that changes in between (DNS rebinding) cannot move the
connection. TLS still sends the name (SNI) and checks the certificate against it, and the
``Host`` header carries it. It follows no redirects and ignores proxy settings from the
environment. A failed connection reads the same whether the port refused or timed out, so the
answers tell nothing about the state of ports behind the server.

The connectivity checker uses it for custom gateway URLs; anything else that calls a URL
given by a user (webhooks) should too.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util.connection import create_connection

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: IPv6 prefixes that carry an IPv4 address inside them (NAT64, 6to4): judged by that address too.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

#: What the refusal says about each kind of address, in the order they are recognised.
KINDS = ("unspecified", "loopback", "link-local", "multicast", "private", "reserved")

REFUSAL_ADVICE = (
    "this desk connects only to public addresses; an operator can allow a network with "
    "ONBOARDING_TOP_CHECKER_ALLOWED_NETWORKS"
)


class EgressRefused(requests.ConnectionError):
    """The URL's host is, or resolves to, an address the policy does not let us reach."""


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    """``"127.0.0.1/32, 10.1.0.0/16"`` (or a list of CIDRs) as networks.

    A ValueError names the first item that is not one.
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    networks = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP network in CIDR notation") from None
    return tuple(networks)


def address_kind(address: Address) -> str | None:
    """Why ``address`` is not a public unicast address (one of :data:`KINDS`), or None."""
    for inner in _embedded_ipv4(address):
        kind = address_kind(inner)
        if kind is not None:
            return kind
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("reserved", not address.is_global),  # shared (100.64/10), documentation, 6to4 relay…
    )
    return next((kind for kind, hit in checks if hit), None)


def _embedded_ipv4(address: Address) -> list[ipaddress.IPv4Address]:
    if address.version != 6:
        return []
    assert isinstance(address, ipaddress.IPv6Address)
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if any(address in prefix for prefix in _NAT64):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, as the C library reads it (alternate notations too)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class EgressPolicy:
    """Which resolved addresses an outbound connection may reach."""

    #: Networks reachable although they are not public (the operator's allow-list).
    allowed_networks: tuple[Network, ...] = ()
    resolver: Resolver = field(default=system_resolver, compare=False, repr=False)

    @classmethod
    def from_setting(cls, cidrs: str | Iterable[str], **kwargs: Any) -> EgressPolicy:
        return cls(parse_networks(cidrs), **kwargs)

    def refusal(self, address: str | Address) -> str | None:
        """Why the policy refuses ``address`` (e.g. "a loopback address"), or None."""
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        if self._allowed(ip):
            return None
        kind = address_kind(ip)
        return None if kind is None else f"a {kind} address"

    def _allowed(self, ip: Address) -> bool:
        candidates = [ip, *_embedded_ipv4(ip)]
        networks = self.allowed_networks
        return any(c.version == n.version and c in n for c in candidates for n in networks)

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, all of them permitted; otherwise :class:`EgressRefused`.

        One refused address refuses the name: a name that points inward at all is not used.
        ``socket.gaierror`` passes through for a name that does not resolve.
        """
        addresses = self.resolver(host, port)
        for address in addresses:
            why = self.refusal(address)
            if why is not None:
                shown = host if host == address else f"{host} resolves to {address},"
                raise EgressRefused(f"{shown} {why}: {REFUSAL_ADVICE}")
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "no addresses")
        return addresses


def connect_failed_message(host: str, port: int) -> str:
    """The one text for any failed connection: it never says refused, reset or timed out."""
    return f"cannot connect to {host}:{port}"


class _Pins:
    """Resolved-and-judged addresses by (host, port), shared by one session's connections."""

    def __init__(self, policy: EgressPolicy) -> None:
        self.policy = policy
        self._pins: dict[tuple[str, int], list[str]] = {}
        self._lock = threading.Lock()

    def pin(self, host: str, port: int, addresses: list[str]) -> None:
        for address in addresses:
            why = self.policy.refusal(address)
            if why is not None:
                raise EgressRefused(f"{address} is {why}: {REFUSAL_ADVICE}")
        with self._lock:
            self._pins[(_name(host), port)] = list(addresses)

    def addresses(self, host: str, port: int) -> list[str]:
        key = (_name(host), port)
        with self._lock:
            pinned = self._pins.get(key)
        if pinned is None:
            try:
                pinned = self.policy.resolve(key[0], port)
            except (socket.gaierror, UnicodeError) as error:
                raise requests.ConnectionError(f"{host} does not resolve: {error}") from None
            with self._lock:
                pinned = self._pins.setdefault(key, pinned)
        return pinned


def _name(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _pinned_connection(base: type[HTTPConnection], pins: _Pins) -> type[HTTPConnection]:
    class PinnedConnection(base):
        """Opens its socket to the pinned address; everything else (SNI, Host) uses the name."""

        def _new_conn(self) -> socket.socket:
            for address in pins.addresses(self.host, self.port):
                try:
                    return create_connection(
                        (address, self.port),
                        self.timeout,
                        source_address=self.source_address,
                        socket_options=self.socket_options,
                    )
                except OSError:
                    continue
            raise NewConnectionError(self, connect_failed_message(self.host, self.port))

    return PinnedConnection


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, pins: _Pins) -> None:
        self.pins = pins
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)

        class PinnedHTTPPool(HTTPConnectionPool):
            ConnectionCls = _pinned_connection(HTTPConnection, self.pins)

        class PinnedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = _pinned_connection(HTTPSConnection, self.pins)

        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EgressRefused(f"{request.url!r} is not an http(s) URL")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        self.pins.addresses(parts.hostname, port)  # judged before anything is sent
        kwargs["proxies"] = {}
        try:
            return super().send(request, **kwargs)
        except requests.ConnectionError as error:
            if isinstance(error, EgressRefused):
                raise
            # requests' own text names the cause (refused, timed out): say only that it failed.
            raise requests.ConnectionError(
                connect_failed_message(parts.hostname, port), request=request
            ) from None


class GuardedSession(requests.Session):
    """A session that reaches only what its :class:`EgressPolicy` permits, and never redirects."""

    def __init__(self, policy: EgressPolicy) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment: it would resolve names itself
        self._pins = _Pins(policy)
        adapter = _PinnedAdapter(self._pins)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    @property
    def policy(self) -> EgressPolicy:
        return self._pins.policy

    def pin(self, host: str, port: int, addresses: list[str]) -> None:
        """Connect to ``host:port`` only at ``addresses`` (already resolved by the caller)."""
        self._pins.pin(host, port, addresses)

    def request(self, method, url, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def guarded_session(policy: EgressPolicy) -> GuardedSession:
    return GuardedSession(policy)
