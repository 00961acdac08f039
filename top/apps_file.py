"""The apps file: many APPs to check (or to serve from the local gateway) at once.

JSON — a list of objects, or ``{"apps": [...]}``::

    [{"app_key": "12345678", "secret_env": "SHOP_A_SECRET", "sign_method": "hmac-sha256",
      "session": "…", "apis": ["taobao.trades.sold.get"], "gateway": "sandbox"}]

CSV — a header row with the same column names; ``apis`` separated by ``;`` or spaces.

Each APP names where its secret lives: ``secret_env`` (an environment variable) or
``secret_file`` (a file holding only the secret; a relative path is relative to the apps
file). Secrets written into the apps file itself are refused, so the file can be shared.
"""

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from top.signing import SIGN_METHODS


class AppsFileError(ValueError):
    """The apps file cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class AppEntry:
    app_key: str
    secret: str = field(repr=False)
    sign_method: str | None = None
    session: str | None = None
    apis: tuple[str, ...] = ()
    gateway: str | None = None


def load_apps_file(path: str | Path) -> list[AppEntry]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AppsFileError(f"cannot read {path}: {error.strerror}") from None
    rows = _json_rows(text, path) if _looks_like_json(path, text) else _csv_rows(text)
    if not rows:
        raise AppsFileError(f"{path} lists no APPs")
    return [_entry(row, number, path.parent) for number, row in enumerate(rows, start=1)]


def read_secret_file(path: str | Path) -> str:
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise AppsFileError(f"cannot read the secret file {path}: {error.strerror}") from None
    if not secret:
        raise AppsFileError(f"the secret file {path} is empty")
    return secret


def _looks_like_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{")


def _json_rows(text: str, path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AppsFileError(f"{path} is not valid JSON: {error}") from None
    rows = data.get("apps") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise AppsFileError(f"{path} must hold a list of APP objects")
    return rows


def _csv_rows(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [{k: v for k, v in row.items() if v} for row in csv.DictReader(lines)]


def _entry(row: dict[str, Any], number: int, base: Path) -> AppEntry:
    where = f"APP #{number}"
    app_key = str(row.get("app_key") or "").strip()
    if not app_key:
        raise AppsFileError(f"{where} has no app_key")
    if "secret" in row or "app_secret" in row:
        raise AppsFileError(
            f"{where} ({app_key}) writes its secret into the apps file; use secret_env or "
            "secret_file instead"
        )
    sign_method = row.get("sign_method")
    if sign_method and sign_method not in SIGN_METHODS:
        raise AppsFileError(f"{where} ({app_key}) has an unknown sign_method {sign_method!r}")
    return AppEntry(
        app_key=app_key,
        secret=_secret(row, f"{where} ({app_key})", base),
        sign_method=sign_method,
        session=row.get("session") or None,
        apis=_apis(row.get("apis")),
        gateway=row.get("gateway") or None,
    )


def _secret(row: dict[str, Any], where: str, base: Path) -> str:
    if row.get("secret_env"):
        secret = os.environ.get(row["secret_env"], "")
        if not secret:
            raise AppsFileError(f"{where}: the environment variable {row['secret_env']} is unset")
        return secret
    if row.get("secret_file"):
        return read_secret_file(base / Path(row["secret_file"]).expanduser())
    raise AppsFileError(f"{where} names no secret_env or secret_file")


def _apis(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(part for part in value.replace(";", " ").split() if part)
    return tuple(str(part) for part in value)
