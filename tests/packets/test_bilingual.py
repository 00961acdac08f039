"""The packet is written in Chinese and English at once, whoever's request renders it."""

import os
import subprocess
import sys
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from workflow.i18n import force_locale
from workflow.packets import render_packet
from workflow.packets.bilingual import both, chinese


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def isv(samples):
    data = samples.make("enablement_isv")
    return data, render_packet(data)


def test_headings_read_in_chinese_with_the_english_beside_them(isv):
    _data, pdf = isv
    text = _text(pdf)
    for zh, en in (
        ("开通申请（服务商）", "Enablement request (ISV)"),
        ("提交的资料", "Submitted data"),
        ("文件清单", "Document manifest"),
        ("操作记录", "Event trail"),
        ("开发者账号", "Developer account"),
        ("淘宝账号 ID", "Taobao account ID"),
        ("如何核验本资料包", "Checking this packet"),
    ):
        assert zh in text, zh
        assert en in text, en


def test_the_trail_names_states_and_events_in_both_languages(samples):
    # The builder records the trail in English (state names, event titles); the packet adds
    # the Chinese beside each.
    data = samples.make("enablement_isv")
    events = [
        replace(
            e,
            event="Submit for review",
            from_state="Enablement draft",
            to_state="Enablement submitted",
        )
        for e in data.events
    ]
    text = _text(render_packet(replace(data, events=events)))
    assert "提交审核" in text and "Submit for" in text
    assert "Enablement draft → Enablement" in text
    assert "开通申请草稿 →" in text


def test_user_data_is_shown_as_typed_not_translated(samples):
    # A company that calls itself "Open" is not 待处理 (the catalog's word for an open item).
    data = samples.make("enablement_seller", account_name="Open")
    text = _text(render_packet(data))
    assert "Open" in text
    assert "待处理" not in text


def test_the_same_data_gives_the_same_bytes_in_any_request_language(app, isv):
    data, first = isv
    assert render_packet(data) == first
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_packet(data) == first
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert render_packet(data) == first


def test_a_label_without_a_translation_is_written_once():
    assert chinese("Document manifest") == "文件清单"
    assert both("Document manifest") == "文件清单 Document manifest"
    assert both("A label nobody translated") == "A label nobody translated"


def test_a_process_that_never_built_a_packet_writes_the_desks_values_in_both_languages():
    # A worker or ``flask audit verify`` renders a snapshot it did not build: the desk's own
    # values must read the same there as in the process that built it, or the bytes differ.
    probe = (
        "from workflow.packets.context import render_html\n"
        "from workflow.packets.bilingual import known\n"
        "print(known('New APP'))\n"
        "print(known('confirmed 2026-05-06 10:30 UTC'))\n"
        "print(known('confirmed tomorrow UTC'))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, env=env, check=True
    )
    assert done.stdout.splitlines() == [
        "New APP 新应用",
        "confirmed 2026-05-06 10:30 UTC 已于 2026-05-06 10:30 UTC 确认",
        "confirmed tomorrow UTC",  # typed by a person: as typed
    ]
