"""The packet URL fetcher serves the asset list and nothing else."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import weasyprint
from weasyprint.urls import FatalURLFetchingError

from workflow.packets import PacketAssetFetcher, RefusedURL


@pytest.fixture
def loopback_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/hostname",
        "http://127.0.0.1/logo.png",
        "https://example.com/font.ttf",
        "data:text/css,body{}",
        "packet-asset:../../etc/passwd",
        "packet-asset:fonts/unknown.ttf",
    ],
)
def test_fetcher_refuses_everything_outside_the_asset_list(url: str) -> None:
    with pytest.raises(RefusedURL):
        PacketAssetFetcher().fetch(url)


def test_fetcher_serves_listed_fonts() -> None:
    response = PacketAssetFetcher().fetch("packet-asset:fonts/sans.ttf")
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()


def test_missing_asset_file_is_reported(tmp_path: Path) -> None:
    fetcher = PacketAssetFetcher({"fonts/gone.ttf": tmp_path / "gone.ttf"})
    with pytest.raises(FileNotFoundError, match="gone.ttf"):
        fetcher.fetch("packet-asset:fonts/gone.ttf")


def test_rendering_stops_on_a_file_url(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for packets")
    html = weasyprint.HTML(
        string=f'<img src="{secret.as_uri()}">', url_fetcher=PacketAssetFetcher()
    )
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()


def test_rendering_stops_on_a_network_url_without_connecting(loopback_server) -> None:
    base, requests = loopback_server
    html = weasyprint.HTML(
        string=f'<link rel="stylesheet" href="{base}/evil.css"><img src="{base}/pixel.png">',
        url_fetcher=PacketAssetFetcher(),
    )
    with pytest.raises(FatalURLFetchingError):
        html.write_pdf()
    assert requests == []


def test_loopback_server_is_reachable_by_default_fetcher(loopback_server) -> None:
    """Control for the test above: WeasyPrint's own fetcher does reach the server."""
    base, requests = loopback_server
    weasyprint.HTML(string=f'<img src="{base}/pixel.png">').write_pdf()
    assert requests == ["/pixel.png"]
