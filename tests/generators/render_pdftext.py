"""Render an expected-values JSON as the text that comes out of a PDF of the report.

Two forms:

- ``layout``: what ``pdftotext -layout`` prints. The tables are laid out on a character grid the way a
  PDF draws them: column widths, labels wrapped inside their cells (the numbers of a row on the middle
  line of a three-line label, or on a line of their own between the two lines of a two-line label), group
  labels ("三、本年度办理结果", "（三）不予公开") in narrow columns, one or two characters per line,
  vertically centred over the rows they span, numbers centred in their columns, blank cells printed as
  nothing. Pages are about 50 lines: each ends with its page number ("- 3 -") and the next starts with
  a form feed and a running header; section 三 always breaks across a page, and its header rows are
  printed again after the break. ``cjk=2`` places every fragment at the column of its x position while a
  CJK character takes one character (as pdftotext does), ``cjk=1`` lays the page out as if CJK
  characters were as wide as digits.
- ``plain``: what ``pdftotext`` without ``-layout`` or a copy-paste gives: every line of every cell on a
  line of its own, no blank lines, blank cells absent, and some section-三 labels displaced by the text
  order: after all the numbers of their row (``after_all``), after the first number (``after_first``),
  or cut around the numbers (``split``: the first line before them, the rest after); ``drop`` leaves a
  row's label out (it cannot then be placed with certainty).

Nothing here is copied from a real report: the prose and layout come from ``tests/generators``.

usage: python -m tests.generators.render_pdftext GOLD.json OUT.txt --form layout|plain [--cjk 1|2]
"""
from __future__ import annotations

import argparse
import json
import unicodedata

from tests.generators import Block, C, blocks_for

FORMS = ("layout", "plain")

#: s3 rows in the order the template prints them, by gold key
S3_KEYS_2021 = (["new", "carried_over", "granted", "partial"] + [f"denied_{i}" for i in range(1, 9)]
                + [f"unable_{i}" for i in range(1, 4)] + [f"rejected_{i}" for i in range(1, 6)]
                + [f"other_{i}" for i in range(1, 4)] + ["total", "carry_forward"])
S3_KEYS_2019 = [k for k in S3_KEYS_2021 if not k.startswith("other_")]
S3_KEYS_2019.insert(S3_KEYS_2019.index("total"), "other")

#: default damage of the plain form: gold s3 key -> how its label is displaced
PLAIN_DAMAGE = {"partial": "split", "denied_4": "after_all", "unable_2": "after_first",
                "carry_forward": "after_all"}
#: default rows of the layout form whose two-line label has the numbers on a line of their own
LAYOUT_BETWEEN = ("denied_2", "rejected_5")
#: the s3 row after which the page breaks
BREAK_AFTER = "denied_5"

_NO_LINE_START = set("、，。）)：；,.;:”’》")
PAGE_LINES = 50
PAGE_WIDTH = 96


# --- text measures ------------------------------------------------------------------------------------

def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def dwidth(text: str, cjk: int = 2) -> int:
    return sum(cjk if _wide(c) else 1 for c in text)


def wrap(text: str, inner: int, cjk: int = 2) -> list[str]:
    """Lines of at most ``inner`` display columns; closing punctuation never starts a line."""
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and dwidth(cur + ch, cjk) > inner and ch not in _NO_LINE_START:
            lines.append(cur)
            cur = ""
        cur += ch
    if cur:
        lines.append(cur)
    return lines


def _place(parts: list[tuple[int, str]]) -> str:
    """One output line from (column, text) fragments; at least two spaces between fragments."""
    out = ""
    for x, text in sorted(parts):
        if out:
            x = max(x, len(out) + 2)
        out += " " * (x - len(out)) + text
    return out.rstrip()


# --- tables on a character grid -------------------------------------------------------------------------

def _cells(rows: list[list[C]]):
    """(row, first column, cell) for every written cell, with merged cells placed once."""
    taken: dict[tuple[int, int], bool] = {}
    out = []
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while taken.get((r, col)):
                col += 1
            out.append((r, col, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, col + dc)] = True
            col += cell.colspan
    return out


def table_kind(rows: list[list[C]]) -> str:
    ncols = max(sum(c.colspan for c in row) for row in rows)
    return {10: "s3", 15: "s4"}.get(ncols, "s2")


def widths_of(kind: str, ncols: int) -> tuple[list[int], int]:
    """Column widths (display columns) and the number of label columns."""
    if kind == "s3":
        return [6, 10, 24] + [8] * 7, 3
    if kind == "s4":
        return [6] * 15, 0
    return [30] + [18] * (ncols - 1), 1


