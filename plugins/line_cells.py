"""Layout: one cell per line with no blank line between cells (plain ``pdftotext`` without ``-layout``,
or text copied out of a PDF viewer).

What such text looks like, and what this layout does about it:

- every cell is a line, every line of a wrapped cell too, and a blank cell is no line at all;
- a label wrapped over several lines is joined back into one cell: a line continues the label above it
  when that label has an open bracket, when both are the one- or two-character fragments of a label
  printed vertically ("三、" "本年" "度办" ...), or when the label is numbered, its last line is long
  (cut at the cell's width) and the line is followed by a number or by the next numbered label;
- the PDF's text order sometimes puts a row label, vertically centred beside a tall row, *after* the
  row's first number or after all its numbers ("0 0 0 0 0 0 0 4.保护第三方合法权益"), or cuts a label
  around its numbers. In section 三, where every row has 7 cells, the numbers are cut into rows of 7 and
  each label group is given to the rows it can stand beside: before its row (the usual place), after
  the row's first number, or (its first label) after the previous row's last number. Group headings
  ("三、本年度办理结果", "（三）不予公开": a numbered label followed by deeper-numbered ones) and header
  cells name no row. The placement is used only where exactly one placement gives every row exactly
  one row label; the rows are cut into stretches at label groups that cannot belong to the row before
  them, so a doubt stays local;
- blank cells print nothing, so the numbers may not cut into rows of 7. The labels are then read in
  the usual place when nothing shows a displaced label (the core fits the blanks with the row's
  arithmetic); when something does (a run longer than a row, two row labels together, a row label
  after the last number), only runs of a whole row that the single placement labels and whose total
  adds up are read: every other number is marked unread, and the core writes null and warns;
- page breaks bring page numbers, running headers and the table's header cells again: page furniture is
  dropped, repeated header cells are extra labels the core ignores;
- prose and headings are kept as TEXT rows, one per line; outside sections 二, 三 and 四 nothing is joined.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.sdk import (
    AMOUNT,
    BLANK,
    CELL,
    NUMBER,
    TABLE,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    hookimpl,
    read_cell,
    text_lines,
)

from ._lines import is_number_line, saturate
from ._pdftext import furniture, numbering, page_lines, section_heading, unbalanced

#: Cells per row of section 三 (自然人 … 总计).
S3_WIDTH = 7
_TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
_GAP = re.compile(r"\S {2,}(?=\S)")
UNREAD = "the row labels around this number are out of order and its row could not be decided"


# --- detect -----------------------------------------------------------------------------------------

def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    lines = [s.replace("\f", "") for s in lines[:8000]]
    filled = numbers = adjacent = delimited = aligned = 0
    for i, s in enumerate(lines):
        if not s.strip():
            continue
        filled += 1
        if "|" in s or "\t" in s:
            delimited += 1
        elif len(_GAP.findall(s.strip())) >= 2:
            aligned += 1
        if is_number_line(s):
            numbers += 1
            if i + 1 < len(lines) and lines[i + 1].strip():
                adjacent += 1
    if numbers < 10:
        return 0.0
    score = 0.9 * (adjacent / numbers) * saturate(numbers, 60) * (1 - (delimited + aligned) / filled)
    return round(max(0.0, score), 3)


# --- parse ------------------------------------------------------------------------------------------

@dataclass
class _Item:
    """A cell: a label (its lines joined) or a value."""

    text: str
    line: int
    col: int
    value: bool
    parts: list[str] = field(default_factory=list)   # the printed lines of a label

    #: the label starts with a row numbering ("（三）", "1.", "一、"); set from its first line
    numbered: bool = False

    def __post_init__(self):
        if not self.value:
            self.numbered = bool(numbering(self.text))

    def cell(self, unread: str | None = None) -> Cell:
        return Cell(self.text, line=self.line, col=self.col, unread=unread)


_DIGITS = re.compile(r"[+-]?\d+")


def _is_value(word: str) -> bool:
    if _DIGITS.fullmatch(word):
        return True
    if len(word) > 14:
        return False
    r = read_cell(word)
    return r.kind in (NUMBER, AMOUNT) or (r.kind == BLANK and bool(word.strip()))


def parse(source: Source) -> list[Row]:
    plines = page_lines(source.lines)
    drop = furniture(plines)
    rows: list[Row] = []
    section: str | None = None
    heads = [section_heading(pl.text.strip()) for pl in plines]
    found_heading = any(heads)
    pending: list[tuple[int, str, int]] = []     # lines of the current table section: (line, text, col)

    def flush():
        if pending:
            rows.extend(_table_section(pending, section if found_heading else None))
            pending.clear()

    for i, pl in enumerate(plines):
        text = pl.text.strip()
        if not text or i in drop:
            continue
        col = len(pl.text) - len(pl.text.lstrip()) + 1
        key = heads[i]
        if key:
            flush()
            section = key
            rows.append(Row((Cell(text, line=pl.no, col=col),), TEXT))
            continue
        if not found_heading or section in _TABLE_SECTIONS:
            pending.append((pl.no, text, col))
        else:
            rows.append(Row((Cell(text, line=pl.no, col=col),), TEXT))
    flush()
    return rows


def _items(lines: list[tuple[int, str, int]]) -> list[_Item]:
    """The cells of a table section: value lines cut into values, label lines joined where wrapped."""
    raw: list[_Item] = []
    for no, text, col in lines:
        words = text.split()
        if words and all(_is_value(w) for w in words):       # numbers, or a blank printed as "—"
            pos = 0
            for w in words:
                at = text.index(w, pos)
                raw.append(_Item(w, no, col + at, True))
                pos = at + len(w)
        else:
            raw.append(_Item(text, no, col, False, [text]))
    out: list[_Item] = []
    last_label: _Item | None = None
    for n, it in enumerate(raw):
        if not it.value:
            prev = out[-1] if out and not out[-1].value else None
            if prev is not None and _continues(prev, it, _after_wrap(raw, n)):
                prev.text += it.text
                prev.parts.append(it.text)
                continue
            if prev is None and last_label is not None and not it.numbered and unbalanced(last_label.text):
                # the rest of a label whose first line came before the row's numbers
                last_label.text += it.text
                last_label.parts.append(it.text)
                continue
            last_label = it
        out.append(it)
    return out


def _after_wrap(raw: list[_Item], n: int) -> _Item | None | bool:
    """The item after label line ``n`` and at most two more unnumbered label lines (the rest of a
    wrapped label), or False when more unnumbered lines follow (prose, or header cells)."""
    for m in range(n + 1, min(n + 4, len(raw))):
        if raw[m].value or raw[m].numbered:
            return raw[m]
    return None if n + 3 >= len(raw) else False


def _continues(prev: _Item, it: _Item, nxt: _Item | None | bool) -> bool:
    """Whether label line ``it`` is the next line of the wrapped label ``prev``; ``nxt`` is what
    follows the label's remaining lines (see ``_after_wrap``)."""
    if it.numbered:
        return False
    if unbalanced(prev.text):
        return True
    if not prev.numbered:
        return False
    last = prev.parts[-1]
    if len(it.text) <= 3 and len(last) <= 4:
        return True                                   # a label printed vertically
    return len(last) >= 8 and nxt is not False


