"""requests.json: the person's own request history (Art. 15: the log of requests)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.exports.content import iso
from voxkeep.requests.models import DataRequest, RequestEvent


def request_history(session: Session, account_id: str, key: bytes) -> list[dict[str, Any]]:
    """Kinds, channels, dates and state changes; staff ids and internal notes stay out."""
    requests = session.scalars(
        select(DataRequest)
        .where(DataRequest.account_id == account_id)
        .order_by(DataRequest.received_at, DataRequest.id)
    ).all()
    events: dict[str, list[dict[str, Any]]] = {r.id: [] for r in requests}
    if requests:
        for event in session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id.in_(list(events)))
            .order_by(RequestEvent.request_id, RequestEvent.seq)
        ):
            events[event.request_id].append(
                {"at": iso(event.at), "from": event.from_state, "to": event.to_state}
            )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "channel": r.channel,
            "received_at": iso(r.received_at),
            "due_at": iso(r.due_at),
            "extension_months": r.extension_months,
            "state": r.state,
            "timeline": events[r.id],
        }
        for r in requests
    ]