def layout_table(rows: list[list[C]], cjk: int = 2, between: set[int] = frozenset()):
    """The table as output lines, with the line range of every table row: (lines, [(y0, y1)])."""
    kind = table_kind(rows)
    ncols = max(sum(c.colspan for c in row) for row in rows)
    widths, nlabel = widths_of(kind, ncols)
    x0 = [sum(widths[:i]) for i in range(ncols + 1)]
    placed = []
    for r, c, cell in _cells(rows):
        bw = x0[min(c + cell.colspan, ncols)] - x0[c]
        text = cell.text.replace("\n", "")
        lines = wrap(text, bw - 2, cjk) if text else []
        placed.append((r, c, cell, bw, lines))
    nrows = len(rows)
    h = [1] * nrows
    for r, c, cell, bw, lines in placed:
        if cell.rowspan == 1:
            h[r] = max(h[r], len(lines))
    for r in between:
        h[r] = max(h[r], 3)
    for r, c, cell, bw, lines in placed:
        if cell.rowspan > 1:
            have = sum(h[r:r + cell.rowspan])
            k = 0
            while have < len(lines):
                h[r + k % cell.rowspan] += 1
                have += 1
                k += 1
    y0 = [sum(h[:i]) for i in range(nrows + 1)]
    grid: list[list[tuple[int, str]]] = [[] for _ in range(y0[-1])]
    for r, c, cell, bw, lines in placed:
        if not lines:
            continue
        total = y0[r + cell.rowspan] - y0[r]
        ys = [y0[r] + (total - len(lines)) // 2 + i for i in range(len(lines))]
        if r in between and cell.rowspan == 1 and len(lines) == 2 and total == 3:
            ys = [y0[r], y0[r] + 2]
        for y, line in zip(ys, lines):
            w = dwidth(line, cjk)
            if c < nlabel:
                x = x0[c] + 1
            else:
                x = x0[c] + (bw - w) // 2
            grid[y].append((x, line))
    return [_place(parts) for parts in grid], [(y0[r], y0[r + 1]) for r in range(nrows)]


# --- pages --------------------------------------------------------------------------------------------

class _Pages:
    """Lines cut into pages: each page ends with its number; the next starts with a form feed and a
    running header."""

    def __init__(self, header: str, cjk: int):
        self.lines: list[str] = []
        self.page = 1
        self.on_page = 0
        self.header = header
        self.cjk = cjk

    def center(self, text: str) -> str:
        return " " * max(0, (PAGE_WIDTH - dwidth(text, self.cjk)) // 2) + text

    def room(self) -> int:
        return PAGE_LINES - self.on_page

    def add(self, lines: list[str]):
        for ln in lines:
            if self.on_page >= PAGE_LINES:
                self.new_page()
            self.lines.append(ln)
            self.on_page += 1

    def new_page(self):
        self.lines += ["", self.center(f"- {self.page} -")]
        self.page += 1
        self.lines.append("\f" + self.center(self.header))
        self.lines.append("")
        self.on_page = 2

    def text(self) -> str:
        self.lines += ["", self.center(f"- {self.page} -")]
        return "\n".join(self.lines) + "\n\f"


def _s3_index(gold: dict) -> dict[str, int]:
    keys = S3_KEYS_2019 if str(gold.get("format")) == "2019" else S3_KEYS_2021
    return {k: 3 + i for i, k in enumerate(keys)}


def render_layout(gold: dict, cjk: int = 2, between=LAYOUT_BETWEEN, break_after: str = BREAK_AFTER,
                  blocks: list[Block] | None = None) -> str:
    """The ``pdftotext -layout`` form. ``blocks`` replaces the report's blocks (other prose)."""
    blocks = blocks or blocks_for(gold)
    title = blocks[0].text
    pages = _Pages(title, cjk)
    index = _s3_index(gold)
    para_width = 84
    for b in blocks:
        if b.kind == "title":
            pages.add([pages.center(b.text), ""])
        elif b.kind == "heading":
            if pages.room() < 6:
                pages.new_page()
            pages.add(["", "    " + b.text])
        elif b.kind == "subheading":
            pages.add(["    " + b.text])
        elif b.kind == "para":
            lines = wrap(b.text, para_width - 4, cjk)
            pages.add(["    " + lines[0]] + lines[1:])
        else:
            kind = table_kind(b.rows)
            rows_between = {index[k] for k in between if k in index} if kind == "s3" else set()
            lines, ranges = layout_table(b.rows, cjk, rows_between)
            lines = ["  " + ln if ln else ln for ln in lines]
            nhead = 3 if kind in ("s3", "s4") else 0
            head = lines[:ranges[nhead - 1][1]] if nhead else []
            pages.add([""])
            cut = index.get(break_after) if kind == "s3" else None
            for r, (a, z) in enumerate(ranges):
                part = lines[a:z]
                if r >= nhead and (pages.room() < len(part) or (cut is not None and r == cut + 1)):
                    pages.new_page()
                    pages.add(head)
                pages.add(part)
            pages.add([""])
    return pages.text()


# --- plain text ---------------------------------------------------------------------------------------

def render_plain(gold: dict, damage: dict[str, str] | None = None, break_after: str = BREAK_AFTER,
                 blocks: list[Block] | None = None) -> str:
    """The plain ``pdftotext`` form. ``blocks`` replaces the report's blocks (other prose)."""
    damage = PLAIN_DAMAGE if damage is None else damage
    blocks = blocks or blocks_for(gold)
    title = blocks[0].text
    out: list[str] = []
    page = [1, 0]                                  # page number, visual lines on the page

    def new_page():
        out.append(f"- {page[0]} -")
        page[0] += 1
        page[1] = 2
        out.append("\f" + title)

    def full() -> bool:
        return page[1] > PAGE_LINES - 4

    index = _s3_index(gold)
    row_key = {v: k for k, v in index.items()}
    for b in blocks:
        if b.kind != "table":
            lines = wrap(b.text, 68) if b.kind == "para" else [b.text]
            if full():
                new_page()
            out.extend(lines)
            page[1] += len(lines)
            continue
        kind = table_kind(b.rows)
        ncols = max(sum(c.colspan for c in row) for row in b.rows)
        widths, nlabel = widths_of(kind, ncols)
        x0 = [sum(widths[:i]) for i in range(ncols + 1)]
        per_row: dict[int, list[tuple[int, C]]] = {}
        for r, c, cell in _cells(b.rows):
            per_row.setdefault(r, []).append((c, cell))
        head_lines: list[str] = []
        for r in range(len(b.rows)):
            labels: list[str] = []
            values: list[str] = []
            for c, cell in per_row.get(r, []):
                text = cell.text.replace("\n", "")
                if not text:
                    continue
                bw = x0[min(c + cell.colspan, ncols)] - x0[c]
                if c >= nlabel and not cell.header:
                    values.append(text)
                else:
                    labels.extend(wrap(text, bw - 2))
            how = damage.get(row_key.get(r, ""), "") if kind == "s3" else ""
            if how and labels and values:
                # the row label (the last label cell) moves; group labels before it stay in place
                own = _own_label_lines(per_row[r], nlabel, x0, ncols)
                keep = labels[:len(labels) - len(own)]
                if how == "after_all":
                    lines = keep + values + own
                elif how == "after_first":
                    lines = keep + values[:1] + own + values[1:]
                elif how == "drop":
                    lines = keep + values
                else:                                  # split
                    lines = keep + own[:1] + values + own[1:]
            else:
                lines = labels + values
            if kind == "s3" and r < 3:
                head_lines += lines
            if r >= 3 and full() or kind == "s3" and r == index.get(break_after) + 1:
                new_page()
                out.extend(head_lines)
                page[1] += 3
            out.extend(lines)
            page[1] += max(1, len(labels) - 1)          # a table row is one line of the page
    out.append(f"- {page[0]} -")
    return "\n".join(out) + "\n\f"


def _own_label_lines(cells: list[tuple[int, C]], nlabel: int, x0: list[int], ncols: int) -> list[str]:
    labels = [(c, cell) for c, cell in cells if c < nlabel and cell.text]
    c, cell = labels[-1]
    bw = x0[min(c + cell.colspan, ncols)] - x0[c]
    return wrap(cell.text.replace("\n", ""), bw - 2)


def render(gold: dict, form: str = "layout", **kw) -> str:
    if form == "layout":
        return render_layout(gold, **kw)
    if form == "plain":
        return render_plain(gold, **kw)
    raise ValueError(f"unknown form {form}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--form", choices=FORMS, default="layout")
    ap.add_argument("--cjk", type=int, choices=(1, 2), default=2)
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    kw = {"cjk": a.cjk} if a.form == "layout" else {}
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(render(gold, a.form, **kw))


if __name__ == "__main__":
    main()
