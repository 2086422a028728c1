"""The record of processing's catalogue: every key in en, de and fr, the same placeholders,
and words for every retention choice."""

from __future__ import annotations

from helpers import catalogue_gaps
from voxkeep.accounts.models import Retention
from voxkeep.records.texts import STRINGS


def test_every_language_has_every_key_filled_with_the_same_placeholders() -> None:
    assert catalogue_gaps(STRINGS) == []


def test_every_retention_choice_has_its_words() -> None:
    assert [r for r in Retention if f"retention_{r.value}" not in STRINGS["en"]] == []
