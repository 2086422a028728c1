"""Days typed into forms and the whole UTC days they cover: one parser for every page
and service, outside the web layer."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from voxkeep.days import day_bounds, parse_day
from voxkeep.errors import InvalidInput

SRC = Path(__file__).resolve().parent.parent / "src" / "voxkeep"
# Modules that shape HTTP (routes, pages, bodies) and the app: the only ones that may
# import voxkeep.web. A service that did would tie its rules to the web layer.
WEB_SHELLS = {"api.py", "pages.py", "console.py", "schemas.py", "app.py", "server.py"}


def test_a_day_is_year_month_day_and_empty_is_none() -> None:
    assert parse_day(" 2026-03-31 ") == date(2026, 3, 31)
    assert parse_day("") is None and parse_day("  ") is None
    for bad in ("2026-02-30", "31/03/2026", "yesterday"):
        with pytest.raises(InvalidInput, match="year-month-day"):
            parse_day(bad)


def test_days_cover_whole_utc_days_both_included() -> None:
    since, until = day_bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert since == datetime(2026, 3, 1, tzinfo=UTC)
    assert until == datetime(2026, 4, 1, tzinfo=UTC)
    assert day_bounds(None, None) == (None, None)


def _parses_a_date(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "fromisoformat"
        and isinstance(node.value, ast.Name)
        and node.value.id == "date"
    )


def test_one_function_parses_the_days_people_type() -> None:
    parsing = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(_parses_a_date(node) for node in ast.walk(ast.parse(path.read_text())))
    )
    assert parsing == ["days.py"]


def _imports_web(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voxkeep.web"):
            return True
        if isinstance(node, ast.Import) and any(
            a.name.startswith("voxkeep.web") for a in node.names
        ):
            return True
    return False


def test_services_do_not_import_the_web_layer() -> None:
    importing = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name not in WEB_SHELLS and SRC / "web" not in path.parents and _imports_web(path)
    )
    assert importing == []
