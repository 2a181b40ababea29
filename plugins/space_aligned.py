"""Layout: text out of a PDF with its columns kept by runs of spaces (``pdftotext -layout``).

How a page comes out of ``pdftotext -layout``, and what this layout does about it:

- every text fragment is placed at the column of its x position, so a table row is one line with its
  cells separated by runs of spaces, numbers in aligned columns (centred numbers of different widths
  start at different columns, so columns are the overlaps of the numbers' spans, not their starts);
- a blank cell is nothing at all: the value columns are rebuilt from the numbers of every row of the
  table, so a blank keeps its place; a column blank in every row is found from the leaf header cells
  (when there are more leaves than columns of numbers, they are matched to the columns in order and
  the leaves left over stand over blank columns);
- a label too long for its cell wraps over two or three lines, with the numbers on one of them (or on a
  line of their own between them): the label's lines are joined into one cell on the row of numbers. A
  numbered line ("（二）", "5.", "一、") starts a label; an unnumbered line continues the label above it when
  that label is numbered or has an open bracket, and otherwise starts the next label;
- group labels spanning several rows ("三、本年度办理结果", "（三）不予公开") are printed vertically, one or
  two characters per line, in columns left of the row labels, interleaved with the rows they span: a
  fragment lying left of the row labels above and below it is a group fragment; the fragments of one
  column are joined into one label and given as a label-only row where the label starts (the core reads
  the group from it and from the sub-row labels);
- page breaks (form feeds) bring page numbers, running headers and repeated header rows into the table:
  page furniture is dropped, and a table part after a repeated header uses the columns of the part
  before it;
- prose and headings are one line each, kept as TEXT rows.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from core.sdk import (
    AMOUNT,
    BLANK,
    NUMBER,
    TABLE,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    hookimpl,
    norm,
    read_cell,
    text_lines,
)

from ._lines import saturate
from ._pdftext import (
    furniture,
    numbering,
    page_lines,
    section_heading,
    unbalanced,
    width,
)

#: A cell: characters separated from the next cell by two or more spaces.
_CHUNK = re.compile(r"[^ \t]+(?: [^ \t]+)*")
_GAP = re.compile(r"\S {2,}(?=\S)")
#: a number standing alone between runs of two or more spaces
_NUM_CHUNK = re.compile(r"(?:^| {2})[+-]?\d+(?:\.\d+)?(?:万元|元)?(?= {2}|$)")

# line kinds
_HEAD, _PROSE, _NUM, _HEADER, _FRAG, _OTHER = "head", "prose", "num", "header", "frag", "other"


class Tok:
    """One cell of a line: its text, its 0-based start and end columns, and whether it is a value
    (a number, an amount or a printed blank such as "—") and a filled one (a number or an amount)."""

    __slots__ = ("text", "start", "end", "value", "filled")

    def __init__(self, text: str, start: int, value: bool = False, filled: bool = False):
        self.text = text
        self.start = start
        self.end = start + len(text)
        self.value = value
        self.filled = filled


_DIGITS = re.compile(r"[+-]?\d+")
_FILLED = (True, True)
_LETTERS = re.compile(r"[^\d\s.,，+\-—－–/\\万元亿]")


@lru_cache(maxsize=4096)
def _kind(text: str) -> tuple[bool, bool]:
    """(is a value cell, is a filled value) for one cell's text."""
    if _DIGITS.fullmatch(text):
        return _FILLED
    if len(text) > 12 or (_LETTERS.search(text) and not text.endswith(("元", "万")) and text not in ("无", "空")):
        return False, False
    r = read_cell(text)
    if r.kind in (NUMBER, AMOUNT):
        return True, True
    return (r.kind == BLANK and bool(text.strip())), False


def tokens(line: str) -> list[Tok]:
    """The cells of one line. Numbers cramped together with single spaces ("0 0 11", or trailing a
    label: "规章 1 0 11") are cut into one cell each."""
    out: list[Tok] = []
    for m in _CHUNK.finditer(line):
        text = m.group(0)
        if " " in text:
            words = text.split(" ")
            k = len(words)
            while k > 0 and _kind(words[k - 1])[0]:
                k -= 1
            if k == 0 or len(words) - k >= 2:
                pos = m.start()
                if k:
                    head = " ".join(words[:k])
                    out.append(Tok(head, pos))
                    pos += len(head) + 1
                for w in words[k:]:
                    out.append(Tok(w, pos, *_kind(w)))
                    pos += len(w) + 1
                continue
        out.append(Tok(text, m.start(), *_kind(text)))
    return out