def _table_section(lines: list[tuple[int, str, int]], section: str | None) -> list[Row]:
    items = _items(lines)
    if section == "applications":
        labels = _Labels(items)
        rows = _rows_of(items, S3_WIDTH, labels)
        if rows is not None:
            return rows
        return _usual_rows(items, S3_WIDTH, labels)
    return [Row((it.cell(),), CELL) for it in items]


def _groups(items: list[_Item]):
    """(values, label groups): each label group is (offset = values before it, [labels])."""
    values: list[_Item] = []
    groups: list[tuple[int, list[_Item]]] = []
    for it in items:
        if it.value:
            values.append(it)
        elif groups and groups[-1][0] == len(values):
            groups[-1][1].append(it)
        else:
            groups.append((len(values), [it]))
    return values, groups


class _Labels:
    """Which labels name a row, and how many rows a label group names.

    A numbered label is a group heading when the next numbered label is numbered one level deeper
    ("三、本年度办理结果" before "（一）予以公开", "（三）不予公开" before "1.属于国家秘密"). When the table
    numbers its rows, unnumbered labels (header cells, a repeated header) name no row. A group heading
    printed right before a row of numbers, with no row label after it, stands for the group's first
    row (the core places such a row by its position).
    """

    def __init__(self, items: list[_Item]):
        numbered = [it for it in items if not it.value and it.numbered]
        self.heads = {id(a) for a, b in zip(numbered, numbered[1:]) if _level(a.text) < _level(b.text)}
        self.any_numbered = bool(numbered)

    def is_row(self, it: _Item) -> bool:
        return (it.numbered or not self.any_numbered) and id(it) not in self.heads

    def rows(self, group, skip: int = 0) -> int:
        """How many row labels ``group`` holds after its first ``skip`` labels."""
        return sum(1 for x in list(group or ())[skip:] if self.is_row(x))

    def heading_last(self, group, skip: int = 0) -> bool:
        labs = list(group or ())[skip:]
        return bool(labs) and id(labs[-1]) in self.heads


