"""Crash safety (invariant 8) of the sweeper and of erasure: SIGKILL at random points.

Each test runs the real command (`voxkeep retention run`, `voxkeep retention
erase`) as a subprocess on the test's vault at least 20 times, kills it with
SIGKILL after a random delay, checks what a crash may leave, reruns, and
checks the outcome: every expired recording is gone, nothing unexpired is
gone, erased accounts are gone with a verifying receipt, and the audit log
verifies (in-process after every round, and with `voxkeep audit verify` at
the end). The delays span the command's whole life, start-up included; most
land in the middle of the work, and the tests insist that many did.

Set VOXKEEP_KILL_SEED to replay a run's delays.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from helpers import run_cli, settings_env, voxkeep_command
from retention.seeding import days_ago, register, seed
from voxkeep.accounts.models import Account, DataKey, Retention
from voxkeep.audit.log import write_checkpoint
from voxkeep.audit.verify import verify_log
from voxkeep.config import Settings
from voxkeep.errors import NotFound
from voxkeep.recordings.models import Recording
from voxkeep.retention import erasure, receipts
from voxkeep.retention.models import ErasureReceipt
from voxkeep.retention.sweeper import run_retention
from voxkeep.vault import Vault, open_vault

pytestmark = pytest.mark.slow

ROUNDS = 20
BATCH = "2"  # small transactions: many points to be killed between
KILL_SEED = int(os.environ.get("VOXKEEP_KILL_SEED", str(time.time_ns() % 2**32)))


@pytest.fixture
def rng() -> random.Random:
    print(f"VOXKEEP_KILL_SEED={KILL_SEED}")
    return random.Random(KILL_SEED)


@pytest.fixture
def opened(settings: Settings) -> Iterator[Vault]:
    vault = open_vault(settings)
    yield vault
    vault.close()


def stored(vault: Vault) -> dict[str, str]:
    with vault.reading() as session:
        return dict(session.execute(select(Recording.id, Recording.audio_blob)).all())


def blob_exists(vault: Vault, key: str) -> bool:
    try:
        vault.blobs.size(key)
    except NotFound:
        return False
    return True


def run_and_kill(
    args: list[str],
    env: dict[str, str],
    rng: random.Random,
    *,
    startup: float,
    work: float,
    working: Callable[[], bool],
) -> bool:
    """Start the command and SIGKILL it at a random point; True if it had finished already.

    One kill in four lands anywhere in start-up; the others land at a uniform
    point of the work, timed from the first committed effect (`working`).
    """
    process = subprocess.Popen(
        [*voxkeep_command(), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if rng.random() < 0.25:
            process.wait(timeout=rng.uniform(0, startup))
            return True
        deadline = time.monotonic() + startup * 5 + 30
        while not working():
            if process.poll() is not None:
                return True
            assert time.monotonic() < deadline, "the command never started working"
            time.sleep(0.005)
        process.wait(timeout=rng.uniform(0, work))
        return True
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return False


def calibrate(
    args: list[str],
    env: dict[str, str],
    working: Callable[[], bool],
    worked: Callable[[], bool] | None = None,
) -> tuple[float, float]:
    """Run the command to its end: (seconds until its first effect, seconds of work after).

    The work ends with the process, or once ``worked`` says its last effect is
    committed (so the kills aim at the work, not at the process's exit).
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [*voxkeep_command(), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while not working() and process.poll() is None:
        time.sleep(0.005)
    first = time.monotonic()
    while worked is not None and not worked() and process.poll() is None:
        time.sleep(0.002)
    last = time.monotonic()
    _, errors = process.communicate(timeout=300)
    assert process.returncode == 0, errors
    return first - started, (last if worked is not None else time.monotonic()) - first


def audit_verifies(vault: Vault, settings: Settings, *, cli: bool = False) -> None:
    verify_log(vault)  # raises naming the first bad event or checkpoint
    if cli:
        result = run_cli("audit", "verify", env=settings_env(settings))
        assert result.returncode == 0, result.stdout + result.stderr


def count(vault: Vault) -> int:
    with vault.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Recording)) or 0)


def _sweeper_round(vault: Vault, n: int) -> tuple[list[str], set[str]]:
    expired = seed(vault, "short", days_ago(*[100 + i / 100 for i in range(300)]), prefix=f"x{n}")
    fresh = seed(vault, "short", days_ago(*[i / 100 for i in range(10)]), prefix=f"f{n}")
    kept = seed(vault, "keeps", days_ago(*[400 + i for i in range(5)]), prefix=f"k{n}")
    return expired, set(fresh) | set(kept)


