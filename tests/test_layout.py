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


# Packages of pages only, allowed because their pages span domains (docs/development.md).
SPANNING = {"dashboard"}


def test_a_package_with_pages_is_a_domain_unless_it_spans_domains() -> None:
    """A folder is a domain: pages over one domain's rules live in that domain's package
    (staff management is people's), not in a package of pages alone."""
    page_only = sorted(
        package.name
        for package in SRC.iterdir()
        if package.is_dir()
        and package != SRC / "web"
        and any((package / name).exists() for name in ROUTE_MODULES)
        and not {p.name for p in package.glob("*.py")} - ROUTE_MODULES - {"__init__.py"}
    )
    assert page_only == sorted(SPANNING)
    guide = (SRC.parent.parent / "docs" / "development.md").read_text()
    assert all(f"`{name}/console.py`" in guide for name in SPANNING)
