"""Running the app under Uvicorn with voxkeep's logging (no raw paths in access logs)."""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from fastapi import FastAPI

from voxkeep.app import create_app
from voxkeep.config import load_settings
from voxkeep.logs import configure
from voxkeep.retention.sweeper import start_sweeper
from voxkeep.vault import Vault, open_vault

UVICORN: dict[str, Any] = {
    "access_log": False,  # voxkeep.access logs route templates instead
    "log_config": None,
    "server_header": False,
}


def run(vault: Vault, *, host: str, port: int, workers: int = 1) -> None:
    """Serve until stopped; with workers > 1, in that many processes sharing the socket."""
    settings = vault.settings
    configure(settings.log_level)
    stop_sweeper = start_sweeper(vault)  # retention sweeps while serving, in this process only
    try:
        if workers == 1:
            uvicorn.run(
                create_app(vault), host=host, port=port, log_level=settings.log_level, **UVICORN
            )
        else:
            # Each worker opens the vault itself, from the same settings: the
            # environment and config file it inherits, plus the data directory
            # (which --data-dir may have set).
            os.environ["VOXKEEP_DATA_DIR"] = str(settings.data_dir)
            uvicorn.run(
                f"{__name__}:worker_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level=settings.log_level,
                **UVICORN,
            )
    finally:
        stop_sweeper()


def worker_app() -> FastAPI:
    """The app of one worker process of `voxkeep serve --workers N`."""
    settings = load_settings()
    configure(settings.log_level)
    return create_app(open_vault(settings))
