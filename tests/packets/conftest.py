"""Sample packet data for every kind, with small real PDF and PNG documents."""

import hashlib
import struct
import zlib
from datetime import UTC, datetime
from functools import partial
from io import BytesIO

import pytest
from pypdf import PdfWriter

from workflow.packets import (
    DocumentEntry,
    PacketData,
    Section,
    SellerDiff,
    Table,
    TrailEvent,
    render_packet,
)

CHINESE_COMPANY = "杭州测试科技有限公司"
SUBMITTED_AT = datetime(2024, 5, 6, 2, 30, tzinfo=UTC)
ISV_DOCUMENT_KINDS = (
    "a. Certificate of incorporation",
    "b. Proof of bank account",
    "c. Representative's ID",
    "d. Signed Taobao service agreement",
    "e. Signatory's ID",
    "f. Authorization letter",
)


def tiny_pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def tiny_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def document(kind_label: str, filename: str, content: bytes, **fields: object) -> DocumentEntry:
    values: dict = {
        "kind_label": kind_label,
        "filename": filename,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "version": 1,
        "review_status": "pending",
        "content_type": "image/png" if filename.endswith(".png") else "application/pdf",
        "open": partial(BytesIO, content),
    }
    values.update(fields)
    return DocumentEntry(**values)


def isv_documents() -> list[DocumentEntry]:
    documents = []
    for index, kind_label in enumerate(ISV_DOCUMENT_KINDS):
        if index % 2:
            content = tiny_png(8, 8, (index * 30, 90, 160))
            filename = f"scan-{index}.png"
        else:
            content = tiny_pdf(kind_label)
            filename = f"{kind_label[3:].lower().replace(' ', '-')}.pdf"
        status = "accepted" if index < 4 else "changes requested"
        documents.append(document(kind_label, filename, content, review_status=status))
    return documents


def event_hash(number: int) -> str:
    return hashlib.sha256(f"event {number}".encode()).hexdigest()


def trail() -> list[TrailEvent]:
    return [
        TrailEvent(
            at=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
            actor="li.wei@example.com",
            event="submit",
            from_state="enablement_draft",
            to_state="enablement_submitted",
            hash=event_hash(1),
        ),
        TrailEvent(
            at=datetime(2024, 5, 3, 11, 15, tzinfo=UTC),
            actor="reviewer@tmall.example",
            event="request_changes",
            from_state="enablement_submitted",
            to_state="enablement_changes_requested",
            comment="The signatory's ID is cut off; please upload a full scan.",
            hash=event_hash(2),
        ),
        TrailEvent(
            at=SUBMITTED_AT,
            actor="li.wei@example.com",
            event="submit",
            from_state="enablement_changes_requested",
            to_state="enablement_submitted",
            hash=event_hash(3),
        ),
    ]


SELLER_IDS = [2208000000000 + n * 7 for n in range(1234)]


def kind_fields(kind: str) -> dict:
    """What differs between packet kinds: title, sections, documents and seller lists."""
    kinds: dict[str, dict] = {
        "enablement_seller": {
            "kind_title": "Enablement request (seller)",
            "account_type": "seller",
            "sections": [
                Section("Formal request", paragraphs=["Please enable our seller account."])
            ],
        },
        "enablement_isv": {
            "kind_title": "Enablement request (ISV)",
            "sections": [Section("Company", rows=[("Legal name", CHINESE_COMPANY)])],
            "documents": isv_documents(),
        },
        "api_access": {
            "kind_title": "API authorization request",
            "sections": [
                Section(
                    "APIs requested",
                    rows=[("New APP", "yes")],
                    table=Table(
                        ["API", "Authorization", "Reason"],
                        [["taobao.trades.sold.get", "required", "Sync orders\ninto our ERP"]],
                    ),
                )
            ],
        },
        "mrd_prd": {
            "kind_title": "MRD and PRD",
            "documents": [
                document("MRD", "mrd.pdf", tiny_pdf("MRD")),
                document("PRD", "产品需求.pdf", tiny_pdf("PRD")),
            ],
        },
        "cloud_plan": {
            "kind_title": "Cloud deployment plan",
            "sections": [Section("Services ordered", rows=[("ECS", "2 x ecs.g7.large")])],
        },
        "cloud_verification": {
            "kind_title": "Cloud verification",
            "sections": [
                Section(
                    "Cloud evidence: run recorded 2024-05-03 10:00:00 UTC",
                    rows=[("Result", "Counts as evidence"), ("Host", "ecs-01")],
                )
            ],  # fmt: skip
        },
        "exemption": {
            "kind_title": "Own-server exemption request",
            "sections": [Section("Reason", paragraphs=["Our APP must run next to the warehouse."])],
        },
        "authorization": {
            "kind_title": "Authorization request",
            "seller_ids": SELLER_IDS,
            "seller_list_title": "Authorization list",
            "seller_diff": SellerDiff(added=SELLER_IDS[-2:], removed=[2207999999999]),
        },
        "distribution": {
            "kind_title": "Distribution request",
            "seller_ids": SELLER_IDS[:40],
            "seller_list_title": "Distribution list",
            "exemption_note": "Own-server exemption approved on 2024-04-02 (PKT-2024-000087).",
        },
    }
    return kinds[kind]


def make_packet_data(kind: str = "enablement_isv", **overrides: object) -> PacketData:
    values: dict = {
        "reference": f"PKT-2024-{kind.upper()}",
        "kind": kind,
        "account_name": CHINESE_COMPANY,
        "account_type": "ISV",
        "taobao_account_id": "tb_hz_test_001",
        "app_name": "Hangzhou ERP Connector",
        "app_key": "34567890",
        "submitted_at": SUBMITTED_AT,
        "reviewer_mailbox": "top-review@tmall.example",
        "events": trail(),
        "chain_hash": event_hash(3),
    }
    values.update(kind_fields(kind))
    values.update(overrides)
    return PacketData(**values)


class PacketSamples:
    """What tests need from here, handed out as a fixture so no test imports conftest."""

    company = CHINESE_COMPANY
    submitted_at = SUBMITTED_AT
    make = staticmethod(make_packet_data)
    document = staticmethod(document)
    tiny_pdf = staticmethod(tiny_pdf)
    tiny_png = staticmethod(tiny_png)


@pytest.fixture(scope="session")
def samples() -> PacketSamples:
    return PacketSamples()


@pytest.fixture(scope="session")
def isv_packet() -> tuple[PacketData, bytes]:
    data = make_packet_data("enablement_isv")
    return data, render_packet(data)
