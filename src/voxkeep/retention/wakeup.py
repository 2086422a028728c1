"""Waking the sweeper early, e.g. after a retention choice made recordings expire at once.

Kept apart from the sweeper so services can ask for a sweep without importing it.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_events: set[threading.Event] = set()


def register() -> threading.Event:
    event = threading.Event()
    with _lock:
        _events.add(event)
    return event


def unregister(event: threading.Event) -> None:
    with _lock:
        _events.discard(event)


def request_sweep() -> None:
    """Wake every sweeper running in this process; a no-op when none runs."""
    with _lock:
        for event in _events:
            event.set()
