"""Upload a 200 MB document through the running app; print peak-memory growth and throughput.

Goals: "Uploading a 200 MB file raises the server's peak memory by less than 64 MB", and the
upload takes less than 2x a plain disk copy of the same bytes.
The server runs in a subprocess (file-backed SQLite, fs storage); the client streams the
multipart body from disk in 1 MB pieces, as a browser does. Right before each upload the
server's peak RSS is reset (``5`` written to /proc/<pid>/clear_refs resets VmHWM), so the growth
is VmHWM after the upload minus VmRSS before it. Uploads and a plain copy of the same file on
the same disk (copyfile + fsync, as storage fsyncs) alternate round by round. The server's CPU
time per upload (user + system, from /proc) is printed too: on a busy machine the upload's
wall time grows with the load far more than the copy's, which mostly waits for the disk.
Run: .venv/bin/python bench/bench_upload.py
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timing import Spread, alternate, ratio, show, show_ratio, verdict  # noqa: E402

SIZE = 200 * 1024 * 1024
LIMIT = 256 * 1024 * 1024
PASSWORD = "bench password 123"
ROUNDS = 5
PIECE = 1024 * 1024
RSS_GOAL_MB = 64

SERVER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
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
        user = User(
            email="bench@example.com", role=Role.applicant, account=account,
            email_verified_at=datetime.now(UTC),
        )
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


def memory_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS


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


def disk_copy(big: Path, work: Path) -> None:
    target = work / "copy.pdf"
    shutil.copyfile(big, target)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    target.unlink()


def upload(port: int, cookie: str, path: str, big: Path) -> dict:
    """POST the file as multipart/form-data, streamed from disk; the parsed JSON answer."""
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(len(head) + big.stat().st_size + len(tail)))
        connection.putheader("Accept", "application/json")
        connection.putheader("Cookie", cookie)
        connection.endheaders()
        connection.send(head)
        with big.open("rb") as fh:
            while piece := fh.read(PIECE):
                connection.send(piece)
        connection.send(tail)
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 200 and body["ok"], (response.status, body)
    return body


def run(work: Path) -> None:
    big = work / "big.pdf"
    write_big_pdf(big)
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
    growth_kb: list[int] = []
    server_cpu: list[float] = []
    try:
        journey_id = int(server.stdout.readline())
        session = requests.Session()
        signed_in = session.post(
            f"http://127.0.0.1:{port}/login",
            data={"email": "bench@example.com", "password": PASSWORD},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.status_code
        cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
        path = f"/journeys/{journey_id}/enablement/documents/a"

        def upload_side() -> float:
            reset_peak(server.pid)
            before = memory_kb(server.pid, "VmRSS")
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            upload(port, cookie, path, big)
            elapsed = time.perf_counter() - started
            server_cpu.append(cpu_seconds(server.pid) - cpu_before)
            growth_kb.append(memory_kb(server.pid, "VmHWM") - before)
            shutil.rmtree(work / "files")  # the stored versions, so the disk does not fill
            return elapsed

        def copy_side() -> float:
            started = time.perf_counter()
            disk_copy(big, work)
            return time.perf_counter() - started

        rounds = alternate({"upload": upload_side, "disk copy": copy_side}, ROUNDS, clock=None)
    finally:
        server.terminate()
        server.wait(timeout=10)
    growth = Spread.of([kb / 1024 for kb in growth_kb[1:]])  # the warm-up round is not kept
    print(f"file: {SIZE / 2**20:.0f} MB; {ROUNDS} alternated rounds")
    show(rounds, unit="s", scale=1)
    print(
        f"server peak memory growth per upload: median {growth.median:.1f} MB "
        f"(min {growth.low:.1f}, max {growth.high:.1f}) "
        f"{verdict(growth.high, RSS_GOAL_MB)} on the max"
    )
    cpu = Spread.of(server_cpu[1:])
    print(
        f"server CPU per upload (user + system): median {cpu.median:.2f} s "
        f"(min {cpu.low:.2f}, max {cpu.high:.2f})"
    )
    show_ratio("upload / disk copy", ratio(rounds, "upload", "disk copy"), goal=2)


if __name__ == "__main__":
    main()
