"""The record of processing activities (Art. 30), generated from the running settings.

One function makes the record (a ``pdfdoc.Document``); the console page, its
PDF and `voxkeep records show` all render that one value, so what the record
says about retention, recipients and security is what this process does. It
holds no personal data of the people whose data voxkeep keeps, and no secret:
the mail server by host and port, never its user or password; the master key
by where it is kept, never its value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from voxkeep.config import Settings
from voxkeep.db.base import utcnow
from voxkeep.exports.i18n import long_date
from voxkeep.pdfdoc import Document, Item, Section, render_document, words_in
from voxkeep.people.models import StaffRole
from voxkeep.records.texts import STRINGS

LANGUAGES: Final = tuple(STRINGS)
# Who reads the record: the data protection officer, and admins who run the vault.
READERS: Final = (StaffRole.DPO, StaffRole.ADMIN)

_UNITS: Final = (("day", 86400), ("hour", 3600), ("minute", 60))


def words_of(language: str) -> dict[str, str]:
    return words_in(STRINGS, language, what="record of processing")


def span(seconds: float, words: dict[str, str]) -> str:
    """A duration in the largest whole unit: 604800 → "7 days", 900 → "15 minutes"."""
    for unit, size in _UNITS:
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return words[unit if n == 1 else f"{unit}s"].format(n=n)
    n_text = f"{seconds:g}"
    return words["second" if seconds == 1 else "seconds"].format(n=n_text)


def processing_record(
    settings: Settings, language: str, *, now: datetime | None = None
) -> Document:
    """The record in ``language`` (en, de, fr), from ``settings``, dated ``now``."""
    words = words_of(language)
    date = long_date(now or utcnow(), language)
    return Document(
        title=words["title"],
        subtitle=words["subtitle"].format(date=date),
        footer=words["footer"].format(date=date),
        page_label=words["page"],
        sections=(
            _controller(settings, words),
            _described(words, "s_purposes", ("p_voice", "p_history", "p_requests", "p_security")),
            _described(
                words, "s_people", ("c_account_holders", "c_household", "c_accidental", "c_staff")
            ),
            _described(
                words,
                "s_data",
                ("d_audio", "d_transcripts", "d_names", "d_times", "d_account", "d_staff"),
            ),
            _recipients(settings, words),
            _described(words, "s_transfers", ("transfers",)),
            _retention(settings, words),
            _security(settings, words),
        ),
    )


def processing_record_pdf(
    settings: Settings, language: str, *, now: datetime | None = None
) -> bytes:
    """The record as PDF: A4, numbered pages, the embedded fonts."""
    return render_document(processing_record(settings, language, now=now))


def _described(words: dict[str, str], heading: str, keys: tuple[str, ...]) -> Section:
    """A section of fixed entries, each a name and its description (``<key>_text``)."""
    return Section(words[heading], fields=tuple(Item(words[k], words[f"{k}_text"]) for k in keys))


def _controller(settings: Settings, words: dict[str, str]) -> Section:
    def configured(value: str | None, setting: str) -> str:
        return value or words["not_configured"].format(setting=f"VOXKEEP_{setting.upper()}")

    entries = (
        ("controller", settings.controller_name, "controller_name"),
        ("controller_contact", settings.controller_contact, "controller_contact"),
        ("dpo", settings.dpo_name, "dpo_name"),
        ("dpo_contact", settings.dpo_contact, "dpo_contact"),
        ("authority", settings.supervisory_authority, "supervisory_authority"),
    )
    return Section(
        words["s_controller"],
        fields=tuple(Item(words[key], configured(value, name)) for key, value, name in entries),
    )


def _recipients(settings: Settings, words: dict[str, str]) -> Section:
    if settings.mail_outbox_dir is not None:
        mail = words["r_outbox"].format(folder=settings.mail_outbox_dir)
    else:
        mail = words["r_mail_text"].format(
            server=f"{settings.smtp_host}:{settings.smtp_port}",
            tls=words["yes" if settings.smtp_starttls else "no"],
        )
    return Section(
        words["s_recipients"],
        fields=(Item(words["r_backend"], words["r_backend_text"]), Item(words["r_mail"], mail)),
    )


def _retention(settings: Settings, words: dict[str, str]) -> Section:
    def during(seconds: float) -> str:
        return span(seconds, words)

    sweep = settings.retention_sweep_interval_s
    return Section(
        words["s_retention"],
        fields=(
            Item(
                words["t_default"],
                words["t_default_text"].format(
                    retention=words[f"retention_{settings.retention_default.value}"]
                ),
            ),
            Item(
                words["t_max"],
                words["t_max_text"].format(
                    retention=words[f"retention_{settings.retention_max.value}"]
                ),
            ),
            Item(
                words["t_sweep"],
                words["t_sweep_text"].format(interval=during(sweep))
                if sweep
                else words["t_sweep_off"],
            ),
            Item(
                words["t_answers"],
                words["t_answers_text"].format(ttl=during(settings.export_ttl_s)),
            ),
            Item(
                words["t_sessions"],
                words["t_sessions_text"].format(
                    ttl=during(settings.session_ttl_s),
                    idle=during(settings.session_idle_s),
                    staff_ttl=during(settings.staff_session_ttl_s),
                    staff_idle=during(settings.staff_session_idle_s),
                ),
            ),
            Item(
                words["t_codes"],
                words["t_codes_text"].format(
                    request_code=during(settings.request_code_ttl_s),
                    reset=during(settings.password_reset_ttl_s),
                    invite=during(settings.invite_ttl_s),
                    known=during(settings.signin_known_client_ttl_s),
                ),
            ),
            Item(
                words["t_erasure"], words["t_erasure_text"].format(batch=settings.retention_batch)
            ),
            Item(words["t_audit"], words["t_audit_text"]),
        ),
    )


def _security(settings: Settings, words: dict[str, str]) -> Section:
    def during(seconds: float) -> str:
        return span(seconds, words)

    interval = settings.audit_checkpoint_interval_s
    checkpoints = (
        words["m_audit_every"].format(interval=during(interval))
        if interval
        else words["m_audit_off"]
    )
    database = words["m_sqlite" if settings.is_sqlite else "m_postgresql"]
    fsync = words["m_fsync"].format(fsync=words["yes" if settings.fsync else "no"])
    return Section(
        words["s_security"],
        fields=(
            Item(words["m_encryption"], words["m_encryption_text"]),
            Item(
                words["m_master"],
                words["m_master_env" if _key_in_environment(settings) else "m_master_file"],
            ),
            Item(words["m_audit"], words["m_audit_text"].format(checkpoints=checkpoints)),
            Item(words["m_gate"], words["m_gate_text"]),
            Item(
                words["m_downloads"],
                words["m_downloads_text"].format(
                    reauth=during(settings.export_reauth_s),
                    downloads=settings.export_max_downloads,
                ),
            ),
            Item(words["m_staff"], words["m_staff_text"]),
            Item(
                words["m_limits"],
                words["m_limits_text"].format(
                    failures=settings.signin_max_failures,
                    window=during(settings.signin_window_s),
                    address_failures=settings.signin_address_max_failures,
                    interval=during(settings.signin_address_interval_s),
                ),
            ),
            Item(
                words["m_passwords"],
                words["m_passwords_text"].format(
                    passes=settings.password_hash_time_cost,
                    memory=f"{settings.password_hash_memory_kib / 1024:g}",
                ),
            ),
            Item(words["m_database"], f"{database} {fsync}"),
        ),
    )


def _key_in_environment(settings: Settings) -> bool:
    # An empty VOXKEEP_MASTER_KEY means the key file (config.Settings.master_key).
    return settings.master_key is not None and bool(settings.master_key.get_secret_value())
