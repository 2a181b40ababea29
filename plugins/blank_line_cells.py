"""Layout: one cell per line with blank lines between cells, where each extra blank line is an empty
cell (text copied out of web tables cell by cell)."""

from __future__ import annotations

from collections.abc import Sequence

from core.sdk import CELL, Cell, LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import is_number_line, pdf_text_evidence, saturate


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    # One pass, each line stripped once: which lines are filled, and of those, which a blank line follows.
    full = [bool(s.strip()) for s in lines]
    filled = full.count(True)
    if not filled:
        return 0.0
    separated = sum(1 for here, after in zip(full, [*full[1:], False]) if here and not after)
    # A line holding only tabs is not a blank line between cells: a browser's copy of a web table puts
    # one between a row's cells (browser-copy), a page's source text indents with them (html-source-text).
    tabbed = sum(1 for s, here in zip(lines, full) if not here and "\t" in s)
    delimited = numbers = 0
    for s, here in zip(lines, full):
        if here:
            delimited += "|" in s or "\t" in s
            numbers += is_number_line(s)
    score = separated / filled * (1 - delimited / filled) * (1 - tabbed / (filled + tabbed)) * saturate(numbers, 80)
    # Text out of a PDF (plain pdftotext) has blank lines between most of its cells too, but a block
    # there may hold the lines of several cells, and its rows come in poppler's order: line-cells reads
    # it. Cells copied out of a web page come with their paragraphs on one line each and no page breaks.
    return round(score * (1 - pdf_text_evidence(lines)), 3)


def parse(source: Source) -> list[Row]:
    out: list[Row] = []
    lines = source.lines
    parts: list[str] = []
    start = 0
    blanks = 0
    seen_cell = False
    for i, line in enumerate(lines, 1):
        if line.strip():
            if not parts:
                # Blank lines beyond the one that separates two cells stand for empty cells.
                if seen_cell:
                    for k in range(blanks - 1):
                        out.append(Row((Cell("", line=i - blanks + 1 + k),), CELL))
                start = i
            parts.append(line.strip())
            blanks = 0
        else:
            if parts:
                out.append(_cell(parts, start, lines))
                parts = []
                seen_cell = True
            blanks += 1
    if parts:
        out.append(_cell(parts, start, lines))
    return out


def _cell(parts: list[str], start: int, lines: Sequence[str]) -> Row:
    # A cell wrapped over several lines ("結果" / "糾正") is one cell; CJK text joins without a space.
    first = lines[start - 1]
    unread = None
    if len(parts) > 1 and all(is_number_line(p) for p in parts):
        # "14" over "14" is two numbers with their blank line lost, not the number 1414.
        unread = (
            f"lines {start}-{start + len(parts) - 1} hold {len(parts)} numbers with no blank line "
            f"between them: one cell or {len(parts)} is uncertain"
        )
    return Row((Cell("".join(parts), line=start, col=len(first) - len(first.lstrip()) + 1, unread=unread),), CELL)


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="blank-line-cells",
            detect=detect,
            parse=parse,
            description="one cell per line, blank lines between, an extra blank line = empty cell",
        )
    ]
