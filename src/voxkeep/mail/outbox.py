"""Reading the demo's mail outbox: the .eml files OutboxMailer writes, for the demo's
outbox page (demo/pages.py), so a newcomer can read a mailed code in the browser.

Only a vault made by `voxkeep demo` (its data directory holds ``demo.toml``) whose
mail goes to an outbox folder has one; a mail is named by its file's stem, which
holds a time and random hex, never an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from voxkeep.config import DEMO_SETTINGS_FILE, Settings
from voxkeep.errors import NotFound

# What OutboxMailer names a mail: <UTC time>-<8 hex>.eml.
MAIL_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{8}$")


@dataclass(frozen=True)
class OutboxMail:
    id: str
    subject: str
    to: str
    sent_at: datetime
    body: str


def demo_outbox(settings: Settings) -> Path | None:
    """The outbox folder when this is a demo vault that mails into one, else None."""
    if settings.mail_outbox_dir is None:
        return None
    if not (settings.data_dir / DEMO_SETTINGS_FILE).is_file():
        return None
    return settings.mail_outbox_dir


def _read(path: Path) -> OutboxMail:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    try:
        sent_at = parsedate_to_datetime(str(message["Date"])).astimezone(UTC)
    except (TypeError, ValueError):
        sent_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return OutboxMail(
        id=path.stem,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sent_at=sent_at,
        body=body,
    )


def list_mails(directory: Path) -> list[OutboxMail]:
    """Every mail in the outbox, newest first (none if the folder is not there yet)."""
    if not directory.is_dir():
        return []
    paths = [p for p in directory.glob("*.eml") if MAIL_ID.match(p.stem)]
    # The names start with the time written: newest first is reverse name order.
    return [_read(p) for p in sorted(paths, key=lambda p: p.name, reverse=True)]


def read_mail(directory: Path, mail_id: str) -> OutboxMail:
    """One mail of the outbox by its id, or NotFound."""
    path = directory / f"{mail_id}.eml"
    if not MAIL_ID.match(mail_id) or not path.is_file():
        raise NotFound(
            "There is no such mail in the demo's outbox.",
            hint="Open /demo/outbox for the list of mails.",
        )
    return _read(path)
