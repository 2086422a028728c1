"""A download cut off by the client, through a real uvicorn server: only what left counts."""

from __future__ import annotations

import socket
import time

from test_invariant_4_delivery_binding import Answer

from voxkeep.exports.models import Export, ExportDownload
from voxkeep.vault import Vault


def _served(vault: Vault, export_id: str) -> tuple[int, int, list[tuple[int, int]]]:
    with vault.reading() as session:
        export = session.get(Export, export_id)
        assert export is not None
        rows = session.query(ExportDownload).filter_by(export_id=export_id).all()
        return export.size, export.bytes_served, [(d.range_start, d.range_end) for d in rows]


def test_a_download_cut_off_midway_counts_what_was_sent(
    vault: Vault, large_answer: Answer, server: int
) -> None:
    with socket.create_connection(("127.0.0.1", server)) as line:
        line.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        line.sendall(
            f"GET {large_answer.url} HTTP/1.1\r\nHost: vault\r\n"
            f"Authorization: Bearer {large_answer.token}\r\n\r\n".encode()
        )
        assert line.recv(4096).startswith(b"HTTP/1.1 200 ")
    # The count is settled when the server notices; wait for it, a while at most.
    for _ in range(200):
        size, served, ranges = _served(vault, large_answer.export_id)
        if served < size:
            break
        time.sleep(0.05)
    assert 0 < served < size // 2
    assert ranges == [(0, served - 1)]
