"""``GET /metrics``: Prometheus's scrape, for whoever holds the metrics token.

Off by default: without ``VOXKEEP_METRICS_TOKEN`` no credential opens it, so a
node never shows its figures to the internet by accident. With it, the
scraper sends ``Authorization: Bearer <token>``, compared in constant time.
The figures carry no personal data, but counts of requests and jobs are the
operator's business (and each scrape queries the database).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from voxkeep.errors import Unauthorized
from voxkeep.metrics.fleet import FleetCollector
from voxkeep.metrics.process import add_counters
from voxkeep.web.deps import errors, vault_of

METRICS_TOKEN = HTTPBearer(
    scheme_name="metricsToken",
    description="The node's `VOXKEEP_METRICS_TOKEN` (metrics are off while it is not set).",
    auto_error=False,
)
router = APIRouter(tags=["operations"])


def metrics_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(METRICS_TOKEN)] = None,
) -> None:
    expected = vault_of(request).settings.metrics_token
    presented = credentials.credentials if credentials is not None else ""
    if expected is None or not hmac.compare_digest(
        presented.encode(), expected.get_secret_value().encode()
    ):
        raise Unauthorized(
            "No valid metrics token.",
            hint="Send `Authorization: Bearer <VOXKEEP_METRICS_TOKEN>`; metrics are off on a "
            "node where that setting is empty.",
        )


@router.get(
    "/metrics",
    dependencies=[Depends(metrics_token)],
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {}}, "description": "Prometheus text format."},
        **errors(401),
    },
)
def metrics(request: Request) -> Response:
    """This node's metrics in Prometheus's text format (docs/deployment.md#metrics)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FleetCollector(vault_of(request)))
    add_counters(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
