"""Layout: text out of a PDF with its columns kept by runs of spaces (``pdftotext -layout``).

What poppler's ``pdftotext -layout`` does to a report's tables, and what this layout does about it (seen
on real output of published PDFs and of the official template exported by LibreOffice):

- a table row is one line, its cells apart by runs of spaces; but the character columns of one table
  column differ from line to line (poppler places each word by its own x position and its neighbours'
  widths), so the values of a row are taken in the order printed and the core places them under their
  columns by the template's arithmetic. Numbers printed one space apart ("0 0 11"), or one space after
  their label ("…重新出具已 0"), are cells of their own;
- a label too long for its cell wraps over two or three lines, with the numbers on one of them or on a
  line of their own; when a cell's text is aligned to its top the row's values are split over two lines
  too ("1.申请人…逾期不补正、    52" above "行政机关不再处理其政府信息公开 13 0 4 19 0 16"). A numbered line
  ("（二）…", "5.…", "一、…") starts a label; an unnumbered line continues the label above it; a line of
  values without a label belongs to the label waiting above it, or completes the row above it when its
  values stand where that row has none;
- group labels that span rows ("三、本年度办理结果", "（三）不予公开") are printed down the left side, a few
  characters a line, between the rows they span, sometimes one space from a row's label: a fragment that
  lies left of where the row labels start is a group fragment; the fragments of one column are joined and
  given to the core as a label-only row where the group starts;
- page breaks (form feeds) bring page numbers, running headers and repeated header rows into the table:
  page furniture and repeated header lines are dropped;
- headings and prose are one line each, kept as TEXT rows;
- a number too wide for a narrow cell (LibreOffice) wraps between its digits, its pieces on the lines
  above and below the row: joined again when they start at the same column (the cell says where it is
  printed: the line of its first piece, and its pieces one a line);
- a few rows can come out column by column (their labels, then one value a line, a block of lines per
  column): put back row by row when the blocks fill the rows in one way (see ``_untranspose``);
- the glyphs of a diagonal watermark (large text turned across each page) fall one a line anywhere,
  even glued to a value: found by repeating from page to page along a diagonal, and dropped;
- a row short of values between two full rows gets blank cells where those rows show columns its
  values leave empty.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import pairwise

from core.sdk import (
    TABLE,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    display_width,
    hookimpl,
    is_number,
    is_value,
    norm,
    numbering,
    section_of,
    text_lines,
)

from ._lines import saturate
from ._pdftext import furniture, page_lines, watermark_chars

#: A chunk: characters apart from the next chunk by two or more spaces.
_CHUNK = re.compile(r"[^ \t]+(?: [^ \t]+)*")
_GAP = re.compile(r"\S {2,}(?=\S)")
#: a number standing alone between runs of two or more spaces (for detect)
_NUM_CHUNK = re.compile(r"(?:^| {2})[+-]?\d+(?:\.\d+)?(?:万元|元)?(?= {2}|$)")
#: A label's numbering after a space inside a chunk: a group fragment printed one space before it.
_MARK_AFTER_SPACE = re.compile(
    r" (?=[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))"
)
#: A group label's fragment is a few characters a line.
_FRAGMENT_CHARS = 4


@dataclass
class Tok:
    """One cell of a line: its text, its 0-based start column, and whether it holds a value."""

    text: str
    start: int
    value: bool
    #: the line it was printed on, when it was moved to another line's row (1-based)
    line: int | None = None
    #: a number wrapped in its cell: the line of its first piece, and its pieces as printed, one a line
    wrapped: tuple[int, str] | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def centre(self) -> float:
        return self.start + len(self.text) / 2


def tokens(line: str) -> list[Tok]:
    """The cells of one line, cut at runs of two or more spaces, and further: numbers cramped one space
    apart, numbers one space after their label, and a label's numbering one space after a group
    fragment are cells of their own."""
    out: list[Tok] = []
    for m in _CHUNK.finditer(line):
        pos = m.start()
        for part in _split_chunk(m.group(0)):
            at = line.index(part, pos)
            out.append(Tok(part, at, is_value(part)))
            pos = at + len(part)
    return out


def _split_chunk(text: str) -> list[str]:
    if " " not in text:
        return [text]
    words = text.split(" ")
    k = len(words)
    while k > 0 and is_value(words[k - 1]):
        k -= 1
    if k < len(words):
        # values one space apart, or after the label they belong to
        head = [" ".join(words[:k])] if k else []
        return [p for h in head for p in _split_label(h)] + words[k:]
    return _split_label(text)


def _split_label(text: str) -> list[str]:
    """A label chunk cut before a numbering that follows a space, and after a short fragment ("理结果
    形，不计其他情形）" is a group fragment, then the rest of a row's label)."""
    parts = [p for p in _MARK_AFTER_SPACE.split(text) if p]
    out = []
    for p in parts:
        first, sep, rest = p.partition(" ")
        if sep and len(first) <= _FRAGMENT_CHARS and rest and not is_value(first):
            out += [first, rest]
        else:
            out.append(p)
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
        if "  " not in s or len(_GAP.findall(s)) < 2:  # a gap is two spaces or more: most lines have none
            continue
        if len(_NUM_CHUNK.findall(s)) >= 2:
            aligned += 1
    if not filled or not aligned:
        return 0.0
    return round(0.95 * saturate(aligned, 12) * (1 - delimited / filled), 3)


# --- parse ------------------------------------------------------------------------------------------

_HEAD, _PROSE, _NUM, _TEXT = "head", "prose", "num", "text"


@dataclass
class _Line:
    no: int  # 1-based line number in the source
    text: str
    toks: list[Tok]
    page: int = 1
    kind: str = _TEXT

    @property
    def first_value(self) -> int:
        return next((i for i, t in enumerate(self.toks) if t.value), len(self.toks))


def parse(source: Source) -> list[Row]:
    plines = page_lines(list(source.lines))
    drop = furniture(plines)
    kept = [
        _Line(pl.no, pl.text, tokens(pl.text), pl.page)
        for i, pl in enumerate(plines)
        if i not in drop and pl.text.strip()
    ]
    kept = _drop_watermark(kept)
    pages = {ln.page for ln in kept}
    prose_width = max((display_width(ln.toks[0].text) for ln in kept if len(ln.toks) == 1), default=0)
    for ln in kept:
        if any(t.value for t in ln.toks):
            ln.kind = _NUM
        elif len(ln.toks) == 1 and section_of(ln.toks[0].text):
            ln.kind = _HEAD
        elif len(ln.toks) == 1 and display_width(ln.toks[0].text) >= max(30, 0.6 * prose_width):
            ln.kind = _PROSE
    kept = _untranspose(_join_wrapped_numbers(kept))
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
        block = kept[i:j]
        rows += _Table(block).rows() if any(ln.kind == _NUM for ln in block) else [_text_row(ln) for ln in block]
        i = j
    if len(pages) == 1:
        return rows
    # The page a value is printed on is part of where it was read (and the columns keep their places on
    # a page, not always from page to page).
    page_of = {ln.no: ln.page for ln in kept}
    return [
        Row(tuple(replace(c, page=None if c.line is None else page_of.get(c.line)) for c in r.cells), r.kind)
        for r in rows
    ]


#: A token that may be a glyph of a watermark: one CJK character alone, or glued to the number it
#: overlaps ("样2"); or one CJK character one space after the end of a line's text ("…改进情况 公").
_GLYPH = re.compile(r"^([\u3400-\u9fff])([+-]?\d+(?:\.\d+)?)?$")
_GLYPH_AFTER = re.compile(r"\S ([\u3400-\u9fff])$")

#: A glyph candidate: (index of its line, index of its token, its column, the character)
_Glyph = tuple[int, int, int, str]


def _drop_watermark(kept: list[_Line]) -> list[_Line]:
    """The lines without the glyphs of a diagonal watermark ("公开发布样稿" drawn large and turned).

    poppler prints each glyph of a turned watermark as a word of its own, one a line, their columns
    moving the same way from line to line (left as the lines go down, when the text rises to the
    right), wherever they fall: alone on a line, beside a row's values, glued to a value they overlap
    ("样2", "发7") or one space after a heading. The watermark is the same on every page, where a
    table's group label printed down its side (a character a line, in one column) is on one page
    only: the characters found so on most pages (at least two), taken on each page as the longest
    chain whose lines go down and whose columns strictly move one way, are the watermark when the
    same chain is found on at least two pages and is the one longest chain of its page; on those
    pages the glyphs are removed (a value they were glued to is kept).
    """
    if not kept or kept[0].page == kept[-1].page:
        return kept
    n_pages = len({ln.page for ln in kept})
    # a character is the watermark's only when found on most pages: once too many pages have none,
    # there is none (most documents: a page of prose ends the search)
    spare = n_pages - max(2, math.ceil(0.8 * n_pages))
    by_page: dict[int, list[_Glyph]] = {}
    bare, page = 0, kept[0].page
    for i, ln in enumerate(kept):
        if ln.page != page:
            bare += page not in by_page
            if bare > spare:
                return kept
            page = ln.page
        for t_i, t in enumerate(ln.toks):
            x = t.text
            if t.value:
                continue
            if len(x) == 1 or x[1].isdigit():
                if m := _GLYPH.match(x):
                    by_page.setdefault(ln.page, []).append((i, t_i, t.start, m.group(1)))
            elif x[-2] == " " and (m := _GLYPH_AFTER.search(x)) is not None:
                by_page.setdefault(ln.page, []).append((i, t_i, t.start + m.start(1), m.group(1)))
    common = watermark_chars({page: [c[3] for c in cands] for page, cands in by_page.items()}, n_pages)
    if not common:
        return kept
    chains: dict[int, list[_Glyph]] = {}
    for page, cands in by_page.items():
        chain = _one_longest_chain([c for c in cands if c[3] in common])
        if chain is not None and len(chain) >= 3:
            chains[page] = chain
    texts: dict[str, int] = {}
    for chain in chains.values():
        key = "".join(c[3] for c in chain)
        texts[key] = texts.get(key, 0) + 1
    marks = [key for key, n in texts.items() if n >= 2]
    if len(marks) != 1:
        return kept
    # on every page, the one chain that spells the watermark (a group label's character below it
    # can make a page's longest chain longer)
    remove: dict[int, set[int]] = {}
    for cands in by_page.values():
        chain = _spelled(cands, marks[0])
        for i, t_i, _col, _c in chain or ():
            remove.setdefault(i, set()).add(t_i)
    out = []
    for i, ln in enumerate(kept):
        if i not in remove:
            out.append(ln)
            continue
        toks, text = [], ln.text
        for t_i, t in enumerate(ln.toks):
            if t_i not in remove[i]:
                toks.append(t)
            elif _GLYPH.match(t.text):
                text = text[: t.start] + " " + text[t.start + 1 :]
                if t.text[1:]:
                    toks.append(Tok(t.text[1:], t.start + 1, True))
            else:  # a glyph after the line's text
                kept_text = t.text[:-2]
                text = text[: t.start + len(kept_text)] + "  " + text[t.end :]
                toks.append(Tok(kept_text, t.start, False))
        if toks:
            out.append(replace(ln, text=text.rstrip(), toks=toks))
    return out


def _spelled(cands: list[_Glyph], word: str) -> list[_Glyph] | None:
    """The one chain of candidates spelling ``word`` on lines going down, columns strictly moving one
    way, or None when there is none or more than one."""
    found: list[list[_Glyph]] = []
    for sign in (1, -1):
        # ways[k]: (number of chains spelling word[: position + 1] ending at cands[k], previous index)
        ways: list[dict[int, tuple[int, int]]] = []
        for k, (i, _t, col, ch) in enumerate(cands):
            here: dict[int, tuple[int, int]] = {}
            for pos, w in enumerate(word):
                if w != ch:
                    continue
                if pos == 0:
                    here[pos] = (1, -1)
                    continue
                n, prev = 0, -1
                for q in range(k):
                    qi, _qt, qcol, _qc = cands[q]
                    if qi < i and sign * (col - qcol) > 0 and pos - 1 in ways[q]:
                        n += ways[q][pos - 1][0]
                        prev = q
                if n:
                    here[pos] = (n, prev)
            ways.append(here)
        last = len(word) - 1
        ends = [k for k, w in enumerate(ways) if last in w]
        total = sum(ways[k][last][0] for k in ends)
        if total > 1:
            return None
        if total == 1:
            chain, k, pos = [], ends[0], last
            while k >= 0:
                chain.append(cands[k])
                k, pos = ways[k][pos][1], pos - 1
            found.append(chain[::-1])
    return found[0] if len(found) == 1 else None


def _one_longest_chain(cands: list[_Glyph]) -> list[_Glyph] | None:
    """The longest chain of candidates on lines going down whose columns strictly move one way, when
    there is one only (of either direction)."""
    best: list[tuple[int, list[_Glyph] | None]] = []  # (length, chain; None: more than one)
    for sign in (1, -1):
        # longest[k]: (length, number of chains of that length, previous index) ending at cands[k]
        longest: list[tuple[int, int, int]] = []
        for k, (i, _t, col, _c) in enumerate(cands):
            length, count, prev = 1, 1, -1
            for q in range(k):
                qi, _qt, qcol, _qc = cands[q]
                if qi < i and sign * (col - qcol) > 0:
                    n, cnt, _p = longest[q]
                    if n + 1 > length:
                        length, count, prev = n + 1, cnt, q
                    elif n + 1 == length:
                        count += cnt
            longest.append((length, count, prev))
        if not longest:
            continue
        top = max(n for n, _c, _p in longest)
        ends = [k for k, (n, _c, _p) in enumerate(longest) if n == top]
        if len(ends) != 1 or longest[ends[0]][1] != 1:
            best.append((top, None))
            continue
        chain, k = [], ends[0]
        while k >= 0:
            chain.append(cands[k])
            k = longest[k][2]
        best.append((top, chain[::-1]))
    if not best:
        return None
    top = max(n for n, _c in best)
    tops = [c for n, c in best if n == top]
    return tops[0] if len(tops) == 1 else None


def _values_only(ln: _Line) -> bool:
    return ln.kind == _NUM and all(t.value for t in ln.toks)


def _join_wrapped_numbers(kept: list[_Line]) -> list[_Line]:
    """Numbers wrapped inside a cell too narrow for them, joined again.

    A number wider than its cell (a 4-digit count in a narrow column of a LibreOffice table) breaks
    between its digits: its first digits on a line above the row and the rest on the line below, both
    starting at the same character column, while the row's one-line cells, centred in their height,
    stand on the line between ("300" / "一、本年新收…  53  0 …" / "1" is 3001). A line of values only,
    directly above a row's line, whose every value has a partner starting at the same column on a
    line of values only directly below it, and none of those columns taken by a value of the row's
    line, holds the first pieces: each piece is joined to its partner (the first piece at least as
    long as the second, as a wrap fills the first line first) and put in the row's line.
    """
    out: list[_Line] = []
    k, n = 0, len(kept)
    while k < n:
        up = kept[k]
        if k + 2 < n and up.toks[0].value and up.kind == _NUM:
            down = kept[k + 2]
            if down.no == up.no + 2 and len(down.toks) == len(up.toks):
                joined = _wrapped(up, kept[k + 1], down)
                if joined is not None:
                    out.append(joined)
                    k += 3
                    continue
        out.append(up)
        k += 1
    return out


def _wrapped(up: _Line, mid: _Line, down: _Line) -> _Line | None:
    if not (mid.no == up.no + 1 and down.no == mid.no + 1 and up.page == mid.page == down.page):
        return None
    if not (_values_only(up) and _values_only(down) and mid.kind == _NUM):
        return None
    if len(up.toks) != len(down.toks):
        return None
    pieces = []
    for a, b in zip(up.toks, down.toks):
        text = a.text + b.text
        if abs(a.start - b.start) > 1 or len(b.text) > len(a.text) or not (is_number(a.text) and text.isdigit()):
            return None
        end = max(a.end, b.end)
        if any(t.value and t.start < end + 1 and a.start < t.end + 1 for t in mid.toks):
            return None  # the row has a value of its own there
        pieces.append(Tok(text, a.start, True, wrapped=(up.no, f"{a.text}\n{b.text}")))
    toks = sorted(mid.toks + pieces, key=lambda t: t.start)
    return replace(mid, toks=toks)


def _untranspose(kept: list[_Line]) -> list[_Line]:
    """Rows whose values poppler printed column by column, put back row by row.

    A few rows in a row can come out as their labels only (numbered, on lines of their own), followed
    by their values one a line: poppler made a block of each column of those rows and printed the
    blocks one after another, top to bottom and left to right. Inside a block the values keep the
    rows' spacing (the least gap between two values in line, two lines or more; a gap of two rows
    where a value of the column went to a block of its own); a new block starts on the line right
    after the last one. The blocks of one column hold one value per row: they are
    taken in order until they hold as many values as there are rows, and placed where their spacing
    fits. The values go back to their rows when every column is found so, as many as the row above
    the labels has, each right of the one before, and the columns fill the rows in one way only, or,
    where some column's blocks fit in more than one way (the order of blocks says nothing of their
    rows), in one way only that makes every row's last value (its 总计) the sum of the others;
    otherwise the lines stay as printed (and the rows' cells unread).
    """
    out = list(kept)
    j = 1
    while j < len(out):
        # a run of labels ends right above a line holding one value and nothing else
        if not (len(out[j].toks) == 1 and out[j].toks[0].value and _is_label_line(out[j - 1])):
            j += 1
            continue
        k = j - 1
        while k > 0 and _is_label_line(out[k - 1]) and out[k - 1].page == out[j].page:
            k -= 1
        got = _transposed_at(out, k)
        if got is None:
            j += 1
            continue
        rows, end = got
        out[k:end] = rows
        j = k + len(rows) + 1
    return out


def _is_label_line(ln: _Line) -> bool:
    return ln.kind != _NUM and bool(ln.toks) and bool(numbering(ln.toks[-1].text))


def _transposed_at(lines: list[_Line], k: int) -> tuple[list[_Line], int] | None:
    """The rows a transposed run starting at line k stands for, and the index past the run."""
    if not _is_label_line(lines[k]) or k == 0:
        return None
    labels = [lines[k]]
    j = k + 1
    while j < len(lines) and _is_label_line(lines[j]) and lines[j].page == lines[k].page:
        labels.append(lines[j])
        j += 1
    if len(labels) < 2:
        return None
    singles = []
    while j < len(lines) and lines[j].page == lines[k].page and len(lines[j].toks) == 1 and lines[j].toks[0].value:
        singles.append(lines[j])
        j += 1
    n_rows = len(labels)
    # the columns the rows have: as many values as the last row above the labels holds
    above = next((ln for ln in reversed(lines[:k]) if ln.kind == _NUM and not _values_only(ln)), None)
    if above is None:
        return None
    n_cols = len(above.toks) - above.first_value
    if n_cols < 2 or len(singles) != n_rows * n_cols or singles[0].no != labels[-1].no + 1:
        return None
    # the rows' spacing inside a block: the least gap between two values in line one below the other
    # (a new block starts on the line right after the last, so the spacing must be two lines or more)
    near = [b.no - a.no for a, b in pairwise(singles) if abs(b.toks[0].centre - a.toks[0].centre) <= 2.5]
    steps = [g for g in near if g >= 2]
    if not steps:
        return None
    step = min(steps)
    # blocks: the next value is in the same block when it is a whole number of rows below, in line
    blocks: list[list[tuple[int, _Line]]] = []
    for ln in singles:
        if blocks:
            last_off, last = blocks[-1][-1]
            gap = ln.no - last.no
            if gap >= step and gap % step == 0 and abs(ln.toks[0].centre - last.toks[0].centre) <= 2.5:
                blocks[-1].append((last_off + gap // step, ln))
                continue
        blocks.append([(0, ln)])
    options: list[list[list[_Line]]] = []  # per column, the ways its blocks fill the rows
    cur: list[list[tuple[int, _Line]]] = []
    for b in blocks:
        cur.append(b)
        held = sum(len(x) for x in cur)
        if held > n_rows:
            return None
        if held == n_rows:
            ways = _place_blocks(cur, n_rows)
            if not ways:
                return None
            options.append(ways)
            cur = []
    if cur or len(options) != n_cols:
        return None
    columns = _choose(options, n_rows)
    if columns is None:
        return None
    centres = [sum(ln.toks[0].centre for ln in col) / n_rows for col in columns]
    if any(b <= a for a, b in pairwise(centres)):
        return None
    rows = []
    for r, lab in enumerate(labels):
        vals = [replace(col[r].toks[0], line=col[r].no) for col in columns]
        rows.append(replace(lab, toks=lab.toks + vals, kind=_NUM))
    return rows, j


#: At most this many ways of filling the columns are weighed against the rows' totals.
_MAX_WAYS = 64


def _choose(options: list[list[list[_Line]]], n_rows: int) -> list[list[_Line]] | None:
    """The columns, when their blocks fill the rows in one way only; when some column's blocks fit
    more than one way (a block of one value, a block a row short), the one way of all in which every
    row's last value (its 总计) is the sum of the others; None when that is not one way."""
    combos: list[list[list[_Line]]] = [[]]
    for ways in options:
        combos = [[*c, w] for c in combos for w in ways]
        if len(combos) > _MAX_WAYS:
            return None
    if len(combos) == 1:
        return combos[0]
    fits = []
    for cols in combos:
        ok = True
        for r in range(n_rows):
            texts = [col[r].toks[0].text for col in cols]
            if not all(t.isdigit() for t in texts) or int(texts[-1]) != sum(int(t) for t in texts[:-1]):
                ok = False
                break
        if ok:
            fits.append(cols)
    return fits[0] if len(fits) == 1 else None


def _place_blocks(blocks: list[list[tuple[int, _Line]]], n_rows: int) -> list[list[_Line]]:
    """The ways (told apart by the values they put in the rows) the column's blocks fill its rows."""
    found: dict[tuple[str, ...], list[_Line]] = {}

    def fill(i: int, taken: list[_Line | None]) -> None:
        if len(found) > _MAX_WAYS:
            return
        if i == len(blocks):
            col = [ln for ln in taken if ln is not None]
            found.setdefault(tuple(ln.toks[0].text for ln in col), col)
            return
        span = blocks[i][-1][0]
        for top in range(n_rows - span):
            if all(taken[top + off] is None for off, _ln in blocks[i]):
                for off, ln in blocks[i]:
                    taken[top + off] = ln
                fill(i + 1, taken)
                for off, _ln in blocks[i]:
                    taken[top + off] = None

    fill(0, [None] * n_rows)
    return list(found.values()) if len(found) <= _MAX_WAYS else []


def _text_row(ln: _Line) -> Row:
    s = ln.text
    return Row((Cell(s.strip(), line=ln.no, col=len(s) - len(s.lstrip()) + 1),), TEXT)


def _cell(tok: Tok, no: int) -> Cell:
    if tok.wrapped is not None:
        # where it is printed: from its first piece, above the row's line, on
        first, printed = tok.wrapped
        return Cell(tok.text, line=first, col=tok.start + 1, printed=printed)
    return Cell(tok.text, line=no, col=tok.start + 1)


@dataclass
class _Row:
    """A table row being assembled: its label pieces and its values, each with its line number."""

    at: int  # index of its first line in the block
    label: list[tuple[int, Tok]] = field(default_factory=list)
    values: list[tuple[int, Tok]] = field(default_factory=list)

    def cells(self) -> tuple[Cell, ...]:
        out = []
        if self.label:
            no, first = self.label[0]
            out.append(Cell("".join(t.text for _n, t in self.label), line=no, col=first.start + 1))
        out += [_cell(t, no) for no, t in self.values]
        return tuple(out)


class _Table:
    """The rows of one table block: the lines between two prose lines or headings that hold values."""

    def __init__(self, lines: list[_Line]):
        self.lines = lines
        nums = [ln for ln in lines if ln.kind == _NUM]
        self.most = max(sum(t.value for t in ln.toks) for ln in nums)
        first_num = lines.index(nums[0])
        # the lines above the first row of values are the column headers; printed again after a page
        # break, they are dropped
        self.header = {norm(ln.text) for ln in lines[:first_num]}
        self.first_num = first_num
        self.label_start = [self._label_start(k) for k in range(len(lines))]

    def _own_label(self, ln: _Line) -> Tok | None:
        texts = ln.toks[: ln.first_value]
        return texts[-1] if texts else None

    def _label_start(self, k: int) -> int | None:
        """Where row labels start near line k: the least start of the labels of the nearest lines of
        values above and below that have one."""
        found = []
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(self.lines):
                ln = self.lines[j]
                if ln.kind == _NUM and (lab := self._own_label(ln)) is not None:
                    found.append(lab.start)
                    break
                j += step
        return min(found) if found else None

    def _is_group(self, k: int, tok: Tok) -> bool:
        ref = self.label_start[k]
        return ref is not None and tok.end <= ref + 1

    def rows(self) -> list[Row]:
        out: list[tuple[int, Row]] = []
        built: list[_Row] = []
        groups: list[tuple[int, int, Tok]] = []  # (line index, line number, fragment)
        # The numbered first piece(s) of a wrapped row label whose values have not come yet.
        pending: list[tuple[int, Tok]] = []
        pending_at = 0
        # The last row, while its label is numbered: unnumbered pieces below it continue it (row labels
        # of section 二 are not numbered and never wrap onto another row's line).
        last: _Row | None = None

        def flush() -> None:
            nonlocal pending
            if pending:
                out.append((pending_at, Row((_label_cell(pending),), TABLE)))
            pending = []

        for k, ln in enumerate(self.lines):
            if k < self.first_num:
                out.append((k, Row(tuple(_cell(t, ln.no) for t in ln.toks), TABLE)))
                continue
            if ln.kind != _NUM and norm(ln.text) in self.header:
                continue
            texts = ln.toks[: ln.first_value] if ln.kind == _NUM else ln.toks
            own = texts[-1] if ln.kind == _NUM and texts else None
            # a numbered label standing alone left of the row labels, on a line of values: a group's
            # label, or the label of a row spanning both label columns ("（七）总计"); either way the
            # values are a row, which a line of values below may complete, as a numbered row's
            spanning = False
            if own is not None and self._is_group(k, own) and len(texts) == 1:
                spanning = bool(numbering(own.text))
                own = None
            for t in texts:
                if t is not own and (ln.kind == _NUM or self._is_group(k, t)):
                    groups.append((k, ln.no, t))
            if ln.kind != _NUM:
                for t in texts:
                    if self._is_group(k, t):
                        continue
                    if numbering(t.text):
                        flush()
                        pending, pending_at, last = [(ln.no, t)], k, None
                    elif pending:
                        pending.append((ln.no, t))
                    elif last is not None and last.label:
                        last.label.append((ln.no, t))
                    else:
                        out.append((k, Row((_cell(t, ln.no),), TABLE)))  # an item heading, a header
                continue
            values = [(t.line or ln.no, t) for t in ln.toks[ln.first_value :]]
            numbered = own is not None and bool(numbering(own.text))
            if numbered:
                flush()
                row = _Row(k, [(ln.no, own)], values)  # type: ignore[list-item]
            elif pending:
                row = _Row(pending_at, pending + ([(ln.no, own)] if own is not None else []), values)
                pending = []
            elif last is not None and self._completes(last, values):
                if own is not None:
                    last.label.append((ln.no, own))
                last.values = sorted(last.values + values, key=lambda v: v[1].centre)
                continue
            else:
                row = _Row(k, [(ln.no, own)] if own is not None else [], values)
            built.append(row)
            last = row if (row.label and numbering(row.label[0][1].text)) or spanning else None
        flush()
        self._mark_blanks(built)
        # a group's label goes before the row it shares a line with: the group starts there
        ordered = [((k, 1), r) for k, r in out] + [((r.at, 1), Row(r.cells(), TABLE)) for r in built]
        ordered += [((k, 0), Row((cell,), TABLE)) for k, cell in _join_groups(groups)]
        ordered.sort(key=lambda kr: kr[0])
        return [r for _k, r in ordered]

    def _mark_blanks(self, built: list[_Row]) -> None:
        """Blank cells put in a row short of values, where its neighbours show the columns.

        A row printed on one line with fewer values than the table's columns has blank cells. When
        the nearest rows above and below it on its page are full (each on one line too), their values
        mark where each column lies on these lines (a column: from the least start to the greatest
        end of its two values); when each of the row's values overlaps exactly one of those columns,
        one after another, the columns none overlaps are its blank cells (an empty cell is given
        there). Not when a line of values without a label lies between those rows (they may be
        this row's). Otherwise the row is left as printed, for the core to place by the sums."""
        if self.most < 3 or all(len(r.values) in (0, self.most) for r in built):
            return
        page = {ln.no: ln.page for ln in self.lines}

        def one_line(row: _Row) -> int | None:
            lines = {no for no, _t in row.values}
            return lines.pop() if len(lines) == 1 else None

        at = [one_line(r) for r in built]
        full = [i for i, r in enumerate(built) if len(r.values) == self.most and at[i] is not None]
        for i, row in enumerate(built):
            no = at[i]
            if no is None or not 0 < len(row.values) < self.most:
                continue
            b = bisect_left(full, i)
            if b == 0 or b == len(full):
                continue
            up, down = full[b - 1], full[b]
            if any(not built[x].label for x in range(up + 1, down) if x != i):
                continue  # values without a label nearby may be this row's: not a blank then
            refs = [built[up], built[down]]
            if page.get(at[up] or 0) != page.get(no) or page.get(at[down] or 0) != page.get(no):
                continue
            spans = [
                (min(a.start, b.start), max(a.end, b.end))
                for (_n, a), (_m, b) in zip(refs[0].values, refs[1].values, strict=True)
            ]
            if any(s2[0] <= s1[1] for s1, s2 in pairwise(spans)):
                continue  # columns that touch tell nothing
            cols = []
            for _n, t in row.values:
                hit = [c for c, (a, b) in enumerate(spans) if t.start < b and a < t.end]
                if len(hit) != 1:
                    break
                cols.append(hit[0])
            else:
                if any(b <= a for a, b in pairwise(cols)):
                    continue
                values = list(row.values)
                for c in range(self.most):
                    if c not in cols:
                        values.append((no, Tok("", spans[c][0], True)))
                row.values = sorted(values, key=lambda v: v[1].start)

    def _completes(self, row: _Row, values: list[tuple[int, Tok]]) -> bool:
        """True when a line's values are the rest of ``row``: together they are no more than a full row,
        and each stands where the row has none (a cell aligned to its top printed its value apart)."""
        if not row.values or len(row.values) + len(values) > self.most or len(row.values) >= self.most:
            return False
        return all(abs(v.centre - w.centre) > 2 for _n, v in values for _m, w in row.values)


def _label_cell(pieces: list[tuple[int, Tok]]) -> Cell:
    no, first = pieces[0]
    return Cell("".join(t.text for _n, t in pieces), line=no, col=first.start + 1)


def _join_groups(groups: list[tuple[int, int, Tok]]) -> list[tuple[int, Cell]]:
    """The fragments of vertical group labels joined, one label per column of fragments: (index of the
    line it starts on, label cell). A fragment starting with a numbering starts a new label."""
    labels: list[list[tuple[int, int, Tok]]] = []
    for k, no, t in groups:
        for lab in reversed(labels):
            k0 = lab[-1][0]
            if abs(t.start - lab[0][2].start) <= 2 and not (
                numbering(t.text) and k - k0 > 0 and numbering(lab[0][2].text)
            ):
                lab.append((k, no, t))
                break
        else:
            labels.append([(k, no, t)])
    out = []
    for lab in labels:
        k, no, t = lab[0]
        out.append((k, Cell("".join(x.text for _k, _n, x in lab), line=no, col=t.start + 1)))
    return out


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="space-aligned",
            detect=detect,
            parse=parse,
            description="text out of a PDF with columns aligned by spaces (pdftotext -layout)",
        )
    ]
