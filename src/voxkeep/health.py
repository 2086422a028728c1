"""Is this node fit to serve: does the database answer, does the blob store? (/healthz)

A load balancer asks every node; a node whose database or bucket fails answers
503 and names which part failed, never a URL, a host name or a credential.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from voxkeep.errors import StorageFailed, Unhealthy
from voxkeep.vault import Vault

log = logging.getLogger("voxkeep.health")
PARTS = ("database", "blobs")


def check_health(vault: Vault) -> dict[str, str]:
    """{"database": "ok", "blobs": "ok"}, or raise Unhealthy naming each part that failed."""
    failed = []
    try:
        with vault.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health: the database failed (%s)", type(exc).__name__)
        failed.append("database")
    try:
        vault.blobs.check()
    except StorageFailed as exc:
        log.warning("health: the blob store failed (%s)", exc.message)
        failed.append("blobs")
    if failed:
        raise Unhealthy(
            f"Not healthy: {' and '.join(failed)} failed.",
            hint="See this node's log for the reason; "
            "check the database URL, the blob store's settings and that both are up.",
        )
    return dict.fromkeys(PARTS, "ok")
