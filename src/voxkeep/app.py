"""create_app(vault): the HTTP API and the portal's pages (the console comes later)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from voxkeep import __version__
from voxkeep.accounts.api import router as accounts_router
from voxkeep.audit.api import router as audit_router
from voxkeep.audit.console import router as audit_console
from voxkeep.audit.log import start_checkpointer
from voxkeep.dashboard.console import router as dashboard_console
from voxkeep.db.faults import DATABASE_FAULTS
from voxkeep.demo.pages import router as demo_pages
from voxkeep.errors import Unhealthy, VoxkeepError
from voxkeep.exports.api import router as exports_router
from voxkeep.exports.pages import router as exports_pages
from voxkeep.health import Health, check_health
from voxkeep.incidents.api import me_router as notices_router
from voxkeep.incidents.api import router as incidents_router
from voxkeep.incidents.console import router as incidents_console
from voxkeep.incidents.pages import router as incidents_pages
from voxkeep.jobs.worker import start_worker
from voxkeep.mail.outbox import demo_outbox
from voxkeep.metrics import process as metrics
from voxkeep.metrics.api import router as metrics_router
from voxkeep.people.api import router as people_router
from voxkeep.people.console import router as people_console
from voxkeep.people.pages import router as people_pages
from voxkeep.recordings.api import router as recordings_router
from voxkeep.recordings.api import upload_recording
from voxkeep.recordings.pages import router as recordings_pages
from voxkeep.records.console import router as records_console
from voxkeep.requests.api import router as requests_router
from voxkeep.requests.console import router as requests_console
from voxkeep.requests.pages import router as requests_pages
from voxkeep.retention.api import router as retention_router
from voxkeep.retention.pages import router as retention_pages
from voxkeep.vault import Vault
from voxkeep.web import openapi
from voxkeep.web.errors import (
    database_error,
    error_body,
    http_error,
    unexpected,
    validation_error,
    voxkeep_error,
)
from voxkeep.web.retry import RepeatLostReads

access_log = logging.getLogger("voxkeep.access")
log = logging.getLogger("voxkeep.app")


class AccessLog:
    """Logs method, route template, status and time of every HTTP request.

    The route template, never the concrete path: paths carry ids. A plain ASGI
    middleware: Starlette's ``BaseHTTPMiddleware`` costs a task group and a
    stream per request, which the upload path cannot afford.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except Exception:
            # Answered 500 by the error handler outside this middleware.
            metrics.http_error(500, getattr(scope.get("route"), "path", "<unmatched>"))
            raise
        template = getattr(scope.get("route"), "path", "<unmatched>")
        if status >= 400:
            metrics.http_error(status, template)
        access_log.info(
            "%s %s %d %.1fms",
            scope["method"],
            template,
            status,
            (time.perf_counter() - started) * 1000,
        )


class UploadFastPath:
    """``POST /api/v1/recordings`` straight to its handler, past the framework's layers.

    Uploads are nearly all of the traffic, and with a body of about 60 KB each
    the exception, routing and endpoint layers cost more CPU than the upload's
    own work. The handler, its error bodies and its access-log line are the
    same as through FastAPI, where the route stays for the API docs (and for
    any request this does not match).
    """

    PATH = "/api/v1/recordings"

    class Route(NamedTuple):
        path: str  # all the access log reads of scope["route"]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route = self.Route(self.PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.PATH:
            await self.app(scope, receive, send)
            return
        scope["route"] = self._route
        request = Request(scope, receive)
        try:
            response = await upload_recording(request)
        except VoxkeepError as exc:
            metrics.rejected(exc.code)
            response = await voxkeep_error(request, exc)
        except DATABASE_FAULTS as exc:
            response = await database_error(request, exc)
        except Exception as exc:
            metrics.rejected("internal")
            response = await unexpected(request, exc)
        await response(scope, receive, send)


def create_app(vault: Vault, *, jobs: bool = True) -> FastAPI:
    """The API, portal and console; jobs=False: no job threads (an API-only node)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop_checkpointer = start_checkpointer(vault, vault.settings.audit_checkpoint_interval_s)
        # Background jobs: answers, erasures, notices (none on an API-only node).
        stop_worker = start_worker(vault, threads=None if jobs else 0)
        try:
            yield
        finally:
            await run_in_threadpool(stop_worker)
            await run_in_threadpool(stop_checkpointer)

    app = FastAPI(
        lifespan=lifespan,
        title="voxkeep",
        version=__version__,
        description="A vault for voice-assistant recordings that answers data-protection "
        "requests. Authenticate with `Authorization: Bearer <token>`.",
        docs_url=None,  # served below from packaged assets: no CDN at run time
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.vault = vault
    app.add_exception_handler(VoxkeepError, voxkeep_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    for fault in DATABASE_FAULTS:
        app.add_exception_handler(fault, database_error)
    app.add_exception_handler(Exception, unexpected)
    app.include_router(accounts_router)
    app.include_router(recordings_router)
    app.include_router(people_router)
    app.include_router(audit_router)
    app.include_router(retention_router)
    app.include_router(exports_router)
    app.include_router(requests_router)
    app.include_router(incidents_router)
    app.include_router(notices_router)  # the person's own incident notices
    app.include_router(people_pages)  # the portal: sign-in at /
    app.include_router(recordings_pages)
    app.include_router(requests_pages)
    app.include_router(exports_pages)
    app.include_router(retention_pages)
    app.include_router(incidents_pages)
    app.include_router(people_console)  # the console: staff sign-in, staff management
    app.include_router(requests_console)
    app.include_router(incidents_console)
    app.include_router(audit_console)
    app.include_router(records_console)
    app.include_router(dashboard_console)
    app.include_router(metrics_router)  # off unless VOXKEEP_METRICS_TOKEN is set
    # A demo vault's mail outbox, readable in the browser; no such page anywhere else.
    app.state.demo_outbox = demo_outbox(vault.settings) is not None
    if app.state.demo_outbox:
        app.include_router(demo_pages)
    openapi.install(app)

    app.add_middleware(RepeatLostReads, engine=vault.engine)  # a GET that lost its connection
    app.add_middleware(UploadFastPath)
    app.add_middleware(AccessLog)  # added last: the outer one, so it logs the fast path too

    app.mount("/api/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    app.mount("/static", StaticFiles(packages=[("voxkeep", "web/static")]), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="voxkeep API",
            swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/assets/swagger-ui.css",
            swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return health_response(check_health(vault))

    return app


def health_response(health: Health) -> JSONResponse:
    """200 with every part, or 503: the error body (``unhealthy``) with every part under
    ``health``."""
    if not health.failed:
        return JSONResponse(health.body)
    error = Unhealthy(
        health.message,
        hint="See this node's log for the reason; "
        "check the database URL, the blob store's settings and that both are up, "
        "and the free space of the data disk.",
    )
    body = error_body(error.status, error.code, error.message, error.hint)
    return JSONResponse({**body, "health": health.body}, error.status)
