"""A layout plugin for zfxxgk: annual reports saved as CSV from a spreadsheet.

Someone who keeps a report in Excel or WPS and saves it "as CSV" gets one record per spreadsheet row:
fields separated by commas, a field quoted when it holds a comma, a quote or a line break (Alt+Enter in a
cell), and every record padded with empty fields to the width of the sheet. The file is UTF-8 (often with
a byte-order mark) or GBK; the core decodes both before this plugin sees the text.

Each record becomes one :class:`core.layout.Row`:

- a record with two or more filled fields is a ``TABLE`` row holding every field, empty ones included,
  so that a blank cell keeps its column;
- a record with one filled field is a ``TEXT`` row (a heading or a paragraph of prose);
- a record with no filled field (an empty spreadsheet row) is dropped.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from core.sdk import TABLE, TEXT, Cell, LayoutPlugin, Row, hookimpl

__version__ = "0.1.0"

#: ``detect`` looks at no more than this many characters, so that it stays cheap on large files.
DETECT_CHARS = 100_000
#: Table rows needed before ``detect`` is fully confident.
ENOUGH_ROWS = 20
#: Fewer multi-field records than this and the file is not a table export at all.
MIN_ROWS = 5
#: A sheet narrower than this cannot hold the report's tables (section 二 alone is four columns wide).
MIN_WIDTH = 3
#: Below this share of multi-field records, or of records of the common widths, the file is prose that
#: happens to hold commas, not a CSV export.
MIN_SHARE = 0.5


def read_records(text: str) -> Iterator[list[Cell]]:
    """The CSV records of ``text``, each a list of cells with the line and column where its text starts.

    RFC 4180 with the leniency of spreadsheet exports: a field is quoted only when it starts with ``"``,
    ``""`` inside quotes is one quote, text after a closing quote is kept, and a quoted field may run over
    several lines (its lines are joined without a separator, as CJK text wraps).
    """
    i, n = 0, len(text)
    line, col = 1, 1
    fields: list[Cell] = []
    while True:
        start_line, start_col = line, col
        if i < n and text[i] == '"':
            i += 1
            col += 1
            parts: list[str] = []
            while i < n:
                ch = text[i]
                if ch == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        parts.append('"')
                        i += 2
                        col += 2
                        continue
                    i += 1
                    col += 1
                    break
                parts.append(ch)
                if ch == "\n":
                    line, col = line + 1, 1
                else:
                    col += 1
                i += 1
            j = i
            while j < n and text[j] not in ",\n":
                j += 1
            parts.append(text[i:j])
            col += j - i
            i = j
            raw = "".join(parts)
            fields.append(_cell(raw, start_line, start_col + 1))
        else:
            j = i
            while j < n and text[j] not in ",\n":
                j += 1
            fields.append(_cell(text[i:j], start_line, start_col))
            col += j - i
            i = j
        if i >= n:
            yield fields
            return
        if text[i] == ",":
            i += 1
            col += 1
            continue
        # end of record
        i += 1
        yield fields
        fields = []
        line, col = line + 1, 1


def _cell(raw: str, line: int, col: int) -> Cell:
    first = raw.split("\n", 1)[0]
    lead = len(first) - len(first.lstrip())
    text = "".join(part.strip() for part in raw.split("\n"))
    return Cell(text, line=line, col=col + lead if text else col)


def _text_or_none(source) -> str | None:
    """The decoded text, or None when the file is not text (``detect`` must not raise)."""
    try:
        if source.looks_binary():
            return None
        return source.text
    except Exception:  # UnreadableInput, or anything odd: this layout simply does not apply
        return None


def detect(source) -> float | None:
    """How surely the file is a CSV export: most non-empty lines are records of several fields, most of
    them the same width, and hardly any line holds a tab or a pipe (those belong to other layouts)."""
    text = _text_or_none(source)
    if text is None:
        return None
    head = text[:DETECT_CHARS]
    if head.count(",") < MIN_ROWS * (MIN_WIDTH - 1):
        return 0.0  # too few field separators for any table export: no need to read the records
    lines = [s for s in head.split("\n") if s.strip()]
    if not lines:
        return 0.0
    delimited = sum(1 for s in lines if "\t" in s or "|" in s)
    if delimited > 0.05 * len(lines):
        return 0.0
    widths: list[int] = []
    filled_records = table_rows = 0
    for rec in read_records(head):
        filled = sum(1 for c in rec if c.text)
        if not filled:
            continue
        filled_records += 1
        if len(rec) >= 2:
            widths.append(len(rec))
        if filled >= 2:
            table_rows += 1
    if table_rows < MIN_ROWS or not widths:
        return 0.0
    common = Counter(widths).most_common(2)
    if common[0][0] < MIN_WIDTH:
        return 0.0
    consistency = sum(count for _, count in common) / len(widths)
    multi_field = len(widths) / filled_records
    if consistency < MIN_SHARE or multi_field < MIN_SHARE:
        return 0.0
    score = multi_field * consistency * min(1.0, table_rows / ENOUGH_ROWS)
    return round(score, 3)


def parse(source) -> list[Row]:
    rows: list[Row] = []
    for rec in read_records(source.text):
        filled = [c for c in rec if c.text]
        if not filled:
            continue
        if len(filled) == 1:
            rows.append(Row((filled[0],), TEXT))
        else:
            rows.append(Row(tuple(rec), TABLE))
    return rows


@hookimpl
def core_layouts():
    return [LayoutPlugin(name="csv", detect=detect, parse=parse,
                         description="CSV saved from a spreadsheet (UTF-8, UTF-8 with BOM, or GBK)")]