def _rows_of(items: list[_Item], width: int, labels: _Labels) -> list[Row] | None:
    """Rows of ``width`` numbers with their labels placed by the shape of the sequence, or None when
    the numbers do not make whole rows or the labels admit no single placement."""
    values, groups = _groups(items)
    if not values or len(values) % width:
        return None
    n = len(values) // width
    at = {off: labs for off, labs in groups}
    for off in at:
        if off % width not in (0, 1) or off > n * width:
            return None
    before = [at.get(j * width) for j in range(n + 1)]        # A_j: labels where row j starts (A_n: after all)
    first = [at.get(j * width + 1) if width > 1 else None for j in range(n)]   # B_j: after row j's first number

    choice, ok = _placement(before, first, n, labels)
    if not all(ok):
        return None

    rows: list[Row] = []
    for j in range(n + 1):
        labs: list[_Item] = []
        if j < n:
            if before[j]:
                labs += before[j][choice[j]:]
            if first[j]:
                labs += first[j]
            if j + 1 <= n and before[j + 1] and choice[j + 1] == 1:
                labs.append(before[j + 1][0])
            cells = [lab.cell() for lab in labs] + [v.cell() for v in values[j * width:(j + 1) * width]]
            rows.append(Row(tuple(cells), TABLE))
        elif before[n]:
            for lab in before[n][choice[n]:]:
                rows.append(Row((lab.cell(),), TABLE))
    return rows


def _placement(before, first, n: int, labels, want=None) -> tuple[list[int], list[bool]]:
    """(s, ok): s_j for every label group A_j (1: its first label belongs to row j-1, printed after
    that row's numbers; 0: all its labels belong to row j), and for every row whether its labels are
    certain.

    Row j must get a number of row labels within ``want[j]`` (by default exactly one; a group heading
    right before the row's numbers counts when nothing else names it): those of A_j left after s_j,
    those of B_j (printed after row j's first number) and the first label of A_{j+1} when s_{j+1} is
    1. The rows are cut into stretches at label groups that cannot
    give a label to the row before them (no label group, or one whose first label names no row); a
    stretch is certain when exactly one placement satisfies every row in it.
    """
    want = want or [(1, 1)] * n
    choice = [0] * (n + 1)
    ok = [False] * n
    table: list[dict] = [{0: (1, None)}]          # per j: s_j -> (placements, s_{j-1})
    start = 0

    def finish(end: int):
        states = table[end]
        if sum(count for count, _b in states.values()) != 1:
            return
        s = next(iter(states))
        for j in range(end, start, -1):
            choice[j] = s
            s = table[j][s][1]
        for r in range(start, end):
            ok[r] = True

    for j in range(1, n + 1):
        options = (0, 1) if before[j] and labels.is_row(before[j][0]) else (0,)
        row = {}
        for s in options:
            paths, back = 0, None
            for sp, (count, _b) in table[-1].items():
                got = labels.rows(before[j - 1], sp) + labels.rows(first[j - 1]) + s
                if not got and not first[j - 1] and labels.heading_last(before[j - 1], sp):
                    got = 1                     # the group's first row, printed without its label
                lo, hi = want[j - 1]
                if lo <= got <= hi:
                    paths += count
                    back = sp
            if paths:
                row[s] = (paths, back)
        table.append(row)
        if options == (0,) or j == n:
            finish(j)
            start = j
            table[j] = {0: (1, None)}
    return choice, ok


