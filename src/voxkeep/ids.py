"""Validation of the identifiers the operator chooses (accounts, devices, recordings)."""

from __future__ import annotations

import re

from voxkeep.errors import InvalidInput

# One rule for ids, used by the services and published in the API's schemas.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
ID_RULE = "1–128 characters: letters, digits and . _ : - (not first)"
_ID = re.compile(ID_PATTERN)


def check_id(value: str, *, what: str) -> str:
    """Ids are 1–128 characters of letters, digits and . _ : - (they appear in URLs)."""
    if not _ID.fullmatch(value):
        raise InvalidInput(f"The {what} id is not valid.", hint=f"Use {ID_RULE}.")
    return value
