"""The code keeps one layout: a domain's HTTP routes live in its api.py, pages.py (the
portal's pages) or console.py (the console's pages)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "voxkeep"
ROUTE_MODULES = {"api.py", "pages.py", "console.py"}


def _defines_router(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "APIRouter":
                return True
    return False


def test_routers_live_in_a_domains_api_pages_or_console_module() -> None:
    misplaced = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if _defines_router(path)
        and (path.name not in ROUTE_MODULES or path.parent in (SRC, SRC / "web"))
    ]
    assert misplaced == []


def test_the_layout_guide_names_every_domain_with_routes() -> None:
    guide = (SRC.parent.parent / "docs" / "development.md").read_text()
    domains = sorted({p.parent.name for p in SRC.rglob("api.py")})
    assert domains, "no routes found: the test would pass vacuously"
    missing = [d for d in domains if f"`{d}/`" not in guide]
    assert missing == []
