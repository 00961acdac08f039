"""How much a packet costs beyond WeasyPrint itself, and how little a cached packet costs.

1. An ISV enablement packet with six 2 MB attachments, against WeasyPrint alone rendering the same
   HTML without attachments (goal: below 1.5x).
2. A cached rebuild against a fresh render (goal: below 0.05): both through
   ``workflow.packets.operations.rebuild_packet`` on packets recorded by real submissions (the
   demo data, seeded into a fresh SQLite database through the migrations, fs storage), the
   cached side serving the stored bytes, the other asked to ``render``.

Each comparison alternates its two sides round by round.

Run: .venv/bin/python bench/bench_packets.py
"""

import hashlib
import os
import random
import struct
import sys
import tempfile
import zlib
from datetime import UTC, datetime
from functools import partial
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from workflow.packets import (  # noqa: E402
    DocumentEntry,
    PacketAssetFetcher,
    PacketData,
    Section,
    TrailEvent,
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


def weasyprint_alone(data: PacketData) -> bytes:
    html = weasyprint.HTML(string=render_html(data), url_fetcher=PacketAssetFetcher())
    return html.write_pdf(pdf_variant="pdf/a-3b")


def attachments_bench() -> None:
    data = isv_packet()
    rounds = alternate(
        {
            "WeasyPrint alone (same HTML, no attachments)": lambda: weasyprint_alone(data),
            "render_packet (with attachments)": lambda: render_packet(data),
        },
        ROUNDS,  # the warm-up round loads fonts and compiles templates
    )
    packet = render_packet(data)
    mib = 2**20
    print(f"packet: {len(packet) / mib:.1f} MiB, 6 attachments of {ATTACHMENT_SIZE / mib:.0f} MiB")
    show(rounds, digits=1)
    show_ratio(
        "render_packet / WeasyPrint alone",
        ratio(
            rounds,
            "render_packet (with attachments)",
            "WeasyPrint alone (same HTML, no attachments)",
        ),
        goal=1.5,
    )


def rebuild_bench() -> None:
    base = Path(tempfile.mkdtemp(prefix="bench-packets-"))
    os.environ.setdefault("ONBOARDING_INSTANCE_PATH", str(base / "instance"))
    from app import create_app
    from tests.support import desk_config, reset_schema
    from workflow.demo import seed_demo
    from workflow.extensions import db
    from workflow.models import Packet
    from workflow.packets.operations import rebuild_packet

    app = create_app(desk_config(base, f"sqlite:///{base / 'bench.sqlite3'}"))
    with app.app_context():
        reset_schema()
        seed_demo()  # the demo seller's submissions record their packets
        packets = db.session.scalars(select(Packet).order_by(Packet.id)).all()
        for packet in packets:

            def cached(packet=packet) -> None:
                db.session.expire_all()  # the rebuild loads what it needs, as a command would
                assert not rebuild_packet(packet).rendered

            def rendered(packet=packet) -> None:
                db.session.expire_all()
                result = rebuild_packet(packet, render=True)
                assert result.rendered

            rounds = alternate(
                {"rebuild_packet (stored bytes)": cached, "rebuild_packet(render=True)": rendered},
                ROUNDS,
            )
            print(
                f"recorded packet {packet.kind} ({packet.reference}), {packet.size / 1024:.0f} KiB:"
            )
            show(rounds)
            show_ratio(
                "  cached rebuild / render",
                ratio(rounds, "rebuild_packet (stored bytes)", "rebuild_packet(render=True)"),
                goal=0.05,
                digits=4,
            )


def main() -> None:
    attachments_bench()
    rebuild_bench()


if __name__ == "__main__":
    main()
