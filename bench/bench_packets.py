"""How much a packet costs beyond WeasyPrint itself, and how little a cached packet costs.

1. An ISV enablement packet with six 2 MB attachments, against WeasyPrint alone rendering the same
   HTML without attachments (goal: below 1.5x).
2. A cached rebuild (compute packet_cache_key, look the bytes up) against the first build
   (goal: below 0.05). Measured with an in-memory dict and with a cache directory.

Run: .venv/bin/python bench/bench_packets.py
"""

import hashlib
import random
import statistics
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint  # noqa: E402

from workflow.packets import (  # noqa: E402
    DocumentEntry,
    PacketAssetFetcher,
    PacketData,
    Section,
    TrailEvent,
    packet_cache_key,
    render_packet,
)
from workflow.packets.context import render_html  # noqa: E402

ATTACHMENT_SIZE = 2 * 1024 * 1024
ROUNDS = 5
SUBMITTED_AT = datetime(2024, 5, 6, 2, 30, tzinfo=UTC)


def scan_png(seed: int, size: int) -> bytes:
    """A real PNG of about ``size`` bytes whose pixels are noise, like a scanned document:
    already compressed data that deflate cannot shrink."""
    width = 1024
    rows = size // (width * 3 + 1)
    noise = random.Random(seed).randbytes(rows * width * 3)
    raw = b"".join(b"\x00" + noise[row * width * 3 : (row + 1) * width * 3] for row in range(rows))

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    header = struct.pack(">IIBBBBB", width, rows, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 0))
        + chunk(b"IEND", b"")
    )


def isv_packet() -> PacketData:
    kinds = (
        "a. Certificate of incorporation",
        "b. Proof of bank account",
        "c. Representative's ID",
        "d. Signed Taobao service agreement",
        "e. Signatory's ID",
        "f. Authorization letter",
    )
    documents = []
    for index, kind_label in enumerate(kinds):
        content = scan_png(index, ATTACHMENT_SIZE)
        documents.append(
            DocumentEntry(
                kind_label=kind_label,
                filename=f"scan-{index}.png",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                version=1,
                review_status="accepted",
                content_type="image/png",
                open=partial(BytesIO, content),
            )
        )
    events = [
        TrailEvent(
            at=SUBMITTED_AT,
            actor="li.wei@example.com",
            event="submit",
            from_state="enablement_draft",
            to_state="enablement_submitted",
            hash="c" * 64,
        )
    ]
    return PacketData(
        reference="PKT-2024-000123",
        kind="enablement_isv",
        kind_title="Enablement request (ISV)",
        account_name="杭州测试科技有限公司",
        account_type="ISV",
        taobao_account_id="tb_hz_test_001",
        app_name="Hangzhou ERP Connector",
        app_key="34567890",
        submitted_at=SUBMITTED_AT,
        reviewer_mailbox="top-review@tmall.example",
        sections=[Section("Company", rows=[("Legal name", "杭州测试科技有限公司")])],
        documents=documents,
        events=events,
        chain_hash="c" * 64,
    )


def median_seconds(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def weasyprint_alone(data: PacketData) -> bytes:
    html = weasyprint.HTML(string=render_html(data), url_fetcher=PacketAssetFetcher())
    return html.write_pdf(pdf_variant="pdf/a-3b")


def main() -> None:
    data = isv_packet()
    render_packet(data)  # warm up: font loading, template compilation
    baseline = median_seconds(lambda: weasyprint_alone(data))
    full = median_seconds(lambda: render_packet(data))
    packet = render_packet(data)
    mib = 2**20
    print(f"packet: {len(packet) / mib:.1f} MiB, 6 attachments of {ATTACHMENT_SIZE / mib:.0f} MiB")
    print(f"WeasyPrint alone (same HTML, no attachments): {baseline * 1000:7.1f} ms")
    print(f"render_packet (with attachments):            {full * 1000:7.1f} ms")
    print(f"  ratio {full / baseline:.2f}x   (goal < 1.5x)")

    memory_cache = {packet_cache_key(data): packet}
    cached = median_seconds(lambda: memory_cache[packet_cache_key(data)], rounds=50)
    print(
        f"cached rebuild, dict:      {cached * 1000:7.2f} ms  "
        f"ratio {cached / full:.4f}  (goal < 0.05)"
    )
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / packet_cache_key(data)).write_bytes(packet)
        cached_file = median_seconds(
            lambda: (Path(folder) / packet_cache_key(data)).read_bytes(), rounds=50
        )
    print(
        f"cached rebuild, directory: {cached_file * 1000:7.2f} ms  "
        f"ratio {cached_file / full:.4f}  (goal < 0.05)"
    )


if __name__ == "__main__":
    main()
