"""Settings: environment, TOML file, precedence, validation, and secrets kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxkeep.config import CONFIG_ENV, load_settings
from voxkeep.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VOXKEEP_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_embedded_ones() -> None:
    settings = load_settings()
    assert settings.data_dir == Path("voxkeep-data")
    assert settings.is_sqlite
    assert settings.host == "127.0.0.1"
    assert settings.key_file == Path("voxkeep-data/master.key")


def test_toml_file_then_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "voxkeep.toml"
    config.write_text('data_dir = "/srv/vault"\nport = 9000\nmax_duration_s = 30\n')
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.setenv("VOXKEEP_PORT", "9100")
    settings = load_settings()
    assert settings.data_dir == Path("/srv/vault")
    assert settings.max_duration_s == 30
    assert settings.port == 9100


def test_postgresql_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXKEEP_DATABASE_URL", "postgresql://u:hunter2@db/vk")
    settings = load_settings()
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://")
    assert not settings.is_sqlite


def test_secrets_never_appear_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXKEEP_DATABASE_URL", "postgresql://u:hunter2@db/vk")
    monkeypatch.setenv("VOXKEEP_MASTER_KEY", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyYg==")
    settings = load_settings()
    shown = repr(settings) + str(settings) + repr(settings.model_dump())
    assert "hunter2" not in shown
    assert "c2VjcmV0" not in shown


def test_an_invalid_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXKEEP_PORT", "not-a-port")
    with pytest.raises(ConfigError, match="port") as caught:
        load_settings()
    assert "not-a-port" not in str(caught.value)


def test_an_unknown_toml_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "voxkeep.toml"
    config.write_text('data_dri = "/srv/vault"\n')
    with pytest.raises(ConfigError, match="data_dri"):
        load_settings(config)


def test_a_malformed_toml_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "voxkeep.toml"
    config.write_text("data_dir = \n")
    with pytest.raises(ConfigError, match="config file"):
        load_settings(config)


def test_a_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml")


def test_an_explicit_config_file_does_not_leak_into_later_settings(tmp_path: Path) -> None:
    import os

    config = tmp_path / "voxkeep.toml"
    config.write_text("port = 9300\n")
    assert load_settings(config).port == 9300
    assert CONFIG_ENV not in os.environ
    assert load_settings().port == 8000
