"""Binds the configured storage backend to the app, and lets uploads land in it directly."""

from __future__ import annotations

from typing import IO

from flask import Flask, Request, current_app
from werkzeug.formparser import FormDataParser

from storage import Storage, create_storage
from storage.base import SPOOL_SIZE
from workflow.multipart import MultipartReader


class UploadFormDataParser(FormDataParser):
    """werkzeug's form parser, with multipart bodies read by python-multipart
    (``workflow/multipart.py``): the same limits and results, each file part written once."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        reader = MultipartReader(
            self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        form, files = reader.parse(stream, boundary, content_length)
        return stream, form, files


class UploadRequest(Request):
    """A request whose uploaded file parts are written by the form parser into the storage's
    staging file (``Storage.staging_file``), so that saving one does not copy it again.

    Staged files the request did not save are deleted when it ends.
    """

    form_data_parser_class = UploadFormDataParser

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        if total_content_length is not None and total_content_length <= SPOOL_SIZE:
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        staged = get_storage().staging_file()
        self.__dict__.setdefault("_staged_files", []).append(staged)
        return staged

    def close(self) -> None:
        try:
            super().close()
        finally:
            for staged in self.__dict__.pop("_staged_files", ()):
                staged.close()


def init_app(app: Flask) -> None:
    app.extensions["storage"] = create_storage(app.config)
    app.request_class = UploadRequest


def get_storage() -> Storage:
    return current_app.extensions["storage"]
