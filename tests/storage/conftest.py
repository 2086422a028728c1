"""The vaults of these tests keep their blobs in the session's S3 server (SeaweedFS)."""

from __future__ import annotations

from typing import Any

import pytest

from s3_server import S3Server
from voxkeep.config import Settings


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    values: dict[str, Any] = dict(settings)
    values.update(s3_server.overrides())
    return Settings(**values)
