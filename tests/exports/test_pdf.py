"""transcripts.pdf over many pages: every continuation page says whose rows it holds."""

from __future__ import annotations

import io
from datetime import timedelta

from factory import BASE
from pypdf import PdfReader

from voxkeep.exports.content import DeviceInfo, Row
from voxkeep.exports.pdf import render_pdf

DEVICES = {
    "house-bad": DeviceInfo("house-bad", "speaker", "Badezimmer", BASE, None),
    "house-kueche": DeviceInfo("house-kueche", "tv", "Küche", BASE, None),
}
COLUMNS = ("Time (UTC)", "Length", "Speaker", "Transcript")


def _rows(device: str, count: int) -> list[tuple[Row, str]]:
    rows = []
    for n in range(count):
        text = f"{device}#{n:04d} " + ("Wie wird das Wetter morgen? " * (1 + (n % 7) * 3))
        row = Row(
            id=f"{device}-{n}",
            device=device,
            member=None,
            captured_at=BASE + timedelta(minutes=37 * n),
            duration_ms=1500,
            language="de",
            blob="unused",
            audio_bytes=0,
            audio_sha256=None,
            transcript_ct=None,
            path=f"recordings/{device}-{n}.wav",
        )
        rows.append((row, text))
    return rows


def test_continuation_pages_repeat_the_device_heading_and_the_column_headers() -> None:
    rows = _rows("house-bad", 160) + _rows("house-kueche", 240)  # by device name
    pdf = render_pdf(lang="en", generated_at=BASE, devices=DEVICES, members={}, rows=iter(rows))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    seen: dict[str, int] = {}
    for number, text in enumerate(pages, 1):
        for device, info in DEVICES.items():
            first = text.find(f"{device}#")
            if first < 0:
                continue
            seen[device] = seen.get(device, 0) + 1
            heading = text.rfind(f"Device: {info.name} (", 0, first)
            assert heading >= 0, f"page {number} has rows of {device} but not its heading"
            for column in COLUMNS:
                assert heading < text.find(column, heading) < first, (number, column)
    assert seen["house-bad"] >= 3 and seen["house-kueche"] >= 3  # several pages of each
