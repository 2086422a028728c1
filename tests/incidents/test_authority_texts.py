"""The notification's catalogue: the same keys and placeholders in en, de and fr, and a
text for every incident kind and every category of data and people."""

from __future__ import annotations

import re

from voxkeep.incidents.authority import DataCategory, PersonCategory
from voxkeep.incidents.authority_texts import STRINGS
from voxkeep.incidents.models import IncidentKind

FIELD = re.compile(r"\{(\w+)\}")


def test_every_language_has_every_key_filled_with_the_same_placeholders() -> None:
    assert set(STRINGS) == {"en", "de", "fr"}
    english = STRINGS["en"]
    for lang, words in STRINGS.items():
        assert set(words) == set(english), lang
        assert [k for k, v in words.items() if not v.strip()] == [], lang
        differ = [
            k for k in english if set(FIELD.findall(words[k])) != set(FIELD.findall(english[k]))
        ]
        assert differ == [], lang


def test_every_kind_and_category_has_its_words() -> None:
    needed = {f"kind_{k.value}" for k in IncidentKind}
    needed |= {f"data_{c.value}" for c in DataCategory}
    needed |= {f"people_{c.value}" for c in PersonCategory}
    assert sorted(needed - set(STRINGS["en"])) == []
