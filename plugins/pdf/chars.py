"""Grouping positioned characters into lines and chunks, and joining them into text.

A character is a tuple ``(text, x0, y0, x1, y1, size)`` in PDF points (y grows upwards). A line is a
:class:`Line`; a chunk is a run of a line's characters with no wide gap inside.
"""

# In the per-character loops a comparison costs a third of a min()/max() call: keep them comparisons.
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter

#: Two characters share a line when their vertical centres differ by less than this many ems.
SAME_LINE = 0.45
#: A gap wider than this many ems between two characters of a line separates chunks (table columns).
CHUNK_GAP = 1.0
#: A gap wider than this many ems between two Chinese characters separates chunks.
CJK_GAP = 0.5
#: A gap wider than this many ems beside a narrow (Latin, digit) character is a word space.
SPACE_GAP = 0.2

_NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:[.．]\d+)?\s*(?:万元|亿元|元|万|%|％)?$")
_PLACEHOLDER = re.compile(r"^(?:[-—–－/／\\]+|无|空)$")
#: A list marker that starts a new item: 一、 （一） (一) 1. 1、 1．
MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[、.．](?!\d))")


def wide(ch: str) -> bool:
    """True for CJK ideographs, kana, fullwidth forms and CJK punctuation (no spaces between them)."""
    return ch >= "\u2e80"


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def is_value(text: str) -> bool:
    """A number, or a mark some reports print in an empty value cell."""
    t = text.strip()
    return bool(_NUMBER.match(t) or _PLACEHOLDER.match(t))


@dataclass(slots=True)
class Line:
    """Characters sharing a baseline, left to right, with their joint box."""

    chars: list
    x0: float
    y0: float
    x1: float
    y1: float
    size: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def text(self) -> str:
        return join(self.chars)


def _make_line(chars: list) -> Line:
    chars.sort(key=_x0)
    # Fake bold: the same glyph printed two or more times a hair apart.
    prev = chars[0]
    kept = [prev]
    x0, y0, x1, y1 = prev[1], prev[2], prev[3], prev[4]
    for ch in chars[1:]:
        if ch[0] == prev[0] and ch[1] - prev[1] < 0.3 * ch[5]:
            continue
        kept.append(ch)
        prev = ch
        if ch[2] < y0:
            y0 = ch[2]
        if ch[3] > x1:
            x1 = ch[3]
        if ch[4] > y1:
            y1 = ch[4]
    sizes = [ch[5] for ch in kept]
    sizes.sort()
    return Line(kept, x0, y0, x1, y1, sizes[len(sizes) // 2])


_x0 = itemgetter(1)  # a C-level sort key: the line's characters are sorted once per line


def lines(chars: list) -> list[Line]:
    """The characters as lines, top to bottom."""
    if not chars:
        return []
    twice_cy = [ch[2] + ch[4] for ch in chars]
    small = min([ch[5] for ch in chars])
    if max(twice_cy) - min(twice_cy) <= 2 * SAME_LINE * small:  # one line (most table cells): no sort by height
        return [_make_line(list(chars))]
    # top first; reverse=True keeps characters of equal height in their order, as a negated key does
    ordered = [chars[k] for k in sorted(range(len(chars)), key=twice_cy.__getitem__, reverse=True)]
    out: list[Line] = []
    current = [ordered[0]]
    top = (ordered[0][2] + ordered[0][4]) / 2
    tol = SAME_LINE * ordered[0][5]
    for ch in ordered[1:]:
        cy = (ch[2] + ch[4]) / 2
        if top - cy <= min(tol, SAME_LINE * ch[5]):
            current.append(ch)
        else:
            out.append(_make_line(current))
            current = [ch]
            top, tol = cy, SAME_LINE * ch[5]
    out.append(_make_line(current))
    return out


def join(chars: list) -> str:
    """The text of characters of one line, left to right, with spaces where Latin words are apart."""
    if not chars:
        return ""
    parts = [chars[0][0]]
    prev = chars[0]
    for ch in chars[1:]:
        gap = ch[1] - prev[3]
        if gap > SPACE_GAP * ch[5]:
            size = ch[5] if ch[5] > prev[5] else prev[5]
            if gap > SPACE_GAP * size and (gap > CHUNK_GAP * size or prev[0][-1] < "\u2e80" or ch[0][0] < "\u2e80"):
                parts.append(" ")
        parts.append(ch[0])
        prev = ch
    return "".join(parts)


def join_lines(texts: list[str]) -> str:
    """Lines of one block (a wrapped cell, a paragraph) as one text: no space where Chinese or a number
    wraps (a number too wide for its cell goes on over the next line: "300" / "1" is 3001)."""
    out = ""
    for t in texts:
        t = t.strip()
        if not t:
            continue
        if out and not (wide(out[-1]) or wide(t[0]) or (out[-1].isdigit() and t[0].isdigit())):
            out += " "
        out += t
    return out


def chunks(line: Line) -> list[list]:
    """The line's characters split where a gap is wide enough to separate table columns.

    Digits a word space apart are separate values too (``3001 53`` in a tightly set row), and so is
    text half an em away from a Chinese character: Chinese is set solid, so such a gap is a column
    boundary.
    """
    out = [[line.chars[0]]]
    prev = line.chars[0]
    for ch in line.chars[1:]:
        gap = ch[1] - prev[3]
        size = max(ch[5], prev[5])
        a, b = prev[0][-1], ch[0][0]
        if (
            gap > CHUNK_GAP * size
            or (gap > SPACE_GAP * size and a.isdigit() and b.isdigit())
            or (gap > CJK_GAP * size and (wide(a) or wide(b)))
        ):
            out.append([ch])
        else:
            out[-1].append(ch)
        prev = ch
    return out


def box(chars: list) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = chars[0][1:5]
    for c in chars:
        if c[1] < x0:
            x0 = c[1]
        if c[2] < y0:
            y0 = c[2]
        if c[3] > x1:
            x1 = c[3]
        if c[4] > y1:
            y1 = c[4]
    return (x0, y0, x1, y1)
