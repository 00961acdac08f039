"""The request's multipart parser (python-multipart): werkzeug's results and limits, read in
pieces of any size; malformed bodies become an empty form, and over-limit ones a 413."""

from __future__ import annotations

import io
import threading

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser, default_stream_factory
from werkzeug.test import encode_multipart

import workflow.multipart
from workflow.multipart import MultipartReader

BOUNDARY = "b0undary"
PIECES = (1, 2, 5, 13, 64, 1024 * 1024)

#: Values that an empty part or the delimiter could be confused with, and plain ones.
VALUES = [b"", b"-", b"--", b"--b0und", b"\r\n", b"\r", b"x\r\n--b0un", b"plain", bytes(range(256))]


@pytest.fixture(params=[False, True], ids=["in-turn", "read-ahead"])
def read_ahead(request, monkeypatch) -> bool:
    """Every body read in turn, or every body read ahead on a thread (as large ones are)."""
    monkeypatch.setattr(workflow.multipart, "READ_AHEAD_FROM", -1 if request.param else 1 << 62)
    return request.param


def _reading_ahead() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "upload-read-ahead"]


def _parse(body: bytes, *, piece: int = 1024 * 1024, memory: int = 500_000, parts: int = 1000):
    reader = MultipartReader(
        default_stream_factory,
        max_form_memory_size=memory,
        max_form_parts=parts,
        piece_size=piece,
    )
    return reader.parse(io.BytesIO(body), BOUNDARY.encode(), len(body))


def _plain(form, files) -> tuple[list, list]:
    texts = sorted(form.items(multi=True))
    uploads = sorted(
        (name, f.filename, f.content_type, f.read()) for name, f in files.items(multi=True)
    )
    return texts, uploads


def _werkzeug(body: bytes) -> tuple[list, list]:
    parser = MultiPartParser(default_stream_factory, max_form_memory_size=500_000)
    return _plain(*parser.parse(io.BytesIO(body), BOUNDARY.encode(), len(body)))


def _form(values: list[bytes], as_files: bool) -> dict:
    if as_files:
        return {
            f"f{i}": FileStorage(io.BytesIO(v), f"文件{i}.pdf", content_type="application/pdf")
            for i, v in enumerate(values)
        }
    return {f"f{i}": v.decode("latin-1") for i, v in enumerate(values)}


@pytest.mark.parametrize("as_files", [False, True], ids=["fields", "files"])
@pytest.mark.parametrize("piece", PIECES)
def test_werkzeug_bodies_parse_as_werkzeug_parses_them(as_files, piece, read_ahead):
    # werkzeug's client writes an empty part with no CRLF before the next delimiter.
    _, body = encode_multipart(_form(VALUES, as_files), boundary=BOUNDARY)
    expected = _werkzeug(body)
    assert _plain(*_parse(body, piece=piece)) == expected
    assert expected[0 if not as_files else 1]  # the comparison saw the values
    shifted = list(reversed(VALUES))
    _, body = encode_multipart(_form(shifted, as_files), boundary=BOUNDARY)
    assert _plain(*_parse(body, piece=piece)) == _werkzeug(body)


def _browser_body(*parts: tuple[str, str | None, bytes], epilogue: bytes = b"") -> bytes:
    """What a browser sends: every part's data followed by CRLF and the delimiter."""
    out = b""
    for name, filename, data in parts:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'.encode()
        if filename is not None:
            out += f'; filename="{filename}"\r\nContent-Type: application/pdf'.encode()
        out += b"\r\n\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode() + epilogue


@pytest.mark.parametrize("piece", PIECES)
def test_browser_bodies_with_empty_parts_and_an_epilogue(piece, read_ahead):
    body = _browser_body(
        ("csrf_token", None, b"token"),
        ("empty", None, b""),
        ("file", "a.pdf", b"%PDF-1.4\r\n--b0und no delimiter\r\n"),
        ("none", "", b""),
        epilogue=b"whatever follows is ignored\r\n--b0undary\r\n",
    )
    texts, uploads = _plain(*_parse(body, piece=piece))
    assert texts == [("csrf_token", "token"), ("empty", "")]
    assert uploads == [
        ("file", "a.pdf", "application/pdf", b"%PDF-1.4\r\n--b0und no delimiter\r\n"),
        ("none", "", "application/pdf", b""),
    ]


