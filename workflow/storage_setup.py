"""Binds the configured storage backend to the app."""

from __future__ import annotations

from flask import Flask, current_app

from storage import Storage, create_storage


def init_app(app: Flask) -> None:
    app.extensions["storage"] = create_storage(app.config)


def get_storage() -> Storage:
    return current_app.extensions["storage"]
