"""A streaming response that closes its byte stream however the response ends."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import anyio
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Send


class ClosingStreamingResponse(StreamingResponse):
    """Closes its byte stream however the response ends.

    A download cut off midway is then settled at once (exports.delivery counts
    only the bytes handed on), and a player seeking away from an audio range
    releases its blob at once, not whenever the garbage collector frees it.
    """

    def __init__(self, chunks: Generator[bytes], **kwargs: Any) -> None:
        super().__init__(chunks, **kwargs)
        self._chunks = chunks

    async def stream_response(self, send: Send) -> None:
        try:
            await super().stream_response(send)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(self._chunks.close)
