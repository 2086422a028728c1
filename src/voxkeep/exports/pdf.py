"""transcripts.pdf: every transcript, grouped by device, sorted by time, dated, localized.

Drawn directly on reportlab's canvas (no table layout engine): a row is placed,
wrapped and, when the page is full, continued on the next page (under the
device heading, column headers and day again), so 34,000 rows cost seconds,
not minutes. The fonts are voxkeep.pdfdoc's (embedded, with a Unicode map).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from voxkeep.exports.content import DeviceInfo, Row
from voxkeep.exports.i18n import clock, duration, long_date, strings
from voxkeep.pdfdoc import BOLD, BOTTOM, HEIGHT, LEFT, REGULAR, RIGHT, TOP, register_fonts

COL_TIME, COL_LEN, COL_SPEAKER, COL_TEXT = LEFT, LEFT + 58, LEFT + 92, LEFT + 178
_COLUMNS = (COL_TIME, COL_LEN, COL_SPEAKER, COL_TEXT)
TEXT_WIDTH = RIGHT - COL_TEXT
SIZE, LEADING = 8.5, 11.0


class _Pages:
    """Pages with one text object each: far cheaper than a text object per string.

    A page that continues a device's rows starts with that device's heading,
    the column headers and the current day again, each marked as continued,
    so every page says whose rows these are and what each column means.
    """

    def __init__(self, canvas: Canvas, words: dict[str, str], footer: str) -> None:
        self.canvas = canvas
        self.words = words
        self.title = words["pdf_title"]
        self.footer = footer
        self.page_label = words["page"]
        self.heading: str | None = None  # the device whose rows are being placed
        self.day: str | None = None  # the day whose rows are being placed
        self.page = 0
        self.y = 0.0
        self.text: Any = None
        self.font: tuple[str, float] = ("", 0.0)
        self.new_page()

    def new_page(self) -> None:
        if self.page:
            self.canvas.drawText(self.text)
            self.canvas.showPage()
        self.page += 1
        self.text = self.canvas.beginText()
        self.font = ("", 0.0)
        self.put(LEFT, HEIGHT - 30, self.title, BOLD, 10)
        self.put(LEFT, 26, self.footer, REGULAR, 7.5)
        label = self.page_label.format(page=self.page)
        width = pdfmetrics.stringWidth(label, REGULAR, 7.5)
        self.put(RIGHT - width, HEIGHT - 30, label, REGULAR, 7.5)
        self.y = TOP
        continued = f" ({self.words['continued']})"
        if self.heading is not None:
            self._heading(self.heading + continued)
        if self.day is not None:
            self._day(self.day + continued)

    def start_device(self, heading: str) -> None:
        self.heading = self.day = None  # a page break here continues nothing
        self.need(LEADING * 5)
        if self.y < TOP:
            self.y -= 10
        self._heading(heading)
        self.heading = heading

    def start_day(self, day: str) -> None:
        self.day = None
        self.need(LEADING * 3)
        self._day(day)
        self.day = day

    def _heading(self, heading: str) -> None:
        self.put(LEFT, self.y, heading, BOLD, 11)
        self.y -= LEADING + 2
        for x, column in zip(_COLUMNS, ("time", "duration", "speaker", "transcript"), strict=True):
            self.put(x, self.y, self.words[column], BOLD, 7.5)
        self.y -= LEADING

    def _day(self, day: str) -> None:
        self.y -= 4
        self.put(LEFT, self.y, day, BOLD, SIZE)
        self.y -= LEADING

    def put(self, x: float, y: float, text: str, font: str = REGULAR, size: float = SIZE) -> None:
        if self.font != (font, size):
            self.text.setFont(font, size)
            self.font = (font, size)
        self.text.setTextOrigin(x, y)
        self.text.textOut(text)

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def finish(self) -> None:
        self.canvas.drawText(self.text)


def _lines(text: str, width: float) -> list[str]:
    # Most transcripts fit one line: measure once before splitting word by word.
    if pdfmetrics.stringWidth(text, REGULAR, SIZE) <= width:
        return [text]
    return simpleSplit(text, REGULAR, SIZE, width) or [""]


def render_pdf(
    *,
    lang: str,
    generated_at: datetime,
    devices: dict[str, DeviceInfo],
    members: dict[str, str],
    rows: Iterable[tuple[Row, str | None]],
) -> bytes:
    """The PDF bytes; rows come grouped by device and sorted by time within a device."""
    register_fonts()
    words = strings(lang)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(words["pdf_title"])
    canvas.setCreator("voxkeep")
    pages = _Pages(canvas, words, words["generated"].format(date=long_date(generated_at, lang)))
    current_device: str | None = None
    current_day: str | None = None
    empty = True
    for row, text in rows:
        empty = False
        if row.device != current_device:
            current_device, current_day = row.device, None
            pages.start_device(_device_heading(devices.get(row.device), row.device, lang, words))
        day = long_date(row.captured_at, lang)
        if day != current_day:
            current_day = day
            pages.start_day(day)
        _row(pages, row, text, members, words)
    if empty:
        pages.put(LEFT, pages.y, words["no_recordings"], REGULAR, 10)
    pages.finish()
    canvas.save()
    return out.getvalue()


def _device_heading(
    info: DeviceInfo | None, device_id: str, lang: str, words: dict[str, str]
) -> str:
    name = info.name if info else device_id
    kind = words.get(f"kind_{info.kind}", info.kind) if info else ""
    heading = f"{words['device']}: {name} ({kind}) — {device_id}"
    if info and info.removed_at is not None:
        heading += f", {words['removed'].format(date=long_date(info.removed_at, lang))}"
    return heading


def _clip(text: str, width: float) -> str:
    if pdfmetrics.stringWidth(text, REGULAR, SIZE) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", REGULAR, SIZE) > width:
        text = text[:-1]
    return text + "…"


def _row(
    pages: _Pages, row: Row, text: str | None, members: dict[str, str], words: dict[str, str]
) -> None:
    if row.path is None:
        body = words["withheld"]
    elif text is None:
        body = words["no_transcript"]
    else:
        body = text
    lines = _lines(body, TEXT_WIDTH)
    speaker = members.get(row.member, row.member) if row.member else ""
    pages.need(LEADING * min(len(lines), 3))
    pages.put(COL_TIME, pages.y, clock(row.captured_at))
    pages.put(COL_LEN, pages.y, duration(row.duration_ms))
    if speaker:
        pages.put(COL_SPEAKER, pages.y, _clip(speaker, COL_TEXT - COL_SPEAKER - 6))
    for index, line in enumerate(lines):
        if index and pages.y < BOTTOM:
            pages.new_page()
        pages.put(COL_TEXT, pages.y, line)
        pages.y -= LEADING
