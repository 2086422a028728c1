"""The vaults of these tests keep their blobs in the session's S3 server (SeaweedFS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nodes import Nodes
from s3_server import S3Server
from smtp_sink import SmtpSink
from voxkeep.config import Settings


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    values: dict[str, Any] = dict(settings)
    values.update(s3_server.overrides())
    return Settings(**values)


@pytest.fixture
def nodes(settings: Settings, tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Nodes]:
    """Real `voxkeep serve --no-jobs` and `voxkeep worker` processes over this test's vault
    (tests/nodes.py); every one still running is killed at the end."""
    started = Nodes(settings, tmp_path / "nodes", smtp_sink)
    started.root.mkdir()
    yield started
    started.stop_all()
