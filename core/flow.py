"""Reading tables whose structure was lost, by the template alone.

Text scraped from a web page often keeps none of the table's structure: its line breaks collapsed, its
cells glued together ("一、本年新收政府信息公开申请数量801000081二、上年结转…") or separated by single
spaces ("…申请数量 11 0 0 0 0 0 11 二、上年结转…"). A layout hands such text to the core as ``FLOW`` rows;
the section headings are found in it by :mod:`core.sections`, and here each table section is cut into
rows at the template's row labels: every run of values is a row, the words before it its label. Runs
are left whole — the placement splits them into their cells under the template's identities
(:mod:`core.solver`) once it knows which row each one is.

Numbers that belong to prose are left out of the runs: one followed by a unit of prose ("81件",
"51.85%", "2025年") or preceded by 第. A report year glued onto the end of a run ("02025年，我局…") is
given back to the prose, and a label's numbering glued onto the end of the run before it
("…00000002.其他法律…") is given back to the label.
"""

from __future__ import annotations

import bisect
import itertools
import re

from core.cells import RUN, CellReading
from core.labels import similarity
from core.layout import Cell, Row
from core.tables import Slot, TableRow
from core.template import S2_ROWS
from core.text import fold_chars, norm

#: A run of glued values: digits, stray spaces, a sign or a decimal point between digits, a unit at the end.
_RUN = re.compile(r"[+-]?\d(?:[\d ]|\.(?=\d)|[+-](?=\d))*(?:万元|亿元|元|万)?")
#: Characters that follow a number in prose ("81件", "51.85%", "2023年"), never a table label.
_PROSE_AFTER = set("件条个次篇%年月日人份家余多项位名期号届批周天")
#: A year printed at the end of a run, when the run is followed by 年: the start of a sentence of prose.
_YEAR_TAIL = re.compile(r"(?:19|20)\d\d$")
#: Numbering that starts a label of section 三: "（三）", "三、", "2." (halfwidth after folding).
_MARK = re.compile(
    r"[(][一二三四五六七八九十]{1,2}[)]|[一二三四五六七八九十]{1,2}[、.](?!\d)|(?<![\d.])\d{1,2}[.、](?!\d)"
)
#: How closely the words before a run must end with a section-二 row label.
S2_LABEL_MIN = 88.0

_S2_LABELS = sorted(
    {(norm(label), r.id) for rows in S2_ROWS.values() for r in rows for label in r.labels}, key=lambda lr: -len(lr[0])
)


class _Text:
    """The FLOW rows of one section joined by line breaks, with the line and column of every offset."""

    def __init__(self, rows: list[Row]):
        parts, self.starts, self.cells = [], [], []
        pos = 0
        for row in rows:
            cell = row.cells[0]
            self.starts.append(pos)
            self.cells.append(cell)
            parts.append(cell.text)
            pos += len(cell.text) + 1
        self.text = "\n".join(parts)
        self.folded = fold_chars(self.text)

    def cell(self, a: int, b: int) -> Cell | None:
        """The text printed at [a, b), stripped, as a cell of the line it is on; None when blank."""
        raw = self.text[a:b]
        s = raw.strip()
        if not s:
            return None
        a += len(raw) - len(raw.lstrip())
        k = bisect.bisect_right(self.starts, a) - 1
        src = self.cells[k]
        off = a - self.starts[k]
        printed = None if src.printed is None else src.printed[off : off + len(s)]
        return Cell(s, line=src.line, col=(src.col or 1) + off, page=src.page, printed=printed)

    def labels(self, a: int, b: int, marks: bool) -> list[Cell]:
        """Label cells printed at [a, b): cut at line ends and, for section 三, before each numbering."""
        cuts = {a, b}
        for i in range(a, b):
            if self.text[i] == "\n":
                cuts.update((i, i + 1))
        if marks:
            for m in _MARK.finditer(self.folded, a, b):
                cuts.add(m.start())
        edges = sorted(cuts)
        return [c for s, e in itertools.pairwise(edges) if (c := self.cell(s, e)) is not None]

    def runs(self, numbering: bool) -> list[tuple[int, int]]:
        """Runs of values: prose numbers left out, a year that starts prose and (with ``numbering``) a
        label's numbering glued onto the run's end given back."""
        ft = self.folded
        out = []
        for m in _RUN.finditer(ft):
            s, e = m.start(), m.end()
            while e > s and ft[e - 1] == " ":
                e -= 1
            if s > 0 and ft[s - 1] == "第":
                continue
            if e < len(ft) and ft[e] in _PROSE_AFTER:
                # "行政事业性收费02025年，我局…": the table's last value, then a sentence that starts with a year
                year = _YEAR_TAIL.search(ft, s, e) if ft[e] == "年" else None
                if year is None or year.start() == s:
                    continue
                e = year.start()
                while e > s and ft[e - 1] == " ":
                    e -= 1
            if numbering and e < len(ft) and ft[e] in ".、" and ft[e - 1].isdigit() and not ft[e + 1 : e + 2].isdigit():
                e -= 1
                while e > s and ft[e - 1] == " ":
                    e -= 1
                if e <= s:
                    continue
            out.append((s, e))
        return out

    def row(self, labels: list[Cell], s: int, e: int) -> TableRow:
        run = self.cell(s, e)
        assert run is not None
        return TableRow(labels=labels, values=[Slot(CellReading(RUN), run)], glued=True)


def table_rows(rows: list[Row], section: str) -> list[TableRow]:
    """The rows of one table section printed as FLOW text: each run of values with the label before it."""
    text = _Text(rows)
    if section == "active_disclosure":
        return _s2_rows(text)
    if section == "review_litigation":
        return _s4_rows(text)
    out, prev = [], 0
    for s, e in text.runs(numbering=True):
        out.append(text.row(text.labels(prev, s, marks=True), s, e))
        prev = e
    return out


def _s2_rows(text: _Text) -> list[TableRow]:
    """Section 二: a run is a row only where a row label of the template ends right before it (the item
    headings and column headers between the rows are left as the label's context)."""
    out, prev = [], 0
    for s, e in text.runs(numbering=False):
        start = _s2_label_start(text, prev, s)
        if start is None:
            continue
        labels = [c for c in (text.cell(prev, start), text.cell(start, s)) if c is not None]
        out.append(text.row(labels, s, e))
        prev = e
    return out


def _s2_label_start(text: _Text, a: int, b: int) -> int | None:
    """Where the section-二 row label that ends [a, b) starts, if one does."""
    ft = text.folded
    kept: list[tuple[str, int]] = []  # (folded char, offset), from the end backwards, spaces and quotes skipped
    i = b - 1
    while i >= a and len(kept) < 16:
        ch = norm(ft[i])
        if ch:
            kept.append((ch, i))
        i -= 1
    tail = "".join(ch for ch, _ in reversed(kept))
    for label, _rid in _S2_LABELS:
        if tail.endswith(label):
            return kept[len(label) - 1][1]
    for label, _rid in _S2_LABELS:
        for k in range(len(label) - 1, len(label) + 3):
            if 2 <= k <= len(kept) and similarity(tail[-k:], label) >= S2_LABEL_MIN:
                return kept[k - 1][1]
    return None


def _s4_rows(text: _Text) -> list[TableRow]:
    """Section 四: its one row is the longest run (the header words before it are its labels)."""
    runs = text.runs(numbering=False)
    if not runs:
        return []
    s, e = max(runs, key=lambda r: (sum(ch.isdigit() for ch in text.folded[r[0] : r[1]]), -r[0]))
    return [text.row(text.labels(0, s, marks=False), s, e)]
