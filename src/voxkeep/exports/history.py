"""requests.json: the person's own request history (Art. 15: the log of requests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.exports.content import iso
from voxkeep.requests.models import DataRequest, RequestEvent, RequestState

# The archive is written while its request is still building, but the person
# can open it only once the release gate has made the request ready: that is
# the state they were mailed about and find in the portal, so it is the state
# the archive shows for the request it answers.
ANSWERED_STATE = RequestState.READY


def request_history(
    session: Session, account_id: str, key: bytes, answering: str, answered_at: datetime
) -> list[dict[str, Any]]:
    """Kinds, channels, dates and state changes; staff ids and internal notes stay out.

    The request ``answering`` (the one this archive answers) shows
    ANSWERED_STATE and ``answered_at``, the time this answer was made (the
    manifest's ``created_at``); its timeline holds the steps recorded so far.
    """
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
    return [_entry(r, events[r.id], answering, answered_at) for r in requests]


def _entry(
    request: DataRequest, timeline: list[dict[str, Any]], answering: str, answered_at: datetime
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": request.id,
        "kind": request.kind,
        "channel": request.channel,
        "received_at": iso(request.received_at),
        "due_at": iso(request.due_at),
        "extension_months": request.extension_months,
        "state": request.state,
    }
    if request.id == answering:
        entry["state"] = ANSWERED_STATE.value
        entry["answered_at"] = iso(answered_at)
    entry["timeline"] = timeline
    return entry
