"""Logging set-up. Log lines carry route templates and pseudonymous ids only."""

from __future__ import annotations

import logging
import sys


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("voxkeep")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
