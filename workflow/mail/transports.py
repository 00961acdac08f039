"""Where delivered mail goes: .eml files in a folder, or an SMTP server.

A transport raises :class:`~workflow.jobs.ServiceUnavailable` when it cannot deliver anything
just now (the server refuses connections, drops them, answers "try later", the folder cannot be
written), and any other exception when this one message was refused.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from workflow.jobs.faults import ServiceUnavailable


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class FileTransport:
    """Writes each message once as ``<hash of Message-ID>.eml``; a repeat overwrites it."""

    def __init__(self, folder: str | os.PathLike[str]):
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        name = hashlib.sha256(message["Message-ID"].encode()).hexdigest()[:32] + ".eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
            with os.fdopen(fd, "wb") as out:
                out.write(message.as_bytes())
            os.replace(tmp, self.folder / name)
        except OSError as exc:
            raise ServiceUnavailable(f"mail folder {self.folder}", exc) from exc


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
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise self._unavailable(exc) from exc
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self._password or "")
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # this message's recipient; the server itself works
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500 and not isinstance(exc, smtplib.SMTPAuthenticationError):
                raise  # refused for good: this message fails, with its attempts
            raise self._unavailable(exc) from exc  # 4xx "try later", or the login fails
        except (OSError, smtplib.SMTPException) as exc:
            raise self._unavailable(exc) from exc  # dropped before it answered the message
        finally:
            _close(smtp)

    def _unavailable(self, exc: BaseException) -> ServiceUnavailable:
        return ServiceUnavailable(f"SMTP server {self.host}:{self.port}", exc)


def _close(smtp: smtplib.SMTP) -> None:
    """Say QUIT when the connection still works; the message's fate is settled either way."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


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
