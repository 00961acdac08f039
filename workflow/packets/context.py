"""Turn ``PacketData`` into what the templates show: formatted times, sizes and summaries.

The templates stay free of logic beyond loops; anything that needs a decision is made here.
"""

from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from workflow.formatting import file_size

from . import values  # noqa: F401  (registers the desk's own values before any packet renders)
from .bilingual import both, known, stacked, zh
from .data import PacketData
from .manifest import (
    MANIFEST_NAME,
    SELLER_LIST_NAME,
    embedded_documents,
    seller_list_summary,
)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "packets"
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "GMT+8")


@cache
def template_environment() -> Environment:
    """A standalone environment: packets render the same with or without a Flask app."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        utc=format_utc,
        utc_time=lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        gmt8=format_gmt8,
        filesize=file_size,
        thousands=lambda number: f"{number:,}",
        status_class=status_class,
        both=both,
        stacked=stacked,
        zh=zh,
        known=known,
    )
    # Headings and labels: Chinese with the English beside them, whatever the request's language.
    environment.globals["_"] = both
    return environment


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_gmt8(moment: datetime) -> str:
    return moment.astimezone(CHINA_STANDARD_TIME).strftime("%Y-%m-%d %H:%M:%S GMT+8")


def pdf_metadata_date(moment: datetime) -> str:
    """W3C date for the PDF's created/modified metadata: fixed by the submission, not the clock."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_class(review_status: str) -> str:
    """Colour a review status by what it means for the reader, whatever its exact wording."""
    status = review_status.lower()
    if "accept" in status or "approv" in status:
        return "status-ok"
    if "reject" in status or "change" in status:
        return "status-bad"
    return "status-open"


def template_context(data: PacketData) -> dict[str, Any]:
    documents = embedded_documents(data)
    return {
        "data": data,
        "documents": documents,
        "total_document_size": sum(document.entry.size for document in documents),
        "seller_list": seller_list_summary(data),
        "sorted_seller_ids": sorted(set(data.seller_ids or [])),
        "pdf_date": pdf_metadata_date(data.submitted_at),
        "manifest_name": MANIFEST_NAME,
        "seller_list_name": SELLER_LIST_NAME,
    }


def render_html(data: PacketData) -> str:
    return template_environment().get_template("packet.html").render(template_context(data))
