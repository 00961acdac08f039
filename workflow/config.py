"""Configuration in layers: defaults, then the environment, then the caller's override.

Every setting is declared once here with its type, so a bad value stops start-up with one
line that names it instead of failing somewhere deep inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from top.rules import GUIDE_APIS
from workflow.guide import LINKS as GUIDE_LINKS

ENV_PREFIX = "ONBOARDING_"


class ConfigError(SystemExit):
    """A setting is missing or invalid; the message names it.

    A ``SystemExit`` so that start-up stops with that one line on stderr, not a traceback.
    """

    def __init__(self, message: str):
        super().__init__(f"configuration error: {message}")


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected a positive whole number")
    return value


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("expected 0 or a positive whole number")
    return value


def _hour(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 23:
        raise ValueError("expected an hour of the day, 0 to 23")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return raw

    return parse


def _web_address(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("expected an http:// or https:// address")
    return raw.strip()


def _key_list(raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if not keys:
        raise ValueError("expected one or more keys separated by commas")
    return keys


def _method_list(raw: str) -> tuple[str, ...]:
    from top.methods import method_problem

    methods = _key_list(raw)
    for method in methods:
        problem = method_problem(method)
        if problem:
            raise ValueError(f"{method!r} is not a TOP method name: {problem}")
    return tuple(dict.fromkeys(methods))


def _networks(raw: str) -> str:
    from top.egress import parse_networks

    parse_networks(raw)  # refuse a bad CIDR at start-up, with its name
    return raw


def _rate(raw: str) -> str:
    from limits import parse_many

    parse_many(raw)  # "5 per minute; 20 per hour"; a ValueError names what it could not read
    return raw


#: Storage URI schemes Flask-Limiter (the ``limits`` package) is used with here.
RATE_STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel")


def _rate_storage(raw: str) -> str:
    scheme = raw.partition("://")[0]
    if "://" not in raw or scheme not in RATE_STORAGE_SCHEMES:
        raise ValueError(
            f"expected a URI starting with {', '.join(s + '://' for s in RATE_STORAGE_SCHEMES)}"
        )
    return raw


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    doc: str
    #: Holds a password or key: an invalid value is not echoed in the error.
    is_secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SECRET_KEY",
        str,
        None,
        "Signs sessions and CSRF tokens, and (through a derived key) checker evidence and "
        "evidence tokens. Generated into instance/ by `make run` when not set.",
    ),
    Setting(
        "RETIRED_SECRET_KEYS",
        _key_list,
        (),
        "Earlier secret keys, comma-separated: evidence signed under them still verifies "
        "after SECRET_KEY is rotated. Nothing new is signed with them.",
    ),
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        str,
        None,
        "Database URL; `DATABASE_URL` sets it too. Default: SQLite under instance/.",
    ),
    Setting(
        "STORAGE_BACKEND",
        _choice("fs", "s3", "memory"),
        "fs",
        "Where uploaded files and packets live: fs, s3 or memory (tests).",
    ),
    Setting("STORAGE_FS_ROOT", str, None, "Folder for the fs backend. Default: instance/files."),
    Setting("STORAGE_S3_BUCKET", str, None, "S3 bucket (s3 backend)."),
    Setting("STORAGE_S3_REGION", str, "us-east-1", "S3 region."),
    Setting("STORAGE_S3_ENDPOINT_URL", str, None, "S3-compatible endpoint URL; empty for AWS."),
    Setting("STORAGE_S3_PRESIGN_SECONDS", _positive_int, 300, "Lifetime of download links."),
    Setting(
        "STORAGE_S3_ADDRESSING_STYLE",
        _choice("auto", "path", "virtual"),
        "auto",
        "S3 addressing style.",
    ),
    Setting("MAX_UPLOAD_BYTES", _positive_int, 20 * 1024 * 1024, "Largest document accepted."),
    Setting(
        "MAX_CONTENT_LENGTH",
        _positive_int,
        25 * 1024 * 1024,
        "Largest request body; beyond it the server answers 413.",
    ),
    Setting(
        "SELLER_LIST_MAX_UNPACKED_BYTES",
        _positive_int,
        64 * 1024 * 1024,
        "Largest size an uploaded XLSX seller list may unpack to; checked before inflating.",
    ),
    Setting(
        "SELLER_LIST_MAX_ROWS", _positive_int, 1_100_000, "Most rows read from a CSV or XLSX list."
    ),
    Setting(
        "SELLER_LIST_MAX_SECONDS",
        _positive_int,
        10,
        "Longest time spent reading one uploaded seller list before it is refused.",
    ),
    Setting(
        "OCR_LANGUAGES",
        str,
        "eng+chi_sim",
        "Tesseract languages for scanned documents d and f (tesseract-ocr-chi-sim: chi_sim).",
    ),
    Setting("OCR_TIMEOUT_SECONDS", _positive_int, 120, "Longest time OCR spends on one document."),
    Setting("OCR_MAX_PAGES", _positive_int, 5, "Pages of a scanned PDF that OCR reads."),
    Setting(
        "MAIL_BACKEND",
        _choice("file", "smtp"),
        "file",
        "file writes .eml files to instance/mail; smtp delivers through the SMTP settings.",
    ),
    Setting("MAIL_OUTBOX_DIR", str, None, "Folder for the file backend. Default: instance/mail."),
    Setting("MAIL_SMTP_HOST", str, "127.0.0.1", "SMTP host."),
    Setting("MAIL_SMTP_PORT", _positive_int, 25, "SMTP port."),
    Setting("MAIL_SMTP_USERNAME", str, None, "SMTP user, if the server wants a login."),
    Setting("MAIL_SMTP_PASSWORD", str, None, "SMTP password.", is_secret=True),
    Setting("MAIL_SMTP_STARTTLS", _bool, False, "Use STARTTLS."),
    Setting("MAIL_FROM", str, "onboarding-desk@localhost", "Sender address."),
    Setting(
        "PACKETS_RENDER_INLINE",
        _bool,
        False,
        "Render each submission's packet inside the submit request instead of in "
        "`flask worker` (the test suite; never in production).",
    ),
    Setting(
        "MAIL_ATTACHMENT_LIMIT_BYTES",
        _positive_int,
        10 * 1024 * 1024,
        "Packets larger than this are mailed as a time-limited link.",
    ),
    Setting(
        "TMALL_MAILBOX",
        str,
        "tmall-global-review@localhost",
        "The Tmall Global reviewer mailbox that receives packets.",
    ),
    Setting("PUBLIC_BASE_URL", str, "http://127.0.0.1:5000", "Base URL used in mailed links."),
    Setting(
        "REVIEW_SLA_DAYS",
        _positive_int,
        3,
        "Items waiting longer are marked overdue and mailed to their assignee; each further "
        "period of as many days mails the admins.",
    ),
    Setting(
        "APPLICANT_REMINDER_DAYS",
        _positive_int,
        7,
        'Applicants are reminded of a draft or a "changes requested" journey idle this long, '
        "and again each such period.",
    ),
    Setting("DIGEST_HOUR_UTC", _hour, 7, "Hour of the day (UTC) from which reviewer digests go."),
    Setting(
        "EMAIL_VERIFICATION_HOURS",
        _positive_int,
        48,
        "How long the link that confirms a new user's e-mail address works.",
    ),
    Setting(
        "PASSWORD_RESET_MINUTES",
        _positive_int,
        60,
        "How long a mailed password-reset link works.",
    ),
    Setting(
        "INVITATION_DAYS",
        _positive_int,
        7,
        "How long the link in an admin's invitation works.",
    ),
    Setting(
        "TOP_GATEWAY_URL",
        str,
        "http://127.0.0.1:8600/router/rest",
        "Default TOP gateway for the demo and the checker page.",
    ),
    Setting(
        "CUSTOMER_INFO_APIS",
        _method_list,
        GUIDE_APIS,
        "TOP methods, comma-separated, that are customer-information APIs: each is authorized "
        "one by one (guide §3.5) and marked so on the API request, the review and the packet. "
        "The default is the six APIs of the guide's §4; a reviewer can mark others per APP.",
    ),
    Setting(
        "TOP_CHECKER_CUSTOM_URLS",
        _bool,
        False,
        "Let applicants run the checker against "
        "a URL they type; it reaches only public addresses (and TOP_CHECKER_ALLOWED_NETWORKS), "
        "follows no redirects and connects to the address it judged. Off, the page offers only "
        "the TOP gateways and TOP_GATEWAY_URL.",
    ),
    Setting(
        "TOP_CHECKER_ALLOWED_NETWORKS",
        _networks,
        "",
        "CIDRs, comma-separated, that the checker may reach at a custom URL although they are "
        "not public (e.g. 127.0.0.1/32 for a gateway on this machine). Loopback, private, "
        "link-local, multicast and reserved addresses are refused otherwise.",
    ),
    Setting(
        "WEBHOOK_ALLOWED_NETWORKS",
        _networks,
        "",
        "CIDRs, comma-separated, that webhook endpoints may reach although they are not "
        "public (e.g. 127.0.0.1/32 for a receiver on this machine); an endpoint at an IP "
        "address in them may also use plain http://. Every other endpoint must be https:// at "
        "a public address.",
    ),
    Setting(
        "WEBHOOK_MAX_FAILURES",
        _positive_int,
        10,
        "Failed webhook attempts in a row after which the desk switches the endpoint off and "
        "mails its owner.",
    ),
    Setting(
        "TOP_DEMO_STAND_INS",
        _bool,
        False,
        "Demo only (on in `make run` and the tests): the local gateway at TOP_GATEWAY_URL "
        "stands in for the TOP sandbox and production under /stand-in/… names; evidence "
        "from it is marked as a stand-in.",
    ),
    Setting("SESSION_COOKIE_SECURE", _bool, False, "Send the session cookie over HTTPS only."),
    Setting(
        "RATELIMIT_STORAGE_URI",
        _rate_storage,
        "memory://",
        "Where request-rate counts live: memory:// inside one process (each gunicorn worker "
        "counts alone); redis://host:6379/0 for several workers or instances "
        "(docs/operations.md).",
        is_secret=True,
    ),
    Setting(
        "RATELIMIT_ACCOUNT_MAIL",
        _rate,
        "5 per minute; 20 per hour",
        "Requests per address to the public forms that send mail (registration, password "
        "reset), together; over it the desk answers 429.",
    ),
    Setting(
        "RATELIMIT_SIGN_IN",
        _rate,
        "60 per minute",
        "Sign-in attempts per address, whatever their outcome (failed ones are also counted in "
        "the database: 20 a minute per address).",
    ),
    Setting(
        "RATELIMIT_CHECKER",
        _rate,
        "10 per minute; 60 per hour",
        "Checker runs from the desk per user.",
    ),
    Setting(
        "RATELIMIT_API",
        _rate,
        "120 per minute; 3000 per hour",
        "Requests to the API (/api/v1) per personal token, reads and writes together; over it "
        "the API answers 429 with Retry-After.",
    ),
    Setting(
        "SQLITE_BUSY_TIMEOUT_SECONDS",
        _positive_int,
        30,
        "How long an SQLite writer waits for another process's write lock before giving up.",
    ),
    Setting(
        "HEALTH_JOB_DELAY_SECONDS",
        _positive_int,
        300,
        "/healthz reports the jobs as failing when a due job has waited longer than this "
        "(no worker running, or too few).",
    ),
    Setting(
        "PROXY_FIX_HOPS",
        _count,
        0,
        "Reverse proxies in front of the desk whose X-Forwarded-For/-Proto/-Host/-Port headers "
        "it trusts; 0 trusts none.",
    ),
    *(
        Setting(
            link.setting,
            _web_address,
            link.default,
            f"Developer guide link {link.key} ({link.title}), shown on the step that needs it.",
        )
        for link in GUIDE_LINKS
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def defaults(instance_path: str | os.PathLike[str]) -> dict[str, Any]:
    instance = Path(instance_path)
    values = {s.name: s.default for s in SETTINGS}
    values.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'onboarding.sqlite3'}",
        STORAGE_FS_ROOT=str(instance / "files"),
        MAIL_OUTBOX_DIR=str(instance / "mail"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        WTF_CSRF_TIME_LIMIT=None,
    )
    return values


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read ``ONBOARDING_<NAME>`` variables (and ``DATABASE_URL``), parsed and checked."""
    values: dict[str, Any] = {}
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    for setting in SETTINGS:
        raw = environ.get(ENV_PREFIX + setting.name)
        if raw is None or raw == "":
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            shown = " (the value is not shown)" if setting.is_secret else f"={raw!r}"
            raise ConfigError(f"{ENV_PREFIX}{setting.name}{shown} is invalid: {exc}") from None
    if "SQLALCHEMY_DATABASE_URI" in values:
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            values["SQLALCHEMY_DATABASE_URI"]
        )
    return values


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check(config: Mapping[str, Any]) -> None:
    """Stop with one clear line when a required setting is missing."""
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            f"{ENV_PREFIX}SECRET_KEY is not set: set it, or run `make run`, which creates "
            "instance/secret_key"
        )
    if config.get("STORAGE_BACKEND") == "s3" and not config.get("STORAGE_S3_BUCKET"):
        raise ConfigError(f"{ENV_PREFIX}STORAGE_S3_BUCKET is required when STORAGE_BACKEND=s3")
    if config["MAX_UPLOAD_BYTES"] > config["MAX_CONTENT_LENGTH"]:
        raise ConfigError(
            f"{ENV_PREFIX}MAX_UPLOAD_BYTES must not exceed {ENV_PREFIX}MAX_CONTENT_LENGTH"
        )
