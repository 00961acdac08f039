"""A 20 MB XLSX seller list that unpacks past the cap is refused within 1 s of work.

The workbook is real: a 20 MB upload (an incompressible part pads it to the size limit) whose
sheet unpacks to 400 MB. Before the cap, openpyxl inflated and parsed the whole sheet (0.5 MB
unpacking to 300 MB took 4.5 s). The refusal's CPU time is set against one SHA-256 pass over
the same upload, which the desk spends on every stored upload anyway; the two are timed in
alternating rounds and the medians compared.
Run: .venv/bin/python bench/bench_sellerlist_bomb.py
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import Spread, alternate, ratio, show, show_ratio, verdict  # noqa: E402
from workflow.distribution.samples import inflating_workbook  # noqa: E402
from workflow.distribution.sellerids import Reason, SellerIdListError  # noqa: E402
from workflow.distribution.spreadsheets import DEFAULT_LIMITS, parse_seller_ids_xlsx  # noqa: E402

UPLOAD_BYTES = 20 * 2**20
SHEET_UNPACKED = 400 * 2**20
ROUNDS = 7
GOAL_SECONDS = 1.0


def build_upload() -> bytes:
    sheet_only = inflating_workbook(SHEET_UNPACKED)
    # Pad to the upload size with random bytes, which no compression can shrink.
    return inflating_workbook(SHEET_UNPACKED, padding=os.urandom(UPLOAD_BYTES - len(sheet_only)))


def refuse(upload: bytes) -> None:
    try:
        parse_seller_ids_xlsx(io.BytesIO(upload))
    except SellerIdListError as exc:
        assert exc.problems[0].reason is Reason.TOO_LARGE, exc
        return
    raise AssertionError("the workbook was not refused")


def main() -> None:
    upload = build_upload()
    with zipfile.ZipFile(io.BytesIO(upload)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    rounds = alternate(
        {"refusal": lambda: refuse(upload), "one SHA-256 pass": lambda: hashlib.sha256(upload)},
        ROUNDS,
        clock=time.process_time,  # CPU time: what the refusal costs the worker
    )
    print(
        f"upload {len(upload) / 2**20:.1f} MB, unpacks to {unpacked / 2**20:,.0f} MB "
        f"(cap {DEFAULT_LIMITS.max_unpacked_bytes / 2**20:.0f} MB); {ROUNDS} alternated rounds, "
        "CPU time"
    )
    show(rounds)
    show_ratio("ratio refusal/sha256", ratio(rounds, "refusal", "one SHA-256 pass"), digits=3)
    refusal = Spread.of(rounds["refusal"])
    print(f"refused in {refusal.median:.4f} s CPU, median {verdict(refusal.median, GOAL_SECONDS)}")


if __name__ == "__main__":
    main()
