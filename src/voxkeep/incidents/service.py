"""Opening and listing incidents. Details hold ids, pseudonyms and counts, never content."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.db.base import utcnow
from voxkeep.incidents.models import Incident, IncidentKind
from voxkeep.vault import Vault

# Art. 33(1): notify the supervisory authority within 72 hours of awareness.
NOTIFY_WITHIN = timedelta(hours=72)


def open_incident(
    vault: Vault,
    session: Session,
    *,
    kind: IncidentKind,
    request_id: str | None,
    details: Mapping[str, Any],
    actor: str,
) -> Incident:
    """Record an incident in the caller's transaction (with its audit event)."""
    now = utcnow()
    incident = Incident(
        id=secrets.token_hex(16),
        opened_at=now,
        kind=kind.value,
        request_id=request_id,
        details={**details, "notify_authority_by": (now + NOTIFY_WITHIN).isoformat()},
    )
    session.add(incident)
    session.flush()
    objects: dict[str, str] = {"incident": incident.id, "kind": kind.value}
    if request_id is not None:
        objects["request"] = request_id
    record(session, AuditAction.INCIDENT_OPENED, actor=actor, objects=objects)
    return incident


def incidents_for_request(session: Session, request_id: str) -> list[Incident]:
    return list(
        session.scalars(
            select(Incident).where(Incident.request_id == request_id).order_by(Incident.opened_at)
        )
    )


def list_incidents(session: Session, *, limit: int = 100) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.opened_at.desc()).limit(limit)))
