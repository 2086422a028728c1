"""Argon2id password hashes (RFC 9106) with the cost taken from the settings.

A sign-in for an unknown address, or for an account without a password, still
verifies against a dummy hash, so the answer takes as long either way and its
timing does not tell which addresses have accounts.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from voxkeep.config import Settings
from voxkeep.errors import InvalidInput, Unauthorized

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 takes any length; the cap bounds the work one request can ask for


class WrongPassword(Unauthorized):
    """The password did not match (or there was none to match)."""


@functools.lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=4,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


def hasher(settings: Settings) -> PasswordHasher:
    return _hasher(settings.password_hash_time_cost, settings.password_hash_memory_kib)


@functools.lru_cache(maxsize=8)
def _dummy(time_cost: int, memory_kib: int) -> str:
    return _hasher(time_cost, memory_kib).hash("voxkeep: no such password")


def check_new_password(password: str) -> None:
    """Length only (NIST SP 800-63B: no composition rules); raises InvalidInput."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"A password must be {MIN_LENGTH}–{MAX_LENGTH} characters long.",
            hint="A few unrelated words make a long password that is easy to remember.",
        )
    if not password.strip():
        raise InvalidInput("A password cannot be only spaces.")


def hash_password(settings: Settings, password: str) -> str:
    return hasher(settings).hash(password)


def check_password(settings: Settings, stored: str | None, password: str) -> None:
    """Raise WrongPassword unless password matches the stored hash (None never matches)."""
    ph = hasher(settings)
    target = stored or _dummy(settings.password_hash_time_cost, settings.password_hash_memory_kib)
    try:
        ph.verify(target, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        raise WrongPassword("The password is wrong.") from None
    if stored is None:
        raise WrongPassword("The password is wrong.")


def needs_rehash(settings: Settings, stored: str) -> bool:
    """Whether a hash was made with other costs than the settings ask for now."""
    return hasher(settings).check_needs_rehash(stored)
