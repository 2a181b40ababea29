"""Layout: one table cell per line, each ending in " |", with runs of "|" standing for merged cells."""

from __future__ import annotations

import re

from core.sdk import CELL, LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import saturate, text_row

# "text |", "text | |||", or a bare "|" run for an empty cell; no "|" with text after it.
_CELL_LINE = re.compile(r"^(?P<text>[^|]*?)\s*\|[|\s]*$")
_ROW_LINE = re.compile(r"[^|\s][^|]*\|[^|]*[^|\s]")


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    cells = rows = 0
    for line in lines:
        if "|" not in line:
            continue
        if _CELL_LINE.match(line):
            cells += 1
        elif _ROW_LINE.search(line):
            rows += 1
    if not cells:
        return 0.0
    return round(cells / (cells + rows) * saturate(cells, 60), 3)


def parse(source: Source) -> list[Row]:
    out = []
    for i, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        m = _CELL_LINE.match(line)
        out.append(text_row(m.group("text"), i, CELL) if m else text_row(line, i))
    return out


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="pipe-cells",
            detect=detect,
            parse=parse,
            description='one cell per line ending in " |", "|" runs for merged cells',
        )
    ]
