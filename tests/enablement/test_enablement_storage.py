"""Uploads against S3 (moto on loopback) and the ``flask storage check`` command."""

from __future__ import annotations

import io

import pytest

from storage import create_storage
from tests.enablement.conftest import file_for, save_isv_details, sha256, upload, versions
from tests.storage.conftest import moto_s3_endpoint, s3_bucket  # noqa: F401  (fixtures)
from workflow.storage_cli import storage_cli


def _s3_storage(endpoint: str, bucket: str):
    return create_storage(
        {
            "STORAGE_BACKEND": "s3",
            "STORAGE_S3_BUCKET": bucket,
            "STORAGE_S3_ENDPOINT_URL": endpoint,
            "STORAGE_S3_REGION": "us-east-1",
            "STORAGE_S3_ADDRESSING_STYLE": "path",
        }
    )


@pytest.fixture
def s3_desk(app, monkeypatch, moto_s3_endpoint, s3_bucket):  # noqa: F811
    storage = _s3_storage(moto_s3_endpoint, s3_bucket)
    monkeypatch.setitem(app.extensions, "storage", storage)
    return storage


def test_upload_to_s3_stores_the_bytes(isv, client_for, s3_desk):
    data, name = file_for("d", isv.account.taobao_account_id)
    assert upload(client_for(isv.applicant), isv.journey.id, "d", data, name).status_code == 302
    (row,) = versions(isv.journey.id)
    with s3_desk.open(row.file_id) as stream:
        assert sha256(stream.read()) == row.sha256 == sha256(data)


def test_failed_s3_write_leaves_no_row(app, isv, client_for, monkeypatch, moto_s3_endpoint):  # noqa: F811
    missing_bucket = _s3_storage(moto_s3_endpoint, "no-such-bucket-for-this-test")
    monkeypatch.setitem(app.extensions, "storage", missing_bucket)
    data, name = file_for("a", isv.account.taobao_account_id)
    response = upload(client_for(isv.applicant), isv.journey.id, "a", data, name, as_json=True)
    assert response.status_code == 503
    assert "could not be stored" in response.get_json()["message"]
    assert versions(isv.journey.id) == []


def test_storage_check_finds_a_deleted_object(app, isv, client_for, desk_storage):
    applicant = client_for(isv.applicant)
    save_isv_details(applicant, isv.journey.id)
    for letter in "ab":
        upload(applicant, isv.journey.id, letter, *file_for(letter, "x"))
    runner = app.test_cli_runner()
    result = runner.invoke(storage_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok 2 referenced objects checked")

    gone, kept = versions(isv.journey.id)
    desk_storage.delete(gone.file_id)
    (desk_storage.root / kept.file_id).write_bytes(b"%PDF-1.4 tampered")
    orphan = desk_storage.save(io.BytesIO(b"stray"))
    result = runner.invoke(storage_cli, ["check"])
    assert result.exit_code == 1
    assert f"missing   {gone.file_id}" in result.output
    assert f"altered   {kept.file_id} expected {kept.sha256}" in result.output
    assert f"orphan    {orphan.file_id}" in result.output


def test_storage_check_on_s3_finds_an_object_deleted_behind_its_back(
    app,
    isv,
    client_for,
    s3_desk,
    moto_s3_endpoint,
    s3_bucket,  # noqa: F811
):
    import boto3

    applicant = client_for(isv.applicant)
    save_isv_details(applicant, isv.journey.id)
    for letter in "ab":
        upload(applicant, isv.journey.id, letter, *file_for(letter, "x"))
    runner = app.test_cli_runner()
    assert runner.invoke(storage_cli, ["check"]).exit_code == 0
    gone, _ = versions(isv.journey.id)
    boto3.client("s3", endpoint_url=moto_s3_endpoint, region_name="us-east-1").delete_object(
        Bucket=s3_bucket, Key=gone.file_id
    )
    result = runner.invoke(storage_cli, ["check"])
    assert result.exit_code == 1
    assert f"missing   {gone.file_id}" in result.output
