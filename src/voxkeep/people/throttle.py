"""Rate limiting of sign-ins and re-authentications, shared by every process.

Failures are rows in the database (so every worker and every restart sees
them), counted in a sliding window per key: the account or staff member tried
(or, for an unknown address, the address itself) and the client's network
address. Keys are keyed hashes (HMAC with the look-up key): the table holds no
e-mail address, name or IP address.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from voxkeep.config import Settings
from voxkeep.crypto.keyring import Keyring
from voxkeep.db.base import utcnow
from voxkeep.errors import TooManyRequests
from voxkeep.people.models import SigninFailure

log = logging.getLogger("voxkeep.people")


def key(keyring: Keyring, session: Session, *, kind: str, value: str) -> bytes:
    """The counter key for one thing: kind is account, email, staff, staff_name or client."""
    return keyring.lookup_hash(session, kind=f"throttle:{kind}", value=value)


def check(session: Session, settings: Settings, keys: Sequence[bytes]) -> None:
    """Raise TooManyRequests when any key has used up its failures in the window."""
    now = utcnow()
    window = timedelta(seconds=settings.signin_window_s)
    rows = session.execute(
        select(SigninFailure.key_hash, SigninFailure.at)
        .where(SigninFailure.key_hash.in_(keys), SigninFailure.at > now - window)
        .order_by(SigninFailure.at)
    ).all()
    limit = settings.signin_max_failures
    wait = 0.0
    for k in set(keys):
        times = [at for key_hash, at in rows if key_hash == k]
        if len(times) >= limit:
            # Free again when enough of the oldest failures have left the window.
            frees_at = times[len(times) - limit] + window
            wait = max(wait, (frees_at - now).total_seconds())
    if wait > 0:
        log.warning("sign-in refused: too many failures (retry in %ds)", math.ceil(wait))
        minutes = max(1, math.ceil(wait / 60))
        raise TooManyRequests(
            "Too many failed attempts to sign in.",
            retry_after_s=math.ceil(wait),
            hint=f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again.",
        )


def record_failure(session: Session, settings: Settings, keys: Sequence[bytes]) -> None:
    now = utcnow()
    # Old rows are useless; dropping them here keeps the table as small as the window.
    cutoff = now - timedelta(seconds=settings.signin_window_s)
    session.execute(delete(SigninFailure).where(SigninFailure.at <= cutoff))
    session.add_all(SigninFailure(key_hash=k, at=now) for k in dict.fromkeys(keys))


def clear(session: Session, key_hash: bytes) -> None:
    """Forget the failures counted against an account after its owner signed in."""
    session.execute(delete(SigninFailure).where(SigninFailure.key_hash == key_hash))
