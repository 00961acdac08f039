"""Upload a 200 MB document through the running app; print peak-memory growth and throughput.

Goal: "Uploading a 200 MB file raises the server's peak memory by less than 64 MB".
The server runs in a subprocess (file-backed SQLite, fs storage); the client streams the file
from disk. Throughput is compared with copying the same file on the same disk, in this run.
Run: .venv/bin/python bench/bench_upload.py
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SIZE = 200 * 1024 * 1024
LIMIT = 256 * 1024 * 1024
PASSWORD = "bench password 123"

SERVER = textwrap.dedent(
    """
    import sys
    from werkzeug.serving import make_server
    from app import create_app
    from workflow import audit
    from workflow.extensions import db
    from workflow.models import Account, AccountKind, Role, User
    from workflow.operations import open_journey
    from tests.support import desk_config, reset_schema

    base, port, limit, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    config = desk_config(__import__("pathlib").Path(base), f"sqlite:///{base}/bench.sqlite3")
    config.update(MAX_UPLOAD_BYTES=limit, MAX_CONTENT_LENGTH=limit)
    app = create_app(config)
    with app.app_context():
        reset_schema()
        audit.ensure_chain_head()
        account = Account(kind=AccountKind.isv, name="Bench", taobao_account_id="tb_bench")
        user = User(email="bench@example.com", role=Role.applicant, account=account)
        user.set_password(password)
        db.session.add(user)
        journey_id = open_journey(account, user).id
        db.session.commit()
    server = make_server("127.0.0.1", port, app)  # listening before the client is told to go
    print(journey_id, flush=True)
    server.serve_forever()
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def write_big_pdf(path: Path) -> None:
    chunk = os.urandom(1024 * 1024)
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        written = 9
        while written < SIZE:
            piece = chunk[: min(len(chunk), SIZE - written)]
            out.write(piece)
            written += len(piece)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path) -> None:
    big = work / "big.pdf"
    write_big_pdf(big)
    start = time.perf_counter()
    shutil.copyfile(big, work / "copy.pdf")
    with open(work / "copy.pdf", "rb") as fh:
        os.fsync(fh.fileno())
    copy_seconds = time.perf_counter() - start
    (work / "copy.pdf").unlink()

    port = free_port()
    env = {
        **os.environ,
        "ONBOARDING_INSTANCE_PATH": str(work / "instance"),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(work), str(port), str(LIMIT), PASSWORD],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        journey_id = int(server.stdout.readline())
        base_url = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.post(f"{base_url}/login", data={"email": "bench@example.com", "password": PASSWORD})
        before = peak_rss_kb(server.pid)
        start = time.perf_counter()
        with big.open("rb") as fh:
            response = session.post(
                f"{base_url}/journeys/{journey_id}/enablement/documents/a",
                files={"file": ("big.pdf", fh, "application/pdf")},
                headers={"Accept": "application/json"},
            )
        upload_seconds = time.perf_counter() - start
        after = peak_rss_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    body = response.json()
    assert response.status_code == 200 and body["ok"], body
    growth_mb = (after - before) / 1024
    print(
        f"file: {SIZE / 2**20:.0f} MB; server peak RSS "
        f"{before / 1024:.1f} MB -> {after / 1024:.1f} MB"
    )
    print(
        f"peak memory growth: {growth_mb:.1f} MB (goal < 64 MB): "
        f"{'OK' if growth_mb < 64 else 'OVER'}"
    )
    print(
        f"upload {upload_seconds:.2f} s ({SIZE / 2**20 / upload_seconds:.0f} MB/s); "
        f"disk copy {copy_seconds:.2f} s; "
        f"upload takes {upload_seconds / copy_seconds:.1f}x the copy"
    )


if __name__ == "__main__":
    main()
