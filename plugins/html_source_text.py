"""Layout: the text of a web page's HTML with the source's own line breaks and indentation kept (the DOM's
``textContent``, BeautifulSoup's ``get_text()``, lxml's ``text_content()``: what a scraper that does not
render the page gets).

What such text looks like (seen on Chromium's ``textContent`` of LibreOffice's HTML export of the official
template): every cell's text on a line of its own, indented as deep as its tag stood in the source, with
lines of indentation only (the whitespace between tags) around it. An empty cell prints nothing but
whitespace, so it cannot be told from the whitespace between tags, and a row's end is not printed at all:
the text is a stream of cells in the table's order, which the core reads by the template (core.cellstream).
The layout gives every line with text as a CELL row, in order, with its line and column.
"""

from __future__ import annotations

import re

from core.sdk import CELL, Cell, LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import is_number_line, saturate

#: Text where at least this share of the lines are indented (a cell's text, or indentation only) is a
#: page's source text: text copied out of a rendered page starts its lines at the margin, and poppler's
#: text indents only where it aligns columns (space-aligned reads that).
_INDENTED_SHARE = 0.5
#: a tab, a bar or a run of spaces between two things printed on one line
_GAP = re.compile(r"\S(?:\t| {2,}|\|)\s*\S")


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    indented = numbers = filled = aligned = 0
    for s in lines:
        body = s.strip()
        if not body:
            indented += bool(s) and ("\t" in s or "  " in s)
            continue
        filled += 1
        numbers += is_number_line(body)
        if _GAP.search(body):
            aligned += 1  # cells side by side on one line: not one cell a line
        elif s[0] in " \t":
            indented += 1
    if not filled or indented < _INDENTED_SHARE * (filled + indented - aligned):
        return 0.0
    return round(saturate(numbers, 60) * (1 - aligned / filled), 3)


def parse(source: Source) -> list[Row]:
    return [
        Row((Cell(line.strip(), line=no, col=len(line) - len(line.lstrip()) + 1),), CELL)
        for no, line in enumerate(source.lines, 1)
        if line.strip()
    ]


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="html-source-text",
            detect=detect,
            parse=parse,
            description="a web page's text with its HTML source's indentation kept: one cell a line",
        )
    ]
