"""TOP request signing and timestamps.

The rule (TOP "API call protocol"): take every parameter except ``sign``, file/byte parameters
and empty values; sort by key in byte order; concatenate ``key1value1key2value2…``; encode as
UTF-8; then digest with the APP secret and print the digest as uppercase hex.
"""

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone

#: TOP timestamps are always written in China Standard Time, whatever the host's timezone.
GMT8 = timezone(timedelta(hours=8), "GMT+8")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def top_timestamp(now: datetime | None = None) -> str:
    """Format ``now`` (timezone-aware; default: the current time) as a TOP timestamp in GMT+8."""
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("top_timestamp needs a timezone-aware datetime")
    return moment.astimezone(GMT8).strftime(TIMESTAMP_FORMAT)


def parse_top_timestamp(text: str) -> datetime:
    """Read a ``yyyy-MM-dd HH:mm:ss`` GMT+8 timestamp back into an aware datetime."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=GMT8)


def is_file_value(value: object) -> bool:
    """File and byte parameters travel as multipart parts and are never signed."""
    return isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "read")


def param_text(value: object) -> str:
    """The exact text a parameter is sent as; signing and sending must agree on it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return top_timestamp(value) if value.tzinfo else value.strftime(TIMESTAMP_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(param_text(item) for item in value)
    return str(value)


def signing_string(params: Mapping[str, object]) -> str:
    """``key1value1key2value2…`` over the signable parameters, keys in UTF-8 byte order."""
    pieces = []
    # Sorting str by code point gives the same order as sorting their UTF-8 bytes.
    for key in sorted(params):
        value = params[key]
        if key == "sign" or value is None:
            continue
        # Most values are already str; the fast path keeps signing close to the bare digest.
        if type(value) is not str:
            if is_file_value(value):
                continue
            value = param_text(value)
        if value:
            pieces.append(key)
            pieces.append(value)
    return "".join(pieces)


def sign(params: Mapping[str, object], secret: str, sign_method: str) -> str:
    """The uppercase hex ``sign`` for ``params`` with ``secret`` and ``sign_method``."""
    try:
        digest = _DIGESTS[sign_method]
    except KeyError:
        raise ValueError(
            f"unknown sign_method {sign_method!r}; use one of {', '.join(SIGN_METHODS)}"
        ) from None
    return digest(secret.encode("utf-8"), signing_string(params).encode("utf-8")).upper()


def _md5(secret: bytes, message: bytes) -> str:
    return hashlib.md5(secret + message + secret).hexdigest()


def _hmac_md5(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.md5).hexdigest()


def _hmac_sha256(secret: bytes, message: bytes) -> str:
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


_DIGESTS: dict[str, Callable[[bytes, bytes], str]] = {
    "md5": _md5,
    "hmac": _hmac_md5,
    "hmac-sha256": _hmac_sha256,
}
