"""Typed settings from ``VOXKEEP_*`` environment variables and an optional TOML file.

Precedence, highest first: values passed in code, environment variables, the
TOML file named by ``VOXKEEP_CONFIG`` (or ``--config``), the settings ``voxkeep
demo`` keeps in its vault's data directory (``demo.toml``), then the defaults here.
Every setting is documented in docs/configuration.md; a test keeps the two equal.
"""

from __future__ import annotations

import json
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from voxkeep.accounts.models import Retention
from voxkeep.errors import ConfigError

CONFIG_ENV = "VOXKEEP_CONFIG"
# What `voxkeep demo` chose for its vault (the mail outbox, the links' address), in
# the data directory, so every command that opens that vault does the same.
DEMO_SETTINGS_FILE = "demo.toml"


class Settings(BaseSettings):
    """Everything an operator can set. Secrets are ``SecretStr``: never in a repr or log."""

    model_config = SettingsConfigDict(env_prefix="VOXKEEP_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=Path("./voxkeep-data"),
        description="Folder for the embedded database, blobs and the master key file.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL. Empty: SQLite in the data directory. "
        "A postgresql:// URL uses PostgreSQL through psycopg 3.",
    )
    master_key: SecretStr | None = Field(
        default=None,
        description="Base64 of a 32-byte master key. Empty: read the key file.",
    )
    master_key_file: Path | None = Field(
        default=None,
        description="Path of the master key file. Empty: master.key in the data directory.",
    )
    host: str = Field(default="127.0.0.1", description="Address `voxkeep serve` binds.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `voxkeep serve` binds.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes `voxkeep serve` runs to answer requests (one per CPU core is "
        "a good start); each reads the settings from the environment and config file.",
    )
    max_upload_bytes: int = Field(
        default=50 * 1024 * 1024, gt=0, description="Largest accepted audio upload in bytes."
    )
    max_duration_s: float = Field(
        default=600.0, gt=0, description="Longest accepted recording in seconds."
    )
    max_transcript_chars: int = Field(
        default=20_000, gt=0, description="Longest accepted transcript in characters."
    )
    clock_skew_s: float = Field(
        default=300.0,
        ge=0,
        description="How far in the future a captured-at time may lie (device clocks drift).",
    )
    fsync: bool = Field(
        default=True,
        description="fsync every blob before the row naming it commits (survives power loss).",
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    export_ttl_s: float = Field(
        default=7 * 24 * 3600.0,
        gt=0,
        description="How long a released answer archive can be downloaded; then its key is "
        "destroyed.",
    )
    export_download_grace_s: float = Field(
        default=3600.0,
        gt=0,
        description="A download that started before its answer expired may go on for this many "
        "seconds from its start; the answer expires when it ends, at the latest then.",
    )
    export_max_downloads: int = Field(
        default=5,
        ge=1,
        description="How many times an answer archive can be downloaded (resumed ranges count "
        "by bytes, not by request).",
    )
    export_reauth_s: float = Field(
        default=600.0,
        gt=0,
        description="A download needs a password re-entry within this many seconds.",
    )
    export_household_voices: Literal["include", "withhold"] = Field(
        default="include",
        description="Art. 15(4): recordings attributed to a household member are included and "
        "marked with the speaker (include), or listed without audio and transcript (withhold).",
    )
    retention_default: Retention = Field(
        default=Retention.MONTHS_3,
        description="Retention of accounts that do not choose one: dont_save, 3_months, "
        "18_months or until_deleted (privacy by default, Art. 25(2)).",
    )
    retention_max: Retention = Field(
        default=Retention.UNTIL_DELETED,
        description="The longest retention any account gets; caps every choice (Art. 5(1)(e)). "
        "Lowering it re-expires existing recordings at the next sweep.",
    )
    retention_sweep_interval_s: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds between retention sweeps inside `voxkeep serve` and `voxkeep "
        "worker` (one node of a fleet runs each); 0 turns them off on this node "
        "(then run `voxkeep retention run` from a timer).",
    )
    retention_batch: int = Field(
        default=5000,
        ge=1,
        le=10_000,
        description="Recordings deleted per transaction by the sweeper, deletions and erasures.",
    )
    purge_pause_s: float = Field(
        default=0.0,
        ge=0,
        description="For tests only, leave 0: a purge (sweep, deletion, erasure) waits this "
        "long after each batch, so a test can kill a node in the middle of one.",
    )

    # People and mail (docs/people.md) ------------------------------------------
    public_url: str | None = Field(
        default=None,
        description="The address people use to reach voxkeep, for links in mails "
        "(e.g. https://privacy.example.com). Empty: http://<host>:<port>.",
    )
    smtp_host: str = Field(default="localhost", description="SMTP server every mail goes to.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_from: str = Field(
        default="voxkeep@localhost", description="Sender address of every mail voxkeep sends."
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP user name. Empty: send without logging in."
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=False,
        description="Upgrade the SMTP connection with STARTTLS (certificate checked).",
    )
    smtp_timeout_s: float = Field(
        default=10.0, gt=0, description="Seconds to wait for the SMTP server."
    )
    mail_outbox_dir: Path | None = Field(
        default=None,
        description="Write every mail as an .eml file into this folder instead of sending it "
        "(demo and development). Must lie outside the data directory.",
    )
    session_ttl_s: float = Field(
        default=12 * 3600.0, gt=0, description="Lifetime of a person's sign-in session."
    )
    session_idle_s: float = Field(
        default=30 * 60.0,
        gt=0,
        description="A person's session left unused this long ends (API and portal).",
    )
    staff_session_ttl_s: float = Field(
        default=8 * 3600.0, gt=0, description="Lifetime of a staff sign-in session."
    )
    staff_session_idle_s: float = Field(
        default=30 * 60.0,
        gt=0,
        description="A staff session left unused this long ends (the console's idle timeout).",
    )
    invite_ttl_s: float = Field(
        default=72 * 3600.0,
        gt=0,
        description="How long an invitation (set-password) link stays usable.",
    )
    password_reset_ttl_s: float = Field(
        default=15 * 60.0,
        gt=0,
        description="How long a mailed password-reset code stays usable (it works once).",
    )
    signin_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins (or re-authentications) allowed per account within the "
        "window before it is paused (429) for browsers it has not signed in with before; "
        "also the allowance of each known-client cookie.",
    )
    signin_window_s: float = Field(
        default=900.0, gt=0, description="The window failed sign-ins are counted in."
    )
    signin_address_max_failures: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins (or re-authentications) from one network address within "
        "the window before its attempts are slowed down (never refused outright).",
    )
    signin_address_interval_s: float = Field(
        default=10.0,
        gt=0,
        description="A slowed network address may try once per this many seconds; faster "
        "attempts get 429 without the password being checked.",
    )
    signin_known_client_ttl_s: float = Field(
        default=90 * 24 * 3600.0,
        gt=0,
        description="Lifetime of the known-client cookie a browser gets at sign-in, which "
        "exempts it from the account and address limits.",
    )
    password_hash_time_cost: int = Field(
        default=3, ge=1, le=20, description="Argon2id passes per password hash."
    )
    password_hash_memory_kib: int = Field(
        default=64 * 1024,
        ge=1024,
        le=4 * 1024 * 1024,
        description="Argon2id memory per password hash in KiB.",
    )

    # Requests and jobs (docs/requests.md) -----------------------------------------
    request_reauth_s: float = Field(
        default=600.0,
        gt=0,
        description="A portal request needs a password re-entry within this many seconds; "
        "that re-authentication is its identity check.",
    )
    request_code_ttl_s: float = Field(
        default=72 * 3600.0,
        gt=0,
        description="How long a verification code mailed for a staff-entered request is valid.",
    )
    request_code_attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        description="Wrong entries of a verification code before it is void (send a new one).",
    )
    job_workers: int = Field(
        default=2,
        ge=0,
        le=64,
        description="Worker threads `voxkeep serve` runs for background jobs (exports, "
        "erasures, notices); 0: none (run `voxkeep requests work` elsewhere).",
    )
    job_lease_s: float = Field(
        default=60.0,
        ge=1,
        description="A running job's claim lasts this long and is renewed while it runs; "
        "after a crash, another worker takes the job over once it lapses.",
    )
    job_poll_s: float = Field(
        default=2.0,
        gt=0,
        description="How often an idle worker looks for jobs other processes queued.",
    )
    job_max_attempts: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Attempts before a failing job is marked failed (retries back off); "
        "retries of a transient fault (a full disk, the database or the mail server down) "
        "do not count, time limits them (job_retry_s, mail_retry_s, job_deadline_margin_s).",
    )
    job_retry_s: float = Field(
        default=86400.0,
        gt=0,
        description="How long a job with no deadline of its own keeps retrying a full disk or "
        "an unavailable database before it is marked failed.",
    )
    mail_retry_s: float = Field(
        default=3 * 86400.0,
        gt=0,
        description="How long a mail job keeps retrying while the mail server does not take "
        "mail before it is marked failed.",
    )
    job_deadline_margin_s: float = Field(
        default=3 * 86400.0,
        ge=0,
        description="A request's answer or erasure job retrying a transient fault gives up "
        "this long before the request's legal deadline (blocking it for staff), but not "
        "before it has retried for an hour.",
    )
    job_backoff_max_s: float = Field(
        default=600.0,
        gt=0,
        description="The longest wait between two retries of a failing job (waits double "
        "from 5 seconds up to this).",
    )
    health_min_free_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=0,
        description="/healthz answers 503 when the local blob store's disk has less free "
        "space than this (0: no check; an S3 bucket is checked for reachability only).",
    )
    health_queue_age_s: float = Field(
        default=900.0,
        gt=0,
        description="/healthz reports the job queue degraded when its oldest due job has "
        "waited longer than this.",
    )
    health_mail_cache_s: float = Field(
        default=30.0,
        ge=0,
        description="How long /healthz reuses its last check of the SMTP server.",
    )
    health_s3_timeout_s: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="/healthz waits this long for the S3 server to connect and this long "
        "for its answer to one HeadBucket, with no retries; then the bucket is failed (503).",
    )
    audit_checkpoint_interval_s: float = Field(
        default=300.0,
        ge=0,
        description="Seconds between signed audit-log checkpoints inside `voxkeep serve` (one "
        "more is written at shutdown); 0 turns them off (then run `voxkeep audit checkpoint` "
        "from a timer).",
    )

    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token Prometheus sends to GET /metrics (at least 16 characters). "
        "Empty: /metrics is off (401 to everyone).",
    )

    @field_validator("metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value

    # Who is responsible (docs/records.md): the record of processing (Art. 30) and the
    # notification to the supervisory authority (Art. 33) print these; each is optional
    # and the documents say plainly when one is not configured.
    controller_name: str | None = Field(
        default=None,
        description="The controller: the organisation responsible for the processing "
        "(Art. 30(1)(a), Art. 33).",
    )
    controller_contact: str | None = Field(
        default=None, description="The controller's contact address (postal or e-mail)."
    )
    dpo_name: str | None = Field(
        default=None,
        description="The data protection officer, or another contact point where more "
        "information can be obtained (Art. 33(3)(b), Art. 34(2)).",
    )
    dpo_contact: str | None = Field(
        default=None, description="How to reach the DPO or contact point (e-mail, phone, post)."
    )
    supervisory_authority: str | None = Field(
        default=None,
        description="The supervisory authority breaches are notified to (Art. 33(1)), by name.",
    )

    @field_validator(
        "controller_name", "controller_contact", "dpo_name", "dpo_contact", "supervisory_authority"
    )
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    # Object storage (docs/storage.md) -------------------------------------------
    s3_bucket: str | None = Field(
        default=None,
        description="Keep blobs (audio, answers) in this S3 bucket instead of the data "
        "directory. Empty: the local blob store.",
    )
    s3_endpoint: str | None = Field(
        default=None,
        description="URL of an S3-compatible server (SeaweedFS, MinIO, Ceph), e.g. "
        "http://127.0.0.1:8333. Empty: AWS S3.",
    )
    s3_region: str = Field(default="us-east-1", description="Region of the S3 bucket.")
    s3_prefix: str = Field(
        default="",
        description="Start of every object name voxkeep writes (e.g. vault1/), so one bucket "
        "can hold several vaults; voxkeep lists and collects only below it.",
    )
    s3_access_key_id: SecretStr | None = Field(
        default=None,
        description="S3 access key id. Empty (with the secret): the credentials file, else "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or boto3's other sources.",
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="S3 secret access key, with VOXKEEP_S3_ACCESS_KEY_ID."
    )
    s3_credentials_file: Path | None = Field(
        default=None,
        description="A file in the AWS credentials format whose [default] section holds "
        "aws_access_key_id and aws_secret_access_key.",
    )
    s3_part_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=5 * 1024 * 1024,
        le=512 * 1024 * 1024,
        description="Part size of multipart uploads; a blob larger than one part is uploaded "
        "in parts, so at most a few parts are in memory.",
    )
    s3_connections: int = Field(
        default=16,
        ge=1,
        le=256,
        description="Connections (and parallel uploads) each process opens to the S3 server.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return value.lower()

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _outbox_outside_data_dir(self) -> Settings:
        # Mails carry plaintext addresses; inside the data directory they would
        # defeat invariant 5 and the erasure scan (invariant 6).
        if self.mail_outbox_dir is not None and is_inside(self.mail_outbox_dir, self.data_dir):
            raise ValueError("mail_outbox_dir must lie outside the data directory")
        return self

    @model_validator(mode="after")
    def _s3_complete(self) -> Settings:
        if self.s3_bucket is None and (self.s3_endpoint or self.s3_prefix):
            raise ValueError("s3_endpoint and s3_prefix need s3_bucket too")
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError("s3_access_key_id and s3_secret_access_key go together")
        if self.s3_endpoint and not self.s3_endpoint.startswith(("http://", "https://")):
            raise ValueError("s3_endpoint must start with http:// or https://")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_path = _config_file.get() or os.environ.get(CONFIG_ENV)
        if config_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_path)))
        demo_path = _demo_file.get()
        if demo_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=demo_path))
        return tuple(sources)

    @property
    def key_file(self) -> Path:
        return self.master_key_file or self.data_dir / "master.key"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def sqlalchemy_url(self) -> str:
        """The URL the engine uses; PostgreSQL URLs are pinned to the psycopg 3 driver."""
        if self.database_url is None or not self.database_url.get_secret_value():
            return f"sqlite:///{(self.data_dir / 'voxkeep.db').resolve()}"
        url = self.database_url.get_secret_value()
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def base_url(self) -> str:
        """Where people reach voxkeep: the start of every link in a mail."""
        return self.public_url or f"http://{self.host}:{self.port}"


