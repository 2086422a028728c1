"""A read whose database connection broke is answered again, once, on a fresh connection.

A GET or HEAD that lost its connection (a database restart, a fail-over, a network cut)
would answer 503 ``database_unavailable``; when nothing of it was written (no read-write
transaction committed or tried to) and its answer had not started, running it again is
safe and, with the pool's pre-ping, runs on a new connection. Its first 503 is dropped
and one line is logged instead. Writes (POST, PUT, PATCH, DELETE) are never repeated:
they answer 503 and the client repeats them, as before (docs/operations.md).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voxkeep.db import faults

log = logging.getLogger("voxkeep.app")
READS = frozenset({"GET", "HEAD"})


class RepeatLostReads:
    """Plain ASGI middleware (see app.AccessLog for why not BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        faults.watch_reads(engine)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            await self.app(scope, receive, send)
            return
        first = faults.ReadAttempt(may_repeat=True)
        token = faults.ATTEMPT.set(first)
        dropped = False

        async def unless_repeated(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start":
                dropped = message["status"] == 503 and first.repeat
            if not dropped:
                await send(message)

        try:
            await self.app(scope, receive, unless_repeated)
            if not dropped:
                return
            template = getattr(scope.get("route"), "path", "<unmatched>")
            log.warning(
                "database: %s %s lost its connection (%s) before anything was written; "
                "answering it again on a fresh connection",
                scope["method"],
                template,
                first.lost,
            )
            faults.ATTEMPT.set(faults.ReadAttempt(may_repeat=False))
            await self.app(scope, receive, send)
        finally:
            faults.ATTEMPT.reset(token)
