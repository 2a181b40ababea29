"""Finding the six section headings in any numbering style and splitting the rows between them."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from core.labels import similarity
from core.layout import TEXT, Row
from core.template import SECTIONS
from core.text import norm

_HEAD_NUM = re.compile(r"^(?:第)?([一二三四五六])(?:部分)?[、.,:]?")
_MAX_HEADING = 48


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
    filled = [c for c in row.cells if c.text.strip()]
    if len(filled) != 1:
        return None
    if row.kind != TEXT and len(filled[0].text) > _MAX_HEADING:
        return None
    return filled[0].text


@lru_cache(maxsize=8192)
def heading_score(text: str, index: int) -> float:
    """How surely ``text`` is the heading of section ``index`` (0-based); 0 when it is not."""
    key = norm(text)
    if len(key) > _MAX_HEADING or len(key) < 3:
        return 0.0
    spec = SECTIONS[index]
    m = _HEAD_NUM.match(key)
    numeral = m.group(1) if m else ""
    rest = key[m.end():] if m else key
    score = max(similarity(rest, norm(t)) for t in spec.titles)
    if numeral and numeral != spec.numeral:
        # Reports that add sections of their own restart or shift the numbering of the template's
        # sections ("一、主动公开政府信息情况" after six prose sections): only a near-exact title counts then.
        return score - 5 if score >= 95 else 0.0
    # A heading carries its numeral; without it only a near-exact title counts, so that table cells such
    # as "行政复议" are not taken for the heading of section 四.
    needed = 72 if numeral else 92
    return score if score >= needed else 0.0


def split_sections(rows: list[Row]) -> Sections:
    """Assign rows to sections.

    Every row that could be a heading is scored against every section; the headings kept are the
    best-scoring sequence in template order, so a title quoted in navigation or prose, or a table row
    numbered like a heading ("四、结转下年度…"), cannot push the real headings out.
    """
    cands: list[tuple[int, int, float]] = []   # (row index, section index, score)
    for ri, row in enumerate(rows):
        text = heading_text(row)
        if text is None:
            continue
        for si in range(len(SECTIONS)):
            score = heading_score(text, si)
            if score:
                cands.append((ri, si, score))
    chosen = best_sequence(cands)
    out = Sections()
    current: str | None = None
    for ri, row in enumerate(rows):
        if ri in chosen:
            current = SECTIONS[chosen[ri]].key
            out.heading[current] = row
            out.body[current] = []
        elif current is None:
            out.preamble.append(row)
        else:
            out.body[current].append(row)
    return out


def best_sequence(cands: list[tuple[int, int, float]]) -> dict[int, int]:
    """The chain of candidates increasing in both row and section that has the most headings (then
    the highest total score): {row index: section index}."""
    best: list[tuple[tuple[int, float], int]] = []  # per candidate: ((count, score), previous candidate)
    for i, (ri, si, sc) in enumerate(cands):
        value, prev = (1, sc), -1
        for j in range(i):
            rj, sj, _ = cands[j]
            if rj < ri and sj < si:
                cnt, tot = best[j][0]
                if (cnt + 1, tot + sc) > value:
                    value, prev = (cnt + 1, tot + sc), j
        best.append((value, prev))
    if not best:
        return {}
    i = max(range(len(cands)), key=lambda k: best[k][0])
    out = {}
    while i >= 0:
        out[cands[i][0]] = cands[i][1]
        i = best[i][1]
    return out
