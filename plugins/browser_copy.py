"""Layout: the text a browser gives of a web page whose table cells hold paragraphs (a copy of the whole
page, ``innerText``: what Selenium's ``.text``, Playwright's ``inner_text()`` or Ctrl+A, Ctrl+C give).

What such text looks like (seen on Chromium's ``innerText`` of LibreOffice's HTML export of the official
template; the HTML that Word and the publishing systems of government sites make holds its cells the same
way, as ``<td><p>…</p></td>``), following the HTML standard's innerText algorithm:

- the cells of a table row are apart by one tab, and each cell's paragraph asks for a blank line before
  and after it, so the tab stands on a line of its own between blank lines ("284", "", tab, "", "314");
- a table row ends with one line break, which adds to its last cell's and the next row's first cell's
  blank lines: the blank lines between rows are more than those between the paragraphs of one cell
  ("商业", "", "企业" is one cell; rows are apart by four blank lines where cells are ``<p>``);
- an empty cell is a tab line followed by blank lines only, up to the next tab line, or, for a row's
  first or last cell, a run of blank lines as long as a row break, or longer, beside its tab.

- a table ends with no more blank lines than a cell's paragraphs have, where the page's paragraphs are
  as close as a cell's (a page pasted from Word): the paragraph after a table comes as close as a cell's
  second paragraph would.

The layout gives each row with a tab as a TABLE row of its cells (a cell's paragraphs joined, each cell
with the line it starts on) and every other line as prose. How many blank lines end a row is learnt from
the text itself, as innerText makes it (see ``_row_break``); a row also ends at a section heading, the
report's title, a line of prose and after a number (see ``_groups``).
"""

from __future__ import annotations

import re
from collections import Counter

from core.sdk import (
    TABLE,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    fold_text,
    hookimpl,
    is_number,
    section_of,
    text_lines,
)

from ._lines import saturate

#: A part of a cell this long, or ending as a sentence does, is prose before or after a table, not a
#: paragraph of a cell (the template's longest label is 38 characters).
_CELL_PART_MAX = 60
_SENTENCE_END = ("。", "；", "！", "？")
_Part = tuple  # a piece of a cell's text: (text, line, col)
#: Every report's title says what it is; no cell of its tables does.
_TITLE = "年度报告"
#: Fewer tabs on lines of their own than this is no table (section 二 alone has a dozen cells).
_FEWEST_TABS = 10


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    lone = inline = filled = indented = 0
    for s in lines:
        body = s.strip()
        if body:
            filled += 1
            indented += s[0] in " \t"
            inline += "\t" in body
        elif "\t" in s:
            lone += 1
    if lone < _FEWEST_TABS or lone < 2 * inline:
        return 0.0  # no table; or tabs between a row's cells on one line: tab-rows reads that
    # a rendered page's text starts its lines at the margin; the source's text indents them
    # (html-source-text reads that)
    return round(saturate(lone, 60) * lone / (lone + inline) * (1 - indented / max(filled, 1)), 3)


def parse(source: Source) -> list[Row]:
    tokens = _tokens(source.lines)
    row_break = _row_break(tokens)
    out: list[Row] = []
    row: list[tuple[list[_Part], int]] = []  # the row being read: per cell, its text's parts and tab's line

    def end_row() -> None:
        nonlocal row
        if len(row) > 1:
            out.append(Row(tuple(_cell(parts, tab) for parts, tab in row), TABLE))
        elif row and row[0][0]:
            out.append(_text_row(row[0][0]))
        row = []

    # The text between two tabs is one cell of a row, or the end of one row and the start of the next
    # (with whole rows of one cell, headings and prose between): it is cut where a row ends.
    segments = _segments(tokens)
    for k, (tab_line, seg) in enumerate(segments):
        groups, lead, trail = _groups(seg, row_break, after_tab=k > 0, before_tab=k < len(segments) - 1)
        first, last = k == 0, k == len(segments) - 1
        if not first:
            if lead or not groups:
                row.append(([], tab_line))  # an empty cell
            else:
                row.append((groups.pop(0), tab_line))
            if lead or groups or trail or last:
                end_row()
        if not groups:
            if trail and not last:
                row.append(([], tab_line))  # the next row's first cell is empty
            continue
        opener = None if trail or last else groups.pop()
        out.extend(_text_row(g) for g in groups)
        if opener is not None:
            row.append((opener, 0))
        elif not last:
            row.append(([], tab_line))
    end_row()
    return out


