"""Outgoing mail: one small interface, SMTP for real use, an outbox folder for the demo.

Mails carry a person's e-mail address in plaintext, so nothing here logs a
recipient, and a failure is reported by the exception's type only (smtplib
puts refused addresses into its messages).
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
import threading
import weakref
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

from voxkeep.config import Settings, is_inside
from voxkeep.db.base import utcnow
from voxkeep.errors import ConfigError, MailFailed

if TYPE_CHECKING:
    from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.mail")


class Mailer(Protocol):
    """Sends one plain-text mail, or raises MailFailed."""

    def send(self, *, to: str, subject: str, body: str) -> None: ...


def build_message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    # RFC 3834: tells auto-responders not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    return message


class SmtpMailer:
    """Hands each mail to an SMTP server, one connection per mail."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: SecretStr | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"SmtpMailer(host={self.host!r}, port={self.port}, starttls={self.starttls})"

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = build_message(sender=self.sender, to=to, subject=subject, body=body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    secret = self._password.get_secret_value() if self._password else ""
                    smtp.login(self.username, secret)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("mail not sent: SMTP %s:%d failed (%s)", self.host, self.port, _kind(exc))
            raise MailFailed(
                f"The mail server at {self.host}:{self.port} did not take the message "
                f"({_kind(exc)}).",
                hint="Check the VOXKEEP_SMTP_* settings and that the server is running, "
                "then try again.",
            ) from None
        log.info("mail sent through SMTP %s:%d", self.host, self.port)


def _kind(exc: BaseException) -> str:
    return type(exc).__name__


class OutboxMailer:
    """Writes each mail as an .eml file (mode 0600) into a folder: the demo's mail server.

    The folder must lie outside the data directory: the files hold plaintext
    addresses, which the vault never stores (invariant 5).
    """

    def __init__(
        self, directory: Path, *, sender: str = "voxkeep@localhost", data_dir: Path | None = None
    ) -> None:
        if data_dir is not None and is_inside(directory, data_dir):
            raise ConfigError(
                "The mail outbox folder lies inside the data directory.",
                hint="Mails hold plaintext e-mail addresses; choose a folder outside it "
                "(VOXKEEP_MAIL_OUTBOX_DIR).",
            )
        self.directory = directory
        self.sender = sender

    def __repr__(self) -> str:
        return f"OutboxMailer(directory={str(self.directory)!r})"

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = build_message(sender=self.sender, to=to, subject=subject, body=body)
        name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = self.directory / f".{name}.partial"
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(message.as_bytes())
            # A reader of the folder never sees half a mail.
            os.replace(partial, self.directory / name)
        except OSError as exc:
            log.warning("mail not written to the outbox (%s)", _kind(exc))
            raise MailFailed(
                f"The mail could not be written to the outbox folder ({_kind(exc)}).",
                hint="Check that VOXKEEP_MAIL_OUTBOX_DIR is writable.",
            ) from None
        log.info("mail written to the outbox as %s", name)


def mailer_for(settings: Settings) -> Mailer:
    """The outbox when VOXKEEP_MAIL_OUTBOX_DIR is set, else the SMTP server."""
    if settings.mail_outbox_dir is not None:
        return OutboxMailer(
            settings.mail_outbox_dir, sender=settings.smtp_from, data_dir=settings.data_dir
        )
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout_s=settings.smtp_timeout_s,
    )


_mailers: dict[int, tuple[weakref.ref[Vault], Mailer]] = {}
_mailers_lock = threading.RLock()  # re-entrant: a GC callback may run inside


def get_mailer(vault: Vault) -> Mailer:
    """The vault's mailer, made once per vault object from its settings."""
    key = id(vault)
    with _mailers_lock:
        entry = _mailers.get(key)
        if entry is not None and entry[0]() is vault:
            return entry[1]
        mailer = mailer_for(vault.settings)
        _mailers[key] = (weakref.ref(vault, lambda _ref: _forget(key)), mailer)
        return mailer


def _forget(key: int) -> None:
    with _mailers_lock:
        _mailers.pop(key, None)


def demo_choices(settings: Settings, *, port: int | None = None) -> dict[str, Any]:
    """What the demo sets that the operator left unset: mail goes to ``<data dir>-outbox``
    (beside, never inside, the data directory) and links point at the demo server."""
    choices: dict[str, Any] = {}
    if settings.mail_outbox_dir is None:
        data = settings.data_dir.resolve()
        choices["mail_outbox_dir"] = data.with_name(f"{data.name}-outbox")
    if settings.public_url is None:
        choices["public_url"] = f"http://127.0.0.1:{port if port is not None else settings.port}"
    return choices


def demo_settings(settings: Settings, *, port: int | None = None) -> Settings:
    """The settings with the demo's choices applied (see demo_choices)."""
    return settings.model_copy(update=demo_choices(settings, port=port))
