"""Every error the HTTP layer answers, in one documented body.

``{"ok": false, "error": message, "hint": hint, "code": code, "status": status}``

Errors of the application (VoxkeepError), of request validation and of
routing (unknown path, wrong method, unreadable body) all end here. API paths
and clients that accept JSON get that body; a browser on any other path gets
a small HTML page with the same message (the portal's pages will bring their
own template).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from voxkeep.days import TIME_RULE
from voxkeep.db.faults import cause_of, database_fault, repeating
from voxkeep.errors import VoxkeepError
from voxkeep.web.schemas import PATTERN_RULES

log = logging.getLogger("voxkeep.app")


def error_body(status: int, code: str, message: str, hint: str | None = None) -> dict[str, object]:
    return {"ok": False, "error": message, "hint": hint, "code": code, "status": status}


def wants_json(request: Request) -> bool:
    """JSON for the API and for clients that ask for it; pages are for browsers elsewhere."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept or "application/json" in accept


_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>{title}</title>
<body style="font-family:system-ui;max-width:40em;margin:3em auto">
<h1>{title}</h1><p>{message}</p>{hint}<p><a href="/">voxkeep</a></p></body></html>"""


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(status, code, message, hint), status, headers=headers)
    page = _PAGE.format(
        title=html.escape(HTTPStatus(status).phrase),
        message=html.escape(message),
        hint=f"<p>{html.escape(hint)}</p>" if hint else "",
    )
    return HTMLResponse(page, status, headers=headers)


def log_failure(exc: VoxkeepError) -> None:
    """A server-side failure's log line: the operation, the errno or driver error, and what
    the operator checks. Client errors (4xx) are the client's to fix and are not logged."""
    if exc.status >= 500 and not repeating():  # a read tried again logs that instead
        log.error("request failed: %s", exc.log_line)


async def voxkeep_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VoxkeepError)
    log_failure(exc)
    return error_response(request, exc.status, exc.code, exc.message, exc.hint, exc.headers)


async def database_error(request: Request, exc: Exception) -> Response:
    """The database failed under the request (voxkeep.db.faults.DATABASE_FAULTS)."""
    return await voxkeep_error(request, database_fault(exc))


# Request validation ---------------------------------------------------------------


def field_name(loc: Sequence[int | str]) -> str:
    """Where a problem is, in words: `name`, `roles[0]`, the path's `account_id`…"""
    where, *rest = loc or ("body",)
    dotted = ""
    for part in rest:
        dotted += f"[{part}]" if isinstance(part, int) else f".{part}" if dotted else str(part)
    if not dotted:
        return "The body" if where == "body" else f"The {where}"
    places = {
        "body": "`{}`",
        "path": "`{}` in the path",
        "query": "The query parameter `{}`",
        "header": "The header `{}`",
        "cookie": "The cookie `{}`",
        "metadata": "The metadata's `{}`",
    }
    return places.get(str(where), "`{}`").format(dotted)


def _rule(kind: str, ctx: Mapping[str, Any]) -> str | None:
    """What a value must be, for the kinds of problem voxkeep's schemas can report."""
    rules: dict[str, str] = {
        "missing": "is required",
        "json_invalid": "is not valid JSON",
        "extra_forbidden": "is not a field this call takes",
        "string_type": "must be a string",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "list_type": "must be a list",
        "dict_type": "must be a JSON object",
        "model_type": "must be a JSON object",
        "model_attributes_type": "must be a JSON object",
        "datetime_type": f"must be {TIME_RULE}",
        "datetime_parsing": f"must be {TIME_RULE}",
        "datetime_from_date_parsing": f"must be {TIME_RULE}",
        "timezone_aware": f"must be {TIME_RULE}",
        "string_too_long": "must be at most {max_length} characters",
        "string_too_short": "must be at least {min_length} characters",
        "too_long": "must have at most {max_length} {units}",
        "too_short": "must have at least {min_length} {units}",
        "greater_than_equal": "must be at least {ge}",
        "less_than_equal": "must be at most {le}",
        "greater_than": "must be more than {gt}",
        "less_than": "must be less than {lt}",
        "enum": "must be one of {expected}",
        "literal_error": "must be one of {expected}",
        "value_error": "{error}",
    }
    if kind == "string_pattern_mismatch":
        rule = PATTERN_RULES.get(str(ctx.get("pattern")))
        return f"must be {rule}" if rule else "is not in the accepted form"
    template = rules.get(kind)
    if template is None:
        return None
    # Lists count items; a secret (a password) reports its length the same way.
    units = "items" if ctx.get("field_type") in ("List", "Tuple", "Set") else "characters"
    return template.format(units=units, **{key: str(value) for key, value in ctx.items()})


def describe(errors: Sequence[Mapping[str, Any]], *, within: str | None = None) -> str:
    """Pydantic's errors as plain sentences naming each field, never its input.

    within puts the locations under a place (e.g. "metadata" for an upload's part).
    """
    sentences: list[str] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        name = field_name((within, *loc) if within else loc)
        rule = _rule(str(err.get("type")), err.get("ctx") or {})
        if rule is None:  # pydantic's own words, which name the expectation, not the input
            rule = f"is not valid ({str(err.get('msg', '')).rstrip('.')})"
        sentence = f"{name} {rule}."
        if sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences) or "The request is not valid."


INPUT_HINT = "Correct what is named and send it again; /api/docs lists every call's fields."


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return error_response(
            request,
            400,
            "invalid_json",
            "The body is not valid JSON.",
            "Send a JSON object with `Content-Type: application/json`.",
        )
    return error_response(request, 422, "invalid_input", describe(errors), INPUT_HINT)


# Routing and body parsing ---------------------------------------------------------


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this path (asked of the routes
    themselves, so nested routers and mounts answer for their own)."""
    allowed = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404 and 405 from routing, 400 from body parsing)."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 404:
        return error_response(
            request,
            404,
            "not_found",
            "There is nothing at this address.",
            "See /api/docs for the calls the API takes.",
        )
    if status == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        return error_response(
            request,
            405,
            "method_not_allowed",
            f"This address does not take {request.method}.",
            f"It takes {', '.join(allowed)}.",
            headers,
        )
    if status == 400:
        return error_response(
            request,
            400,
            "invalid_body",
            "The body could not be read.",
            "Send JSON with `Content-Type: application/json`.",
            headers,
        )
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(request, status, code, f"{phrase}.", None, headers)


async def unexpected(request: Request, exc: Exception) -> Response:
    # (An OSError outside the blob store's mapping gets its errno's name, at least.)
    log.error("unexpected error: %s", cause_of(exc, during="a request"))
    return error_response(
        request,
        500,
        "internal_error",
        "Something went wrong inside voxkeep.",
        "The error was logged; try again, and report it if it persists.",
    )
