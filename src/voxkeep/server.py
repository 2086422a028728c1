"""Running the app under Uvicorn with voxkeep's logging (no raw paths in access logs)."""

from __future__ import annotations

import uvicorn

from voxkeep.app import create_app
from voxkeep.logs import configure
from voxkeep.vault import Vault


def run(vault: Vault, *, host: str, port: int) -> None:
    configure(vault.settings.log_level)
    uvicorn.run(
        create_app(vault),
        host=host,
        port=port,
        access_log=False,  # voxkeep.access logs route templates instead
        log_config=None,
        log_level=vault.settings.log_level,
        server_header=False,
    )
