"""The notification's catalogue: the same keys and placeholders in en, de and fr, and a
text for every incident kind and every category of data and people."""

from __future__ import annotations

from helpers import catalogue_gaps
from voxkeep.incidents.authority import DataCategory, PersonCategory
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.incidents.models import IncidentKind


def test_every_language_has_every_key_filled_with_the_same_placeholders() -> None:
    assert catalogue_gaps(STRINGS) == []


def test_the_completeness_check_can_fail() -> None:
    broken = {lang: dict(words) for lang, words in STRINGS.items()}
    del broken["fr"]["title"]
    broken["de"]["late"] = "Nein"
    broken["en"]["pending"] = " "
    assert catalogue_gaps(broken) == [
        "en: pending empty",
        "de: late placeholders differ",
        "fr: title missing",
    ]


def test_every_kind_and_category_has_its_words() -> None:
    needed = {f"kind_{k.value}" for k in IncidentKind}
    needed |= {f"data_{c.value}" for c in DataCategory}
    needed |= {f"people_{c.value}" for c in PersonCategory}
    assert sorted(needed - set(STRINGS["en"])) == []
