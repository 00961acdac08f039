"""Flask download responses for backends that stream the bytes themselves (fs and memory)."""

from __future__ import annotations

from typing import BinaryIO

from flask import Response, send_file

from .base import safe_download_name


def attachment_response(
    source: str | BinaryIO, *, filename: str, content_type: str, size: int | None = None
) -> Response:
    """Stream ``source`` (a path or an open binary file) as a download named ``filename``."""
    response = send_file(
        source,
        mimetype=content_type,
        as_attachment=True,
        download_name=safe_download_name(filename),
        conditional=True,
        etag=False,
        max_age=None,
    )
    if size is not None and response.content_length is None:
        response.content_length = size
    # Applicant documents are private, and the browser must not reinterpret them as HTML.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
