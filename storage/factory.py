"""Build the configured backend from a Flask-style config mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Storage
from .fs import FsStorage
from .memory import MemoryStorage
from .s3 import DEFAULT_PRESIGN_SECONDS, S3Storage

BACKENDS = ("fs", "s3", "memory")


def create_storage(config: Mapping[str, Any]) -> Storage:
    backend = config.get("STORAGE_BACKEND") or "fs"
    if backend == "fs":
        return FsStorage(_required(config, "STORAGE_FS_ROOT"))
    if backend == "s3":
        return _create_s3(config)
    if backend == "memory":
        return MemoryStorage()
    raise ValueError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}; got {backend!r}.")


def _create_s3(config: Mapping[str, Any]) -> S3Storage:
    presign = config.get("STORAGE_S3_PRESIGN_SECONDS") or DEFAULT_PRESIGN_SECONDS
    try:
        presign_seconds = int(presign)
    except (TypeError, ValueError):
        raise ValueError(f"STORAGE_S3_PRESIGN_SECONDS must be a number; got {presign!r}.") from None
    style = config.get("STORAGE_S3_ADDRESSING_STYLE") or "auto"
    if style not in ("auto", "path", "virtual"):
        raise ValueError(
            f"STORAGE_S3_ADDRESSING_STYLE must be auto, path or virtual; got {style!r}."
        )
    return S3Storage(
        _required(config, "STORAGE_S3_BUCKET"),
        region=config.get("STORAGE_S3_REGION") or None,
        endpoint_url=config.get("STORAGE_S3_ENDPOINT_URL") or None,
        addressing_style=style,
        presign_seconds=presign_seconds,
    )


def _required(config: Mapping[str, Any], key: str) -> Any:
    value = config.get(key)
    if not value:
        backend = config.get("STORAGE_BACKEND") or "fs"
        raise ValueError(f"{key} must be set when STORAGE_BACKEND is {backend!r}.")
    return value
