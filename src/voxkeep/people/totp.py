"""Time-based one-time codes (TOTP, RFC 6238): the staff's second factor.

A staff member enrols once: the server makes a random secret, shows it (as
text, as an ``otpauth://`` URI and as a QR code) and keeps it *pending* until
the first code made from it comes back; only then is it the member's secret
and only then does the sign-in get a session. Codes are 6 digits over 30-second
steps (what every authenticator app makes), accepted one step either side for
clock drift. The step a code was accepted for is stored, and a code for that
step or an earlier one is refused: a code seen over a shoulder or in a proxy
log cannot be used again within its window.

Secrets are sealed at rest (AES-256-GCM) under the vault's ``totp`` instance
key, bound to the staff member's id, like every other secret in the vault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyotp
import segno
from sqlalchemy.orm import Session

from voxkeep.crypto import aead
from voxkeep.crypto.keyring import TOTP
from voxkeep.errors import Unauthorized
from voxkeep.vault import Vault

DIGITS = 6
STEP_S = 30
DRIFT_STEPS = 1  # one step either side
ISSUER = "voxkeep"


class TotpRequired(Unauthorized):
    """The password was right; the code from the authenticator app is needed too."""

    code = "totp_required"


class TotpEnrolmentRequired(Unauthorized):
    """The password was right, but the staff member has no second factor yet."""

    code = "totp_enrolment_required"


class TotpWrong(Unauthorized):
    """The password was right, the code not (or it was used already)."""

    code = "totp_wrong"


class WrongCode(Exception):
    """The code is not the current one (or was used already); the caller counts a failure."""


@dataclass(frozen=True)
class Enrolment:
    """A secret being enrolled, to show once to the member who proved their password."""

    secret: str = field(repr=False)
    uri: str = field(repr=False)

    @property
    def grouped(self) -> str:
        """The secret in groups of four letters, easier to type."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    def qr_svg(self) -> str:
        """The URI as an inline SVG QR code (no script, no style attribute)."""
        svg: str = segno.make(self.uri, error="m").svg_inline(
            scale=4, dark="#0b0c0c", light="#ffffff", omitsize=True
        )
        return svg


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, base32


def enrolment(secret: str, *, name: str) -> Enrolment:
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S).provisioning_uri(
        name=name, issuer_name=ISSUER
    )
    return Enrolment(secret=secret, uri=uri)


def code_at(secret: str, when: datetime) -> str:
    """The code an authenticator app shows at ``when`` (tests and the demo use it)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S).at(when)


def step_of(when: datetime) -> int:
    return int(when.timestamp()) // STEP_S


def accepted_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int:
    """The time step ``code`` belongs to, or raise WrongCode.

    A code of a step at or before ``last_step`` (the last one accepted) is
    refused even if it is right: a code is good once.
    """
    digits = "".join(ch for ch in code if ch not in " -")
    if len(digits) != DIGITS or not digits.isdigit():
        raise WrongCode()
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_S)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(digits, totp.generate_otp(step)):
            return step
    raise WrongCode()


def _ad(staff_id: str, what: str) -> bytes:
    return aead.associated_data(kind=f"staff_{what}", owner=f"staff:{staff_id}", object_id=staff_id)


def seal(vault: Vault, session: Session, staff_id: str, secret: str, *, what: str) -> bytes:
    """Seal a secret (``what``: "totp" or "totp_pending") for the staff member."""
    key = vault.keyring.instance_key(session, TOTP)
    return aead.seal(key, secret.encode(), ad=_ad(staff_id, what))


def open_secret(vault: Vault, session: Session, staff_id: str, sealed: bytes, *, what: str) -> str:
    key = vault.keyring.instance_key(session, TOTP)
    return aead.open_sealed(key, sealed, ad=_ad(staff_id, what), kind="TOTP secret").decode()
