"""The request's ``multipart/form-data`` parser: python-multipart finds the parts, and each file
part streams into the stream factory's file (the storage's staging file) as it arrives.

werkzeug's own parser copies every piece of the body into a buffer, searches it with regular
expressions and slices it out again; python-multipart scans the pieces where they lie and hands
over the spans between boundaries, which are written (and hashed, by the staging file) without
a copy. The body is read in 1 MB pieces into reused buffers; a large body is read ahead on a
thread (:class:`_ReadAhead`) while the piece before is parsed, hashed and written.

The results are what werkzeug's parser gives the views: a ``MultiDict`` of text fields and one
of :class:`~werkzeug.datastructures.FileStorage`, with the same limits:

- more parts than ``max_form_parts``, or a text field or a part's headers past
  ``max_form_memory_size``: :exc:`~werkzeug.exceptions.RequestEntityTooLarge` (the 413 page);
- a body past ``max_content_length`` is refused by the limited stream the parser reads;
- a malformed body (bad boundary, missing Content-Disposition or name, headers that are not
  UTF-8, a body that stops before its closing boundary): :exc:`ValueError`, which the form
  data parser turns into an empty form, as werkzeug does. Nothing of it is kept: staged files
  are deleted when the request ends.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import typing as t

from python_multipart.multipart import MultipartParser
from werkzeug.datastructures import FileStorage, Headers, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

#: How much of the body is read at a time.
PIECE_SIZE = 1024 * 1024

#: A body larger than this is read ahead on a thread, into this many buffers of PIECE_SIZE.
READ_AHEAD_FROM = 2 * PIECE_SIZE
READ_AHEAD_PIECES = 4

#: Headers a part may carry (browsers send two: Content-Disposition and Content-Type).
MAX_PART_HEADERS = 16

#: The charsets a text field may declare; anything else is read as UTF-8, as werkzeug does.
_CHARSETS = frozenset({"ascii", "us-ascii", "utf-8", "iso-8859-1"})


class StreamFactory(t.Protocol):
    def __call__(
        self,
        *,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None,
        content_length: int | None,
    ) -> t.IO[bytes]: ...


class _Part:
    """The part being read: its headers, then its text or the file it is written into."""

    __slots__ = ("headers", "name", "filename", "chunks", "size", "file", "ready", "opening")

    def __init__(self) -> None:
        self.headers: list[tuple[str, str]] = []
        self.name = ""
        self.filename: str | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.file: t.IO[bytes] | None = None
        #: Its headers have ended, so data may follow.
        self.ready = False
        #: The part's first bytes while they may still be the next delimiter; None after.
        self.opening: bytes | None = b""


class MultipartReader:
    """Parse one ``multipart/form-data`` body into ``(form, files)``."""

    def __init__(
        self,
        stream_factory: StreamFactory,
        *,
        max_form_memory_size: int | None,
        max_form_parts: int | None,
        cls: type[MultiDict] = MultiDict,
        piece_size: int = PIECE_SIZE,
    ) -> None:
        self.stream_factory = stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_form_parts = max_form_parts
        self.cls = cls
        self.piece_size = piece_size

    def parse(
        self, stream: t.IO[bytes], boundary: bytes, content_length: int | None
    ) -> tuple[MultiDict, MultiDict]:
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, FileStorage]] = []
        state = _Parse(self, boundary, content_length, fields, files)
        # python-multipart's own header limit stays above ours, so ours answers first (413).
        header_limit = (self.max_form_memory_size or 64 * 1024) + 1024
        callbacks = state.callbacks()

        def new_parser() -> MultipartParser:
            return MultipartParser(
                boundary,
                callbacks,
                max_header_count=MAX_PART_HEADERS,
                max_header_size=header_limit,
            )

        parser = new_parser()

        def write(data: bytes | bytearray) -> None:
            nonlocal parser
            while True:
                try:
                    parser.write(data)
                    return
                except _BodilessPart as bodiless:
                    # The rest begins with the next delimiter, as a body's first one does.
                    state.part_end()
                    data = bodiless.rest
                    parser = new_parser()

        # Closed here, not when the frame goes: a read-ahead thread must end before the parse.
        with contextlib.closing(self._pieces(stream, content_length)) as pieces:
            for piece in pieces:
                write(piece)
        if not state.ended:
            raise ValueError("The form data ends before its closing boundary.")
        return self.cls(fields), self.cls(files)

    def _pieces(
        self, stream: t.IO[bytes], content_length: int | None
    ) -> t.Iterator[bytes | bytearray]:
        """The body, piece by piece: read ahead on a thread for a large body, else in turn."""
        readinto = getattr(stream, "readinto", None)
        if readinto is None:
            while data := stream.read(self.piece_size):
                yield data
            return
        if content_length is not None and content_length > READ_AHEAD_FROM:
            with _ReadAhead(readinto, self.piece_size) as pieces:
                yield from pieces
            return
        buffer = bytearray(self.piece_size)
        while count := readinto(buffer):
            yield buffer if count == len(buffer) else buffer[:count]


class _ReadAhead:
    """Reads the body on a thread of its own while the parser works on the piece before.

    Parsing, hashing and writing a piece leave the socket unread; with the next pieces read
    meanwhile into spare buffers, the client keeps sending instead of waiting for the server.
    The thread is the only reader of the stream until it ends, and it always ends before the
    parse does: after the last piece, or, when the parse stops early (a limit, a malformed
    body), once its current read returns. An error it meets (the client went away, the body
    is over the limit) is raised in the parse.
    """

    def __init__(self, readinto: t.Callable[[bytearray], int | None], piece_size: int) -> None:
        self._readinto = readinto
        self._free: queue.Queue[bytearray | None] = queue.Queue()
        for _ in range(READ_AHEAD_PIECES):
            self._free.put(bytearray(piece_size))
        self._read: queue.Queue[tuple[bytearray, int] | BaseException] = queue.Queue()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="upload-read-ahead", daemon=True)

    def __enter__(self) -> t.Iterator[bytearray]:
        self._thread.start()
        return self._pieces()

    def __exit__(self, *exc_info: object) -> None:
        self._stopping = True
        self._free.put(None)  # wakes a reader waiting for a buffer
        self._thread.join()

    def _run(self) -> None:
        try:
            while (buffer := self._free.get()) is not None and not self._stopping:
                count = self._readinto(buffer) or 0
                self._read.put((buffer, count))
                if not count:
                    return
        except BaseException as error:  # noqa: BLE001 (handed to the parse, which raises it)
            self._read.put(error)

    def _pieces(self) -> t.Iterator[bytearray]:
        while True:
            item = self._read.get()
            if isinstance(item, BaseException):
                raise item
            buffer, count = item
            if not count:
                return
            yield buffer if count == len(buffer) else buffer[:count]
            self._free.put(buffer)  # parsed and written: the reader may fill it again


class _BodilessPart(Exception):  # noqa: N818 (a signal, not an error)
    """A part ended with its headers: the delimiter follows their blank line directly."""

    def __init__(self, rest: bytes) -> None:
        super().__init__()
        self.rest = rest


class _Parse:
    """The callbacks of one parse and what they collect."""

    def __init__(
        self,
        reader: MultipartReader,
        boundary: bytes,
        content_length: int | None,
        fields: list[tuple[str, str]],
        files: list[tuple[str, FileStorage]],
    ) -> None:
        self.reader = reader
        self.delimiter = b"--" + boundary
        self.content_length = content_length
        self.fields = fields
        self.files = files
        self.part = _Part()
        self.parts = 0
        self.header_bytes = 0
        self.header_name = bytearray()
        self.header_value = bytearray()
        #: The closing boundary was seen; python-multipart skips whatever follows it.
        self.ended = False
        self.memory_limit = reader.max_form_memory_size

    def callbacks(self) -> dict[str, t.Callable[..., None]]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value_data,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        limit = self.reader.max_form_parts
        if limit is not None and self.parts > limit:
            raise RequestEntityTooLarge()
        self.part = _Part()
        self.header_bytes = 0

    def _count_header(self, count: int) -> None:
        self.header_bytes += count
        if self.memory_limit is not None and self.header_bytes > self.memory_limit:
            raise RequestEntityTooLarge()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_name += data[start:end]

    def header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_value += data[start:end]

    def header_end(self) -> None:
        # Header lines that are not UTF-8 make the body malformed (UnicodeDecodeError).
        name = self.header_name.decode().strip(" \t")
        value = self.header_value.decode().strip(" \t")
        self.part.headers.append((name, value))
        self.header_name.clear()
        self.header_value.clear()

    def headers_finished(self) -> None:
        part = self.part
        headers = Headers(part.headers)
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise ValueError("A part has no Content-Disposition header.")
        _, options = parse_options_header(disposition)
        name = options.get("name")
        if name is None:
            raise ValueError("A part has no name.")
        part.name = name
        part.filename = options.get("filename")
        part.ready = True
        if part.filename is None:
            return
        try:
            declared = int(headers.get("content-length", ""))
        except ValueError:
            declared = 0
        part.file = self.reader.stream_factory(
            total_content_length=self.content_length,
            content_type=headers.get("content-type"),
            filename=part.filename,
            content_length=declared,
        )

    def part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if not part.ready:
            raise ValueError("Part data before the part's headers ended.")
        if part.opening is not None:
            # A part without a body is its headers, then the delimiter (CRLF, "--", boundary)
            # whose CRLF also ends their blank line (RFC 2046 lets the body be left out;
            # werkzeug's test client writes empty fields and files so). python-multipart would
            # take that delimiter for the part's data, so the part's first bytes are held back
            # until they cannot be it.
            held = part.opening
            wanted = len(self.delimiter) - len(held)
            opening = held + bytes(data[start : min(end, start + wanted)])
            if self.delimiter.startswith(opening):
                if len(opening) == len(self.delimiter):
                    part.opening = None
                    raise _BodilessPart(held + bytes(data[start:]))
                part.opening = opening  # the piece ended inside what may be the delimiter
                return
            part.opening = None
            if held:
                self._keep(part, held, 0, len(held))
        self._keep(part, data, start, end)

    def _keep(self, part: _Part, data: bytes, start: int, end: int) -> None:
        if part.file is not None:
            part.file.write(memoryview(data)[start:end])  # straight from the read buffer
            return
        part.size += end - start
        if self.memory_limit is not None and part.size > self.memory_limit:
            raise RequestEntityTooLarge()
        part.chunks.append(bytes(data[start:end]))

    def part_end(self) -> None:
        part = self.part
        if part.opening:  # a short body that began like the delimiter
            self._keep(part, part.opening, 0, len(part.opening))
        part.opening = None
        headers = Headers(part.headers)
        if part.file is None:
            if not part.ready:
                raise ValueError("A part ends before its headers do.")
            charset = _charset(headers)
            self.fields.append((part.name, b"".join(part.chunks).decode(charset, "replace")))
            return
        part.file.seek(0)
        self.files.append(
            (part.name, FileStorage(part.file, part.filename, part.name, headers=headers))
        )

    def end(self) -> None:
        self.ended = True


def _charset(headers: Headers) -> str:
    content_type = headers.get("content-type")
    if content_type:
        charset = parse_options_header(content_type)[1].get("charset", "").lower()
        if charset in _CHARSETS:
            return charset
    return "utf-8"
