"""One-page scanned documents made by the tests: text drawn into a greyscale image with a real
font (DejaVu for Latin, WenQuanYi Micro Hei for Chinese), saved as a PDF with no text layer or
as a PNG, the way a scanner delivers them."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
#: An A4 page at 150 dpi: pdftoppm renders it at 300 dpi for Tesseract.
PAGE_PIXELS = (1240, 1754)
DPI = 150


def _page(lines: tuple[str, ...], font_path: str) -> Image.Image:
    image = Image.new("L", PAGE_PIXELS, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path, 34)
    for number, line in enumerate(lines):
        draw.text((120, 150 + 70 * number), line, font=font, fill=0)
    return image


def scanned_pdf(*lines: str, font: str = LATIN_FONT) -> bytes:
    buffer = io.BytesIO()
    _page(lines, font).save(buffer, "PDF", resolution=DPI)
    data = buffer.getvalue()
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text().strip() == ""  # no text layer
    return data


def scanned_png(*lines: str, font: str = LATIN_FONT) -> bytes:
    buffer = io.BytesIO()
    _page(lines, font).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()
