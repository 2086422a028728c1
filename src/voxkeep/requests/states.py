"""The request state machine: which state may follow which, and the one function that moves.

The happy path is received → verifying → paused → verified → building →
checking → ready → delivered → closed (docs/requests.md draws all of it).
A portal request skips the code (received → verified, by re-authentication);
an erasure has no archive to check (building → ready). Refused and cancelled
end a request before work starts; blocked (the release gate failed) waits for
a new approval or is closed.

Every change of state goes through ``transition``: it checks the move, keeps
the pause accounting and the due date right, and appends the timeline event
and the audit event in the caller's transaction, so all of it commits or none.
A step's note is what staff typed, sealed; what voxkeep itself says of a step
(the code expired, the answer withdrawn, a notice mailed) is never text: it is
kept as a code and its figures (``params``, made by ``says``), which the pages
word in their language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TypeAlias

from sqlalchemy import select
from sqlalchemy.orm import Session

from voxkeep.audit.events import AuditAction, record
from voxkeep.crypto import aead
from voxkeep.db.base import utcnow
from voxkeep.db.timeline import next_seq
from voxkeep.errors import Conflict, KeyDestroyed, NotFound
from voxkeep.requests import deadlines
from voxkeep.requests.models import (
    DataRequest,
    RequestEvent,
    RequestKind,
    RequestState,
    RequestStep,
    Said,
)
from voxkeep.vault import Vault

S = RequestState

NEXT: dict[RequestState, frozenset[RequestState]] = {
    S.RECEIVED: frozenset({S.VERIFYING, S.VERIFIED, S.REFUSED, S.CANCELLED}),
    S.VERIFYING: frozenset({S.PAUSED, S.VERIFIED, S.REFUSED, S.CANCELLED}),
    S.PAUSED: frozenset({S.VERIFYING, S.VERIFIED, S.REFUSED, S.CANCELLED}),
    S.VERIFIED: frozenset({S.BUILDING, S.REFUSED, S.CANCELLED}),
    S.BUILDING: frozenset({S.CHECKING, S.READY, S.BLOCKED, S.CANCELLED}),
    S.CHECKING: frozenset({S.READY, S.BLOCKED, S.CANCELLED}),
    S.READY: frozenset({S.DELIVERED, S.CLOSED, S.BLOCKED}),
    S.DELIVERED: frozenset({S.CLOSED, S.BLOCKED}),
    S.BLOCKED: frozenset({S.BUILDING, S.CLOSED, S.CANCELLED}),
    S.CLOSED: frozenset(),
    S.REFUSED: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL = frozenset({S.CLOSED, S.REFUSED, S.CANCELLED})
# States in which a staff-entered request may still be verified by a code.
VERIFIABLE = frozenset({S.RECEIVED, S.VERIFYING, S.PAUSED})
# States in which the answer is still owed: the deadline matters.
OPEN = frozenset(S) - TERMINAL - {S.READY, S.DELIVERED}

ACTION = {state: AuditAction(f"request:{state.value}") for state in RequestState}
# What voxkeep says of a step: {"said": a Said code, figures by name (counts, ids, times)}.
StepParams: TypeAlias = Mapping[str, str | int]


def says(what: Said, **figures: str | int) -> StepParams:
    """The params of a step voxkeep writes itself: its code and figures, never words."""
    return {"said": what.value, **figures}


def allowed(kind: RequestKind, current: RequestState, to: RequestState) -> bool:
    """Whether a request of ``kind`` may go from ``current`` to ``to``.

    An archive (access, portability) must pass the release gate (checking)
    before it is ready; an erasure has no archive and goes straight to ready
    with its receipt. A request being answered can still be cancelled (its
    account was erased meanwhile, say); its job then releases nothing.
    """
    if to not in NEXT[current]:
        return False
    if current is S.BUILDING:
        return (to is S.READY) == (kind is RequestKind.ERASURE) or to in (S.BLOCKED, S.CANCELLED)
    return True


def next_states(kind: RequestKind, current: RequestState) -> list[RequestState]:
    return [to for to in RequestState if allowed(kind, current, to)]


def paused_days_for(request: DataRequest, now: datetime) -> int:
    """Whole days spent paused so far, including a pause still running (as of ``now``)."""
    days = request.paused_days
    if request.paused_since is not None:
        days += deadlines.pause_days(request.paused_since, now)
    return days


def effective_due_at(request: DataRequest, now: datetime | None = None) -> datetime:
    """The due date as of now: a running pause pushes it out by a day at each midnight."""
    return deadlines.due_at(
        request.received_at,
        extension_months=request.extension_months,
        paused_days=paused_days_for(request, now or utcnow()),
    )


def start_pause(request: DataRequest, now: datetime) -> None:
    request.paused_since = now


def end_pause(request: DataRequest, now: datetime) -> None:
    """Add a finished pause to the count: exactly, for the record, and in the whole days
    that move the deadline (deadlines.pause_days)."""
    if request.paused_since is None:
        return
    spent = max(now - request.paused_since, timedelta(0))
    request.paused_seconds += int(spent.total_seconds())
    request.paused_days += deadlines.pause_days(request.paused_since, now)
    request.paused_since = None
    recompute_due(request)


def recompute_due(request: DataRequest) -> None:
    request.due_at = deadlines.due_at(
        request.received_at,
        extension_months=request.extension_months,
        paused_days=request.paused_days,
    )


def seal_note(vault: Vault, session: Session, request: DataRequest, field: str, text: str) -> bytes:
    key = vault.keyring.data_key(session, request.account_id)
    ad = aead.associated_data(
        kind=f"request_{field}", owner=request.account_id, object_id=request.id
    )
    return aead.seal(key, text.encode(), ad=ad)


def open_note(
    vault: Vault, session: Session, request: DataRequest, field: str, sealed: bytes
) -> str:
    key = vault.keyring.data_key(session, request.account_id)
    ad = aead.associated_data(
        kind=f"request_{field}", owner=request.account_id, object_id=request.id
    )
    return aead.open_sealed(key, sealed, ad=ad, kind="request note").decode()


def event_field(seq: int) -> str:
    return f"event_{seq}"


def _sealed_note(
    vault: Vault, session: Session, request: DataRequest, seq: int, note: str | None
) -> bytes | None:
    if not note:
        return None
    try:
        return seal_note(vault, session, request, event_field(seq), note)
    except KeyDestroyed:
        # The account was erased: there is no key to protect a note with, so none
        # is kept. The move itself, its time and actor, and the audit event stay.
        return None


def append_event(
    vault: Vault,
    session: Session,
    request: DataRequest,
    *,
    actor: str,
    from_state: RequestState | None,
    note: str | None,
    now: datetime,
    step: RequestStep | None = None,
    params: StepParams | None = None,
) -> RequestEvent:
    """A timeline entry; ``from_state == to_state`` marks a step that is not a move, and
    ``step`` tags such a step for the person's view. ``note`` is what staff typed (sealed),
    ``params`` what voxkeep says of the step (``says``), worded where it is shown."""
    seq = next_seq(session, RequestEvent.seq, RequestEvent.request_id, request.id)
    event = RequestEvent(
        request_id=request.id,
        seq=seq,
        at=now,
        from_state=from_state.value if from_state is not None else None,
        to_state=request.state,
        actor=actor,
        note_ct=_sealed_note(vault, session, request, seq, note),
        step=step.value if step is not None else None,
        params=dict(params) if params else None,
    )
    session.add(event)
    return event


def append_step(
    vault: Vault,
    session: Session,
    request: DataRequest,
    *,
    actor: str,
    note: str | None = None,
    now: datetime,
    step: RequestStep | None = None,
    params: StepParams | None = None,
) -> RequestEvent:
    """A timeline entry for a step that is not a move (the state stays as it is)."""
    return append_event(
        vault,
        session,
        request,
        actor=actor,
        from_state=RequestState(request.state),
        note=note,
        now=now,
        step=step,
        params=params,
    )


def unfinished_requests(session: Session, account_id: str) -> list[DataRequest]:
    """The account's requests that are not final, locked for update."""
    return list(
        session.scalars(
            select(DataRequest)
            .where(
                DataRequest.account_id == account_id,
                DataRequest.state.not_in([s.value for s in TERMINAL]),
            )
            .order_by(DataRequest.id)
            .with_for_update()
        )
    )