def test_a_form_with_no_parts_is_empty():
    form, files = _parse(f"--{BOUNDARY}--\r\n".encode())
    assert (list(form.items()), list(files.items())) == ([], [])


def test_a_declared_charset_is_honoured_and_invalid_utf8_replaced():
    latin = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="latin"\r\n'
        "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
    ).encode() + "café".encode("latin-1")
    bad = f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="bad"\r\n\r\n'.encode()
    form, _ = _parse(latin + bad + b"\xff(\r\n" + f"--{BOUNDARY}--\r\n".encode())
    assert form["latin"] == "café" and form["bad"] == "\ufffd("


@pytest.mark.parametrize(
    "body",
    [
        _browser_body(("a", None, b"1"))[:-12],  # cut off before the closing boundary
        _browser_body(("a", None, b"1")).replace(b"\r\n", b"\n"),  # no CR in the line breaks
        b"",
        b"preamble\r\n" + _browser_body(("a", None, b"1")),
        f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; filename="a"\r\n\r\nx\r\n'
        f"--{BOUNDARY}--\r\n".encode(),  # no name
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="\xff"\r\n\r\nx\r\n'.encode(
            "latin-1"
        )
        + f"--{BOUNDARY}--\r\n".encode(),  # a header that is not UTF-8
    ],
    ids=["cut-off", "lf-only", "empty", "preamble", "no-disposition", "no-name", "latin1-header"],
)
@pytest.mark.parametrize("piece", [3, 1024 * 1024])
def test_malformed_bodies_are_value_errors(body, piece):
    with pytest.raises(ValueError):
        _parse(body, piece=piece)


def test_more_parts_than_allowed_is_413(read_ahead):
    body = _browser_body(*[("a", None, b"1")] * 5)
    assert len(_parse(body, parts=5)[0].getlist("a")) == 5
    with pytest.raises(RequestEntityTooLarge):
        _parse(body, parts=4, piece=4)
    assert _reading_ahead() == []  # the parse stopped early, and so did its reader


class _BreaksOff(io.BytesIO):
    """A body whose client goes away after ``keep`` bytes."""

    def __init__(self, data: bytes, keep: int) -> None:
        super().__init__(data)
        self.keep = keep

    def readinto(self, buffer) -> int:
        if self.tell() >= self.keep:
            raise ClientDisconnected()
        return super().readinto(buffer)


def test_an_error_while_reading_ahead_is_raised_in_the_parse(read_ahead):
    body = _browser_body(("file", "a.pdf", bytes(10_000)))
    made = []

    def factory(**kwargs):
        made.append(io.BytesIO())
        return made[-1]

    reader = MultipartReader(factory, max_form_memory_size=None, max_form_parts=None, piece_size=64)
    with pytest.raises(ClientDisconnected):
        reader.parse(_BreaksOff(body, 5_000), BOUNDARY.encode(), len(body))
    assert 4_000 < len(made[0].getvalue()) <= 5_000  # written up to where the client went
    assert _reading_ahead() == []


@pytest.mark.parametrize("piece", [7, 1024 * 1024])
def test_a_text_field_or_headers_past_the_memory_limit_is_413_but_a_file_is_not(piece):
    with pytest.raises(RequestEntityTooLarge):
        _parse(_browser_body(("a", None, b"x" * 1001)), memory=1000, piece=piece)
    with pytest.raises(RequestEntityTooLarge):
        _parse(_browser_body(("n" * 1001, None, b"x")), memory=1000, piece=piece)
    _, files = _parse(_browser_body(("f", "big.pdf", b"y" * 5000)), memory=1000, piece=piece)
    assert files["f"].read() == b"y" * 5000


def test_file_parts_go_to_the_stream_factory_with_werkzeugs_arguments():
    made = []

    def factory(*, total_content_length, content_type, filename, content_length):
        made.append((total_content_length, content_type, filename, content_length))
        return io.BytesIO()

    body = _browser_body(("text", None, b"t"), ("file", "a.pdf", b"data"))
    reader = MultipartReader(factory, max_form_memory_size=None, max_form_parts=None)
    _, files = reader.parse(io.BytesIO(body), BOUNDARY.encode(), len(body))
    assert made == [(len(body), "application/pdf", "a.pdf", 0)]
    assert files["file"].stream.tell() == 0 and files["file"].read() == b"data"