def _segments(tokens: list[tuple]) -> list[tuple[int, list[tuple]]]:
    """The tokens cut at every tab: (the line of the tab before, the tokens up to the next tab)."""
    out: list[tuple[int, list[tuple]]] = [(0, [])]
    for tok in tokens:
        if tok[0] == "tab":
            out.append((tok[1], []))
        else:
            out[-1][1].append(tok)
    return out


def _groups(
    seg: list[tuple], row_break: int, after_tab: bool, before_tab: bool
) -> tuple[list[list[_Part]], bool, bool]:
    """The text between two tabs (or before the first, or after the last) cut where a row ends: the
    groups of parts between the cuts, and whether a row ends right after the tab before (``lead``: that
    tab's cell is empty) or right before the tab after (``trail``: the next row's first cell is empty).

    A row ends at a run of line breaks as long as a row break, at a section heading, the report's title
    or a line of prose (each stands alone), and after a number (a cell holds a number alone): after a
    table a paragraph comes as close as a cell's own paragraphs do. A cell printed on its tab's line
    holds no paragraph (a table of plain cells, one row a line): any line break beside it ends the row."""
    if not any(tok[0] == "text" for tok in seg):
        return [], False, False  # between two tabs: an empty cell
    lead = seg[0][0] == "breaks" and seg[0][1] >= row_break
    trail = seg[-1][0] == "breaks" and seg[-1][1] >= row_break
    inline = {1} if after_tab and seg[0][0] == "text" else set()
    if before_tab and seg[-1][0] == "text":
        inline.add(len(seg) - 2)
    groups: list[list[_Part]] = []
    current: list[_Part] = []
    after_alone = False  # the last part stands alone
    for k, tok in enumerate(seg):
        if tok[0] == "breaks":
            if (tok[1] >= row_break or k in inline) and current:
                groups.append(current)
                current = []
            continue
        part = tok[1:]
        alone = _stands_alone(part[0])
        if current and (alone or after_alone or is_number(current[-1][0])):
            groups.append(current)
            current = []
        current.append(part)
        after_alone = alone
    if current:
        groups.append(current)
    return groups, lead, trail


def _stands_alone(text: str) -> bool:
    """A section heading, the report's title or a line of prose: never part of a table's cell."""
    return section_of(text) is not None or _TITLE in fold_text(text) or not _cell_part(text)


def _tokens(lines) -> list[tuple]:
    """The text as tokens: ("text", text, line, col) for a line's text, ("tab", line) for a tab, and
    ("breaks", n) for the n line breaks between two of those."""
    out: list[tuple] = []
    breaks = 0
    for no, line in enumerate(lines, 1):
        if out:
            breaks += 1
        for m in re.finditer(r"\t|[^\t]+", line):
            part = m.group()
            if part != "\t" and not part.strip():
                continue
            if breaks:
                out.append(("breaks", breaks))
                breaks = 0
            if part == "\t":
                out.append(("tab", no))
            else:
                lead = len(part) - len(part.lstrip())
                out.append(("text", part.strip(), no, m.start() + lead + 1))
    return out


def _row_break(tokens: list[tuple]) -> int:
    """How many line breaks end a table row: a cell's paragraph asks for ``n`` line breaks before and
    after it (the commonest run between a tab and a cell's text: 2 for ``<p>``, 1 for ``<div>``), and the
    row's end adds one between the last cell's and the next row's first cell's: 2n + 1. A cell's own
    paragraphs are n apart."""
    beside: Counter[int] = Counter()
    for k in range(1, len(tokens) - 1):
        if tokens[k][0] == "breaks" and {tokens[k - 1][0], tokens[k + 1][0]} == {"tab", "text"}:
            beside[tokens[k][1]] += 1
    paragraph = max(beside, key=lambda n: (beside[n], -n)) if beside else 0
    return 2 * paragraph + 1


def _joined(parts: list[_Part]) -> str:
    # CJK text joins without a space; words and numbers keep one. Unlike the HTML layouts'
    # join_pieces, the text is kept as printed (an ideographic space stays one).
    text = parts[0][0]
    for part, _line, _col in parts[1:]:
        text += " " + part if text[-1].isascii() and part[0].isascii() else part
    return text


def _cell(parts: list[_Part], tab_line: int) -> Cell:
    if not parts:
        return Cell("", tab_line + 1 if tab_line else None)
    return Cell(_joined(parts), parts[0][1], parts[0][2])


def _text_row(parts: list[_Part]) -> Row:
    return Row((_cell(parts, 0),), TEXT)


def _cell_part(text: str) -> bool:
    return len(text) <= _CELL_PART_MAX and not text.endswith(_SENTENCE_END)


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="browser-copy",
            detect=detect,
            parse=parse,
            description="a web page's text as a browser copies it: a tab on a line of its own between cells",
        )
    ]
