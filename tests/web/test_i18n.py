"""The pages' catalogue keeps English, German and French in step with the templates."""

from __future__ import annotations

import re
from pathlib import Path

from voxkeep.web import i18n

SRC = Path(__file__).resolve().parents[2] / "src" / "voxkeep"
# t("key") in templates and pages; translate(lang, "key") in Python.
USE = re.compile(
    r"""\bt\(\s*["']([a-z_]+\.[a-z_]+)["']|translate\([^,()]+,\s*"([a-z_]+\.[a-z_]+)\""""
)


def _used_keys() -> set[str]:
    files = [*(SRC / "web" / "templates").rglob("*.html"), *SRC.rglob("pages.py")]
    files += [*SRC.rglob("console.py")]  # a domain's console pages (docs/development.md)
    files += [*(SRC / "web").glob("*.py")]
    found: set[str] = set()
    for path in files:
        for match in USE.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    # Keys chosen at run time from a tuple in a template: ("from", "history.from").
    for path in (SRC / "web" / "templates").rglob("*.html"):
        found |= set(re.findall(r'"([a-z]+\.[a-z_]+)"\)', path.read_text())) & set(i18n.CATALOGUE)
    return found


def test_every_key_has_all_three_languages() -> None:
    empty = [
        (key, lang)
        for key, text in i18n.CATALOGUE.items()
        for lang in i18n.LANGUAGES
        if not getattr(text, lang).strip()
    ]
    assert empty == []
    assert set(i18n.Text._fields) == set(i18n.LANGUAGES)


def test_placeholders_agree_across_languages() -> None:
    field = re.compile(r"\{(\w+)\}")
    differ = [
        key
        for key, text in i18n.CATALOGUE.items()
        if len({frozenset(field.findall(getattr(text, lang))) for lang in i18n.LANGUAGES}) > 1
    ]
    assert differ == []


def test_every_key_used_exists_and_every_key_is_used() -> None:
    used = _used_keys()
    assert len(used) > 20, "the scan found too little: the test would pass vacuously"
    assert sorted(used - set(i18n.CATALOGUE)) == []
    assert sorted(set(i18n.CATALOGUE) - used) == []
