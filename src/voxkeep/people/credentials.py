"""Bearer secrets of people and staff: invitation links, password tokens, session tokens.

A token reads ``<prefix><id>_<secret>``. The id finds the row; only SHA-256 of
the secret is stored. The secret has 256 bits of entropy, so a slow hash adds
nothing, and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

PERSON_INVITE = "vi_"
PERSON_SESSION = "vs_"
STAFF_PASSWORD = "vsp_"  # noqa: S105 (a token prefix, not a secret)
STAFF_SESSION = "vst_"
SIGNIN_CHALLENGE = "vsc_"  # a staff sign-in between the password and the TOTP code


@dataclass(frozen=True)
class Issued:
    """A new token: the row id, the hash to store, and the value to hand out once."""

    id: str
    secret_hash: bytes
    value: str = field(repr=False)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def issue(prefix: str) -> Issued:
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return Issued(id=token_id, secret_hash=digest(secret), value=f"{prefix}{token_id}_{secret}")


@dataclass(frozen=True)
class Presented:
    id: str
    secret: str = field(repr=False)

    def matches(self, secret_hash: bytes) -> bool:
        return hmac.compare_digest(secret_hash, digest(self.secret))


def parse(value: str, prefix: str) -> Presented | None:
    """The id and secret of a token with this prefix; None when it is not one."""
    if not value.startswith(prefix):
        return None
    token_id, sep, secret = value[len(prefix) :].partition("_")
    if not sep or len(token_id) != 16 or not secret or len(secret) > 128:
        return None
    return Presented(id=token_id, secret=secret)