# --- detect -----------------------------------------------------------------------------------------

def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    aligned = delimited = filled = 0
    for line in lines[:5000]:
        s = line.strip().replace("\f", "")
        if not s:
            continue
        filled += 1
        if "|" in s or "\t" in s:
            delimited += 1
            continue
        if len(_GAP.findall(s)) < 2:
            continue
        if len(_NUM_CHUNK.findall(s)) >= 2:
            aligned += 1
    if not filled or not aligned:
        return 0.0
    return round(0.95 * saturate(aligned, 12) * (1 - delimited / filled), 3)


# --- parse ------------------------------------------------------------------------------------------

@dataclass
class _Line:
    no: int                 # 1-based line number in the source
    kind: str
    toks: list[Tok]
    text: str
    # NUM lines: index of the first value token; label token chosen as the row label (or None)
    first: int = 0
    label: Tok | None = None


@dataclass
class _Label:
    frags: list[tuple[int, Tok]] = field(default_factory=list)   # (block line index, token)
    target: int | None = None                                     # block line index of its NUM line

    @property
    def text(self) -> str:
        return "".join(t.text for _i, t in self.frags)

    @property
    def numbered(self) -> bool:
        return bool(self.frags) and bool(numbering(self.frags[0][1].text))


def parse(source: Source) -> list[Row]:
    plines = page_lines(source.lines)
    drop = furniture(plines)
    kept: list[_Line] = []
    for i, pl in enumerate(plines):
        if i in drop or not pl.text.strip():
            continue
        toks = tokens(pl.text)
        kept.append(_Line(pl.no, _OTHER, toks, pl.text))
    prose_width = max((width(ln.toks[0].text) for ln in kept if len(ln.toks) == 1), default=0)
    for ln in kept:
        if len(ln.toks) == 1 and section_heading(ln.toks[0].text):
            ln.kind = _HEAD
        elif any(t.filled for t in ln.toks):
            ln.kind = _NUM
        elif len(ln.toks) == 1 and width(ln.toks[0].text) >= max(30, 0.6 * prose_width):
            ln.kind = _PROSE
    rows: list[Row] = []
    i = 0
    while i < len(kept):
        if kept[i].kind in (_HEAD, _PROSE):
            rows.append(_text_row(kept[i]))
            i += 1
            continue
        j = i
        while j < len(kept) and kept[j].kind not in (_HEAD, _PROSE):
            j += 1
        run = kept[i:j]
        if any(ln.kind == _NUM for ln in run):
            rows.extend(_block(run))
        else:
            rows.extend(_text_row(ln) for ln in run)
        i = j
    return rows


def _text_row(ln: _Line) -> Row:
    s = ln.text
    return Row((Cell(s.strip(), line=ln.no, col=len(s) - len(s.lstrip()) + 1),), TEXT)


def _cell(tok: Tok, no: int) -> Cell:
    return Cell(tok.text, line=no, col=tok.start + 1)


