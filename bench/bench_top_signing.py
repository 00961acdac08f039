"""TOP signing throughput as a ratio to raw hashlib/hmac over the same strings.

Run: .venv/bin/python bench/bench_top_signing.py

The raw side gets the already-built signing strings, so the ratio shows what sign() adds on
top of the digest itself: filtering, stringifying, sorting and concatenating the parameters.
"""

import hashlib
import hmac
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a plain script from anywhere: the repository root holds the top package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from top.signing import sign, signing_string  # noqa: E402

SECRET = "bench-secret-0123456789abcdef"
REQUESTS = 20_000


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


def best_of(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    requests = build_requests(REQUESTS)
    strings = [signing_string(params).encode() for params in requests]
    key = SECRET.encode()
    print(f"{REQUESTS} requests of {len(requests[0])} parameters, best of 5 runs")
    print(f"{'method':<12} {'sign() /s':>12} {'raw /s':>12} {'sign()/raw time':>16}")
    for method, raw in RAW.items():
        assert sign(requests[0], SECRET, method) == raw(key, strings[0])
        ours = best_of(5, lambda m=method: [sign(p, SECRET, m) for p in requests])
        base = best_of(5, lambda r=raw: [r(key, s) for s in strings])
        print(
            f"{method:<12} {REQUESTS / ours:>12,.0f} {REQUESTS / base:>12,.0f} "
            f"{ours / base:>15.2f}x"
        )


if __name__ == "__main__":
    main()
