"""Stream a 200 MB file through FsStorage.save() and compare with shutil.copyfileobj.

Each measurement runs in a fresh child process, so peak RSS (VmHWM) reflects that one operation.
Memory growth is the save child's VmHWM minus a baseline child that does the same imports and
opens the file but copies nothing. save(), copyfileobj and copyfileobj + fsync alternate round
by round on the same warm file; the ratios are medians of per-round ratios of save() time to a
copy's time (1.0 means save is as fast as a plain copy; save also hashes and fsyncs).

Run: .venv/bin/python bench/bench_storage_stream.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import alternate, ratio, show, show_ratio  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE_MB = 200
ROUNDS = 5
RSS_GOAL_MB = 64

CHILD = r"""
import json, os, shutil, sys, time
sys.path.insert(0, sys.argv[1])
from storage import FsStorage

mode, source, target_dir = sys.argv[2], sys.argv[3], sys.argv[4]

def vmhwm_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

with open(source, "rb") as stream:
    started = time.perf_counter()
    if mode == "save":
        stored = FsStorage(target_dir).save(stream)
        os.unlink(os.path.join(target_dir, stored.file_id))
    elif mode in ("copy", "copy_fsync"):
        target = os.path.join(target_dir, "copy.bin")
        with open(target, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
            if mode == "copy_fsync":
                out.flush()
                os.fsync(out.fileno())
        os.unlink(target)
    elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "vmhwm_kb": vmhwm_kb()}))
"""


def write_source(path: Path) -> None:
    """Write the test file chunk by chunk; it is never held in memory."""
    chunk = os.urandom(1024 * 1024)
    with path.open("wb") as out:
        for index in range(SOURCE_MB):
            out.write(index.to_bytes(8, "big") + chunk[8:])


def run_child(mode: str, source: Path, target_dir: Path) -> dict[str, float]:
    command = [sys.executable, "-c", CHILD, str(REPO_ROOT), mode, str(source), str(target_dir)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as work:
        source, target_dir = Path(work) / "source.bin", Path(work) / "files"
        target_dir.mkdir()
        write_source(source)
        run_child("copy", source, target_dir)  # warm the page cache for every contender

        baseline_kb = max(int(run_child("baseline", source, target_dir)["vmhwm_kb"]) for _ in "ab")
        peaks: list[int] = []

        def side(mode: str):
            def run() -> float:
                result = run_child(mode, source, target_dir)
                if mode == "save":
                    peaks.append(int(result["vmhwm_kb"]))
                return result["seconds"]

            return run

        modes = ("save", "copy", "copy_fsync")
        rounds = alternate({mode: side(mode) for mode in modes}, ROUNDS, clock=None)

    save_kb = max(peaks)
    growth_mb = (save_kb - baseline_kb) / 1024
    print(f"file size: {SOURCE_MB} MB; {ROUNDS} alternated rounds")
    print(f"baseline child peak RSS:           {baseline_kb / 1024:.1f} MB")
    print(f"save() child peak RSS (highest):   {save_kb / 1024:.1f} MB")
    print(f"peak RSS growth during save():     {growth_mb:.1f} MB (goal < {RSS_GOAL_MB} MB)")
    show({f"{mode} MB/s": [SOURCE_MB / t for t in rounds[mode]] for mode in modes}, "", 1, 0)
    show_ratio("time save / copyfileobj", ratio(rounds, "save", "copy"))
    show_ratio("time save / copyfileobj+fsync", ratio(rounds, "save", "copy_fsync"))
    print("RSS goal met" if growth_mb < RSS_GOAL_MB else "RSS GOAL MISSED")


if __name__ == "__main__":
    main()
