"""Helpers the text layouts share: reading lines safely and cutting a line into positioned cells."""

from __future__ import annotations

import re

from core.sdk import TABLE, TEXT, Cell, Row, Source

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
        cells.append(Cell(p.strip(), line=lineno, col=start + lead + 1))
    return Row(tuple(cells), TABLE)


def saturate(count: int, enough: int) -> float:
    """0..1: how far ``count`` goes towards ``enough`` lines of evidence."""
    return min(1.0, count / enough)


def is_number_line(line: str) -> bool:
    return bool(_NUMBER_LINE.match(line))


def text_row(line: str, lineno: int, kind: str = TEXT) -> Row:
    """A whole line as one cell, with its line number and the column of its first character."""
    return Row((Cell(line.strip(), line=lineno, col=len(line) - len(line.lstrip()) + 1),), kind)


def delimited_rows(source: Source, sep: str) -> list[Row]:
    """Lines holding ``sep`` as table rows cut at it; other non-blank lines as prose."""
    return [
        split_row(line, i, sep) if sep in line else text_row(line, i)
        for i, line in enumerate(source.lines, 1)
        if line.strip()
    ]
