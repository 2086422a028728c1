"""Reading many blobs in a known order: the next ones are fetched while one is being read.

An answer reads every recording of a person, one after another. From a local
disk each read costs microseconds; from an object store each costs a round
trip (a GET, its first byte from the server), and 1,700 round trips one after
another spent four fifths of the c't answer's time waiting (bench/scale.py,
docs/deployment.md). ``ReadAhead`` keeps GETs of the following blobs in flight
on a few threads, each read whole into memory, while the caller reads the
current one: at most ``budget`` bytes are held or in flight at once, so an
answer is still never held whole. A blob larger than ``largest`` is not
fetched ahead but opened (streamed) when its turn comes.

A store whose ``fetch_ahead_bytes`` is 0 (a local directory) gets no threads:
``open`` is the store's own.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

from voxkeep.storage.blobs import BlobStore

THREADS = 8


def _fetch(store: BlobStore, key: str) -> bytes:
    with store.open(key) as source:
        return source.read()


class ReadAhead:
    """Opens blobs of a sequence given up front, fetching the next ones ahead.

    ``blobs`` are (reference, ciphertext size) in the order they will be opened.
    Opening one out of that order works too: it is then read from the store
    directly, and what was fetched for it ahead of time is dropped.
    """

    def __init__(self, store: BlobStore, blobs: Iterable[tuple[str, int]]) -> None:
        self._store = store
        self._budget = store.fetch_ahead_bytes
        self._largest = max(1, self._budget // THREADS)
        self._todo = deque(blobs) if self._budget > 0 else deque()
        self._ahead: dict[str, tuple[int, Future[bytes]]] = {}
        self._held = 0
        self._pool = ThreadPoolExecutor(THREADS, "voxkeep-read-ahead") if self._todo else None
        self._fill()

    def _fill(self) -> None:
        assert self._pool is not None or not self._todo
        while self._todo and self._pool is not None:
            key, size = self._todo[0]
            if size > self._largest or key in self._ahead:
                self._todo.popleft()  # opened when its turn comes
                continue
            if self._held + size > self._budget:
                return
            self._todo.popleft()
            self._ahead[key] = (size, self._pool.submit(_fetch, self._store, key))
            self._held += size

    def open(self, key: str) -> BinaryIO:
        fetched = self._ahead.pop(key, None)
        if fetched is None:
            return self._store.open(key)
        size, future = fetched
        try:
            return io.BytesIO(future.result())
        finally:
            self._held -= size
            self._fill()

    def close(self) -> None:
        """Stop fetching ahead; what is in flight is waited for and dropped."""
        self._todo.clear()
        for _, future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
