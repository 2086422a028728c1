"""Every error the HTTP layer answers, in one documented body.

``{"ok": false, "error": message, "hint": hint, "code": code, "status": status}``
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from voxkeep.errors import VoxkeepError

log = logging.getLogger("voxkeep.app")


def error_body(status: int, code: str, message: str, hint: str | None = None) -> dict[str, object]:
    return {"ok": False, "error": message, "hint": hint, "code": code, "status": status}


async def voxkeep_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VoxkeepError)
    if exc.status >= 500:
        log.error("request failed: %s (%s)", exc.code, exc.message)
    return JSONResponse(
        error_body(exc.status, exc.code, exc.message, exc.hint), exc.status, headers=exc.headers
    )


async def validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Field names and messages only: the rejected input may be personal data.
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return JSONResponse(
        error_body(422, "invalid_input", f"The request is not valid: {problems}."), 422
    )


async def unexpected(_request: Request, exc: Exception) -> Response:
    log.error("unexpected error: %s", type(exc).__name__)
    return JSONResponse(
        error_body(
            500,
            "internal_error",
            "Something went wrong inside voxkeep.",
            "The error was logged; try again, and report it if it persists.",
        ),
        500,
    )
