"""Putting a document's pages in reading order: tables, headings and paragraphs, without page furniture."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from core.sdk import TEXT, Cell, Row

from . import chars as C
from . import tables as T

#: Running headers and footers, and bare page numbers, sit in this top or bottom share of a page.
MARGIN_SHARE = 0.09
#: A page number set off by dashes or words ("- 3 -", "第3页") may sit this far in (official documents
#: put it just under the text block, whose bottom margin is about an eighth of the page).
NUMBER_SHARE = 0.15
_PAGE_NUMBER = re.compile(
    r"^[-—–－~\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－~\s]*$"
    r"|^(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?$",
    re.IGNORECASE,
)


class Para:
    """Lines of running text read as one paragraph (it may run on to the next page)."""

    def __init__(self, page: int, line: C.Line):
        self.page = page
        self.lines = [(page, line)]

    def row(self) -> Row:
        text = C.join_lines([ln.text for _, ln in self.lines])
        own = [ln for p, ln in self.lines if p == self.page]
        bbox = (min(ln.x0 for ln in own), min(ln.y0 for ln in own), max(ln.x1 for ln in own), max(ln.y1 for ln in own))
        return Row((Cell(text, page=self.page, bbox=bbox),), TEXT)


def rows(pages: list) -> list[Row]:
    """The rows of a document read by a backend (a list of :class:`backends.Page`), in reading order."""
    laid = []
    for page in pages:
        items, free = _tables(page)
        laid.append((page, items, C.lines(free)))
    _drop_furniture(laid)
    _join_pages(laid)
    for page, items, _ in laid:
        items[:] = [(top, T.grid_rows(g, page.number)) for top, g in items]
    left, right = _margins(laid)
    out: list = []
    open_para = None  # the paragraph read last, while nothing else followed it
    for page, items, lines in laid:
        taken = [False] * len(lines)
        for first, last, trows in T.unruled_rows(lines, page.number, left):
            items.append((max(ln.y1 for ln in lines[first : last + 1]), trows))
            taken[first : last + 1] = [True] * (last + 1 - first)
        paras: list[Para | None] = []  # None for a line a table took
        for ln, t in zip(lines, taken):
            if t:
                paras.append(None)
            elif paras and paras[-1] is not None and _continues(paras[-1].lines[-1][1], ln, left, right):
                paras[-1].lines.append((page.number, ln))
            else:
                paras.append(Para(page.number, ln))
        items.extend((p.lines[0][1].y1, p) for p in paras if p is not None)
        items.sort(key=lambda it: -it[0])
        for k, (_, content) in enumerate(items):
            if isinstance(content, Para):
                if (
                    k == 0
                    and open_para is not None
                    and _continues(open_para.lines[-1][1], content.lines[0][1], left, right, next_page=True)
                ):
                    open_para.lines.extend(content.lines)
                    continue
                out.append(content)
                open_para = content
            else:
                out.extend(content)
                open_para = None
    return [r.row() if isinstance(r, Para) else r for r in out]


def _tables(page) -> tuple[list, list]:
    """The page's ruled tables as ``(top, grid)`` items, and the characters outside them."""
    gs = T.grids(page.rules)
    free = T.assign(gs, page.chars)
    items = []
    for g in gs:
        if T.read_cells(g):
            items.append((g.top, g))
        else:
            free.extend(ch for c in g.cells for ch in c[6])
    return items, free


def _join_pages(laid: list) -> None:
    """Let a table cut by a page break carry its tall label cells over (see tables.continue_across)."""
    for (_, above, lines_a), (_, below, lines_b) in pairwise(laid):
        grids_a = [it for it in above if isinstance(it[1], T.Grid)]
        grids_b = [it for it in below if isinstance(it[1], T.Grid)]
        if not grids_a or not grids_b:
            continue
        last = min(grids_a, key=lambda it: it[0])
        first = max(grids_b, key=lambda it: it[0])
        if any(ln.y1 < last[1].bbox[1] for ln in lines_a) or any(ln.y0 > first[0] for ln in lines_b):
            continue  # text between them: two tables
        T.continue_across(last[1], first[1])


def _norm(text: str) -> str:
    return re.sub(r"[\d\s]+", "#", text)


def _drop_furniture(laid: list) -> None:
    """Remove page numbers and running headers/footers (free lines in the page margins)."""
    seen: Counter = Counter()
    for page, _, lines in laid:
        for ln in {_norm(ln.text) for ln in lines if _in_margin(ln, page, MARGIN_SHARE)}:
            seen[ln] += 1
    repeated = {t for t, n in seen.items() if n >= 2 and n * 2 >= len(laid)}
    for page, _, lines in laid:
        lines[:] = [ln for ln in lines if not _furniture(ln, page, repeated)]


def _furniture(ln: C.Line, page, repeated: set) -> bool:
    if _in_margin(ln, page, MARGIN_SHARE):
        return bool(_PAGE_NUMBER.match(ln.text)) or _norm(ln.text) in repeated
    if _in_margin(ln, page, NUMBER_SHARE):
        text = ln.text.strip()
        return bool(_PAGE_NUMBER.match(text)) and not text.isdigit()
    return False


def _in_margin(ln: C.Line, page, share: float) -> bool:
    m = page.height * share
    return ln.y0 >= page.height - m or ln.y1 <= m


def _margins(laid: list) -> tuple[float, float]:
    """The left and right edges of the body text: where most long, solidly set lines (at least half the
    page wide, so not table rows or headings) start, and the furthest edge two of them reach."""
    prose = [
        ln
        for page, _, lines in laid
        for ln in lines
        if ln.x1 - ln.x0 >= 0.5 * page.width and sum(ch[3] - ch[1] for ch in ln.chars) >= 0.75 * (ln.x1 - ln.x0)
    ]
    if not prose:
        return 0.0, 0.0
    lefts = Counter(round(ln.x0) for ln in prose)
    rights = Counter(round(ln.x1) for ln in prose)
    most = max(lefts.values())
    left = min(x for x, n in lefts.items() if n == most)
    right = max((x for x, n in rights.items() if n >= 2), default=max(rights))
    return float(left), float(right)


def _continues(prev: C.Line, ln: C.Line, left: float, right: float, next_page: bool = False) -> bool:
    """Whether ``ln`` runs on from ``prev``: ``prev`` fills the line, ``ln`` is not indented, not numbered,
    in the same type size, and (on one page) right below."""
    size = prev.size
    if not (0.85 <= ln.size / size <= 1.18):
        return False
    if right - left < 15 * size:
        return False  # no measure of running text to tell a full line by
    if prev.x1 < right - 1.5 * size or ln.x0 > left + 0.8 * size or prev.x0 < left - 2 * size:
        return False
    if C.MARKER.match(ln.text):
        return False
    return next_page or 0 <= prev.y0 - ln.y1 <= 1.6 * size