def account_pseudonym(vault: Vault, session: Session, request: DataRequest) -> str:
    return vault.keyring.pseudonym(session, kind="account", object_id=request.account_id)


def transition(
    vault: Vault,
    session: Session,
    request: DataRequest,
    to: RequestState,
    *,
    actor: str,
    note: str | None = None,
    params: StepParams | None = None,
    now: datetime | None = None,
) -> RequestEvent:
    """Move ``request`` to ``to`` or raise Conflict; timeline and audit log in the same transaction.

    Load the request with ``lock_request`` first, so two concurrent moves of one
    request cannot both pass the check.
    """
    now = now or utcnow()
    current, kind = RequestState(request.state), RequestKind(request.kind)
    if not allowed(kind, current, to):
        options = ", ".join(s.value for s in next_states(kind, current)) or "none (it is final)"
        raise Conflict(
            f"A {kind.value} request that is {current.value} cannot become {to.value}.",
            hint=f"From {current.value} it can become: {options}.",
        )
    if current is S.PAUSED:
        end_pause(request, now)
    if to is S.PAUSED:
        start_pause(request, now)
    request.state = to.value
    recompute_due(request)
    event = append_event(
        vault,
        session,
        request,
        actor=actor,
        from_state=current,
        note=note,
        now=now,
        params=params,
    )
    record(
        session,
        ACTION[to],
        actor=actor,
        objects={
            "request": request.id,
            "account": account_pseudonym(vault, session, request),
            "from": current.value,
        },
    )
    return event


def lock_request(session: Session, request_id: str) -> DataRequest:
    """The request, locked for update until the transaction ends (PostgreSQL: FOR UPDATE;
    SQLite: writers are serialized by BEGIN IMMEDIATE)."""
    request = session.get(DataRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound("There is no request with this id.", hint="`voxkeep requests list`.")
    return request


def advance(
    vault: Vault,
    session: Session,
    request_id: str,
    to: RequestState,
    *,
    actor: str,
    note: str | None = None,
    params: StepParams | None = None,
) -> DataRequest:
    """Lock the request and move it: the entry point for other domains (exports, delivery)."""
    request = lock_request(session, request_id)
    transition(vault, session, request, to, actor=actor, note=note, params=params)
    return request
