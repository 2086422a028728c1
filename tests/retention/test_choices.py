"""Each account's retention choice, the operator default and maximum, and "don't save"."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import (
    ago,
    make_wav,
    run_cli,
    settings_env,
    setup_account,
    sql_statements,
    stored_blobs,
    upload,
)
from retention.seeding import days_ago, register, seed
from voxkeep.accounts.models import Account, Retention
from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.retention import choices, policy
from voxkeep.retention.models import DiscardedUploads
from voxkeep.retention.policy import add_months
from voxkeep.retention.sweeper import run_retention
from voxkeep.vault import Vault, open_vault


def expiries(vault: Vault) -> dict[str, tuple[datetime, datetime | None]]:
    with vault.reading() as session:
        rows = session.execute(
            select(Recording.id, Recording.captured_at, Recording.expires_at).order_by(Recording.id)
        )
        return {rid: (captured, expires) for rid, captured, expires in rows}


def actions(vault: Vault) -> list[str]:
    with vault.reading() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_new_accounts_get_three_months_and_uploads_expire_then(client: TestClient) -> None:
    setup_account(client)
    assert client.get("/api/v1/accounts/acct-1/recordings").status_code == 200
    account = client.put("/api/v1/accounts/acct-1", json={}).json()
    assert account["retention"] == "3_months"
    captured = datetime(2026, 8, 31, 9, 15, tzinfo=UTC)
    assert upload(client, captured_at=captured.isoformat()).status_code == 201
    vault: Vault = client.app.state.vault  # type: ignore[attr-defined]
    assert expiries(vault)["rec-1"] == (captured, datetime(2026, 11, 30, 9, 15, tzinfo=UTC))


def test_the_operator_sets_the_default_and_the_maximum(settings: Settings) -> None:
    custom = settings.model_copy(
        update={"retention_default": Retention.MONTHS_18, "retention_max": Retention.MONTHS_18}
    )
    vault = open_vault(custom)
    try:
        register(vault, "default-18")
        register(vault, "wants-forever", retention=Retention.UNTIL_DELETED)
        with vault.reading() as session:
            stored = dict(session.execute(select(Account.id, Account.retention)).all())
        assert sorted(stored.values()) == ["18_months", "until_deleted"]
        when = days_ago(10)
        seed(vault, "wants-forever", when, prefix="f")
        # The choice is kept as made; the maximum caps what applies.
        assert expiries(vault)["f-000000"][1] == add_months(when[0], 18)
    finally:
        vault.close()


def test_changing_the_choice_applies_to_stored_recordings_at_once(vault: Vault) -> None:
    register(vault, "chooser")
    captured = days_ago(5, 40, 200)
    seed(vault, "chooser", captured, prefix="c")

    def change(to: Retention) -> None:
        with vault.transaction() as session:
            from voxkeep.accounts import service as accounts

            accounts.upsert_account(
                vault,
                session,
                external_id="chooser",
                changes=accounts.AccountChanges(retention=to),
                actor="tests",
            )

    change(Retention.MONTHS_18)
    assert [e for _, e in expiries(vault).values()] == [add_months(c, 18) for c in captured]
    change(Retention.UNTIL_DELETED)
    assert [e for _, e in expiries(vault).values()] == [None, None, None]
    change(Retention.MONTHS_3)
    assert [e for _, e in expiries(vault).values()] == [add_months(c, 3) for c in captured]
    assert run_retention(vault).sweep.counts.recordings == 1  # the 200-day-old one
    change(Retention.DONT_SAVE)
    assert [e for _, e in expiries(vault).values()] == captured[:2]  # expired at once
    assert run_retention(vault).sweep.counts.recordings == 2
    assert expiries(vault) == {}


def test_a_change_through_the_api_reexpires_too(client: TestClient) -> None:
    setup_account(client)
    assert upload(client, captured_at=ago(days=120)).status_code == 201
    vault: Vault = client.app.state.vault  # type: ignore[attr-defined]
    assert expiries(vault)["rec-1"][1] is not None
    response = client.put("/api/v1/accounts/acct-1", json={"retention": "until_deleted"})
    assert response.status_code == 200 and response.json()["retention"] == "until_deleted"
    assert expiries(vault)["rec-1"][1] is None


def test_lowering_the_maximum_reexpires_stored_recordings(settings: Settings) -> None:
    vault = open_vault(settings)
    try:
        register(vault, "forever", retention=Retention.UNTIL_DELETED)
        register(vault, "short")  # 3 months
        seed(vault, "forever", days_ago(10, 100, 700), prefix="f")
        seed(vault, "short", days_ago(10), prefix="s")
        assert run_retention(vault).reexpired == 0  # first run records the maximum in force
    finally:
        vault.close()
    lowered = open_vault(settings.model_copy(update={"retention_max": Retention.MONTHS_18}))
    try:
        run = run_retention(lowered)
        assert run.reexpired == 3  # only the capped account's recordings
        assert run.sweep.counts.recordings == 1  # the 700-day-old one
        assert "retention:reapplied" in actions(lowered)
        assert run_retention(lowered).reexpired == 0
    finally:
        lowered.close()
    raised = open_vault(settings)
    try:
        assert run_retention(raised).reexpired == 2
        assert {e for _, e in expiries(raised).values() if e is None} == {None}
    finally:
        raised.close()


def test_dont_save_accepts_the_upload_and_keeps_nothing(client: TestClient) -> None:
    vault: Vault = client.app.state.vault  # type: ignore[attr-defined]
    setup_account(client)
    assert client.put("/api/v1/accounts/acct-1", json={"retention": "dont_save"}).status_code == 200
    blobs_before = stored_blobs(vault.settings)
    response = upload(client, transcript="do not keep zebra-nokeep-99")
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "id": "rec-1", "created": False, "discarded": True}
    again = upload(client)
    assert again.json()["discarded"] is True
    with vault.reading() as session:
        assert session.scalars(select(Recording.id)).all() == []
        counts = session.scalars(select(DiscardedUploads.count)).all()
        assert counts == [2]
        assert policy.discarded_total(session) == 2
    assert stored_blobs(vault.settings) == blobs_before
    assert actions(vault).count(AuditAction.RECORDING_DISCARDED.value) == 2
    assert client.get("/api/v1/accounts/acct-1/recordings/rec-1").status_code == 404
    # A bad upload is still refused: validation comes first.
    assert upload(client, audio=b"RIFF nonsense").status_code == 422
    with vault.reading() as session:
        assert session.scalars(select(DiscardedUploads.count)).all() == [2]


def test_the_operator_maximum_dont_save_discards_for_everyone(settings: Settings) -> None:
    vault = open_vault(settings.model_copy(update={"retention_max": Retention.DONT_SAVE}))
    try:
        register(vault, "anyone", retention=Retention.UNTIL_DELETED)
        assert seed(vault, "anyone", days_ago(1, 2), prefix="x")
        with vault.reading() as session:
            assert session.scalars(select(Recording.id)).all() == []
            assert policy.discarded_total(session) == 2
    finally:
        vault.close()


def test_import_counts_dont_save_files_as_discarded(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "import"
    folder.mkdir()
    accounts = [
        {
            "id": "keeps",
            "devices": [{"id": "k-dev", "kind": "speaker", "name": "K"}],
        },
        {
            "id": "drops",
            "retention": "dont_save",
            "devices": [{"id": "d-dev", "kind": "speaker", "name": "D"}],
        },
    ]
    (folder / "accounts.json").write_text(json.dumps(accounts))
    for n, (account, device) in enumerate([("keeps", "k-dev"), ("drops", "d-dev")] * 2):
        (folder / f"{n}.wav").write_bytes(make_wav(0.1, seed=n))
        meta = {
            "id": f"imp-{n}",
            "account": account,
            "device": device,
            "captured_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "language": "en",
            "transcript": "hello",
        }
        (folder / f"{n}.json").write_text(json.dumps(meta))
    result = run_cli("import", str(folder), env=settings_env(settings))
    assert result.returncode == 0, result.stderr
    assert "2 imported" in result.stdout and "2 discarded" in result.stdout
    vault = open_vault(settings)
    try:
        with vault.reading() as session:
            assert sorted(session.scalars(select(Recording.id))) == ["imp-0", "imp-2"]
    finally:
        vault.close()


def test_the_choices_count_what_each_would_delete_in_one_query(vault: Vault) -> None:
    account_id = register(vault, "counter")
    seed(vault, "counter", days_ago(5, 40, 120, 200, 600), prefix="n")
    with sql_statements(vault.engine) as seen:
        shown = choices.view(vault, account_id=account_id)
    assert shown.recordings == 5
    would = {c.retention: c.would_delete for c in shown.choices}
    assert would[Retention.DONT_SAVE] == 5
    assert would[Retention.MONTHS_3] == 3  # 120, 200 and 600 days old
    assert would.get(Retention.MONTHS_18, 1) == 1  # 600 days (if the maximum offers it)
    assert would.get(Retention.UNTIL_DELETED, 0) == 0
    assert len([s for s in seen if "FROM recordings" in s]) == 1, seen
