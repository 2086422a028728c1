"""Which function runs which kind of job.

Domains register their handlers in their own ``tasks`` module; the worker
imports the modules listed in TASK_MODULES before its first job, so a process
that only runs the worker still knows every kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from voxkeep.errors import ConfigError

if TYPE_CHECKING:
    from voxkeep.vault import Vault

Handler = Callable[["Vault", Mapping[str, Any]], None]
# Called once a job of the kind spent its last attempt: (vault, payload, error, integrity),
# where error is the last error's code and message and integrity says whether it was an
# integrity failure. It leaves the job's object in a state a person can act on.
GiveUp = Callable[["Vault", Mapping[str, Any], str, bool], None]
# The time by which a job of the kind must be done, when its object has one (a request's
# legal deadline): it retries a transient fault until a margin before it (jobs.queue.fail).
Deadline = Callable[["Vault", Mapping[str, Any]], "datetime | None"]

TASK_MODULES = (
    "voxkeep.requests.tasks",
    "voxkeep.exports.tasks",
    "voxkeep.people.tasks",
    "voxkeep.incidents.notice_tasks",
)
_HANDLERS: dict[str, Handler] = {}
_GIVE_UP: dict[str, GiveUp] = {}
_DEADLINE: dict[str, Deadline] = {}
_loaded = False


def register(
    kind: str,
    handler: Handler,
    *,
    on_give_up: GiveUp | None = None,
    deadline: Deadline | None = None,
) -> None:
    """Make ``handler`` run jobs of ``kind`` (``on_give_up`` run once one of them failed
    for good, ``deadline`` say by when one must be done); registering a kind twice is a bug."""
    existing = _HANDLERS.get(kind)
    if existing is not None and existing is not handler:
        raise ConfigError(f"The job kind {kind!r} has two handlers.")
    _HANDLERS[kind] = handler
    if on_give_up is not None:
        _GIVE_UP[kind] = on_give_up
    if deadline is not None:
        _DEADLINE[kind] = deadline


def unregister(kind: str) -> None:
    _HANDLERS.pop(kind, None)
    _GIVE_UP.pop(kind, None)
    _DEADLINE.pop(kind, None)


def handles(
    kind: str, *, on_give_up: GiveUp | None = None, deadline: Deadline | None = None
) -> Callable[[Handler], Handler]:
    """Decorator form of register."""

    def decorate(handler: Handler) -> Handler:
        register(kind, handler, on_give_up=on_give_up, deadline=deadline)
        return handler

    return decorate


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in TASK_MODULES:
            importlib.import_module(module)
        _loaded = True


def handler_for(kind: str) -> Handler | None:
    _load()
    return _HANDLERS.get(kind)


def give_up_for(kind: str) -> GiveUp | None:
    _load()
    return _GIVE_UP.get(kind)


def known_kinds() -> list[str]:
    """Every kind of job some handler runs, sorted (metrics list each, with zeros)."""
    _load()
    return sorted(_HANDLERS)


def deadline_for(kind: str) -> Deadline | None:
    _load()
    return _DEADLINE.get(kind)
