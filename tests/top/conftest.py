import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from top.client import TopClient
from top.gateway import DEMO_APP_KEY, DEMO_APP_SECRET, DEMO_SESSION, LocalGateway


@pytest.fixture
def gateway() -> Iterator[LocalGateway]:
    """A local TOP gateway on a free loopback port, with the demo APP and session."""
    with LocalGateway() as running:
        yield running


@pytest.fixture
def demo_client(gateway: LocalGateway) -> Iterator[TopClient]:
    client = TopClient(gateway.url, DEMO_APP_KEY, DEMO_APP_SECRET, session=DEMO_SESSION)
    yield client
    client.http.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port that was free a moment ago, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tls_gateway(tmp_path: Path) -> Iterator[tuple[LocalGateway, str]]:
    """A local gateway on https with a throwaway self-signed certificate, and its CA file."""
    context, ca_file = self_signed_certificate(tmp_path)
    with LocalGateway(ssl_context=context) as running:
        yield running, ca_file


def self_signed_certificate(
    folder: Path, dns_name: str | None = None
) -> tuple[ssl.SSLContext, str]:
    """A certificate for 127.0.0.1, or for ``dns_name`` only when one is given."""
    key = ec.generate_private_key(ec.SECP256R1())
    common_name = dns_name or "127.0.0.1"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    alternative: x509.GeneralName = (
        x509.DNSName(dns_name) if dns_name else x509.IPAddress(IPv4Address("127.0.0.1"))
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "gateway.pem", folder / "gateway.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)
