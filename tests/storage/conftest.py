"""Storage fixtures: a moto S3 server on loopback and one storage per backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from storage import Storage, create_storage

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-access-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Keep any real configuration on the machine out of the tests.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def _start_moto_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


@pytest.fixture(scope="session")
def moto_s3_endpoint() -> Iterator[str]:
    """URL of a moto S3 server on 127.0.0.1, with fake credentials in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in FAKE_AWS_ENV.items():
            patch.setenv(key, value)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        try:
            server = _start_moto_server()
        except Exception as error:  # any failure to start means no S3 coverage
            reason = f"moto S3 server did not start: {error!r}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3_bucket(moto_s3_endpoint: str) -> str:
    """A fresh, empty bucket for each test."""
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_s3_endpoint,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=bucket)
    return bucket


def storage_config(backend: str, request: pytest.FixtureRequest) -> dict[str, object]:
    if backend == "fs":
        root = request.getfixturevalue("tmp_path") / "files"
        return {"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": str(root)}
    if backend == "s3":
        return {
            "STORAGE_BACKEND": "s3",
            "STORAGE_S3_BUCKET": request.getfixturevalue("s3_bucket"),
            "STORAGE_S3_ENDPOINT_URL": request.getfixturevalue("moto_s3_endpoint"),
            "STORAGE_S3_REGION": "us-east-1",
            "STORAGE_S3_ADDRESSING_STYLE": "path",
            "STORAGE_S3_PRESIGN_SECONDS": 120,
        }
    return {"STORAGE_BACKEND": "memory"}


@pytest.fixture(params=["fs", "memory", "s3"])
def storage(request: pytest.FixtureRequest) -> Storage:
    """The same behavioural tests run against every backend, built through the factory."""
    return create_storage(storage_config(request.param, request))
