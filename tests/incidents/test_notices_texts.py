"""Every text of the notice to an affected person exists in English, German and French,
with the same fields, and promises only what the app offers (as tests/test_texts.py)."""

from __future__ import annotations

import string
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI

from test_texts import CLAIMS, routes
from voxkeep.app import create_app
from voxkeep.incidents import notice_texts as texts
from voxkeep.incidents.models import IncidentKind
from voxkeep.incidents.notices import render_notice
from voxkeep.vault import Vault
from voxkeep.web import i18n

LANGUAGES = set(i18n.LANGUAGES)
CHOSEN = [
    (texts.What, texts.WHAT),
    (texts.Consequence, texts.CONSEQUENCES),
    (texts.Measure, texts.MEASURES),
    (texts.Advice, texts.ADVICE),
]


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def everything(language: str, *, recordings: int = 3) -> str:
    """A notice with every fixed text chosen, as mailed in language."""
    when = datetime(2026, 3, 10, 9, tzinfo=UTC).isoformat()
    content = {
        "incident": "0" * 32,
        "aware_at": when,
        "what": texts.What.SENT_TO_OTHER.value,
        "consequences": [c.value for c in texts.Consequence],
        "measures": [m.value for m in texts.Measure],
        "advice": [a.value for a in texts.Advice],
        "contact": "dpo@operator.test",
        "note": "A note.",
        "recordings": recordings,
        "first_at": when,
        "last_at": when,
        "devices": ["d1"],
    }
    return render_notice(content, ["Kitchen"], language).mail_body()


def test_every_fixed_text_exists_in_each_language() -> None:
    for kinds, by_value in CHOSEN:
        assert set(by_value) == set(kinds), kinds.__name__
        for value, by_language in by_value.items():
            assert set(by_language) == LANGUAGES, value
            assert all(t.strip() and not fields(t) for t in by_language.values()), value
    assert set(texts.GREETING) == set(texts.FRAME) == LANGUAGES
    keys = {frozenset(frame) for frame in texts.FRAME.values()}
    assert len(keys) == 1
    for key in texts.FRAME["en"]:
        assert len({frozenset(fields(f[key])) for f in texts.FRAME.values()}) == 1, key
    assert set(texts.WHAT_FOR_KIND) == set(IncidentKind)
    assert all(texts.WHAT_FOR_KIND.values())


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_notice_holds_every_art_34_element_in_its_language(language: str) -> None:
    body = everything(language)
    frame = texts.FRAME[language]
    for heading in ("what", "records", "consequences", "measures", "advice", "contact", "note"):
        assert f"\n{frame[heading]}\n" in body, heading
    for kinds, by_value in CHOSEN[1:]:
        for value in kinds:
            assert by_value[value][language] in body, value
    assert "dpo@operator.test" in body and "Kitchen" in body
    assert i18n.translate(language, "nav.notices") in body
    assert "http" not in body
    assert texts.FRAME[language]["none"] in everything(language, recordings=0)


def test_an_unknown_language_gets_english() -> None:
    assert everything("xx") == everything("en")


@pytest.fixture
def app(vault: Vault) -> FastAPI:
    return create_app(vault)


def test_no_notice_promises_what_no_route_offers(app: FastAPI) -> None:
    have = routes(app)
    assert ("GET", "/notices") in have  # the page the mail names
    wrong = [
        (language, claim)
        for language in sorted(LANGUAGES)
        for claim, pattern, needs in CLAIMS
        if pattern.search(everything(language)) and needs not in have
    ]
    assert wrong == []