def _block(lines: list[_Line]) -> list[Row]:
    """The rows of one table block: lines between two prose lines or headings, holding numbers."""
    nums = [k for k, ln in enumerate(lines) if ln.kind == _NUM]
    for k in nums:
        ln = lines[k]
        ln.first = next(n for n, t in enumerate(ln.toks) if t.value)
    v_value = min(lines[k].toks[lines[k].first].start for k in nums)
    label_ends = [t.end for k in nums for t in lines[k].toks[:lines[k].first]]
    # the label zone ends halfway between the row labels and the first column of numbers; a table
    # without row labels (section 四) has none
    cut = (min(max(label_ends), v_value) + v_value) / 2 if label_ends else -1
    for ln in lines:
        if ln.kind == _NUM:
            continue
        if any(t.end > v_value or t.start >= cut for t in ln.toks):
            ln.kind = _HEADER
        else:
            ln.kind = _FRAG

    # Row labels of NUM lines: the last text before the numbers, unless it lies left of the row labels
    # above and below it (a fragment of a vertical group label on a row whose own label is wrapped
    # around its line of numbers).
    for k in nums:
        ln = lines[k]
        ln.label = ln.toks[ln.first - 1] if ln.first else None
    changed = True
    while changed:                       # a neighbour's label may itself be a fragment: repeat
        changed = False
        for k in nums:
            t = lines[k].label
            if t is None:
                continue
            refs = _neighbour_starts(lines, k)
            if refs and t.end <= min(refs):
                lines[k].label = None
                changed = True

    groups: list[tuple[int, Tok]] = []        # group-label fragments (block index, token)
    frags: list[tuple[int, Tok]] = []         # row-label fragments on lines without numbers
    for k, ln in enumerate(lines):
        if ln.kind == _NUM:
            lab = ln.label
            for t in ln.toks[:ln.first]:
                if t is not lab:
                    groups.append((k, t))
        elif ln.kind == _FRAG:
            refs = _neighbour_starts(lines, k)
            for t in ln.toks:
                if refs and t.end <= min(refs):
                    groups.append((k, t))
                else:
                    frags.append((k, t))

    labels = _join_labels(lines, frags)
    by_target = {lab.target: lab for lab in labels if lab.target is not None}
    cols = _column_sets(lines, cut, v_value)

    out: list[tuple[tuple[int, int], Row]] = []
    for lab in labels:
        if lab.target is None and lab.frags:
            k, t = lab.frags[0]
            out.append(((k, 1), Row((Cell(lab.text, line=lines[k].no, col=t.start + 1),), TABLE)))
    for text, (k, t) in _join_groups(groups):
        out.append(((k, 0), Row((Cell(text, line=lines[k].no, col=t.start + 1),), TABLE)))
    for k, ln in enumerate(lines):
        if ln.kind == _HEADER:
            out.append(((k, 2), Row(tuple(_cell(t, ln.no) for t in ln.toks), TABLE)))
        elif ln.kind == _NUM:
            cells: list[Cell] = []
            lab = by_target.get(k)
            if lab is not None and lab.frags:
                k0, t0 = lab.frags[0]
                cells.append(Cell(lab.text, line=lines[k0].no, col=t0.start + 1))
            cells.extend(_values(ln, cols.get(k)))
            out.append(((k, 2), Row(tuple(cells), TABLE)))
    out.sort(key=lambda kr: kr[0])
    return [r for _k, r in out]


def _neighbour_starts(lines: list[_Line], k: int) -> list[int]:
    """Where the row labels of the nearest rows above and below line ``k`` start, in the same table
    part (no header line between); rows whose label was found to be a group fragment are passed over."""
    refs = []
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(lines) and lines[j].kind != _HEADER:
            ln = lines[j]
            if ln.kind == _NUM and ln.label is not None:
                refs.append(ln.label.start)
                break
            j += step
    return refs


def _join_labels(lines: list[_Line], frags: list[tuple[int, Tok]]) -> list[_Label]:
    """Row labels from the fragments of wrapped labels and the labels printed on rows of numbers."""
    events: list[tuple[int, int, Tok | None]] = [(k, 0, t) for k, t in frags]
    for k, ln in enumerate(lines):
        if ln.kind == _NUM:
            events.append((k, 1, ln.label))
        elif ln.kind == _HEADER:
            events.append((k, 2, None))
    events.sort(key=lambda e: (e[0], e[1]))
    labels: list[_Label] = []
    open_: _Label | None = None

    def close():
        nonlocal open_
        if open_ is not None and (open_.frags or open_.target is not None):
            labels.append(open_)
        open_ = None

    def near(k: int) -> bool:
        return open_ is not None and bool(open_.frags) and k - open_.frags[-1][0] <= 2

    for k, what, t in events:
        if what == 2:                                   # a header line ends every label
            close()
        elif what == 0:                                 # a fragment on a line without numbers
            if numbering(t.text):
                close()
                open_ = _Label([(k, t)])
            elif near(k) and (open_.numbered or unbalanced(open_.text)):
                open_.frags.append((k, t))
            else:
                close()
                open_ = _Label([(k, t)])
        else:                                           # a row of numbers
            if t is None:
                if open_ is not None and open_.target is None and open_.frags:
                    open_.target = k
                else:
                    close()
                    open_ = _Label([], k)
            elif numbering(t.text):
                close()
                open_ = _Label([(k, t)], k)
            elif (open_ is not None and open_.target is None and open_.frags and near(k)
                  and (open_.numbered or unbalanced(open_.text))):
                open_.frags.append((k, t))
                open_.target = k
            else:
                close()
                open_ = _Label([(k, t)], k)
    close()
    return labels


