"""Real faults for tests: a data directory on a small disk that really fills up, and a TCP
relay between voxkeep and the shared PostgreSQL that a test cuts (the database itself is
never stopped: other tests share it).

``small_disk(tmp_path)`` mounts a 4 MiB tmpfs (as root), else a loop-mounted 4 MiB ext4
image; where neither can be mounted it skips, except in CI, where it fails: both need
root (CAP_SYS_ADMIN), which CI has. ``TcpRelay`` listens on 127.0.0.1 at a port chosen
at run time and forwards to PostgreSQL; ``cut()`` closes every relayed connection and
stops accepting (connections are refused), ``restore()`` accepts again on the same port,
``cut_at(pattern)`` cuts once a client sends pattern (say ``b"COMMIT"``).

Other fault tests use them as ``from fault_helpers import TcpRelay, small_disk`` (in
tests/faults) or ``from faults.fault_helpers import ...`` (elsewhere under tests/).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from voxkeep.app import create_app
from voxkeep.vault import Vault

DISK_BYTES = 4 * 1024 * 1024


def _mount(args: list[str]) -> str | None:
    """None when mounted, else why not."""
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    return None if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


@contextlib.contextmanager
def small_disk(tmp_path: Path, size: int = DISK_BYTES) -> Iterator[Path]:
    """A directory on a file system of size bytes of its own, unmounted afterwards."""
    where = tmp_path / "small-disk"
    where.mkdir()
    why = "not root" if os.geteuid() != 0 else None
    if why is None:
        why = _mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)])
    if why is not None and os.geteuid() == 0 and shutil.which("mkfs.ext4"):
        image = tmp_path / "small-disk.img"
        with open(image, "wb") as out:
            out.truncate(size)
        subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, capture_output=True)
        why = _mount(["-o", "loop", str(image), str(where)])
    if why is not None:
        message = f"cannot mount a small file system here ({why}): tmpfs and loop ext4 need root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


@contextlib.contextmanager
def read_only(where: Path) -> Iterator[None]:
    """where (a directory, on a small_disk or not) read-only in the block: every write under
    it fails with EROFS. A read-only bind mount of it over itself, so files open elsewhere
    on its disk (a SQLite database) do not keep it from being made read-only."""
    subprocess.run(["mount", "--bind", str(where), str(where)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(where)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(where)], check=True)


@contextlib.contextmanager
def serving(vault: Vault, token: str) -> Iterator[TestClient]:
    """The app over vault (one on a small disk, or through a relay), with token's header."""
    with TestClient(create_app(vault), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@dataclass(eq=False)
class _Link:
    """One relayed connection."""

    client: socket.socket
    upstream: socket.socket
    lose_answer: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class TcpRelay:
    """Forwards 127.0.0.1:<port> to target until the test cuts it (see the module's doc)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._pattern: bytes | None = None
        self._forward_pattern = True
        self._after = b""
        self._times = 0
        self.cuts = 0  # connections cut by cut_at

    # -- control

    def start(self) -> TcpRelay:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Close every relayed connection and refuse new ones, as a database that went away."""
        with self._lock:
            listener, self._listener = self._listener, None
            links, self._links = self._links, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for link in links:
            link.close()

    def restore(self) -> None:
        """Accept again, on the same port."""
        if self._listener is None:
            self.start()

    def cut_at(self, pattern: bytes, *, forward: bool, after: bytes = b"", times: int = 1) -> None:
        """Once a client sends pattern (on a connection that sent after before it), cut that
        connection; the relay keeps accepting. times: the next so many such connections.

        forward=True lets the server have those bytes and answer, and loses the answer:
        for b"COMMIT", a commit that happened with the client never told. forward=False
        drops them: a transaction cut before it could commit.
        """
        self._pattern, self._forward_pattern, self._after = pattern, forward, after
        self._times = times

    def __enter__(self) -> TcpRelay:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.cut()

    # -- relaying

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            link = _Link(client, upstream)
            with self._lock:
                self._links.append(link)
            threading.Thread(target=self._up, args=(link,), daemon=True).start()
            threading.Thread(target=self._down, args=(link,), daemon=True).start()

    def _up(self, link: _Link) -> None:
        seen_after = False
        with contextlib.suppress(OSError):
            while chunk := link.client.recv(65536):
                pattern = self._pattern
                seen_after = seen_after or (pattern is not None and self._after in chunk)
                if pattern is not None and seen_after and pattern in chunk:
                    self._times -= 1
                    if self._times <= 0:
                        self._pattern = None
                    self.cuts += 1
                    if not self._forward_pattern:
                        break
                    link.lose_answer.set()  # before the server can answer
                link.upstream.sendall(chunk)
        self._drop(link)

    def _down(self, link: _Link) -> None:
        with contextlib.suppress(OSError):
            while chunk := link.upstream.recv(65536):
                if link.lose_answer.is_set():
                    break  # the server did what it was sent; the client never hears of it
                link.client.sendall(chunk)
        self._drop(link)

    def _drop(self, link: _Link) -> None:
        with self._lock:
            if link in self._links:
                self._links.remove(link)
        link.close()