def is_inside(path: Path, folder: Path) -> bool:
    """Whether path is folder or lies below it, after resolving links and relative parts."""
    return path.resolve().is_relative_to(folder.resolve())


# An explicit --config file for the Settings being built; the environment is left alone.
_config_file: ContextVar[str | None] = ContextVar("voxkeep_config_file", default=None)
# The demo's settings file of the data directory, once that directory is known.
_demo_file: ContextVar[Path | None] = ContextVar("voxkeep_demo_file", default=None)


def load_settings(
    config_file: Path | None = None, *, demo_file: bool = True, **overrides: Any
) -> Settings:
    """Build settings, turning validation problems into one clear ConfigError.

    demo_file: also read the settings `voxkeep demo` keeps in the data directory
    (False: what the operator set, for the demo command to choose its own).
    """
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"The config file {config_file} does not exist.")
    path = str(config_file) if config_file is not None else os.environ.get(CONFIG_ENV)
    if path and not Path(path).is_file():
        raise ConfigError(f"{CONFIG_ENV} names {path}, which does not exist.")
    token = _config_file.set(path or None)
    try:
        settings = Settings(**overrides)
        demo_path = settings.data_dir / DEMO_SETTINGS_FILE
        if not demo_file or not demo_path.is_file():
            return settings
        # Again, now that the data directory (from any source above) is known.
        demo_token = _demo_file.set(demo_path)
        try:
            return Settings(**overrides)
        finally:
            _demo_file.reset(demo_token)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f"The settings are not valid: {problems}.",
            hint="See docs/configuration.md for every setting.",
        ) from None
    except ValueError as exc:  # a malformed TOML file
        raise ConfigError(f"The config file could not be read: {exc}") from None
    finally:
        _config_file.reset(token)


def write_demo_settings(data_dir: Path, values: dict[str, Any]) -> None:
    """Keep the settings `voxkeep demo` chose in its vault (replacing earlier ones)."""
    path = data_dir / DEMO_SETTINGS_FILE
    lines = [
        "# Written by `voxkeep demo`: every command that opens this vault reads it,",
        "# below the environment and VOXKEEP_CONFIG. Delete it to use those alone.",
    ]
    # A JSON string is a valid TOML basic string.
    lines += [f"{key} = {json.dumps(str(value))}" for key, value in sorted(values.items())]
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
