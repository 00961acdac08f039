"""The factory, file-id validation, download names and S3 specifics."""

from __future__ import annotations

import hashlib
import io

import pytest

from storage import (
    FsStorage,
    InvalidFileId,
    MemoryStorage,
    S3Storage,
    create_storage,
    safe_download_name,
)
from storage.base import content_disposition


def test_factory_defaults_to_the_filesystem(tmp_path) -> None:
    storage = create_storage({"STORAGE_FS_ROOT": str(tmp_path)})

    assert isinstance(storage, FsStorage)
    assert storage.root == tmp_path


def test_factory_builds_memory_and_s3_without_connecting() -> None:
    s3 = create_storage(
        {
            "STORAGE_BACKEND": "s3",
            "STORAGE_S3_BUCKET": "documents",
            "STORAGE_S3_PRESIGN_SECONDS": "60",
            "STORAGE_S3_ADDRESSING_STYLE": "virtual",
        }
    )

    assert isinstance(create_storage({"STORAGE_BACKEND": "memory"}), MemoryStorage)
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.presign_seconds, s3.addressing_style) == ("documents", 60, "virtual")
    assert "client" not in vars(s3)  # the boto3 client is created on first use


@pytest.mark.parametrize(
    ("config", "named_setting"),
    [
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
        ({"STORAGE_BACKEND": "fs"}, "STORAGE_FS_ROOT"),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_S3_BUCKET"),
        (
            {"STORAGE_BACKEND": "s3", "STORAGE_S3_BUCKET": "b", "STORAGE_S3_PRESIGN_SECONDS": "x"},
            "STORAGE_S3_PRESIGN_SECONDS",
        ),
        (
            {"STORAGE_BACKEND": "s3", "STORAGE_S3_BUCKET": "b", "STORAGE_S3_ADDRESSING_STYLE": "x"},
            "STORAGE_S3_ADDRESSING_STYLE",
        ),
    ],
)
def test_factory_errors_name_the_setting(config, named_setting) -> None:
    with pytest.raises(ValueError, match=named_setting):
        create_storage(config)


@pytest.mark.parametrize(
    "file_id",
    ["../../etc/passwd", "/etc/passwd", "2026/01/../../x", "2026/01/" + "g" * 32, ""],
)
def test_ids_the_storage_did_not_generate_are_refused(tmp_path, file_id) -> None:
    storage = FsStorage(tmp_path)

    with pytest.raises(InvalidFileId):
        storage.open(file_id)
    with pytest.raises(InvalidFileId):
        storage.delete(file_id)


def test_fs_listing_ignores_partial_uploads_and_stray_files(tmp_path) -> None:
    storage = FsStorage(tmp_path)
    stored = storage.save(io.BytesIO(b"real"))
    month_dir = (tmp_path / stored.file_id).parent
    (month_dir / ".partial-abc123").write_bytes(b"half")
    (month_dir / "notes.txt").write_bytes(b"stray")

    assert list(storage.iter_ids()) == [stored.file_id]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\scan.png", "scan.png"),
        ("../../etc/passwd", "passwd"),
        ('bad"name\r\n.pdf', "badname.pdf"),
        ("营业执照.pdf", "营业执照.pdf"),
        ("...", "download"),
        ("", "download"),
    ],
)
def test_safe_download_name(given: str, expected: str) -> None:
    assert safe_download_name(given) == expected


def test_content_disposition_has_ascii_fallback_and_utf8_name() -> None:
    header = content_disposition("营业执照 v2.pdf")

    assert header == (
        'attachment; filename="v2.pdf"; '
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20v2.pdf"
    )
    assert content_disposition("plain.pdf") == 'attachment; filename="plain.pdf"'


def test_s3_records_sha256_and_content_type_on_the_object(moto_s3_endpoint, s3_bucket) -> None:
    storage = S3Storage(s3_bucket, endpoint_url=moto_s3_endpoint, addressing_style="path")
    data = b"%PDF-1.7\n" + b"z" * (9 * 1024 * 1024)

    stored = storage.save(io.BytesIO(data), content_type="application/pdf")
    head = storage.client.head_object(Bucket=s3_bucket, Key=stored.file_id)

    assert storage.stored_sha256(stored.file_id) == hashlib.sha256(data).hexdigest()
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(data)
