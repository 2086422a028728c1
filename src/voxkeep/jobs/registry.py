"""Which function runs which kind of job.

Domains register their handlers in their own ``tasks`` module; the worker
imports the modules listed in TASK_MODULES before its first job, so a process
that only runs the worker still knows every kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from voxkeep.errors import ConfigError

if TYPE_CHECKING:
    from voxkeep.vault import Vault

Handler = Callable[["Vault", Mapping[str, Any]], None]

TASK_MODULES = ("voxkeep.requests.tasks", "voxkeep.exports.tasks", "voxkeep.people.tasks")
_HANDLERS: dict[str, Handler] = {}
_loaded = False


def register(kind: str, handler: Handler) -> None:
    """Make ``handler`` run jobs of ``kind``; registering a kind twice is a bug."""
    existing = _HANDLERS.get(kind)
    if existing is not None and existing is not handler:
        raise ConfigError(f"The job kind {kind!r} has two handlers.")
    _HANDLERS[kind] = handler


def unregister(kind: str) -> None:
    _HANDLERS.pop(kind, None)


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Decorator form of register."""

    def decorate(handler: Handler) -> Handler:
        register(kind, handler)
        return handler

    return decorate


def handler_for(kind: str) -> Handler | None:
    global _loaded
    if not _loaded:
        for module in TASK_MODULES:
            importlib.import_module(module)
        _loaded = True
    return _HANDLERS.get(kind)
