"""Known-client cookies: a browser that has signed in to an account before can keep
signing in to it while the account is under attack from elsewhere.

This is OWASP's "device cookie" pattern. After a successful sign-in the browser
gets a cookie ``kc_<nonce>_<expires>_<mac>``: a random nonce, its expiry (Unix
seconds) and an HMAC (the vault's look-up key) over the realm (people or staff),
the id of the account or staff member, the nonce and the expiry. It carries no
personal data and proves only "this browser signed in to this account before";
the password is still checked on every attempt. The rate limiter (throttle.py)
counts a known client's failures under its nonce, so a stolen cookie helps for
a few guesses at most.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time

from sqlalchemy.orm import Session

from voxkeep.crypto.keyring import Keyring

PREFIX = "kc_"
_SHAPE = re.compile(r"kc_([0-9a-f]{32})_([0-9]{1,12})_([0-9a-f]{64})")


def _mac(keyring: Keyring, session: Session, *, realm: str, owner: str, body: str) -> str:
    digest = keyring.lookup_hash(session, kind=f"known_client:{realm}", value=f"{owner}\x00{body}")
    return digest.hex()


def issue(keyring: Keyring, session: Session, *, realm: str, owner: str, ttl_s: float) -> str:
    """A new cookie value binding this browser to owner (an account or staff id)."""
    nonce = secrets.token_hex(16)
    expires = int(time.time() + ttl_s)
    body = f"{nonce}_{expires}"
    return f"{PREFIX}{body}_{_mac(keyring, session, realm=realm, owner=owner, body=body)}"


def verify(keyring: Keyring, session: Session, *, realm: str, owner: str, value: str) -> str | None:
    """The cookie's nonce when it is well-formed, unexpired and issued for owner; else None."""
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        return None
    nonce, expires, mac = shape.groups()
    if int(expires) <= time.time():
        return None
    expected = _mac(keyring, session, realm=realm, owner=owner, body=f"{nonce}_{expires}")
    return nonce if hmac.compare_digest(expected, mac) else None