def _join_groups(groups: list[tuple[int, Tok]]) -> list[tuple[str, tuple[int, Tok]]]:
    """Vertical group-label fragments joined per column: [(label, first fragment)]."""
    columns: list[list[tuple[int, Tok]]] = []
    for k, t in sorted(groups, key=lambda g: g[0]):
        for col in columns:
            k0, t0 = col[-1]
            if abs(t.start - t0.start) <= 2 and k - k0 <= 2:
                col.append((k, t))
                break
        else:
            columns.append([(k, t)])
    out = []
    for col in columns:
        cur: list[tuple[int, Tok]] = []
        for k, t in col:
            if cur and numbering(t.text):
                out.append(("".join(x.text for _k, x in cur), cur[0]))
                cur = []
            cur.append((k, t))
        if cur:
            out.append(("".join(x.text for _k, x in cur), cur[0]))
    return out


# --- value columns ----------------------------------------------------------------------------------

def _column_sets(lines: list[_Line], cut: float, v_value: int) -> dict[int, tuple | None]:
    """For every NUM line, (number of value columns of its table part, column of each value cell),
    or None when the columns could not be rebuilt.

    The lines of numbers are cut into parts at header lines. A part after a header that repeats an
    earlier header (the header printed again after a page break), or after no header at all, shares the
    columns of that earlier part. Columns are the overlapping spans of the numbers of all its rows, plus
    leaf header cells standing over no number (a column blank in every row).
    """
    parts: list[tuple[tuple[str, ...], list[int], list[int]]] = []   # (signature, header lines, num lines)
    header: list[int] = []
    for k, ln in enumerate(lines):
        if ln.kind == _HEADER:
            header.append(k)
        elif ln.kind == _NUM:
            if header or not parts:
                sig = tuple(norm(t.text) for h in header for t in lines[h].toks)
                parts.append((sig, header, [k]))
                header = []
            else:
                parts[-1][2].append(k)
    groups: list[tuple[tuple[str, ...], list[int], list[int]]] = []
    for sig, hdr, ks in parts:
        target = None
        if not sig and groups:
            target = groups[-1]
        else:
            target = next((g for g in groups if g[0] == sig), None)
        if target is None:
            groups.append((sig, list(hdr), list(ks)))
        else:
            target[1].extend(hdr)
            target[2].extend(ks)
    out: dict[int, tuple | None] = {}
    for _sig, hdr, ks in groups:
        found = _columns(lines, hdr, ks, cut, v_value)
        for k in ks:
            out[k] = (len(found[0]), found[1][k]) if found else None
    return out


def _columns(lines: list[_Line], hdr: list[int], ks: list[int], cut: float, v_value: int):
    """The value columns of one table part (number spans merged where they overlap, plus blank
    columns) and the column of every value cell of its rows, {line: [column]}; None when the spans do
    not separate the columns (two numbers of a row in one span)."""
    spans = sorted((t.start, t.end) for k in ks for t in lines[k].toks[lines[k].first:] if t.value)
    clusters: list[list[float]] = []
    for s, e in spans:
        if clusters and s <= clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], e)
        else:
            clusters.append([s, e])
    # every row must have at most one value per column, or the spans did not separate the columns
    ccols = _Cols(tuple(c) for c in clusters)
    where: dict[int, list[int]] = {}
    for k in ks:
        idx = [_which(ccols, t) for t in lines[k].toks[lines[k].first:]]
        filled = [i for i, t in zip(idx, lines[k].toks[lines[k].first:]) if t.value]
        if len(set(filled)) != len(filled):
            return None
        where[k] = idx
    extra = _blank_columns(lines, sorted(set(hdr)), ccols, cut, v_value)
    if not extra:
        return ccols, where
    cols = _Cols(list(ccols) + extra)
    renumber = [cols.index(c) for c in ccols]
    return cols, {k: [renumber[i] for i in idx] for k, idx in where.items()}


