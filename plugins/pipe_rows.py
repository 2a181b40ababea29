"""Layout: whole table rows on one line with cells joined by " | " (web pages scraped to text)."""

from __future__ import annotations

import re
from itertools import pairwise

from core.sdk import LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import delimited_rows, saturate

_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")  # a Markdown table rule belongs to markdown-table


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    rows = md = cells = 0
    for line in lines:
        if "|" not in line:
            continue
        s = line.strip()
        if "---" in s and _RULE.match(s):  # a rule holds "---": the regex runs on the few lines that do
            md += 3
        elif s.startswith("|"):
            md += 1
        elif _is_row(s):
            rows += 1
        else:
            cells += 1
    if not rows:
        return 0.0
    return round(rows / (rows + md + cells) * saturate(rows, 30), 3)


def _is_row(line: str) -> bool:
    """Text, a pipe, more text: two neighbouring cells both filled. (A regex for this retried at every
    start of a long line of digits, quadratic in its length.)"""
    cells = line.split("|")
    if len(cells) == 2:  # "text |" or "a | b", most lines with a pipe: no loop
        return bool(cells[0].strip() and cells[1].strip())
    return any(a.strip() and b.strip() for a, b in pairwise(cells))


def parse(source: Source) -> list[Row]:
    return delimited_rows(source, "|")


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="pipe-rows", detect=detect, parse=parse, description='table rows on one line, cells joined by " | "'
        )
    ]
