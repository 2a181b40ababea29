"""Helpers the two layouts of text out of PDFs share (``space-aligned``: ``pdftotext -layout``;
``line-cells``: plain ``pdftotext`` or a copy-paste): page breaks and page furniture, section headings,
row-label numbering and the display width of CJK text."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from core.sdk import norm, split_numbering

#: Page numbers as printed in a footer or header: "- 3 -", "— 3 —", "第 3 页", "第3页 共6页", "3 / 6".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]"
    r"|第\s*\d{1,3}\s*[页頁](?:\s*[,，]?\s*共\s*\d{1,3}\s*[页頁])?"
    r"|\d{1,3}\s*/\s*\d{1,3}"
    r"|[Pp]age\s*\d{1,3}(?:\s*of\s*\d{1,3})?)$"
)
_BARE_NUMBER = re.compile(r"^\d{1,3}$")

#: A section heading: its numeral and a word of its title only the heading prints (so that table rows
#: numbered like headings, "四、结转下年度继续办理", "三、本年度办理结果", are not taken for headings).
_HEADING = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?[、.,:]")
_HEADING_WORDS = {
    "一": ("总体", "總體", "概述", "概況", "概况"),
    "二": ("主动公开", "主動公開"),
    "三": ("申请", "申請"),
    "四": ("复议", "復議", "诉讼", "訴訟"),
    "五": ("问题", "問題"),
    "六": ("其他需要", "其他事项", "其他事項"),
}
SECTION_KEYS = {
    "一": "overview",
    "二": "active_disclosure",
    "三": "applications",
    "四": "review_litigation",
    "五": "problems",
    "六": "other_matters",
}


@dataclass
class PageLine:
    """One line of the text with its 1-based line number, without form feeds."""

    no: int
    text: str
    #: A page starts at this line (it followed a form feed).
    page_start: bool = False
    #: 1-based page number.
    page: int = 1


def page_lines(lines: Sequence[str]) -> list[PageLine]:
    """The lines with form feeds (pdftotext's page breaks) removed and recorded."""
    out = []
    page = 1
    pending = False
    for i, raw in enumerate(lines, 1):
        if "\f" in raw:
            before, _, after = raw.rpartition("\f")
            if before.replace("\f", "").strip():
                # text before the form feed belongs to the end of the previous page
                out.append(PageLine(i, before.replace("\f", "").rstrip(), pending, page))
            page += raw.count("\f")
            pending = True
            raw = after
        line = PageLine(i, raw.rstrip(), False, page)
        if line.text.strip():
            line.page_start = pending
            pending = False
        out.append(line)
    return out


def furniture(lines: list[PageLine]) -> set[int]:
    """Indices (into ``lines``) of page furniture: page numbers and running headers next to page breaks.

    A line that looks like a page number ("- 3 -", "第3页") is furniture anywhere; a bare number only when
    it is the first or last line of a page and that page's number, on a page that prints no other page
    number (a page is numbered once: a table's cell can end the page its value numbers). A running
    header is one of the first two lines of a page that repeats (part of) the document's first lines
    (the title, the organ), or the first line of at least three pages.
    """
    drop: set[int] = set()
    filled = [i for i, ln in enumerate(lines) if ln.text.strip()]
    if not filled:
        return drop
    numbered: set[int] = set()
    for i in filled:
        if _PAGE_NUMBER.match(lines[i].text.strip()):
            drop.add(i)
            numbered.add(lines[i].page)
    # the filled lines just before and after each page break
    starts = [k for k, i in enumerate(filled) if lines[i].page_start]
    edges: list[tuple[int, int]] = []  # (filled index, page number of the page it belongs to)
    for k in starts:
        edges.append((k, lines[filled[k]].page))
        if k > 0:
            edges.append((k - 1, lines[filled[k - 1]].page))
    if filled:
        edges.append((len(filled) - 1, lines[filled[-1]].page))
    for k, page in edges:
        i = filled[k]
        t = lines[i].text.strip()
        if _BARE_NUMBER.match(t) and int(t) == page and lines[i].page == page and page not in numbered:
            drop.add(i)
    # running headers: a line at the top of pages 2.. that repeats the title, or that is the first line
    # of at least three pages (a table's header printed again at each page is not the first line: the
    # running header, or the page number, stands above it)
    title = "\n".join(_key(lines[i].text) for i in filled[:4])
    tops: dict[str, list[int]] = {}
    for k in starts:
        for kk in range(k, min(k + 2, len(filled))):
            i = filled[kk]
            if i in drop:
                continue
            key = _key(lines[i].text)
            if len(key) >= 4 and key in title:
                drop.add(i)
            elif kk == k:
                tops.setdefault(key, []).append(i)
    for key, idx in tops.items():
        if len(key) >= 4 and len(idx) >= 3:
            drop.update(idx)
    return drop


def _key(text: str) -> str:
    return norm(text)


def section_heading(text: str) -> str | None:
    """The section key when ``text`` is a section heading ("三、收到和处理政府信息公开申请情况")."""
    if not text or text[0] not in "一二三四五六第#*" or len(text) > 60:
        return None
    key = norm(text)
    if len(key) > 48:
        return None
    m = _HEADING.match(key)
    if not m:
        return None
    rest = key[m.end() :]
    if any(w in rest for w in _HEADING_WORDS[m.group(1)]):
        return SECTION_KEYS[m.group(1)]
    return None


def numbering(text: str) -> str:
    """The row numbering a label starts with ("(三)", "1", "一"), or "" when it has none."""
    num, _rest = split_numbering(norm(text))
    return num


def unbalanced(text: str) -> bool:
    """True when the text opens more brackets than it closes (a label cut inside its remark)."""
    t = norm(text)
    return t.count("(") > t.count(")")


def width(text: str) -> int:
    """Display width: characters beyond ASCII (CJK, fullwidth forms) count 2."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))


#: A character that may be a glyph of a watermark drawn large across the page (CJK, one a word).
WATERMARK_CHAR = re.compile(r"[\u3400-\u9fff]")


def watermark_chars(found: Mapping[int, Collection[str]], n_pages: int) -> set[str]:
    """The characters of a watermark printed on every page, from the glyph candidates found per page
    (page number -> characters): those found on most pages (at least two, and four in five). A table's
    group label printed down its side, a character a line, is on one page or two, where the watermark
    is on every page; so when too many pages have no candidate at all there is none."""
    if n_pages < 2 or len(found) < max(2, math.ceil(0.8 * n_pages)):
        return set()
    seen: dict[str, int] = {}
    for chars in found.values():
        for ch in set(chars):
            seen[ch] = seen.get(ch, 0) + 1
    return {ch for ch, n in seen.items() if n >= 2 and n >= 0.8 * n_pages}
