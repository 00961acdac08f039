"""The egress guard: what a URL typed by someone else may reach, and how it is reached.

Every connection these tests make goes to loopback. The ``connections`` fixture records each
socket connect and fails the test on any other address, so a broken guard cannot send traffic
off this machine.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.top.conftest import self_signed_certificate
from top.checker import run_check
from top.egress import EgressPolicy, EgressRefused, address_kind, guarded_session, parse_networks
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, LocalGateway

LOOPBACK = EgressPolicy.from_setting("127.0.0.0/8")
CLOSED = EgressPolicy()


@pytest.fixture
def connections(monkeypatch) -> list[tuple]:
    """Every address a socket connects to during the test; only loopback is let through."""
    seen: list[tuple] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        seen.append(address)
        if not str(address[0]).startswith("127.") and address[0] != "::1":
            raise AssertionError(f"a test tried to connect to {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


class _Counting(BaseHTTPRequestHandler):
    """Answers every request with ``server.answer`` and counts the requests."""

    def _answer(self):
        self.server.hits += 1
        status, headers = self.server.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server() -> Iterator:
    servers = []

    def start(host="127.0.0.1", port=0, status=200, headers=None):
        server = ThreadingHTTPServer((host, port), _Counting)
        server.hits, server.answer = 0, (status, headers or {})
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def resolve_as(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make the system resolver answer ``answers[name]`` in turn (the last one repeats)."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            asked.append(host)
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def check(url: str, policy: EgressPolicy | None, **kwargs):
    return run_check(url, DEMO_APP_KEY, DEMO_APP_SECRET, timeout=3, egress=policy, **kwargs)


# --- which addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped IPv6
        ("::ffff:10.1.2.3", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 around 169.254.169.254
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT
        ("192.0.2.10", "private"),  # documentation
        ("2001:db8::1", "private"),
    ],
)
def test_every_non_public_address_has_a_kind(address, kind):
    from ipaddress import ip_address

    assert address_kind(ip_address(address)) == kind
    assert CLOSED.refusal(address) == f"a {kind} address"


@pytest.mark.parametrize("address", ["8.8.8.8", "140.205.60.46", "2606:4700::1111"])
def test_public_addresses_are_permitted(address):
    assert CLOSED.refusal(address) is None


def test_the_allow_list_opens_named_networks_and_nothing_else():
    policy = EgressPolicy.from_setting("127.0.0.1/32, 10.20.0.0/16")
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None  # the same address, mapped
    assert policy.refusal("127.0.0.2") == "a loopback address"
    assert policy.refusal("10.20.30.40") is None
    assert policy.refusal("10.21.0.1") == "a private address"


def test_a_bad_cidr_is_named():
    with pytest.raises(ValueError, match="'10.0.0.300/8' is not an IP network"):
        parse_networks("127.0.0.1/32, 10.0.0.300/8")


# --- refused before anything connects ------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",  # decimal
        "0177.0.0.1",  # octal
        "0x7f.1",  # hex, short
        "0x7f000001",
        "127.1",  # short
        "017700000001",
        "localhost",
        "0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "169.254.169.254",
        "10.0.0.1",
        "192.168.0.1",
        "224.0.0.1",
        "[fe80::1]",
        "[fc00::1]",
    ],
)
def test_each_notation_is_refused_before_any_connection(host, gateway, connections):
    report = check(f"http://{host}:{gateway.port}/router/rest", CLOSED)
    dns = report.check("dns")
    assert (dns.ok, dns.sub_code) == (False, "net.address-refused")
    assert "address" in dns.message and "ALLOWED_NETWORKS" in dns.advice
    assert all(c.message.startswith("skipped") for c in report.checks[1:])
    assert connections == []


def test_a_name_with_one_inward_address_is_refused(monkeypatch, connections):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("140.205.60.46", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ],
    )
    report = check("http://mixed.example/router/rest", CLOSED)
    assert report.check("dns").message.startswith("mixed.example resolves to 127.0.0.1")
    assert connections == []


# --- the allow-list, redirects, rebinding ------------------------------------------------------


def test_the_allow_list_lets_a_loopback_gateway_through(gateway, connections):
    report = check(gateway.url, LOOPBACK)
    assert report.ok, report.to_dict()
    assert {address[0] for address in connections} == {"127.0.0.1"}


def test_a_redirect_is_not_followed(http_server, connections):
    target = http_server()
    redirect = http_server(
        status=302, headers={"Location": f"http://127.0.0.1:{target.server_port}/router/rest"}
    )
    for policy in (LOOPBACK, None):  # the guarded run and the plain CLI run alike
        report = check(f"http://127.0.0.1:{redirect.server_port}/router/rest", policy)
        http = report.check("http")
        assert not http.ok and "HTTP 302 redirect to http://127.0.0.1:" in http.message
        assert "follows no redirects" in http.message
    assert redirect.hits == 2 and target.hits == 0


def test_a_guarded_session_never_follows_a_redirect(http_server):
    target = http_server()
    redirect = http_server(
        status=307, headers={"Location": f"http://127.0.0.1:{target.server_port}/"}
    )
    with guarded_session(LOOPBACK) as session:
        answer = session.post(f"http://127.0.0.1:{redirect.server_port}/", allow_redirects=True)
    assert answer.status_code == 307 and target.hits == 0


def test_dns_rebinding_cannot_move_the_check_to_loopback(monkeypatch, http_server, connections):
    """The name first resolves to an allowed address; every later answer is 127.0.0.1."""
    with LocalGateway(host="127.0.0.2") as allowed:
        inward = http_server(host="127.0.0.1", port=allowed.port, status=200)
        asked = resolve_as(monkeypatch, {"rebind.example": ["127.0.0.2", "127.0.0.1"]})
        policy = EgressPolicy.from_setting("127.0.0.2/32")
        report = check(f"http://rebind.example:{allowed.port}/router/rest", policy)
    assert report.ok, report.to_dict()
    assert report.gateway_address == "127.0.0.2"
    assert inward.hits == 0
    assert {address[0] for address in connections} == {"127.0.0.2"}
    assert asked == ["rebind.example"]  # resolved once; nothing asked the resolver again


def test_a_guarded_session_connects_to_the_address_it_judged(monkeypatch, http_server):
    allowed = http_server(host="127.0.0.2")
    inward = http_server(host="127.0.0.1", port=allowed.server_port)
    resolve_as(monkeypatch, {"hook.example": ["127.0.0.2", "127.0.0.1"]})
    with guarded_session(EgressPolicy.from_setting("127.0.0.2/32")) as session:
        for _ in range(3):
            assert session.get(f"http://hook.example:{allowed.server_port}/").status_code == 200
    assert (allowed.hits, inward.hits) == (3, 0)


def test_a_guarded_session_refuses_an_inward_answer(monkeypatch, http_server, connections):
    inward = http_server()
    resolve_as(monkeypatch, {"hook.example": ["127.0.0.1"]})
    with guarded_session(CLOSED) as session, pytest.raises(EgressRefused, match="loopback"):
        session.get(f"http://hook.example:{inward.server_port}/")
    assert inward.hits == 0 and connections == []


# --- TLS on the name, and what a failure tells ---------------------------------------------------


def test_tls_checks_the_name_while_connecting_to_the_judged_address(tmp_path, monkeypatch):
    context, ca_file = self_signed_certificate(tmp_path, dns_name="gateway.example")
    resolve_as(monkeypatch, {"gateway.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    with LocalGateway(ssl_context=context) as running:
        good = check(
            f"https://gateway.example:{running.port}/router/rest", LOOPBACK, ca_file=ca_file
        )
        other = check(
            f"https://other.example:{running.port}/router/rest", LOOPBACK, ca_file=ca_file
        )
    assert good.ok, good.to_dict()
    assert good.check("tls").ok and good.gateway_address == "127.0.0.1"
    tls = other.check("tls")
    assert (tls.ok, tls.sub_code) == (False, "tls.certificate-invalid")
    assert "other.example" in tls.message


def test_a_failed_connection_does_not_say_why(closed_port, connections):
    guarded = check(f"http://127.0.0.1:{closed_port}/router/rest", LOOPBACK).check("tcp")
    assert (guarded.ok, guarded.sub_code) == (False, "net.connect-failed")
    assert guarded.message == f"cannot connect to 127.0.0.1:{closed_port}"
    assert guarded.latency_ms is None
    text = f"{guarded.message} {guarded.advice}".lower()
    assert "refused" not in text and "timed out" not in text and "nothing listens" not in text
    plain = check(f"http://127.0.0.1:{closed_port}/router/rest", None).check("tcp")
    assert plain.sub_code == "net.connection-refused"  # the CLI on a host keeps its diagnosis


def test_a_guarded_session_hides_the_port_state(closed_port):
    with guarded_session(LOOPBACK) as session, pytest.raises(requests.ConnectionError) as caught:
        session.get(f"http://127.0.0.1:{closed_port}/")
    assert str(caught.value) == f"cannot connect to 127.0.0.1:{closed_port}"
