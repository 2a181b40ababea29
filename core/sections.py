"""Finding the six section headings, in any numbering style, and splitting the rows between them.

A heading is a row of its own in most layouts; in text whose line breaks were lost (``FLOW`` rows) it
can stand anywhere in a line, and the line is cut there. Of all the places that read as headings, the
ones kept are the best-scoring sequence in template order, so that a title quoted in navigation or prose,
or a table row numbered like a heading ("四、结转下年度…"), cannot push the real headings out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from core.labels import similarity
from core.layout import FLOW, TEXT, Cell, Row
from core.template import SECTIONS
from core.text import fold_chars, may_be_traditional, norm

_HEAD_NUM = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?[、.,:]?")
_MAX_HEADING = 48
#: A numeral and its punctuation inside flowing text, where a heading may start.
_INLINE_HEAD = re.compile(r"([一二三四五六])\s*[、.,:]\s*")
#: How well the words after an inline numeral must match a section title.
INLINE_MIN = 80.0
#: Most places scored as headings in one document: a report has six; a file with thousands of lines
#: that read like headings is no report, and scoring them all would only cost time.
MAX_CANDIDATES = 5000


@dataclass
class Sections:
    preamble: list[Row] = field(default_factory=list)
    #: section key -> rows after its heading, up to the next heading
    body: dict[str, list[Row]] = field(default_factory=dict)
    heading: dict[str, Row] = field(default_factory=dict)

    def rows(self, key: str) -> list[Row]:
        return self.body.get(key, [])


def heading_text(row: Row) -> str | None:
    """The row's text when it can be a heading: prose, a lone cell, or a table row with one filled cell."""
    cells = row.cells
    if len(cells) == 1:  # most rows: no list of the filled cells to build
        text = cells[0].text
        if not text.strip():
            return None
    else:
        filled = [c for c in cells if c.text.strip()]
        if len(filled) != 1:
            return None
        text = filled[0].text
    if row.kind != TEXT and len(text) > _MAX_HEADING:
        return None
    return text


@lru_cache(maxsize=8192)
def heading_score(text: str, index: int) -> float:
    """How surely ``text`` is the heading of section ``index`` (0-based); 0 when it is not."""
    key = norm(text)
    if len(key) > _MAX_HEADING or len(key) < 3:
        return 0.0
    spec = SECTIONS[index]
    m = _HEAD_NUM.match(key)
    numeral = m.group(1) if m else ""
    rest = key[m.end() :] if m else key
    score = max(similarity(rest, norm(t)) for t in spec.titles)
    if numeral and numeral != spec.numeral:
        # Reports that add sections of their own restart or shift the numbering of the template's
        # sections ("一、主动公开政府信息情况" after six prose sections): only a near-exact title counts then.
        return score - 5 if score >= 95 else 0.0
    # A heading carries its numeral; without it only a near-exact title counts, so that table cells such
    # as "行政复议" are not taken for the heading of section 四.
    needed = 72 if numeral else 92
    return score if score >= needed else 0.0


@lru_cache(maxsize=8192)
def _scores(text: str) -> tuple[tuple[int, float], ...]:
    """(section index, score) of every section ``text`` may be the heading of (one lookup per row)."""
    return tuple((si, sc) for si in range(len(SECTIONS)) if (sc := heading_score(text, si)))


def section_of(text: str) -> str | None:
    """The key of the section whose heading ``text`` is ("三、收到和处理政府信息公开申请情况" ->
    "applications"), or None when it is no heading; in either script (layouts see the text as printed)."""
    if may_be_traditional(text):
        text = fold_chars(text)
    best, best_score = None, 0.0
    for i, spec in enumerate(SECTIONS):
        s = heading_score(text, i)
        if s > best_score:
            best, best_score = spec.key, s
    return best


def inline_headings(text: str) -> list[tuple[int, int, int, float]]:
    """(start, end, section index, score) of every place inside ``text`` that reads as a section heading:
    a numeral of the section, then words matching its title closely."""
    folded = fold_chars(text)
    out = []
    for m in _INLINE_HEAD.finditer(folded):
        numeral = m.group(1)
        for si, spec in enumerate(SECTIONS):
            if spec.numeral != numeral:
                continue
            best, best_end = 0.0, None
            for title in spec.titles:
                t = norm(title)
                for k in range(-2, 5):
                    end = m.end() + len(title) + k
                    if end <= m.end() or end > len(folded) or "\n" in folded[m.end() : end]:
                        continue
                    s = similarity(norm(folded[m.end() : end]), t)
                    if s > best:
                        best, best_end = s, end
            if best >= INLINE_MIN and best_end is not None:
                out.append((m.start(), best_end, si, best))
    return out


