"""Upload prechecks read in the reader's language: each is stored with its English, its text's key
and its parameters, and a row stored before the key existed shows the English it was stored with."""

from __future__ import annotations

import html

from tests.enablement.conftest import upload, versions
from workflow.enablement.prechecks import shown
from workflow.enablement.samples import sample_pdf, sample_png
from workflow.extensions import db
from workflow.i18n import force_locale

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB"}


def _page(client, journey_id: int, headers) -> str:
    return html.unescape(client.get(f"/journeys/{journey_id}", headers=headers).get_data(True))


def test_a_stored_precheck_reads_in_chinese_and_in_english(isv, client_for):
    applicant = client_for(isv.applicant)
    account_id = isv.account.taobao_account_id
    data = sample_pdf("Taobao service agreement", "Signed by somebody else entirely")
    upload(applicant, isv.journey.id, "d", data, "agreement.pdf")
    (row,) = versions(isv.journey.id)
    missing = row.prechecks[-1]
    assert (missing["key"], missing["params"]) == ("account_id_missing", {"account_id": account_id})

    chinese = _page(applicant, isv.journey.id, ZH)
    assert f"协议中未提及淘宝账号 ID {account_id}。请确认这是写明您账号的已签署协议。" in chinese
    assert "该 PDF 可以打开，共 1 页。" in chinese
    assert "does not mention taobao account ID" not in chinese

    english = _page(applicant, isv.journey.id, EN)
    assert f"The agreement does not mention taobao account ID {account_id}." in english
    assert "The PDF opens and has 1 page." in english


def test_an_image_precheck_keeps_its_numbers_in_chinese(isv, client_for):
    applicant = client_for(isv.applicant)
    upload(applicant, isv.journey.id, "c", sample_png(), "passport.png")
    assert "该图片为 320 × 240 像素。" in _page(applicant, isv.journey.id, ZH)


def test_a_row_stored_before_the_key_shows_its_english(isv, client_for):
    applicant = client_for(isv.applicant)
    upload(applicant, isv.journey.id, "c", sample_png(), "passport.png")
    (row,) = versions(isv.journey.id)
    row.prechecks = [{"code": "image_dimensions", "level": "ok", "message": "The image is 9 × 9."}]
    db.session.commit()
    page = _page(applicant, isv.journey.id, ZH)
    assert "The image is 9 × 9." in page and "像素" not in page


def test_an_unknown_key_or_wrong_params_fall_back_to_the_stored_english(app):
    stored = {"code": "x", "level": "ok", "message": "As stored."}
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        assert shown({**stored, "key": "no_such_text", "params": {}}) == "As stored."
        assert shown({**stored, "key": "image_dimensions", "params": {"width": 3}}) == "As stored."
        assert shown({**stored, "key": "pdf_pages", "params": "7"}) == "As stored."
        assert (
            shown({**stored, "key": "pdf_pages", "params": {"num": 7}})
            == "该 PDF 可以打开，共 7 页。"
        )
