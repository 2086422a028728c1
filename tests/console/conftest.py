"""The console's tests reuse the request tests' helpers (real accounts, a staff team)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "requests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "exports"))
