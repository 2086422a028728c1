"""The next sequence number of a per-object timeline (a request's, an incident's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def next_seq(
    session: Session,
    seq: InstrumentedAttribute[int],
    owner: InstrumentedAttribute[str],
    owner_id: str,
) -> int:
    """One more than the highest seq of ``owner_id``'s entries, stored or still pending in
    this session (two entries appended in one transaction get two numbers)."""
    last = session.scalar(select(func.max(seq)).where(owner == owner_id))
    model: Any = seq.class_
    pending = [
        getattr(e, seq.key)
        for e in session.new
        if isinstance(e, model) and getattr(e, owner.key) == owner_id
    ]
    return int(max([last or 0, *pending])) + 1
