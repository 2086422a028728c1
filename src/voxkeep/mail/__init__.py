"""Outgoing mail (docs/people.md): SMTP as configured, or an outbox folder for the demo."""

from voxkeep.mail.mailers import (
    Mailer,
    OutboxMailer,
    SmtpMailer,
    build_message,
    demo_choices,
    demo_settings,
    get_mailer,
    mailer_for,
)

__all__ = [
    "Mailer",
    "OutboxMailer",
    "SmtpMailer",
    "build_message",
    "demo_choices",
    "demo_settings",
    "get_mailer",
    "mailer_for",
]
