"""Short documents as PDF (the record of processing, the notification to the authority):
long values continue on the next page, and every page says which of how many it is."""

from __future__ import annotations

import io

from pypdf import PdfReader

from voxkeep.pdfdoc import Document, Item, Section, render_document, render_text

LINES = [f"Zeile {n:03d}: Übermittlung geprüft" for n in range(180)]
DOCUMENT = Document(
    title="Verzeichnis",
    subtitle="Erstellt am 2. März 2026.",
    footer="voxkeep · Test",
    page_label="Seite {page} von {pages}",
    sections=(
        Section("Erster Abschnitt", "Ein Absatz unter der Überschrift.", (Item("Kurz", "eins"),)),
        Section("Lange Werte", fields=(Item("Viele Zeilen", "\n".join(LINES)),)),
        Section("Letzter Abschnitt", fields=(Item("Ende", "zwei"),)),
    ),
)


def test_a_long_value_continues_over_pages_and_every_page_is_numbered() -> None:
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render_document(DOCUMENT))).pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert f"Seite {number} von {len(pages)}" in text and "voxkeep · Test" in text
    everything = "\n".join(pages)
    positions = [everything.find(line) for line in LINES]
    assert -1 not in positions and positions == sorted(positions)  # each line, in order
    assert everything.count("Viele Zeilen") == 1  # the label once, where the value starts
    assert everything.find("Letzter Abschnitt") > positions[-1]
    assert pages[0].startswith("Verzeichnis")


def test_the_same_document_as_text() -> None:
    text = render_text(DOCUMENT)
    assert text.startswith("Verzeichnis\n===========\nErstellt am 2. März 2026.\n")
    assert "\nErster Abschnitt\n----------------\nEin Absatz" in text
    assert "Kurz: eins\n" in text
    assert "Viele Zeilen: Zeile 000: Übermittlung geprüft\n    Zeile 001:" in text
