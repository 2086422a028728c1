"""Typed settings from ``VOXKEEP_*`` environment variables and an optional TOML file.

Precedence, highest first: values passed in code, environment variables, the
TOML file named by ``VOXKEEP_CONFIG`` (or ``--config``), then the defaults here.
Every setting is documented in docs/configuration.md; a test keeps the two equal.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from voxkeep.errors import ConfigError

CONFIG_ENV = "VOXKEEP_CONFIG"


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

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return value.lower()

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
        config_path = os.environ.get(CONFIG_ENV)
        if config_path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_path)))
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


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings, turning validation problems into one clear ConfigError."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"The config file {config_file} does not exist.")
        os.environ[CONFIG_ENV] = str(config_file)
    path = os.environ.get(CONFIG_ENV)
    if path and not Path(path).is_file():
        raise ConfigError(f"{CONFIG_ENV} names {path}, which does not exist.")
    try:
        return Settings(**overrides)
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
