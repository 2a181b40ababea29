"""Layout: one cell per line (plain ``pdftotext`` without ``-layout``, or text copied out of a PDF viewer).

What such text looks like (seen on real poppler output of published PDFs, of reportlab PDFs and of the
official template exported by LibreOffice), and what this layout does about it:

- every cell is a line, every line of a wrapped cell too; blank lines stand between the blocks poppler
  finds (most cells, but not all: a block may hold the lines of several cells), and a blank cell prints
  nothing at all. The layout gives each table cell to the core as a ``CELL`` row, in the order printed:
  it cannot tell where a table row ends, nor which cells a block mixed, so it joins nothing;
- cells printed side by side come out on one line, one space apart: a group label's fragment before a
  row label ("（三）不 1.属于国家秘密"), a label before the row's first number ("…重新出具已 33"), the
  numbers of a row ("284 314 293"). A line is cut into cells before every number and before a label's
  numbering that follows a space; a line of prose (as wide as the page's prose) is one cell;
- the order is poppler's, not the table's: a row label comes after its row's numbers, a total printed at
  the top of its cell comes before or after its row, a page's header and page number come in the middle
  of a table. The core, which knows the template, reads such a stream (core.cellstream); this layout
  only drops page furniture (page numbers, running headers: see ``_pdftext.furniture``);
- the glyphs of a diagonal watermark (large text turned across every page) come each as a line of its
  own, between paragraphs or among the cells: the characters found so once on most pages are dropped
  (see ``_watermark``); the cells a glyph covers poppler prints beside it, away from their rows, and
  the text does not say where they stood: they stay where printed, the cell next to a dropped glyph
  marked ``apart`` (the glyph was the only sign it stands away from its row), for the core to place by
  the table's sums or leave unread;
- a section heading printed beside a tall table cell comes before the table's last cells ("五、…" among
  the cells of section 四): the cells that follow a heading of a section without a table, up to its
  last value before any prose, are given to the section before it;
- prose and headings are TEXT rows, one per line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from core.sdk import (
    CELL,
    TABLE_SECTIONS,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    display_width,
    fold_text,
    hookimpl,
    is_value,
    numbering,
    section_of,
    text_lines,
)

from ._lines import is_number_line, pdf_text_evidence, saturate, wrap_width
from ._pdftext import WATERMARK_CHAR, furniture, page_lines, watermark_chars

_GAP = re.compile(r"\S {2,}(?=\S)")
#: One cell a line has (nearly) no line of cells apart by delimiters or runs of spaces; pdftotext
#: -layout text has a fifth of its lines so or more, even where a watermark breaks its tables.
_SPACED = 0.05
#: A line this much narrower than the page's wrapped prose is a table cell, not a line of prose.
_CELL_SHARE = 0.8
#: Text with at least this many blocks per line separates its cells by blank lines (poppler's blocks).
_BLOCKS = 0.25


# --- detect -----------------------------------------------------------------------------------------


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    lines = lines[:8000]
    filled = numbers = adjacent = delimited = aligned = hollow = 0
    for i, raw in enumerate(lines):
        s = raw.replace("\f", "")
        if not s.strip():
            # poppler prints no line of spaces or tabs alone; a browser's copy of a web table (a tab
            # between cells) and a page's source text (its indentation) do
            hollow += bool(s)
            continue
        filled += 1
        if "|" in s or "\t" in s:
            delimited += 1
        elif len(_GAP.findall(s.strip())) >= 2:
            aligned += 1
        if is_number_line(s):
            numbers += 1
            if i + 1 < len(lines) and lines[i + 1].replace("\f", "").strip():
                adjacent += 1
    if numbers < 10 or (delimited + aligned + hollow) > _SPACED * filled:
        return 0.0  # few values one a line, or cells apart by delimiters or runs of spaces
    # One cell per line: cells one after the other (a copy-paste), or apart by blank lines with prose
    # wrapped at the page's width or page breaks (pdftotext): either says the text came out of a PDF.
    evidence = max(adjacent / numbers, pdf_text_evidence(lines))
    score = 0.9 * evidence * saturate(numbers, 60) * (1 - (delimited + aligned) / filled)
    return round(max(0.0, score), 3)


# --- parse ------------------------------------------------------------------------------------------


def parse(source: Source) -> list[Row]:
    plines = page_lines(source.lines)
    drop = furniture(plines)
    glyphs = _watermark(plines, drop)
    drop |= glyphs
    after_glyph, before_glyph = _beside(plines, drop, glyphs)
    kept = [(pl.no, pl.page, pl.text) for i, pl in enumerate(plines) if i not in drop and pl.text.strip()]
    stacked = _stacked(plines, drop)
    prose = _CELL_SHARE * wrap_width([text for _no, _page, text in kept])
    heads = [_heading(text) for _no, _page, text in kept]
    found_heading = any(heads)
    order, keys = _sections(kept, heads, prose) if found_heading else (range(len(kept)), [None] * len(kept))
    rows: list[Row] = []
    for i in order:
        no, _page, raw = kept[i]
        text = raw.strip()
        col = len(raw) - len(raw.lstrip()) + 1
        if heads[i] or (found_heading and keys[i] not in TABLE_SECTIONS):
            rows.append(Row((Cell(text, line=no, col=col),), TEXT))
        elif not _cell_like(text, prose):
            rows.append(Row((Cell(text, line=no, col=col),), CELL))
        else:
            why, block = stacked.get(no, (None, None))
            cells = _cells(text, no, col)
            if cells and no in after_glyph:
                cells[0] = replace(cells[0], apart=True)
            if cells and no in before_glyph:
                cells[-1] = replace(cells[-1], apart=True)
            rows.extend(
                Row((replace(cell, unread=why, stack=block) if why and is_value(cell.text) else cell,), CELL)
                for cell in cells
            )
    return rows


def _beside(plines, drop: set[int], glyphs: set[int]) -> tuple[set[int], set[int]]:
    """Line numbers of the lines kept right after a watermark's glyph, and of those right before one
    (blank lines and other dropped lines between do not count)."""
    kept = [i for i, pl in enumerate(plines) if pl.text.strip() and (i not in drop or i in glyphs)]
    after, before = set(), set()
    for a, b in pairwise(kept):
        if a in glyphs and b not in glyphs:
            after.add(plines[b].no)
        if b in glyphs and a not in glyphs:
            before.add(plines[a].no)
    return after, before


def _watermark(plines, drop: set[int]) -> set[int]:
    """Indices (into ``plines``) of the glyphs of a diagonal watermark ("公开发布样稿" drawn large and
    turned on every page).

    Plain poppler text prints each glyph as a line of its own that starts a block (a blank line or
    another glyph before it), wherever it falls: between paragraphs, among a table's cells, after the
    page's last line; not always in the watermark's order. A character a line that starts a block is
    a candidate; the watermark's characters are those found on most pages (``watermark_chars``), at
    least three, each found exactly once on two pages or more. On every page, the one candidate of
    each of its characters is dropped; where a page has two (a label's last character printed alone
    below the watermark's), neither.

    Poppler also prints the cells a glyph covers beside the glyph, away from their rows; the text does
    not say where they stood, so they are given as printed (the core places them where the table's
    sums decide, and leaves them unread where not)."""
    cands: dict[int, dict[str, list[int]]] = {}
    prev_blank, prev_cand = True, False
    for i, pl in enumerate(plines):
        text = pl.text.strip()
        if not text or i in drop:
            prev_blank, prev_cand = True, False
            continue
        starts = prev_blank or prev_cand or pl.page_start
        prev_cand = bool(starts and WATERMARK_CHAR.fullmatch(text))
        if prev_cand:
            cands.setdefault(pl.page, {}).setdefault(text, []).append(i)
        prev_blank = False
    n_pages = len({pl.page for i, pl in enumerate(plines) if pl.text.strip() and i not in drop})
    chars = watermark_chars({page: list(found) for page, found in cands.items()}, n_pages)
    whole = [page for page, found in cands.items() if all(len(found.get(ch, ())) == 1 for ch in chars)]
    if len(chars) < 3 or len(whole) < 2:
        return set()
    return {found[ch][0] for found in cands.values() for ch in chars if len(found.get(ch, ())) == 1}


def _stacked(plines, drop: set[int]) -> dict[int, tuple[str, int]]:
    """Line number -> (why its values cannot be read, the block's number), for lines of values stacked
    in one block. The core, which knows the table's sums, may still place a block's cells (they are one
    column's cells, top to bottom, where poppler stacked a column).

    Where the text puts a blank line after most values (poppler found each cell a block of its own),
    values on consecutive lines are a column of cells poppler read as one block, top to bottom: the
    text no longer shows the row of any of them."""
    blocks: list[list[int]] = [[]]
    for i, pl in enumerate(plines):
        if not pl.text.strip() or pl.page_start:
            blocks.append([])
        if pl.text.strip() and i not in drop:
            blocks[-1].append(i)
    out: dict[int, tuple[str, int]] = {}
    blocks = [b for b in blocks if b]
    if len(blocks) < _BLOCKS * sum(len(b) for b in blocks):
        return out  # lines one after the other: a copy-paste, not poppler's blocks
    for k, block in enumerate(blocks):
        values = [i for i in block if _value_line(plines[i].text)]
        if len(values) >= 2:
            first, last = plines[values[0]].no, plines[values[-1]].no
            for i in values:
                out[plines[i].no] = (
                    f"lines {first}-{last} print {len(values)} lines of values as one block: "
                    f"a column of cells read top to bottom, whose rows the text does not show",
                    k,
                )
    return out


def _value_line(text: str) -> bool:
    words = text.split()
    return bool(words) and all(is_value(w) for w in words)


def _heading(text: str) -> str | None:
    text = text.strip()
    if len(text) > 60:
        return None
    return section_of(fold_text(text))


def _sections(kept, heads: list[str | None], prose: float):
    """The order to read the kept lines in, and the section of every line.

    Poppler prints a table's tall cells where their text stands on the page, not where the table does:
    a heading printed beside them comes before them ("五、…" before the last cells of section 四), and a
    cell aligned to the top of its row may end up after the page's last line of prose. So a run of
    table cells (short lines, one of them a value) in a section without a table is read with the
    table before it when it comes right after the section's heading, or when it ends a page on which
    that table is printed (the run up to the page break: the next page's first lines are that page's
    text, however short)."""
    keys: list[str | None] = []
    section: str | None = None
    for head in heads:
        section = head or section
        keys.append(section)
    attach: dict[int, list[int]] = {}  # line -> runs read right after it
    moved: set[int] = set()
    i = 0
    while i < len(kept):
        if heads[i] or keys[i] in TABLE_SECTIONS or not _cell_like(kept[i][2], prose):
            i += 1
            continue
        j = i
        while j + 1 < len(kept) and not heads[j + 1] and keys[j + 1] == keys[i] and _cell_like(kept[j + 1][2], prose):
            j += 1
        run = list(range(i, j + 1))
        values = [k for k in run if _value_line(kept[k][2])]
        table = _table_before(keys, i)
        if values and table is not None:
            if i >= 2 and heads[i - 1] and keys[i - 2] in TABLE_SECTIONS:
                run = run[: run.index(values[-1]) + 1]  # right after the heading: up to the last value
                attach.setdefault(i - 2, []).extend(run)
                moved.update(run)
            else:
                # at the end of the table's page: the run ends at the page break (a short line of
                # prose at the top of the next page is no cell of the table)
                end = next((k for k in run if kept[k][1] > kept[i][1]), j + 1) - 1
                on_page = run[: end - i + 1]
                if (
                    any(k in values for k in on_page)
                    and (end + 1 == len(kept) or kept[end + 1][1] > kept[end][1])
                    and kept[table][1] == kept[end][1]
                ):
                    attach.setdefault(table, []).extend(on_page)
                    moved.update(on_page)
        i = j + 1
    order: list[int] = []

    def emit(k: int) -> None:
        order.append(k)
        for m in attach.get(k, ()):
            keys[m] = keys[k]
            emit(m)

    for k in range(len(kept)):
        if k not in moved:
            emit(k)
    return order, keys


def _cell_like(text: str, prose: float) -> bool:
    return display_width(text.strip()) < prose


def _table_before(keys, at: int) -> int | None:
    """The last line of a table section before line ``at``."""
    for k in range(at - 1, -1, -1):
        if keys[k] in TABLE_SECTIONS:
            return k
    return None


def _cells(text: str, no: int, col: int) -> list[Cell]:
    """The cells of one line: each value a cell; words between values one cell, cut again before a
    word that starts with a label's numbering."""
    out: list[Cell] = []
    words: list[tuple[str, int]] = []
    pos = 0
    for w in text.split():
        at = text.index(w, pos)
        pos = at + len(w)
        words.append((w, at))
    label: list[tuple[str, int]] = []

    def flush():
        if label:
            start = label[0][1]
            end = label[-1][1] + len(label[-1][0])
            out.append(Cell(text[start:end], line=no, col=col + start))
            label.clear()

    for w, at in words:
        if is_value(w):
            flush()
            out.append(Cell(w, line=no, col=col + at))
        elif not label and out and is_value(out[-1].text.replace(" ", "") + w):
            # a unit printed one space after its number ("818.1 万元")
            start = (out[-1].col or col) - col
            out[-1] = Cell(text[start : at + len(w)], line=no, col=col + start)
        else:
            if label and numbering(w):
                flush()
            label.append((w, at))
    flush()
    return out


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="line-cells",
            detect=detect,
            parse=parse,
            description="one cell per line (plain pdftotext, copy-paste out of a PDF)",
        )
    ]