def _usual_rows(items: list[_Item], width: int, labels: _Labels) -> list[Row]:
    """Rows when the numbers do not cut into whole rows (blank cells print nothing).

    Without any sign of a displaced label (no run of more numbers than a row, no two row labels
    between two runs of numbers, no row label after the last number) each label group starts a row and
    the numbers after it are its values; the core fits the blanks. A full row whose total does not add
    up followed by a short row (the shape of a label printed after the first number, hidden by a
    blank) is marked unread.

    Otherwise the runs of numbers between labels are first cut where only a displaced label explains
    them (a run of exactly two rows; a run of a row and one number followed by a run one number short),
    and labels are placed on runs as for whole rows (``_placement``). A run is read only when that
    placement is the single one that labels every run, the run holds a whole row and its total adds up;
    every other number is marked unread, since a blank cell can hide where a label moved.
    """
    labs_at: list[list[_Item]] = []               # labels before run r; the last entry: after all
    runs: list[list[_Item]] = []
    pending: list[_Item] = []
    for it in items:
        if it.value:
            if pending or not runs:
                labs_at.append(pending)
                runs.append([])
                pending = []
            runs[-1].append(it)
        else:
            pending.append(it)
    labs_at.append(pending)
    is_row = labels.is_row
    displaced = any(len(v) > width for v in runs) or \
        any(sum(1 for x in labs if is_row(x)) >= 2 for labs in labs_at) or \
        any(is_row(x) for x in labs_at[-1])
    rows: list[Row] = []

    def emit(labs, vals, sure):
        cells = [lab.cell() for lab in labs] + [v.cell(None if sure else UNREAD) for v in vals]
        if cells:
            rows.append(Row(tuple(cells), TABLE))

    if not displaced:
        sure = [True] * len(runs)
        for r, vals in enumerate(runs):
            if len(vals) == width and not _adds_up(vals) and r + 1 < len(runs) and len(runs[r + 1]) < width:
                sure[r] = sure[r + 1] = False
        for r, vals in enumerate(runs):
            emit(labs_at[r], vals, sure[r])
        for lab in labs_at[-1]:
            emit([lab], [], True)
        return rows

    # cut runs that only a displaced label explains
    r = 0
    while r < len(runs):
        if len(runs[r]) == 2 * width:
            runs[r:r + 1] = [runs[r][:width], runs[r][width:]]
            labs_at.insert(r + 1, [])
        elif len(runs[r]) == width + 1 and r + 1 < len(runs) and len(runs[r + 1]) == width - 1:
            runs[r + 1] = runs[r][width:] + runs[r + 1]
            runs[r] = runs[r][:width]
        r += 1
    n = len(runs)
    want = [(1, 1) if len(v) <= width else (-(-len(v) // width), len(v)) for v in runs]
    choice, ok = _placement([labs or None for labs in labs_at], [None] * n, n, labels, want)
    for r, vals in enumerate(runs):
        labs = labs_at[r][choice[r]:] + ([labs_at[r + 1][0]] if choice[r + 1] else [])
        emit(labs, vals, ok[r] and len(vals) == width and _adds_up(vals))
    for lab in labs_at[-1][choice[n]:]:
        emit([lab], [], True)
    return rows


def _adds_up(vals: list[_Item]) -> bool:
    """The row's total (its last cell) is the sum of its other cells."""
    nums = [read_cell(v.text).value or 0 for v in vals]
    return sum(nums[:-1]) == nums[-1]


def _level(text: str) -> int:
    """Depth of a row's numbering: 0 for "一、", 1 for "（一）", 2 for "1." and "(1)"."""
    num = numbering(text)
    inner = num.strip("()")
    return 2 if inner.isdigit() else (1 if num.startswith("(") else 0)


@hookimpl
def core_layouts():
    return [LayoutPlugin(name="line-cells", detect=detect, parse=parse,
                         description="one cell per line, no blank lines between (plain pdftotext, copy-paste)")]
