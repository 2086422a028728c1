"""The text files of an answer, each produced as a stream of bytes chunks.

transcripts.json and transcripts.csv carry the same rows with the same ids,
sorted by time (Art. 20: structured, commonly used, machine-readable);
index.html is the cover sheet of Art. 15(1)(a)–(h) and a browsable list.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from itertools import groupby
from typing import Any, NamedTuple

from jinja2 import Environment, PackageLoader, select_autoescape

from voxkeep.exports.content import Row, Snapshot, iso
from voxkeep.exports.i18n import clock, duration, long_date, strings

_BATCH = 500
_env = Environment(
    loader=PackageLoader("voxkeep.exports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    auto_reload=False,
)

CSV_FIELDS = (
    "id",
    "captured_at",
    "device",
    "device_name",
    "device_kind",
    "speaker",
    "speaker_name",
    "language",
    "duration_ms",
    "audio",
    "withheld",
    "transcript",
)


def _record(snap: Snapshot, row: Row, text: str | None) -> dict[str, Any]:
    device = snap.devices.get(row.device)
    return {
        "id": row.id,
        "captured_at": iso(row.captured_at),
        "device": row.device,
        "device_name": device.name if device else None,
        "device_kind": device.kind if device else None,
        "speaker": row.member,
        "speaker_name": snap.members.get(row.member) if row.member else None,
        "language": row.language,
        "duration_ms": row.duration_ms,
        "audio": row.path,
        "withheld": row.path is None,
        "transcript": text,
    }


def transcripts_json(snap: Snapshot) -> Iterator[bytes]:
    head = {
        "format": "voxkeep-transcripts/1",
        "generated_at": iso(snap.generated_at),
        "times": "UTC",
    }
    yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "recordings": [').encode()
    first = True
    parts: list[str] = []
    for row, text in snap.with_transcripts(snap.by_time()):
        parts.append(
            ("\n" if first else ",\n") + json.dumps(_record(snap, row, text), ensure_ascii=False)
        )
        first = False
        if len(parts) >= _BATCH:
            yield "".join(parts).encode()
            parts.clear()
    parts.append("\n]}\n")
    yield "".join(parts).encode()


def transcripts_csv(snap: Snapshot) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 accents right
    writer.writerow(CSV_FIELDS)
    rows = snap.with_transcripts(snap.by_time())
    for count, (row, text) in enumerate(rows, start=1):
        record = _record(snap, row, text)
        writer.writerow(["" if record[f] is None else record[f] for f in CSV_FIELDS])
        if count % _BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def account_json(snap: Snapshot) -> bytes:
    return (json.dumps(snap.account, ensure_ascii=False, indent=2) + "\n").encode()


def requests_json(snap: Snapshot) -> bytes:
    body = {"requests": snap.requests, "times": "UTC"}
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def index_html(snap: Snapshot) -> Iterator[bytes]:
    lang = snap.language
    t = strings(lang)
    counts = Counter(r.device for r in snap.rows)
    withheld = snap.withheld
    if withheld:
        others = t["others_withhold"].format(n=withheld)
    elif snap.attributed:
        others = t["others_include"]
    else:
        others = ""
    retention = t.get(f"retention_{snap.account['settings']['retention']}", "")
    template = _env.get_template("index.html.j2")
    stream = template.generate(
        lang=lang,
        t=t,
        generated=t["generated"].format(date=long_date(snap.generated_at, lang)),
        categories=t["b_text"].format(
            recordings=len(snap.rows), devices=len(snap.devices), members=len(snap.members)
        ),
        retention=t["d_text"].format(retention=retention),
        others=others,
        groups=_groups(snap, counts),
    )
    parts: list[str] = []
    size = 0
    for piece in stream:
        parts.append(piece)
        size += len(piece)
        if size >= 64 * 1024:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    yield "".join(parts).encode()


# The template reads these by attribute: tuples with names, because Jinja
# tries getattr before getitem and a dict row made every lookup an exception.
class _HtmlRow(NamedTuple):
    date: str
    time: str
    length: str
    speaker: str
    text: str
    path: str | None


class _HtmlGroup(NamedTuple):
    id: str
    name: str
    kind: str
    total: str
    rows: Iterator[_HtmlRow]


def _groups(snap: Snapshot, counts: Counter[str]) -> Iterator[_HtmlGroup]:
    t = strings(snap.language)
    for device_id, rows in groupby(snap.rows, key=lambda r: r.device):
        info = snap.devices.get(device_id)
        yield _HtmlGroup(
            id=device_id,
            name=info.name if info else device_id,
            kind=t.get(f"kind_{info.kind}", info.kind) if info else "",
            total=t["count_recordings"].format(n=counts[device_id]),
            rows=_html_rows(snap, list(rows)),
        )


def _html_rows(snap: Snapshot, rows: list[Row]) -> Iterator[_HtmlRow]:
    t = strings(snap.language)
    for row, text in snap.with_transcripts(rows):
        if row.path is None:
            body = t["withheld"]
        else:
            body = text if text is not None else t["no_transcript"]
        yield _HtmlRow(
            date=long_date(row.captured_at, snap.language),
            time=clock(row.captured_at),
            length=duration(row.duration_ms),
            speaker=snap.members.get(row.member, row.member) if row.member else "",
            text=body,
            path=row.path,
        )