def test_killing_the_sweeper_at_random_points(
    opened: Vault, settings: Settings, rng: random.Random
) -> None:
    vault = opened
    env = settings_env(settings, VOXKEEP_RETENTION_BATCH=BATCH)
    register(vault, "short")
    register(vault, "keeps", retention=Retention.UNTIL_DELETED)
    first, alive = _sweeper_round(vault, 99)
    total = count(vault)
    # The work ends when the last expired row is gone: what follows (the WAL
    # checkpoint, exit) is not where kills should aim.
    startup, work = calibrate(
        ["retention", "run"],
        env,
        lambda: count(vault) < total,
        lambda: count(vault) <= total - len(first),
    )
    midway = 0
    for n in range(ROUNDS):
        expired, fresh = _sweeper_round(vault, n)
        alive |= fresh
        before = stored(vault)
        total = len(before)
        finished = run_and_kill(
            ["retention", "run"],
            env,
            rng,
            startup=startup,
            work=work,
            working=lambda: count(vault) < total,  # noqa: B023 (called within the round)
        )

        # What a kill may leave: expired rows without their blobs; never a loss of the rest.
        rows = stored(vault)
        assert alive <= set(rows), f"seed {KILL_SEED} round {n}"
        assert all(blob_exists(vault, rows[rid]) for rid in alive)
        touched = [r for r in expired if r not in rows or not blob_exists(vault, before[r])]
        if 0 < len(touched) < len(expired) and not finished:
            midway += 1

        run_retention(vault)
        rows = stored(vault)
        assert set(rows) == alive, f"seed {KILL_SEED} round {n}"
        assert not any(blob_exists(vault, before[r]) for r in expired)
        if n % 5 == 4:
            write_checkpoint(vault)
        audit_verifies(vault, settings)
    audit_verifies(vault, settings, cli=True)
    assert midway >= ROUNDS // 4, f"only {midway} kills landed mid-sweep (seed {KILL_SEED})"


def _internal_id(vault: Vault, external: str) -> str:
    with vault.reading() as session:
        digest = vault.keyring.lookup_hash(session, kind="external_id", value=external)
        found = session.scalar(select(Account.id).where(Account.external_id_hash == digest))
    assert found is not None
    return found


def _receipt_of(vault: Vault, internal: str) -> str:
    with vault.reading() as session:
        pseudonym = vault.keyring.pseudonym(session, kind="account", object_id=internal)
        found = session.scalar(
            select(ErasureReceipt.id).where(ErasureReceipt.account_pseudonym == pseudonym)
        )
    assert found is not None
    return found


def test_killing_an_erasure_at_random_points(
    opened: Vault, settings: Settings, rng: random.Random
) -> None:
    vault = opened
    env = settings_env(settings, VOXKEEP_RETENTION_BATCH=BATCH)
    register(vault, "bystander", members=("bystander-m",))
    bystander = set(seed(vault, "bystander", days_ago(1, 2, 3), prefix="by"))

    def victim(n: int) -> tuple[str, str, dict[str, str]]:
        name = f"victim-{n}"
        register(vault, name, members=(f"{name}-m",), email=f"{name}@example.org")
        ids = seed(vault, name, days_ago(*[i / 100 for i in range(300)]), prefix=name)
        rows = stored(vault)
        return name, _internal_id(vault, name), {rid: rows[rid] for rid in ids}

    def shredded(internal: str) -> Callable[[], bool]:
        def check() -> bool:
            with vault.reading() as session:
                key = select(DataKey.id).where(DataKey.account_id == internal)
                return session.scalar(key) is None

        return check

    def purged(internal: str) -> Callable[[], bool]:
        def check() -> bool:
            with vault.reading() as session:
                return session.get(Account, internal) is None

        return check

    name, internal, _ = victim(99)
    startup, work = calibrate(
        ["retention", "erase", name, "--yes"], env, shredded(internal), purged(internal)
    )
    shredded_midway = intact = 0
    for n in range(ROUNDS):
        name, internal, blobs = victim(n)
        finished = run_and_kill(
            ["retention", "erase", name, "--yes"],
            env,
            rng,
            startup=startup,
            work=work,
            working=shredded(internal),
        )

        with vault.reading() as session:
            key_left = session.scalar(select(DataKey.id).where(DataKey.account_id == internal))
            account = session.get(Account, internal)
        rows = stored(vault)
        if key_left is not None:
            # Killed before the shredding transaction committed: nothing happened.
            assert account is not None and account.erased_at is None
            assert set(blobs) <= set(rows) and all(blob_exists(vault, b) for b in blobs.values())
            intact += 1
            erasure.erase_account(vault, external_id=name, actor="tests")
        else:
            # Shredded: unreadable whatever the purge reached; the next run finishes it.
            if account is not None:
                assert account.erased_at is not None
                if not finished:
                    shredded_midway += 1
            run_retention(vault)

        rows = stored(vault)
        assert not set(blobs) & set(rows), f"seed {KILL_SEED} round {n}"
        assert not any(blob_exists(vault, b) for b in blobs.values())
        assert bystander <= set(rows)
        with vault.reading() as session:
            assert session.get(Account, internal) is None
        view = erasure.get_receipt(vault, _receipt_of(vault, internal))
        assert view.purged and view.signed is not None
        assert view.content["counts"]["recordings"] == 300
        receipts.verify_bundle(view.signed.bundle(), public_key=view.public_key)
        if n % 5 == 4:
            write_checkpoint(vault)
        audit_verifies(vault, settings)
    audit_verifies(vault, settings, cli=True)
    assert shredded_midway >= ROUNDS // 4, (
        f"only {shredded_midway} kills landed mid-purge, {intact} before the shredding "
        f"(seed {KILL_SEED})"
    )
