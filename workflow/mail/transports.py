"""Where delivered mail goes: .eml files in a folder, or an SMTP server."""

from __future__ import annotations

import hashlib
import os
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class FileTransport:
    """Writes each message once as ``<hash of Message-ID>.eml``; a repeat overwrites it."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(message["Message-ID"].encode()).hexdigest()[:32] + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(message.as_bytes())
        os.replace(tmp, self.folder / name)


class SmtpTransport:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30,
    ):
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self._password, self.starttls = username, password, starttls

    def __repr__(self) -> str:
        return f"SmtpTransport({self.host}:{self.port})"

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self._password or "")
            smtp.send_message(message)


def transport_from_config(config) -> Transport:
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpTransport(
            config["MAIL_SMTP_HOST"],
            config["MAIL_SMTP_PORT"],
            username=config.get("MAIL_SMTP_USERNAME"),
            password=config.get("MAIL_SMTP_PASSWORD"),
            starttls=config["MAIL_SMTP_STARTTLS"],
        )
    return FileTransport(config["MAIL_OUTBOX_DIR"])
