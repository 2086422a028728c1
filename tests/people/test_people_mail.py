"""Mail: real SMTP on loopback, the outbox folder, and the choice between them."""

from __future__ import annotations

import logging
import os
import stat
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from smtp_sink import SmtpSink, free_port
from voxkeep.config import Settings, load_settings
from voxkeep.errors import ConfigError, MailFailed
from voxkeep.mail import OutboxMailer, SmtpMailer, demo_settings, get_mailer, mailer_for
from voxkeep.vault import Vault

ADDRESS = "léa.müller@example.org"


def test_smtp_mailer_delivers_to_a_real_server(mailbox: SmtpSink) -> None:
    mailer = SmtpMailer(host=mailbox.host, port=mailbox.port, sender="voxkeep@vault.test")
    mailer.send(to="anna@example.org", subject="Grüße", body="Ça marche: äöü ß\n")
    [mail] = mailbox.to("anna@example.org")
    assert mail.sender == "voxkeep@vault.test"
    assert mail.subject == "Grüße"
    assert mail.body == "Ça marche: äöü ß\n"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert mail.message["Message-ID"].endswith("@vault.test>")


def test_a_refused_mail_names_the_server_not_the_recipient(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    closed = free_port()  # nothing listens there
    mailer = SmtpMailer(host="127.0.0.1", port=closed, sender="v@vault.test", timeout_s=2)
    with pytest.raises(MailFailed) as failure:
        mailer.send(to=ADDRESS, subject="s", body="b")
    assert failure.value.status == 503
    assert f"127.0.0.1:{closed}" in failure.value.message
    assert ADDRESS not in str(failure.value)
    assert all(ADDRESS not in r.getMessage() for r in caplog.records)


def test_smtp_password_is_not_in_the_repr() -> None:
    from pydantic import SecretStr

    mailer = SmtpMailer(
        host="smtp.example", port=587, sender="a@b.c", username="u", password=SecretStr("hunter2")
    )
    assert "hunter2" not in repr(mailer)


def test_outbox_writes_one_private_eml_file_per_mail(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    mailer = OutboxMailer(outbox, sender="voxkeep@vault.test", data_dir=tmp_path / "data")
    mailer.send(to=ADDRESS, subject="Invitation", body="Hallo Léa\n")
    mailer.send(to="b@example.org", subject="Second", body="x\n")
    files = sorted(outbox.iterdir())
    assert len(files) == 2 and all(f.suffix == ".eml" for f in files)
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(outbox).st_mode) == 0o700
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == ADDRESS
    assert parsed["Subject"] == "Invitation"
    assert parsed.get_body().get_content() == "Hallo Léa\n"  # type: ignore[union-attr]


@pytest.mark.parametrize("inside", ["data/outbox", "data", "data/blobs/../mail"])
def test_outbox_refuses_a_folder_inside_the_data_dir(tmp_path: Path, inside: str) -> None:
    (tmp_path / "data").mkdir()
    with pytest.raises(ConfigError, match="inside the data directory"):
        OutboxMailer(tmp_path / inside, data_dir=tmp_path / "data")


def test_outbox_refuses_a_link_that_leads_into_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "data" / "mail").mkdir(parents=True)
    (tmp_path / "outbox").symlink_to(tmp_path / "data" / "mail")
    with pytest.raises(ConfigError):
        OutboxMailer(tmp_path / "outbox", data_dir=tmp_path / "data")


def test_settings_refuse_an_outbox_inside_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOXKEEP_MAIL_OUTBOX_DIR", str(tmp_path / "data" / "outbox"))
    with pytest.raises(ConfigError, match="mail_outbox_dir"):
        load_settings(data_dir=tmp_path / "data")


def test_mailer_for_chooses_the_outbox_when_set(tmp_path: Path) -> None:
    smtp = mailer_for(Settings(data_dir=tmp_path / "data", smtp_host="mx.example", smtp_port=2525))
    assert isinstance(smtp, SmtpMailer) and (smtp.host, smtp.port) == ("mx.example", 2525)
    outbox = mailer_for(Settings(data_dir=tmp_path / "data", mail_outbox_dir=tmp_path / "out"))
    assert isinstance(outbox, OutboxMailer) and outbox.directory == tmp_path / "out"


def test_get_mailer_is_made_once_per_vault(vault: Vault) -> None:
    assert get_mailer(vault) is get_mailer(vault)


def test_the_demo_writes_mail_beside_the_data_dir(tmp_path: Path) -> None:
    settings = demo_settings(Settings(data_dir=tmp_path / "voxkeep-data"), port=8123)
    assert settings.mail_outbox_dir == (tmp_path / "voxkeep-data-outbox").resolve()
    assert settings.base_url == "http://127.0.0.1:8123"
    chosen = Settings(
        data_dir=tmp_path / "d", mail_outbox_dir=tmp_path / "o", public_url="https://x"
    )
    assert demo_settings(chosen) == chosen


def test_an_invitation_lands_in_the_outbox_when_one_is_set(
    vault: Vault, settings: Settings, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient
    from people_helpers import PASSWORD, link_in, register, set_password, sign_in, vault_with

    from voxkeep.tokens.service import Scope, create_token

    with vault.transaction() as session:
        _, token = create_token(session, name="t", scopes=[Scope.INGEST], actor="system")
    outbox = tmp_path / "outbox"
    with vault_with(settings, mail_outbox_dir=outbox) as (_, client):
        assert isinstance(client, TestClient)
        client.headers["Authorization"] = f"Bearer {token}"
        register(client, "acct-1", ADDRESS)
        assert client.post("/api/v1/accounts/acct-1/invite").status_code == 202
        [eml] = outbox.glob("*.eml")
        mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert mail["To"] == ADDRESS
        body = mail.get_body().get_content()  # type: ignore[union-attr]
        assert set_password(client, link_in(body)[1]).status_code == 204
        sign_in(client, ADDRESS, PASSWORD)