def _blank_columns(lines: list[_Line], hdr: list[int], cols, cut: float, v_value: int) -> list[tuple]:
    """Columns blank in every row, found from the leaf header cells (cells with no header cell below
    them): when there are k more leaves than columns of numbers, the leaves are matched to the columns
    in order (the match closest in position, reading a CJK character as one or as two columns wide),
    and the k leaves left over stand over blank columns."""
    leaves = []
    # (a header printed again after a page break lies below the first one: only its cells are leaves)
    for n, h in enumerate(hdr):
        below = [t for h2 in hdr[n + 1:] for t in lines[h2].toks]
        for t in lines[h].toks:
            if t.end <= cut and t.start < v_value:
                continue                                 # a header cell over the labels
            hi = t.start + width(t.text)
            if any(b.start <= hi and b.end >= t.start for b in below):
                continue                                 # not a leaf: cells below it
            leaves.append(t)
    leaves.sort(key=lambda t: t.start)
    k = len(leaves) - len(cols)
    if k <= 0 or not cols:
        return []
    centres = [(c[0] + c[1]) / 2 for c in cols]
    best = None
    for wide in (False, True):
        at = [t.start + (width(t.text) if wide else len(t.text)) / 2 for t in leaves]
        cost, unmatched = _align(at, centres, k)
        if best is None or cost < best[0]:
            best = (cost, [at[i] for i in unmatched])
    return [(x - 0.5, x + 0.5) for x in best[1]]


def _align(at: list[float], centres: list[float], k: int) -> tuple[float, list[int]]:
    """Match every centre to one of ``at`` in order, leaving ``k`` of ``at`` out, at the least total
    distance: (cost, indices left out)."""
    a, b = len(at), len(centres)
    inf = float("inf")
    f = [[inf] * (b + 1) for _ in range(a + 1)]
    f[0][0] = 0.0
    for i in range(1, a + 1):
        for j in range(0, min(i, b) + 1):
            if i - j > k:
                continue
            best = f[i - 1][j] if i - 1 >= j else inf
            if j:
                best = min(best, f[i - 1][j - 1] + abs(at[i - 1] - centres[j - 1]))
            f[i][j] = best
    out, i, j = [], a, b
    while i > 0:
        if j and f[i][j] == f[i - 1][j - 1] + abs(at[i - 1] - centres[j - 1]):
            i, j = i - 1, j - 1
        else:
            out.append(i - 1)
            i -= 1
    return f[a][b], out


def _which(cols, t: Tok) -> int:
    """The column a value cell stands in: the one its span overlaps, else the nearest by centre."""
    starts = [c[0] for c in cols] if not isinstance(cols, _Cols) else cols.starts
    i = bisect_right(starts, t.end - 1e-9) - 1
    if i >= 0 and cols[i][1] > t.start and (i == 0 or cols[i - 1][1] <= t.start):
        return i
    mid = (t.start + t.end) / 2
    return min(range(len(cols)), key=lambda k: abs((cols[k][0] + cols[k][1]) / 2 - mid))


class _Cols(list):
    """Value columns as sorted (start, end) spans, with their starts for bisection."""

    def __init__(self, spans):
        super().__init__(sorted(spans))
        self.starts = [c[0] for c in self]


def _values(ln: _Line, cols) -> list[Cell]:
    """The value cells of a row of numbers, one per column, blanks where nothing is printed; the
    cells as printed when the columns could not be rebuilt (the core then fits them)."""
    vals = ln.toks[ln.first:]
    if cols:
        n, idx = cols
        if len(set(idx)) == len(idx):
            cells = [Cell("", line=ln.no) for _ in range(n)]
            for i, t in zip(idx, vals):
                cells[i] = _cell(t, ln.no)
            return cells
    return [_cell(t, ln.no) for t in vals]


@hookimpl
def core_layouts():
    return [LayoutPlugin(name="space-aligned", detect=detect, parse=parse,
                         description="text out of a PDF with columns aligned by spaces (pdftotext -layout)")]
