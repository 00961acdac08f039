"""File storage: one interface, filesystem, S3 and memory backends.

Callers save a stream and keep the returned :class:`StoredObject` (id, size, SHA-256) on
their row; the id is generated here, never taken from the user's filename.
"""

from .base import (
    CHUNK_SIZE,
    FileTooLarge,
    InvalidFileId,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    safe_download_name,
)
from .consistency import ConsistencyReport, Mismatch, check_consistency, sweep_orphans
from .factory import create_storage
from .fs import FsStorage
from .memory import MemoryStorage
from .s3 import S3Storage

__all__ = [
    "CHUNK_SIZE",
    "ConsistencyReport",
    "FileTooLarge",
    "FsStorage",
    "InvalidFileId",
    "MemoryStorage",
    "Mismatch",
    "ObjectNotFound",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredObject",
    "check_consistency",
    "create_storage",
    "safe_download_name",
    "sweep_orphans",
]
