"""Layout: Markdown pipe tables ("| a | b |" with a "|---|" rule), as converters and LLMs write them."""

from __future__ import annotations

import re

from core.sdk import Cell, LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import saturate, split_row, text_row

_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    rows = rules = other = 0
    for line in lines:
        if "|" not in line and "\t" not in line and "-" not in line:
            continue  # no rule, row or delimiter: most lines of a text that is not Markdown
        s = line.strip()
        if "---" in s and _RULE.match(s):
            rules += 1
        elif s.startswith("|") and s.endswith("|") and s.count("|") >= 3:
            rows += 1
        elif "|" in s or "\t" in s:
            other += 1
    if not rows or not rules:
        return 0.0
    return round(rows / (rows + other) * saturate(rows, 30), 3)


def parse(source: Source) -> list[Row]:
    out = []
    for i, line in enumerate(source.lines, 1):
        s = line.strip()
        if not s or _RULE.match(s):
            continue
        if s.startswith("|") and "\\|" not in line and "\x00" not in line:
            out.append(split_row(line, i, "|", strip_outer=True))  # no escaped pipe: the cells as cut
        elif s.startswith("|"):
            # "\|" is a literal pipe inside a cell.
            row = split_row(line.replace("\\|", "\x00"), i, "|", strip_outer=True)
            out.append(
                Row(tuple(Cell(c.text.replace("\x00", "|"), line=c.line, col=c.col) for c in row.cells), row.kind)
            )
        else:
            out.append(text_row(line, i))
    return out


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="markdown-table", detect=detect, parse=parse, description='Markdown pipe tables with a "|---|" rule'
        )
    ]
