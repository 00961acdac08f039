"""S3 backend through boto3; works with any S3-compatible endpoint.

Every object is written once, with its SHA-256 in its metadata. An upload the form parser
staged (see staging.py) is hashed as it arrived, so it goes up in one transfer with the hash
already set; a stream that fits in one PUT is read and hashed first. Only a larger stream of
unknown hash is uploaded and then copied onto itself, server-side, to record the hash.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Response, redirect

from .base import (
    CHUNK_SIZE,
    FILE_ID_PATTERN,
    FileTooLarge,
    HashingReader,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_file_id,
    content_disposition,
    new_file_id,
)
from .staging import StagedFile

DEFAULT_PRESIGN_SECONDS = 300
#: Object metadata key holding the SHA-256 computed while uploading.
SHA256_METADATA_KEY = "sha256"
_MiB = 1024 * 1024
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}
#: Staged uploads wait here, on local disk, for their one transfer to the bucket.
STAGING_PREFIX = "desk-upload-"


class S3Storage(Storage):
    def __init__(
        self,
        bucket: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        addressing_style: str | None = None,
        presign_seconds: int = DEFAULT_PRESIGN_SECONDS,
        staging_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.bucket = bucket
        #: Where uploads are staged on their way in; the system's temporary directory by default.
        self.staging_dir = Path(staging_dir or tempfile.gettempdir())
        self.region = region
        self.endpoint_url = endpoint_url
        self.addressing_style = addressing_style or "auto"
        self.presign_seconds = presign_seconds
        # Parts are buffered in memory while they upload; this caps that at a few parts.
        self.transfer_config = TransferConfig(
            multipart_threshold=8 * _MiB, multipart_chunksize=8 * _MiB, max_concurrency=4
        )
        self.transfer_config.max_in_memory_upload_chunks = 4

    @cached_property
    def client(self) -> Any:  # a botocore S3 client; thread-safe, so one per storage
        """Created on first use; credentials come from boto3's usual sources."""
        config = Config(signature_version="s3v4", s3={"addressing_style": self.addressing_style})
        return boto3.client(
            "s3", region_name=self.region, endpoint_url=self.endpoint_url, config=config
        )

    def save(
        self,
        stream: BinaryIO,
        *,
        content_type: str | None = None,
        max_size: int | None = None,
    ) -> StoredObject:
        if isinstance(stream, StagedFile) and (
            sent := self._send_staged(stream, max_size, content_type)
        ):
            return sent
        file_id = new_file_id()
        reader = HashingReader(stream, max_size)
        head = _read_up_to(reader, self.transfer_config.multipart_threshold)
        try:
            if len(head) < self.transfer_config.multipart_threshold:
                stored = reader.stored(file_id)  # the whole stream: one PUT, hash included
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=file_id,
                    Body=head,
                    **self._object_args(stored.sha256, content_type),
                )
                return stored
            # s3transfer aborts its own multipart upload on failure; the delete below also
            # covers an object that landed before recording its hash failed.
            self.client.upload_fileobj(
                _Joined(head, reader),
                self.bucket,
                file_id,
                ExtraArgs={"ContentType": content_type} if content_type else {},
                Config=self.transfer_config,
            )
            stored = reader.stored(file_id)
            self._record_checksum(file_id, stored.sha256, content_type)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=file_id)
            raise
        return stored

    def staging_file(self) -> StagedFile:
        """A local file, hashed while written, that ``save`` sends to the bucket as it is."""
        return StagedFile(self.staging_dir, STAGING_PREFIX, owner=self)

    def _send_staged(
        self, staged: StagedFile, max_size: int | None, content_type: str | None
    ) -> StoredObject | None:
        """Upload a staged file with its known hash; None where it must be read and hashed."""
        if staged.owner is not self or staged.tell() != 0:
            return None  # staged by another storage, or partly read by the caller
        known = staged.digest()
        if known is None:
            return None
        size, sha256 = known
        if max_size is not None and size > max_size:
            raise FileTooLarge(max_size)
        file_id = new_file_id()
        try:
            self.client.upload_file(
                str(staged.path),
                self.bucket,
                file_id,
                ExtraArgs=self._object_args(sha256, content_type),
                Config=self.transfer_config,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=file_id)
            raise
        staged.seek(0, os.SEEK_END)  # as a copying save leaves its source
        return StoredObject(file_id=file_id, size=size, sha256=sha256)

    @staticmethod
    def _object_args(sha256: str, content_type: str | None) -> dict[str, Any]:
        args: dict[str, Any] = {"Metadata": {SHA256_METADATA_KEY: sha256}}
        if content_type:
            args["ContentType"] = content_type
        return args

    def open(self, file_id: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=check_file_id(file_id))
        except ClientError as error:
            raise _translate(error, file_id) from error
        return response["Body"]

    def delete(self, file_id: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_file_id(file_id))

    def exists(self, file_id: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_file_id(file_id))
        except ClientError as error:
            if _is_not_found(error):
                return False
            raise
        return True

    def stored_at(self, file_id: str) -> datetime:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=check_file_id(file_id))
        except ClientError as error:
            raise _translate(error, file_id) from error
        return head["LastModified"].astimezone(UTC)

    def iter_ids(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                if FILE_ID_PATTERN.fullmatch(item["Key"]):
                    yield item["Key"]

    def stored_sha256(self, file_id: str) -> str | None:
        """The SHA-256 recorded in metadata at upload time, without reading the bytes."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=check_file_id(file_id))
        except ClientError as error:
            raise _translate(error, file_id) from error
        return head.get("Metadata", {}).get(SHA256_METADATA_KEY)

    def download_response(self, file_id: str, *, filename: str, content_type: str) -> Response:
        """Send the browser straight to S3 with a short-lived presigned URL."""
        url = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": check_file_id(file_id),
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=self.presign_seconds,
        )
        response = redirect(url, code=302)
        response.headers["Cache-Control"] = "private, no-store"
        return response

    def _record_checksum(self, file_id: str, sha256: str, content_type: str | None) -> None:
        """Store the hash as metadata; known only after streaming, so copy the object onto itself.

        The managed copy runs server-side (multipart for large objects); no bytes pass through us.
        """
        extra_args = {**self._object_args(sha256, content_type), "MetadataDirective": "REPLACE"}
        self.client.copy(
            {"Bucket": self.bucket, "Key": file_id},
            self.bucket,
            file_id,
            ExtraArgs=extra_args,
            Config=self.transfer_config,
        )


def _read_up_to(reader: HashingReader, limit: int) -> bytes:
    """The stream's first ``limit`` bytes, or all of it when it is shorter."""
    pieces: list[bytes] = []
    held = 0
    while held < limit and (piece := reader.read(min(CHUNK_SIZE, limit - held))):
        pieces.append(piece)
        held += len(piece)
    return b"".join(pieces)


class _Joined(io.RawIOBase):
    """``head`` and then the rest of ``reader``, read once, front to back."""

    def __init__(self, head: bytes, reader: HashingReader) -> None:
        self._head = io.BytesIO(head)
        self._reader = reader

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._head.read(size) or self._reader.read(size)


def _is_not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND_CODES


def _translate(error: ClientError, file_id: str) -> Exception:
    return ObjectNotFound(file_id) if _is_not_found(error) else error
