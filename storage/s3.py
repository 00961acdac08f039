"""S3 backend through boto3; works with any S3-compatible endpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Response, redirect

from .base import (
    FILE_ID_PATTERN,
    HashingReader,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_file_id,
    content_disposition,
    new_file_id,
)

DEFAULT_PRESIGN_SECONDS = 300
#: Object metadata key holding the SHA-256 computed while uploading.
SHA256_METADATA_KEY = "sha256"
_MiB = 1024 * 1024
_NOT_FOUND_CODES = {"404", "NoSuchKey", "NotFound"}


class S3Storage(Storage):
    def __init__(
        self,
        bucket: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        addressing_style: str | None = None,
        presign_seconds: int = DEFAULT_PRESIGN_SECONDS,
    ) -> None:
        self.bucket = bucket
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
        file_id = new_file_id()
        reader = HashingReader(stream, max_size)
        extra_args = {"ContentType": content_type} if content_type else {}
        try:
            # s3transfer aborts its own multipart upload on failure; the delete below also
            # covers a single-part object that landed before a later step failed.
            self.client.upload_fileobj(
                reader, self.bucket, file_id, ExtraArgs=extra_args, Config=self.transfer_config
            )
            stored = reader.stored(file_id)
            self._record_checksum(file_id, stored.sha256, content_type)
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=file_id)
            raise
        return stored

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
        extra_args: dict[str, Any] = {
            "Metadata": {SHA256_METADATA_KEY: sha256},
            "MetadataDirective": "REPLACE",
        }
        if content_type:
            extra_args["ContentType"] = content_type
        self.client.copy(
            {"Bucket": self.bucket, "Key": file_id},
            self.bucket,
            file_id,
            ExtraArgs=extra_args,
            Config=self.transfer_config,
        )


def _is_not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND_CODES


def _translate(error: ClientError, file_id: str) -> Exception:
    return ObjectNotFound(file_id) if _is_not_found(error) else error
