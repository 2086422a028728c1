"""Running the app under Uvicorn with voxkeep's logging (no raw paths in access logs)."""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from voxkeep.app import create_app
from voxkeep.config import load_settings
from voxkeep.errors import VoxkeepError
from voxkeep.logs import configure
from voxkeep.metrics.process import multiprocess_dir
from voxkeep.retention.sweeper import start_sweeper
from voxkeep.vault import Vault, open_vault

UVICORN: dict[str, Any] = {
    "access_log": False,  # voxkeep.access logs route templates instead
    "log_config": None,
    "server_header": False,
}


class PortUnavailable(VoxkeepError):
    """The address and port to serve on cannot be bound (in use, not ours, not allowed)."""

    code = "port_unavailable"


def _bindable(host: str, port: int) -> OSError | None:
    """Bind a socket the way Uvicorn will, then let it go: None, or why it failed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        # As Uvicorn does: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc
    return None


def free_port_after(host: str, port: int) -> int | None:
    """The first port above ``port`` that can be bound on host (a suggestion), or None."""
    for candidate in range(port + 1, min(port + 100, 65535) + 1):
        if _bindable(host, candidate) is None:
            return candidate
    return None


def check_port(host: str, port: int, *, choose: str = "voxkeep serve --port {port}") -> None:
    """Raise PortUnavailable, saying how to choose another port, unless host:port is free.

    Checked before a command changes anything, so a busy port costs nothing; ``choose``
    shows how to pick another, with ``{port}`` where a free port number goes.
    """
    failure = _bindable(host, port)
    if failure is None:
        return
    if failure.errno == errno.EADDRINUSE:
        other = free_port_after(host, port)
        example = choose.format(port=other if other is not None else port + 1)
        raise PortUnavailable(
            f"Port {port} on {host} is already in use (is voxkeep already running there?).",
            hint=f"Stop what uses it, or choose another port: {example}.",
        )
    reason = failure.strerror or type(failure).__name__
    raise PortUnavailable(
        f"voxkeep cannot listen on {host} port {port} ({reason}).",
        hint="Check the address (VOXKEEP_HOST, --host) and the port (VOXKEEP_PORT, --port); "
        "ports below 1024 need privileges.",
    )


def run(
    vault: Vault,
    *,
    host: str,
    port: int,
    workers: int = 1,
    jobs: bool = True,
    choose: str = "voxkeep serve --port {port}",
) -> None:
    """Serve until stopped; with workers > 1, in that many processes sharing the socket.

    jobs=False serves only HTTP (an API-only node): no job threads, no retention
    sweeps; `voxkeep worker` processes run them (docs/deployment.md).
    A port that cannot be bound is one clear PortUnavailable before anything starts.
    """
    check_port(host, port, choose=choose)
    settings = vault.settings
    configure(settings.log_level)
    # Retention sweeps while serving, in this process only.
    stop_sweeper = start_sweeper(vault) if jobs else lambda: None
    try:
        if workers == 1:
            uvicorn.run(
                create_app(vault, jobs=jobs),
                host=host,
                port=port,
                log_level=settings.log_level,
                **UVICORN,
            )
        else:
            # Each worker opens the vault itself, from the same settings: the
            # environment and config file it inherits, plus the data directory
            # (which --data-dir may have set).
            os.environ["VOXKEEP_DATA_DIR"] = str(settings.data_dir)
            if not jobs:
                os.environ["VOXKEEP_JOB_WORKERS"] = "0"
            # /metrics in any worker sums the counters of all of them (metrics.process).
            with multiprocess_dir():
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
