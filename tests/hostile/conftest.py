"""The corpus app (CSRF on, small upload limits, a checker gateway that refuses at once) and
the seeded world, built once for every case in this package."""

from __future__ import annotations

import pytest

from app import create_app
from tests.hostile import payloads
from tests.hostile.world import build_world
from tests.support import clear_tables, desk_config


@pytest.fixture(scope="package")
def desk(app, tmp_path_factory):
    """An app on the suite's database (its schema is the ``app`` fixture's), with CSRF on."""
    config = desk_config(
        tmp_path_factory.mktemp("hostile"), app.config["SQLALCHEMY_DATABASE_URI"]
    ) | {
        "WTF_CSRF_ENABLED": True,
        "MAX_UPLOAD_BYTES": payloads.UPLOAD_LIMIT,
        "MAX_CONTENT_LENGTH": payloads.REQUEST_LIMIT,
        "SELLER_LIST_MAX_UNPACKED_BYTES": payloads.SELLER_LIST_UNPACKED_LIMIT,
        # Nothing listens on the discard port: a checker run fails fast, without the network.
        "TOP_GATEWAY_URL": "http://127.0.0.1:9/router/rest",
    }
    return create_app(config)


@pytest.fixture(scope="package")
def world(desk):
    with desk.app_context():
        clear_tables()
        seeded = build_world()
    yield seeded
    with desk.app_context():
        clear_tables()
