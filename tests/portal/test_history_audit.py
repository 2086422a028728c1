"""The person's own reads are audited under pseudonyms, as the operator's are: the audit
log never holds the client-chosen id of a person's recording."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from portal_helpers import household
from sqlalchemy import select

from people.people_helpers import PASSWORD, sign_in
from smtp_sink import SmtpSink
from voxkeep.audit.events import AuditAction, AuditEvent
from voxkeep.vault import Vault


def test_playing_audio_names_the_recording_by_pseudonym(
    client: TestClient, mailbox: SmtpSink, vault: Vault
) -> None:
    household(client, mailbox, password=PASSWORD)
    sign_in(client, "anna@example.org")
    response = client.get("/api/v1/me/recordings/rec-car-1/audio", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    with vault.reading() as session:
        data = session.scalars(
            select(AuditEvent.data)
            .where(AuditEvent.action == AuditAction.RECORDING_AUDIO_READ.value)
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert data is not None
    event = json.loads(data)
    assert event["counts"] == {"bytes": 100, "range_start": 0}
    assert event["actor"] == event["objects"]["account"]
    assert event["objects"]["recording"] != "rec-car-1"
    assert "rec-car-1" not in (data if isinstance(data, str) else data.decode())
