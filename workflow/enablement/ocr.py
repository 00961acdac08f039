"""Read a scanned document with Tesseract: PDF pages rendered by poppler's pdftoppm, images as
they are. Flask-free; both programs run as subprocesses under one deadline.

Debian: ``tesseract-ocr`` and ``tesseract-ocr-chi-sim`` (``make system-deps``), ``poppler-utils``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from workflow.enablement.prechecks import MAX_TEXT_CHARS, PAGE_BREAK

#: Scanners deliver 200–300 dpi; Tesseract reads best at about 300.
RENDER_DPI = 300
#: One thread per Tesseract: workers already run side by side, and Tesseract's OpenMP threads
#: on a busy machine made one page several times slower, not faster.
_ENVIRONMENT = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrFailed(Exception):
    """OCR could not read the document; the message says why, for an operator."""


def read_document(path: Path, kind: str, *, languages: str, timeout: float, max_pages: int) -> str:
    """The text of a PDF's first ``max_pages`` pages, or of an image, pages split by a form feed.

    :raises OcrFailed: a program is missing, failed, or the whole took longer than ``timeout``.
    """
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
        pdf = kind == "pdf"
        images = _render_pages(path, Path(folder), max_pages, deadline) if pdf else [path]
        pages = [_recognise(image, languages, deadline) for image in images]
    return PAGE_BREAK.join(pages).replace("\x00", "")[:MAX_TEXT_CHARS]


def _render_pages(pdf: Path, folder: Path, max_pages: int, deadline: float) -> list[Path]:
    prefix = folder / "page"
    command = ["pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-f", "1", "-l"]
    _run([*command, str(max_pages), str(pdf), str(prefix)], deadline, "pdftoppm")
    # pdftoppm pads the page number to the page count's width: page-1.png or page-01.png.
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    if not pages:
        raise OcrFailed("pdftoppm rendered no pages")
    return pages


def _recognise(image: Path, languages: str, deadline: float) -> str:
    return _run(["tesseract", str(image), "stdout", "-l", languages], deadline, "tesseract")


def _run(command: list[str], deadline: float, program: str) -> str:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OcrFailed(f"OCR took longer than its time limit (before {program} ran)")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=remaining,
            check=False,
            stdin=subprocess.DEVNULL,
            env=_ENVIRONMENT,
        )
    except FileNotFoundError:
        raise OcrFailed(f"{program} is not installed (make system-deps installs it)") from None
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"OCR took longer than its time limit ({program} was stopped)") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit status {done.returncode}"
        raise OcrFailed(f"{program} failed: {reason}"[:500])
    return done.stdout.decode("utf-8", "replace")
