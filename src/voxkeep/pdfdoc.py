"""The fonts every voxkeep PDF embeds, and short documents laid out as PDF.

The fonts are Bitstream Vera, shipped inside reportlab and embedded in each file
with a Unicode map, so accented text (ä, ß, é, œ, ç …) shows and copies
correctly on any reader.

A ``Document`` is a title and sections of labelled fields: the record of
processing (Art. 30) and the notification to the supervisory authority
(Art. 33) are both one. The same structure renders as a console page, so the
words are written once. Pages are laid out first and drawn after, so each
footer can say "page 2 of 5".
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from voxkeep.errors import InvalidInput

REGULAR, BOLD = "VoxkeepSans", "VoxkeepSans-Bold"
_fonts_lock = threading.Lock()
_fonts_ready = False

WIDTH, HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 42.0, WIDTH - 42.0, HEIGHT - 48.0, 48.0


def register_fonts() -> None:
    """Register the embedded fonts with reportlab, once per process."""
    global _fonts_ready
    with _fonts_lock:
        if not _fonts_ready:
            pdfmetrics.registerFont(TTFont(REGULAR, "Vera.ttf"))
            pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
            _fonts_ready = True


def words_in(strings: Mapping[str, dict[str, str]], language: str, *, what: str) -> dict[str, str]:
    """A document's words in ``language``, from its catalogue (one dict per language)."""
    if language not in strings:
        raise InvalidInput(
            f"There is no {what} in the language {language!r}.",
            hint=f"Choose one of {', '.join(strings)}.",
        )
    return strings[language]


@dataclass(frozen=True)
class Item:
    """A label and its value; a value's lines (split at newlines) each start a new line."""

    label: str
    value: str


@dataclass(frozen=True)
class Section:
    heading: str
    intro: str = ""  # a paragraph under the heading, before the fields
    fields: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str  # under the title on the first page
    footer: str  # on every page, beside the page number
    page_label: str  # with {page} and {pages}
    sections: tuple[Section, ...] = field(default_factory=tuple)


SIZE, LEADING = 9.0, 12.0
LABEL_WIDTH = 150.0
VALUE_X = LEFT + LABEL_WIDTH + 10
_Op = tuple[float, float, str, str, float]  # x, y, text, font, size


class _Layout:
    """Places lines on pages (as drawing operations), starting a page when one is full."""

    def __init__(self) -> None:
        self.pages: list[list[_Op]] = [[]]
        self.y = TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP

    def lines(self, text: str, width: float, font: str = REGULAR, size: float = SIZE) -> list[str]:
        found: list[str] = []
        for paragraph in text.split("\n"):
            found += simpleSplit(paragraph, font, size, width) or [""]
        return found

    def paragraph(self, text: str, font: str = REGULAR, size: float = SIZE) -> None:
        leading = size * 1.35
        for line in self.lines(text, RIGHT - LEFT, font, size):
            self.need(leading)
            self.pages[-1].append((LEFT, self.y, line, font, size))
            self.y -= leading

    def item(self, item: Item) -> None:
        labels = self.lines(item.label, LABEL_WIDTH, BOLD)
        values = self.lines(item.value, RIGHT - VALUE_X)
        # The label and the value's first lines share a page; a long value may go on.
        self.need(LEADING * max(len(labels), min(len(values), 4)))
        page, top = self.pages[-1], self.y
        for index, line in enumerate(labels):
            page.append((LEFT, top - index * LEADING, line, BOLD, SIZE))
        for line in values:
            self.need(LEADING)
            self.pages[-1].append((VALUE_X, self.y, line, REGULAR, SIZE))
            self.y -= LEADING
        if self.pages[-1] is page:
            self.y = min(self.y, top - len(labels) * LEADING)
        self.y -= 3


def render_document(document: Document) -> bytes:
    """The PDF bytes of ``document``: A4, the embedded fonts, numbered pages."""
    register_fonts()
    layout = _Layout()
    layout.paragraph(document.title, BOLD, 15)
    if document.subtitle:
        layout.paragraph(document.subtitle, REGULAR, 10)
    for section in document.sections:
        layout.y -= 10
        layout.need(LEADING * 4)  # a heading never ends a page alone
        layout.paragraph(section.heading, BOLD, 11.5)
        layout.y -= 2
        if section.intro:
            layout.paragraph(section.intro, REGULAR, 8.5)
            layout.y -= 3
        for item in section.fields:
            layout.item(item)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(document.title)
    canvas.setCreator("voxkeep")
    total = len(layout.pages)
    for number, ops in enumerate(layout.pages, 1):
        text = canvas.beginText()
        label = document.page_label.format(page=number, pages=total)
        width = pdfmetrics.stringWidth(label, REGULAR, 7.5)
        footer = [
            (LEFT, 26.0, document.footer, REGULAR, 7.5),
            (RIGHT - width, 26.0, label, REGULAR, 7.5),
        ]
        for x, y, line, font, size in [*ops, *footer]:
            text.setFont(font, size)
            text.setTextOrigin(x, y)
            text.textOut(line)
        canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def render_text(document: Document) -> str:
    """``document`` as plain text, for a terminal: headings underlined, "label: value"."""
    lines = [document.title, "=" * len(document.title), document.subtitle]
    for section in document.sections:
        lines += ["", section.heading, "-" * len(section.heading)]
        if section.intro:
            lines.append(section.intro)
        for item in section.fields:
            value = item.value.replace("\n", "\n    ")
            lines.append(f"{item.label}: {value}")
    return "\n".join(lines) + "\n"
