"""Every fault has its status and code in docs/api.md's error table, and a section in
docs/operations.md saying what it looks like and what the operator does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from voxkeep.errors import DatabaseUnavailable, MailFailed, StorageFailed, VoxkeepError

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _table_row(status: int) -> str:
    text = (DOCS / "api.md").read_text()
    rows = re.findall(rf"^\| {status} \|(.*)\|$", text, flags=re.MULTILINE)
    assert len(rows) == 1, f"docs/api.md's error table has no single row for {status}"
    return str(rows[0])


@pytest.mark.parametrize("fault", [StorageFailed, DatabaseUnavailable, MailFailed])
def test_each_fault_is_in_the_api_error_table(fault: type[VoxkeepError]) -> None:
    assert f"`{fault.code}`" in _table_row(fault.status)


def test_the_database_fault_tells_when_to_retry() -> None:
    assert "Retry-After" in _table_row(DatabaseUnavailable.status)
    assert DatabaseUnavailable("x").headers["Retry-After"].isdigit()


@pytest.mark.parametrize("section", ["Disk or bucket full", "Database unreachable"])
def test_operations_has_a_section_per_fault(section: str) -> None:
    text = (DOCS / "operations.md").read_text()
    assert f"\n## {section}\n" in text
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    for part in ("What clients see", "In the log", "What to do"):
        assert part in body, (section, part)


def test_every_operation_lists_the_faults_it_can_answer(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for item in paths.values():
        for operation in item.values():
            statuses = set(operation["responses"])
            assert "503" in statuses, operation["operationId"]
            if "requestBody" in operation:
                assert "507" in statuses, operation["operationId"]
