"""Turning a table of merged cells (HTML rowspan/colspan, or Word gridSpan/vMerge converted to spans)
into rectangular rows of :class:`core.layout.Cell`, with cell text normalised the same way for both."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.sdk import TABLE, Cell, Row

#: Widest row kept. Report tables have at most 16 columns; the cap bounds memory against absurd colspans.
MAX_COLUMNS = 256
#: Longest rowspan honoured (the HTML limit); rowspan="0" means "to the end of the table".
MAX_ROWSPAN = 65534
#: Table cells of one document after merged cells are expanded. A long report's tables have ~6,000; a
#: page that also lays itself out in tables, a few times that. One cell spanning 256 columns and every
#: row of 40,000 would otherwise expand to ten million cells (and 133 MB of JSON).
MAX_CELLS = 200_000
#: Rows (table rows and lines of text) of one document: a long report has ~2,000; the core spends
#: ~25 us on each, so this keeps the worst case near three seconds.
MAX_ROWS = 100_000
#: Elements of the markup (counted as ``<`` before it is parsed, so a flood of empty elements never
#: becomes a tree): a long report's Word document part has ~300,000, a saved web page fewer.
MAX_TAGS = 4_000_000


class Exceeded(Exception):
    """A bound reached: the layout refuses the file with this one line (after the file's name)."""


class Budget:
    """What one document has used of the bounds, counted while its tables are expanded and its rows made;
    past a bound :class:`Exceeded` names it."""

    def __init__(self, name: str):
        self.name = name
        self.cells = 0
        self.rows = 0

    def refuse(self, what: str, limit: int) -> None:
        raise Exceeded(f"{self.name}: {what} is more than any report has (limit {limit:,})")

    def add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            self.refuse(f"{self.cells:,} table cells (merged cells expanded) and counting", MAX_CELLS)

    def add_rows(self, n: int = 1) -> None:
        self.rows += n
        if self.rows > MAX_ROWS:
            self.refuse(f"{self.rows:,} rows and counting", MAX_ROWS)

    def tags(self, markup: bytes) -> None:
        n = markup.count(b"<")
        if n > MAX_TAGS:
            self.refuse(f"{n:,} tags of markup", MAX_TAGS)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A line break in the source between two CJK characters is not a space (CSS Text 3 segment-break rule).
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f\v]*\n\s*(?=[{_CJK}])")
_NUMBER = re.compile(r"[-+−－]?[\d０-９][\d０-９,，]*(?:[.．][\d０-９]+)?\s*(?:万元|亿元|元|件|个|项|条|次|人|%|％)?")
_PLACEHOLDER = re.compile(r"[-—–－/／\\×*＊_.…]+|无")


def clean(text: str) -> str:
    """Collapse whitespace (nbsp and ideographic spaces included) and drop invisible characters."""
    text = text.translate(_INVISIBLE)
    if "\n" in text:
        text = _CJK_BREAK.sub("", text)
    return " ".join(text.split())


def join_pieces(pieces) -> str:
    """Join the cleaned lines of one cell: Chinese needs no separator, nor does a number wrapped over two
    lines ("300" / "1" is 3001); two Latin ends get a space."""
    out = ""
    for p in pieces:
        p = clean(p)
        if not p:
            continue
        if (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and p[0].isascii()
            and p[0].isalnum()
            and not (out[-1].isdigit() and p[0].isdigit())
        ):
            out += " "
        out += p
    return out


def is_label(text: str) -> bool:
    """True for a cell the core reads as a label (repeated across its merge), False for a value or blank."""
    if not text:
        return False
    return not (_NUMBER.fullmatch(text) or _PLACEHOLDER.fullmatch(text))


@dataclass(slots=True)
class Span:
    """One cell as written, before merges are expanded."""

    text: str
    line: int | None = None
    col: int | None = None
    rowspan: int = 1
    colspan: int = 1


def _span_count(value, limit: int, zero: int) -> int:
    try:
        n = int(str(value).strip().rstrip(";"))
    except (TypeError, ValueError):
        return 1
    if n == 0:
        return zero
    return max(1, min(n, limit))


def span_counts(rowspan, colspan, rows_left: int) -> tuple[int, int]:
    """Parse rowspan/colspan attribute values the forgiving way browsers do."""
    return (_span_count(rowspan, MAX_ROWSPAN, max(1, rows_left)), _span_count(colspan, MAX_COLUMNS, 1))


def expand(rows: list[list[Span]], budget: Budget | None = None) -> list[list[Cell]]:
    """Rectangular rows: a label covering several positions is repeated in each, a value or blank only in
    its first position (the others blank), so the core sees every label next to its numbers and never
    counts a number twice. Each row's cells are counted against ``budget`` as it is made."""
    out: list[list[Cell]] = []
    # column -> [rows still covered, the span, True when it is a label]
    above: dict[int, list] = {}

    def fill_from_above(cells: list[Cell], upto: int | None) -> None:
        while len(cells) < MAX_COLUMNS and (upto is None or len(cells) < upto):
            c = len(cells)
            cover = above.get(c)
            if cover is None:
                if upto is None:
                    return
                cells.append(Cell(""))
                continue
            span: Span = cover[1]
            cells.append(Cell(span.text if cover[2] else "", line=span.line, col=span.col))
            cover[0] -= 1
            if cover[0] <= 0:
                del above[c]

    for written in rows:
        cells: list[Cell] = []
        for span in written:
            fill_from_above(cells, None)
            label = is_label(span.text)
            start = len(cells)
            for k in range(span.colspan):
                if len(cells) >= MAX_COLUMNS:
                    break
                text = span.text if (k == 0 or label) else ""
                cells.append(Cell(text, line=span.line, col=span.col))
                if span.rowspan > 1:
                    above[start + k] = [span.rowspan - 1, span, label]
        # Columns still covered by a rowspan from above, after the last cell written in this row.
        if above:
            last = max(above)
            fill_from_above(cells, last + 1)
        if len(written) == 1 and len(cells) == written[0].colspan and is_label(written[0].text):
            # One label across the whole row (a heading such as "第二十条第（一）项"): one cell, as printed.
            cells = cells[:1]
        if budget is not None:
            budget.add_cells(len(cells))
        out.append(cells)
    return out


def table_rows(rows: list[list[Span]], budget: Budget | None = None) -> list[Row]:
    """TABLE rows of an expanded grid; rows with no text at all are dropped."""
    return [Row(tuple(cells), TABLE) for cells in expand(rows, budget) if any(c.text for c in cells)]