def split_sections(rows: list[Row]) -> Sections:
    """Assign rows to sections (cutting FLOW rows where a heading stands inside them)."""
    cands: list[tuple[tuple[int, int], int, float, int]] = []  # ((row, offset), section, score, end)
    for ri, row in enumerate(rows):
        if row.kind == FLOW:
            for start, end, si, score in inline_headings(row.cells[0].text):
                cands.append(((ri, start), si, score, end))
        else:
            text = heading_text(row)
            if text is None or len(text) > 2 * _MAX_HEADING:
                continue
            for si, score in _scores(text):
                cands.append(((ri, -1), si, score, -1))
        if len(cands) > MAX_CANDIDATES:
            break
    chosen = best_sequence([(at, si, score) for at, si, score, _end in cands])
    ends = {(at, si): end for at, si, _score, end in cands}
    out = Sections()
    current: str | None = None

    def add(row: Row) -> None:
        (out.preamble if current is None else out.body[current]).append(row)

    cuts: dict[int, list[tuple[int, int, int]]] = {}
    whole: dict[int, int] = {}  # row -> section, for the rows that are a heading whole
    for (ri, off), si in chosen.items():
        if off >= 0:
            cuts.setdefault(ri, []).append((off, ends[((ri, off), si)], si))
        else:
            whole[ri] = si
    for ri, row in enumerate(rows):
        if ri in whole:
            current = SECTIONS[whole[ri]].key
            out.heading[current] = row
            out.body[current] = []
            continue
        if ri not in cuts:
            add(row)
            continue
        cell = row.cells[0]
        pos = 0
        for start, end, si in sorted(cuts[ri]):
            before = _piece(cell, pos, start)
            if before is not None:
                add(Row((before,), FLOW))
            current = SECTIONS[si].key
            heading = _piece(cell, start, end)
            out.heading[current] = Row((heading,) if heading is not None else (), TEXT)
            out.body[current] = []
            pos = end
        rest = _piece(cell, pos, len(cell.text))
        if rest is not None:
            add(Row((rest,), FLOW))
    return out


def _piece(cell: Cell, a: int, b: int) -> Cell | None:
    """The part [a, b) of a one-line cell, stripped, with its column; None when blank."""
    raw = cell.text[a:b]
    text = raw.strip()
    if not text:
        return None
    lead = len(raw) - len(raw.lstrip())
    printed = None if cell.printed is None else cell.printed[a + lead : a + lead + len(text)]
    return replace(cell, text=text, col=(cell.col or 1) + a + lead, printed=printed)


def best_sequence(cands: list[tuple[tuple[int, int], int, float]]) -> dict[tuple[int, int], int]:
    """The chain of candidates, increasing in both place and section, that has the most headings (then the
    highest total score): {place: section index}. Linear in the candidates: the best chain ending in each
    section is kept as the candidates are met in document order."""
    n = len(SECTIONS)
    # best[s]: (count, score, chain) of the best chain whose last heading is section s, among the
    # candidates at places before the current one
    best: list[tuple[int, float, tuple] | None] = [None] * n
    order = sorted(range(len(cands)), key=lambda i: cands[i][0])
    i = 0
    while i < len(order):
        at = cands[order[i]][0]
        group = []
        while i < len(order) and cands[order[i]][0] == at:
            group.append(cands[order[i]])
            i += 1
        updates = []
        for _at, si, score in group:
            earlier = [b for b in best[:si] if b is not None]
            prev = max(earlier, key=lambda b: (b[0], b[1]), default=None)
            value = (1, score, ((at, si),)) if prev is None else (prev[0] + 1, prev[1] + score, (*prev[2], (at, si)))
            updates.append((si, value))
        for si, value in updates:
            old = best[si]
            if old is None or (value[0], value[1]) > (old[0], old[1]):
                best[si] = value
    top = max((b for b in best if b is not None), key=lambda b: (b[0], b[1]), default=None)
    return {} if top is None else dict(top[2])
