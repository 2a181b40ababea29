"""Layout: text whose table structure was lost — a web page scraped with its line breaks collapsed and its
table cells glued together ("…申请数量801000081二、上年结转…") or separated by single spaces ("…申请数量
11 0 0 0 0 0 11 二、…"); often the whole report is one line.

The layout only recognises such text and hands every line to the core as a ``FLOW`` row: the core finds
the section headings inside the lines, cuts the tables at the template's row labels and splits each run
of digits into its cells under the template's arithmetic. A cell the arithmetic cannot decide comes out
null with a warning listing the candidates, never a guess.
"""

from __future__ import annotations

import re

from core.sdk import (
    FLOW,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    fold_text,
    hookimpl,
    text_lines,
)

NAME = "glued-text"

#: A run of values right after a word: digits glued together, or numbers separated by single spaces.
_AFTER_WORD = re.compile(r"[\u4e00-\u9fff)”\"] ?(\d(?:\d| (?=\d))*)")
#: Five digits (or digits and spaces) in a row: a line without them holds no run worth a look. Fullwidth
#: digits are rare in scrapes, and a line of them is folded when it has them.
_LONG_DIGITS = re.compile(r"[0-9０-９][0-9０-９ ]{4,}")
#: Units of prose after a number ("81件", "2023年"): such a number is no table cell.
_PROSE_AFTER = set("件条个次篇%年月日人份家余多项位名期号届批周天")
#: Table rows a file must show in this form before the layout claims it.
_ENOUGH_ROWS = 5


def _runs(line: str) -> list[str]:
    out = []
    for m in _AFTER_WORD.finditer(line):
        after = line[m.end(1) : m.end(1) + 3].lstrip(" ")
        if after[:1] in _PROSE_AFTER and after:
            continue
        out.append(m.group(1))
    return out


def _evidence(lines: tuple[str, ...]) -> tuple[int, int, int]:
    """(glued rows, glued rows holding a piece no number is printed as, rows of single-spaced numbers) in
    the text."""
    glued = impossible = spaced = 0
    for line in lines:
        if "|" in line or "\t" in line or not _LONG_DIGITS.search(line):
            continue
        folded = fold_text(line)
        for run in _runs(folded):
            pieces = run.split(" ")
            printable = all(p == "0" or not p.startswith("0") for p in pieces)
            if len(pieces) >= 5 and printable:
                # five numbers or more one space apart after a label: a table row printed with single
                # spaces for its cell boundaries (a layout that keeps columns prints wider gaps)
                spaced += 1
            elif sum(len(p) for p in pieces) >= 7:
                glued += 1
                # "0000000" or "031" is no number anyone prints: the cells were glued together
                impossible += not printable
    return glued, impossible, spaced


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    glued, impossible, spaced = _evidence(lines)
    if glued >= _ENOUGH_ROWS and impossible:
        return 0.9
    if spaced >= _ENOUGH_ROWS:
        return 0.85
    return round(0.08 * min(glued, 10), 3)


def parse(source: Source) -> list[Row]:
    return [
        Row((Cell(line.strip(), line=i, col=len(line) - len(line.lstrip()) + 1),), FLOW)
        for i, line in enumerate(source.lines, 1)
        if line.strip()
    ]


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name=NAME,
            detect=detect,
            parse=parse,
            description="text whose table structure was lost: cells glued together or "
            "separated by single spaces, line breaks collapsed",
        )
    ]
