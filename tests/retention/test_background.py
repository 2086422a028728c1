"""The sweeper thread `voxkeep serve` runs: at start, on request, and stopping cleanly."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import func, select

from retention.seeding import days_ago, register, seed
from voxkeep.accounts import service as accounts
from voxkeep.accounts.models import Retention
from voxkeep.config import Settings
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure
from voxkeep.retention.sweeper import start_sweeper
from voxkeep.vault import Vault, open_vault


def total(vault: Vault) -> int:
    with vault.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Recording)) or 0)


def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sweeps_at_start_and_when_a_choice_expires_recordings(vault: Vault) -> None:
    register(vault, "bg")
    seed(vault, "bg", days_ago(1, 2, 200), prefix="bg")
    register(vault, "gone")
    seed(vault, "gone", days_ago(1), prefix="gone")
    erasure.destroy_key(vault, external_id="gone", actor="tests")  # an unfinished erasure
    stop = start_sweeper(vault)
    try:
        eventually(lambda: total(vault) == 2)  # the expired one and the erased account's
        with vault.transaction() as session:
            accounts.upsert_account(
                vault,
                session,
                external_id="bg",
                changes=accounts.AccountChanges(retention=Retention.DONT_SAVE),
                actor="tests",
            )
        # The hourly interval is not waited for: the change woke the sweeper.
        eventually(lambda: total(vault) == 0, timeout=10)
    finally:
        started = time.monotonic()
        stop()
        assert time.monotonic() - started < 10


def test_an_interval_of_zero_starts_nothing(settings: Settings) -> None:
    vault = open_vault(settings.model_copy(update={"retention_sweep_interval_s": 0}))
    try:
        register(vault, "idle")
        seed(vault, "idle", days_ago(200), prefix="idle")
        stop = start_sweeper(vault)
        time.sleep(0.3)
        stop()
        assert total(vault) == 1
    finally:
        vault.close()
