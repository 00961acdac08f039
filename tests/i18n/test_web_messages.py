"""The web layer's own refusals read in the reader's language: rate limits and exports."""

from __future__ import annotations

import pytest

from workflow.errors import NotFound
from workflow.i18n import force_locale
from workflow.web.exports import Table, export_response
from workflow.web.limits import rate_text


def test_a_rate_reads_in_english_and_chinese(app):
    rate = rate_text("5 per minute; 20 per hour; 3/2 seconds")
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert str(rate) == "每分钟 5 次、每小时 20 次、每 2 秒 3 次"
    with app.test_request_context():
        assert str(rate) == "5 per minute, 20 per hour, 3 per 2 seconds"
    assert rate_text("whenever you like") == "whenever you like"


def test_an_unknown_export_format_is_refused_in_chinese(app):
    with pytest.raises(NotFound) as refused:
        export_response(Table("t", ["a"], []), "pdf")
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert refused.value.message == "导出文件格式为 .csv 或 .xlsx。"
    with app.test_request_context():
        assert refused.value.message == "Exports come as .csv or .xlsx."
