"""A throwaway PostgreSQL server of a test's own, which the test may stop and start.

Built with initdb and pg_ctl in a temporary folder, as ``.ci/run`` builds CI's server. PostgreSQL
refuses to run as root, so under root the server runs as an unprivileged account:
``ONBOARDING_TEST_PG_OS_USER``, else the first of ``onboarding_ci`` (made by ``.ci/run``),
``postgres`` and ``nobody`` that exists.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg

from tests.support import require_service

ACCOUNTS = ("onboarding_ci", "postgres", "nobody")


def _bin_dir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _account() -> str | None:
    if os.geteuid() != 0:
        return None
    wanted = os.environ.get("ONBOARDING_TEST_PG_OS_USER")
    for name in [wanted] if wanted else ACCOUNTS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    require_service("an unprivileged account to run PostgreSQL as (ONBOARDING_TEST_PG_OS_USER)")
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, folder: Path):
        bin_dir = _bin_dir()
        if bin_dir is None:
            require_service("PostgreSQL server binaries (initdb, pg_ctl)")
        self.bin_dir, self.account = bin_dir, _account()
        self.folder, self.port = folder, free_port()
        self.data, self.log = folder / "data", folder / "server.log"

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.account:
            command = ["runuser", "-u", self.account, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")

    def create(self) -> str:
        """Make and start the server with a database ``desk``; returns its URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.account:
            os.chmod(self.folder, 0o755)
            os.chown(self.folder, pwd.getpwnam(self.account).pw_uid, -1)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        self.start()
        dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE DATABASE desk")
        return self.url("desk")

    def url(self, database: str = "desk") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
