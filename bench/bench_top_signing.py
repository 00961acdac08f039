"""TOP signing throughput as a ratio to raw hashlib/hmac over the same strings.

Run: .venv/bin/python bench/bench_top_signing.py

The raw side gets the already-built signing strings, so the ratio shows what sign() adds on
top of the digest itself: filtering, stringifying, sorting and concatenating the parameters.
"""

import hashlib
import hmac
import sys
from collections.abc import Callable
from pathlib import Path

# Run as a plain script from anywhere: the repository root holds the top package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402
from top.signing import sign, signing_string  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
REQUESTS = 20_000
ROUNDS = 5


def build_requests(count: int) -> list[dict[str, object]]:
    return [
        {
            "method": "taobao.trades.sold.get",
            "app_key": "12345678",
            "session": f"session-{n}",
            "timestamp": "2024-06-01 12:00:00",
            "format": "json",
            "v": "2.0",
            "sign_method": "hmac-sha256",
            "fields": "tid,status,buyer_nick,created,modified,payment,orders",
            "status": "WAIT_SELLER_SEND_GOODS",
            "buyer_nick": f"海淘达人{n}",
            "page_no": n % 50 + 1,
            "page_size": 40,
        }
        for n in range(count)
    ]


RAW: dict[str, Callable[[bytes, bytes], str]] = {
    "md5": lambda key, message: hashlib.md5(key + message + key).hexdigest().upper(),
    "hmac": lambda key, message: hmac.new(key, message, hashlib.md5).hexdigest().upper(),
    "hmac-sha256": lambda key, message: hmac.new(key, message, hashlib.sha256).hexdigest().upper(),
}


def main() -> None:
    requests = build_requests(REQUESTS)
    strings = [signing_string(params).encode() for params in requests]
    key = SECRET.encode()
    print(f"{REQUESTS} requests of {len(requests[0])} parameters, {ROUNDS} alternated rounds")
    for method, raw in RAW.items():
        assert sign(requests[0], SECRET, method) == raw(key, strings[0])
        rounds = alternate(
            {
                "sign()": lambda m=method: [sign(p, SECRET, m) for p in requests],
                "raw digest": lambda r=raw: [r(key, s) for s in strings],
            },
            ROUNDS,
        )
        print(f"{method}: time per {REQUESTS} requests")
        show(rounds, digits=1)
        show_ratio(f"{method} sign()/raw time", ratio(rounds, "sign()", "raw digest"))


if __name__ == "__main__":
    main()
