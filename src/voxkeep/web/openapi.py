"""The OpenAPI document, completed with the answers every operation of a kind can give.

Each route lists its own statuses; what follows from the shape of an operation
is added here once, so no route can forget it:

- a body: 400 when it is not JSON (or cannot be read), 422 when it is not valid;
- parameters: 422 when one is not valid;
- a way in (security): 401 without valid credentials, 403 without the right;
- an account in the path: 410 once the account is erased;
- every operation: 503 while the database is unavailable; a body: 507 when the vault's
  storage is full or failing (docs/operations.md).

And every error is the JSON error body, also where the operation's success is
not JSON (a route's response class would otherwise claim its own media type).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_CONTENT = {"application/json": {"schema": ERROR_REF}}
REASONS = {
    "400": "The body is not JSON, or could not be read.",
    "401": "No credentials, or unknown, expired or revoked ones.",
    "403": "The credentials lack the scope or role, or a recent re-authentication.",
    "410": "The account was erased.",
    "422": "A parameter or the body is not valid.",
    "503": "database_unavailable: the database is not available just now; retry after "
    "Retry-After seconds (repeating the call is safe).",
    "507": "storage_failed: the vault's storage is full or failing; nothing was stored.",
}


def _statuses(operation: dict[str, Any]) -> list[str]:
    statuses = []
    if "requestBody" in operation:
        statuses += ["400", "422"]
    if operation.get("parameters"):
        statuses.append("422")
    if operation.get("security"):
        statuses += ["401", "403"]
    if any(
        p.get("in") == "path" and p.get("name") == "account_id"
        for p in operation.get("parameters", [])
    ):
        statuses.append("410")
    statuses.append("503")
    if "requestBody" in operation:
        statuses.append("507")
    return statuses


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the statuses that follow from each operation's shape, with the error body."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status in _statuses(operation):
                responses.setdefault(status, {"description": REASONS[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = ERROR_CONTENT
    return document


def install(app: FastAPI) -> None:
    """Serve the completed document at the app's openapi_url (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
