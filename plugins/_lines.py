"""Helpers the text layouts share: reading lines safely and cutting a line into positioned cells."""

from __future__ import annotations

import functools
import re

from core.sdk import TABLE, TEXT, Cell, Row, Source, display_width

_NUMBER_LINE = re.compile(r"^\s*[+-]?\d[\d,.]*\s*$")


def split_row(line: str, lineno: int, sep: str, strip_outer: bool = False) -> Row:
    """A table row from one line cut at ``sep``, each cell with its 1-based column."""
    parts = line.split(sep)
    starts, pos = [], 0
    for p in parts:
        starts.append(pos)
        pos += len(p) + len(sep)
    if strip_outer:
        if parts and not parts[0].strip():
            parts, starts = parts[1:], starts[1:]
        if parts and not parts[-1].strip():
            parts, starts = parts[:-1], starts[:-1]
    cells = []
    for p, start in zip(parts, starts):
        lead = len(p) - len(p.lstrip())
        cells.append(Cell(p.strip(), lineno, start + lead + 1))  # text, line, col
    return Row(tuple(cells), TABLE)


def saturate(count: int, enough: int) -> float:
    """0..1: how far ``count`` goes towards ``enough`` lines of evidence."""
    return min(1.0, count / enough)


def is_number_line(line: str) -> bool:
    return bool(_NUMBER_LINE.match(line))


def text_row(line: str, lineno: int, kind: str = TEXT) -> Row:
    """A whole line as one cell, with its line number and the column of its first character."""
    return Row((Cell(line.strip(), lineno, len(line) - len(line.lstrip()) + 1),), kind)  # text, line, col


def delimited_rows(source: Source, sep: str) -> list[Row]:
    """Lines holding ``sep`` as table rows cut at it; other non-blank lines as prose."""
    return [
        split_row(line, i, sep) if sep in line else text_row(line, i)
        for i, line in enumerate(source.lines, 1)
        if line.strip()
    ]


#: A line at least this wide (a CJK character counts 2) can be a line of prose.
_PROSE_WIDTH = 40


def wrap_width(lines) -> int:
    """The width at which the text's prose is wrapped: the most common width of its wide lines (text
    out of a PDF wraps every line of a paragraph but its last at the same width), or 0 when no width
    recurs."""
    return _wrap_of([display_width(s.strip()) for s in lines])


def _wrap_of(widths: list[int]) -> int:
    counts: dict[int, int] = {}
    for w in widths:
        if w >= _PROSE_WIDTH:
            counts[w // 4] = counts.get(w // 4, 0) + 1
    if not counts:
        return 0
    bucket = max(counts, key=lambda b: (counts[b] + counts.get(b - 1, 0) + counts.get(b + 1, 0), b))
    if counts[bucket] + counts.get(bucket - 1, 0) + counts.get(bucket + 1, 0) < 3:
        return 0
    return 4 * bucket


def pdf_text_evidence(lines) -> float:
    """0..1: how surely the lines are text taken out of a PDF (pdftotext, a viewer's copy): page breaks
    (form feeds), or paragraphs wrapped at one width, every line of them but the last followed by the
    next. Text copied out of a web page prints a paragraph as one line, whatever its length."""
    return _pdf_text_evidence(tuple(lines))


# Several layouts' detect ask this of the same lines: it is worked out once per text.
@functools.lru_cache(maxsize=4)
def _pdf_text_evidence(lines: tuple[str, ...]) -> float:
    if any("\f" in s for s in lines):
        return 1.0
    widths = [display_width(s.strip()) for s in lines]
    wrap = _wrap_of(widths)
    if not wrap:
        return 0.0
    wide = [i for i, w in enumerate(widths) if abs(w - wrap) <= 4]
    followed = sum(1 for i in wide if i + 1 < len(lines) and lines[i + 1].strip())
    return followed / len(wide)
