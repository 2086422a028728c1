"""The authority's document read back: an operator configured with every contact point
Art. 33(3)(b) names, and the text of a PDF as pypdf extracts it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from pypdf import PdfReader

from voxkeep.config import Settings
from voxkeep.exports.i18n import long_date
from voxkeep.vault import Vault, open_vault

CONTROLLER = ("Sprachwerk Haushalt GmbH", "Königstraße 7, 70173 Stuttgart")
DPO = ("Dr. Élise Brandt", "dpo@sprachwerk.example")
AUTHORITY = "Landesbeauftragter für den Datenschutz Baden-Württemberg"


@contextmanager
def configured(settings: Settings) -> Iterator[Vault]:
    """The test's vault, opened with the controller, the DPO and the authority set."""
    opened = open_vault(
        settings.model_copy(
            update={
                "controller_name": CONTROLLER[0],
                "controller_contact": CONTROLLER[1],
                "dpo_name": DPO[0],
                "dpo_contact": DPO[1],
                "supervisory_authority": AUTHORITY,
            }
        )
    )
    try:
        yield opened
    finally:
        opened.close()


def text_of(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def when(moment: datetime, lang: str) -> str:
    moment = moment.astimezone(UTC)
    return f"{long_date(moment, lang)}, {moment:%H:%M} UTC"


def missing(text: str, wanted: list[str]) -> list[str]:
    return [w for w in wanted if " ".join(w.split()) not in text]
