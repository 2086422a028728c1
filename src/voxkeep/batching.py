"""A worker thread that handles what concurrent callers hand in, a batch at a time.

Storing an upload or checking a token costs a transaction whose price is
mostly fixed. When many requests arrive together, one thread handling all the
items queued so far in one transaction (group commit) does the work of many
transactions for the price of one, and callers on the event loop wait on a
future instead of each taking a thread. Alone, an item is a batch of one: a
quiet server adds no delay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# One outcome per item: its result, or the exception its caller should see.
Handler = Callable[[list[T]], Sequence[R | Exception]]
IDLE_S = 10.0  # an idle worker's thread ends after this long; the next item starts another


class BatchWorker(Generic[T, R]):
    """Runs ``handle`` on batches of submitted items in a thread of its own.

    Items with the same ``key`` never share a batch: a later one waits for the
    next, so a batch behaves like its items handled one after another.
    """

    def __init__(
        self,
        handle: Handler[T, R],
        *,
        name: str,
        max_batch: int,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        self._handle = handle
        self._name = name
        self._max_batch = max_batch
        self._key = key
        self._queue: list[tuple[T, Future[R]]] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, item: T) -> Future[R]:
        """Queue item; the future holds its outcome once its batch was handled."""
        future: Future[R] = Future()
        with self._ready:
            self._queue.append((item, future))
            if self._thread is None:
                # A daemon: an exit mid-batch leaves at most orphan blobs, which
                # crash safety already covers; callers wait on their futures.
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
            self._ready.notify()
        return future

    def _serve(self) -> None:
        """Handle batches until the queue has been empty for IDLE_S; then the thread ends."""
        try:
            while True:
                with self._ready:
                    if not self._queue:
                        self._ready.wait(IDLE_S)
                    if not self._queue:
                        return
                    batch = self._take()
                if batch:
                    self._run(batch)
                del batch  # hold no item (nor its vault) while idle
        finally:
            with self._ready:
                self._thread = None
                if self._queue:  # it ended on an error: the next thread takes over
                    self._thread = threading.Thread(
                        target=self._serve, name=self._name, daemon=True
                    )
                    self._thread.start()

    def _take(self) -> list[tuple[T, Future[R]]]:
        """The oldest queued items with distinct keys, at most max_batch; drops cancelled ones."""
        batch: list[tuple[T, Future[R]]] = []
        keys: set[Hashable] = set()
        left: list[tuple[T, Future[R]]] = []
        for item, future in self._queue:
            key = self._key(item) if self._key is not None else None
            if len(batch) >= self._max_batch or (key is not None and key in keys):
                left.append((item, future))
            elif future.set_running_or_notify_cancel():
                keys.add(key)
                batch.append((item, future))
        self._queue = left
        return batch

    def _run(self, batch: list[tuple[T, Future[R]]]) -> None:
        try:
            outcomes = self._handle([item for item, _ in batch])
        except Exception as exc:  # the handler's own failure: every caller in the batch sees it
            for _, future in batch:
                future.set_exception(exc)
            return
        except BaseException as exc:
            for _, future in batch:
                future.set_exception(exc)
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


A = TypeVar("A")
B = TypeVar("B")

# For work that mostly waits or runs outside the GIL: file reads and writes,
# fsyncs, hashing and encryption of large buffers.
_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="voxkeep-io")


def map_all(
    fn: Callable[[A], B],
    items: Sequence[A],
    *,
    undo: Callable[[B], None],
    tasks: int | None = None,
) -> list[B]:
    """fn over items in the I/O pool, in order: every result, or none (undo each, then raise).

    ``tasks`` splits the items into that many runs, each handled by one thread
    (default: one task per item, e.g. so that every item's fsync is in flight).
    """
    outcomes = map_each(partial(_attempt, fn), items, tasks=tasks)
    failures = [outcome.error for outcome in outcomes if isinstance(outcome, _Failed)]
    results = [outcome for outcome in outcomes if not isinstance(outcome, _Failed)]
    if failures:
        for result in results:
            undo(result)
        raise failures[0]
    return results


def map_each(fn: Callable[[A], B], items: Sequence[A], *, tasks: int | None = None) -> list[B]:
    """fn over items in the I/O pool, in order; fn should return its failures, not raise them."""
    count = len(items) if tasks is None else max(1, min(tasks, len(items)))
    if count <= 1:
        return [fn(item) for item in items]
    size = -(-len(items) // count)
    runs = [items[start : start + size] for start in range(0, len(items), size)]
    futures = [_pool.submit(_run, fn, run) for run in runs]
    return [result for future in futures for result in future.result()]


def _run(fn: Callable[[A], B], run: Sequence[A]) -> list[B]:
    return [fn(item) for item in run]


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _attempt(fn: Callable[[A], B], item: A) -> B | _Failed:
    try:
        return fn(item)
    except BaseException as exc:  # every item's outcome is collected before raising
        return _Failed(exc)
