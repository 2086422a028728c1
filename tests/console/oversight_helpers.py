"""Staff sessions for the console's tests, started directly by the session service.

The sign-in itself (password, second factor) is tested where it is built; the
pages and routes here only need a live session of a member with given roles.
"""

from __future__ import annotations

from voxkeep.db.base import utcnow
from voxkeep.people import sessions
from voxkeep.people.staff import add_staff
from voxkeep.vault import Vault

PASSWORD = "correct horse battery staple 42"


def staff_token(vault: Vault, name: str, *roles: str) -> str:
    """A new staff member with these roles and a signed-in session: its token."""
    info, _ = add_staff(vault, name=name, roles=roles, actor="system:tests", password=PASSWORD)
    now = utcnow()
    with vault.transaction() as session:
        issued, row = sessions.STAFF.start(
            session, info.id, now=now, ttl_s=vault.settings.staff_session_ttl_s
        )
        if hasattr(row, "last_seen_at"):  # idle timeouts count from the last use
            row.last_seen_at = now
    return issued.value


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
