"""A browser tab in a journey: screenshots, axe-core and CSP violations checked at each step."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# `make shots` sets this: the journeys then write the docs' screenshots into docs/img.
# Otherwise they go to test-artifacts/browser/docs-img, so that a test run leaves the
# tree clean (every run's ids and times differ, so each would change every image).
DOCS_SHOTS_ENV = "VOXKEEP_DOCS_SHOTS"


@dataclass
class Visit:
    """One browser tab on the server, recording what a journey needs to check."""

    page: Page
    base: str
    shots: Path
    csp_violations: list[str] = field(default_factory=list)
    step: int = 0

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def check(self, name: str) -> None:
        """Screenshot the page and fail on any serious or critical axe-core violation."""
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{name}.png"), full_page=True)
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol: the page's CSP, which forbids
            # injected scripts, stays in force for everything else.
            self.page.evaluate(AXE.read_text() + "\n;undefined")
        results = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        bad = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], f"axe-core on {name}: {json.dumps(bad, indent=1)}"
        assert self.csp_violations == [], self.csp_violations

    def docs_shot(self, name: str, part: Locator | None = None) -> None:
        """The docs' screenshot ``docs/img/<name>.png`` of this page: of ``part`` of it, or
        of what the window shows. tests/test_docs.py finds the names in these calls."""
        folder = ROOT / "docs" / "img" if os.environ.get(DOCS_SHOTS_ENV) else ARTIFACTS / "docs-img"
        path = folder / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if part is None:
            self.page.screenshot(path=str(path))
        else:
            part.screenshot(path=str(path))


def sign_in(visit: Visit, who: dict[str, str]) -> None:
    """Sign in on the portal's first page and land on the voice history."""
    page = visit.page
    visit.go("/")
    page.get_by_label("E-mail address").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")


def confirm_password(visit: Visit, who: dict[str, str], name: str) -> None:
    """On the re-authentication page the portal sent us to: check it, enter the password."""
    page = visit.page
    page.wait_for_url("**/reauth?next=*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your password")
    visit.check(name)
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Confirm").click()
