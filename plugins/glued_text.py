"""Layout: text scraped from a web page whose table cells were glued together with no separator.

"一、本年新收政府信息公开申请数量801000081二、上年结转…" is the row 80|1|0|0|0|0|81 followed by the next
label; often the whole report is one line. This plugin finds the section headings and the template's row
labels in the run-on text, cuts it into prose rows and table rows, and splits each run of digits into the
row's cells with the template's arithmetic (``core.glued``). A cell the arithmetic cannot decide is handed
to the core unread (``Cell.unread``), with the candidate splits as the reason: null and a warning, never a
guess.

Every value cell points at its digits in the source (line and column of the first digit).
"""
from __future__ import annotations

import bisect
import re
import unicodedata

from core import solver as glued
from core.hookspecs import hookimpl
from core.labels import similarity
from core.layout import TABLE, TEXT, Cell, LayoutPlugin, Row
from core.placement import S3Matcher
from core.meta import decide_format, find_year
from core.sections import best_sequence
from core.source import Source
from core.template import S2_ROWS, SECTIONS
from core.text import norm, to_simplified
from ._lines import lines_or_none

NAME = "glued-text"

#: A run of glued values: digits, stray spaces, a sign or a decimal point between digits, a unit at the end.
_RUN = re.compile(r"[+-]?\d(?:[\d ]|\.(?=\d)|[+-](?=\d))*(?:万元|亿元|元|万)?")
#: Characters that follow a number in prose ("81件", "51.85%", "2023年"), never a table label.
_PROSE_AFTER = set("件条个次篇%年月日人份家余多项位名期号届批周天")
#: Numbering that starts a label of section 三: "（三）", "三、", "2." (halfwidth after folding).
_MARK = re.compile(r"[(][一二三四五六七八九十]{1,2}[)]|[一二三四五六七八九十]{1,2}[、.](?!\d)|(?<![\d.])\d{1,2}[.、](?!\d)")
_HEAD = re.compile(r"([一二三四五六])\s*[、.,:]\s*")
HEADING_MIN = 80.0

# --- folding: one character for one character, so offsets in the folded text are offsets in the source


_FOLD_CACHE: dict[int, str] = {}


def _fold(text: str) -> str:
    """Fullwidth to halfwidth and traditional to simplified, character by character (same length)."""
    table = _FOLD_CACHE
    for ch in set(text):
        o = ord(ch)
        if o < 128 or o in table:
            continue
        f = unicodedata.normalize("NFKC", ch)
        if len(f) != 1:
            f = ch
        s = to_simplified(f)
        table[o] = s if len(s) == 1 else f
    return text.translate(table)


# --- detection ----------------------------------------------------------------------------------------

#: Ends of section-三 row labels (simplified, halfwidth), after which a glued table prints its digits.
_S3_ENDS = ("申请数量", "予以公开", "其他情形)", "国家秘密", "禁止公开", "一稳定", "合法权益", "事务信息",
            "过程性信息", "执法案卷", "查询事项", "相关政府信息", "另行制作", "仍不明确", "投诉类申请", "重复申请",
            "公开出版物", "反复申请", "已获取信息", "其他处理", "公开申请", "总计", "继续办理", "其他")
_GLUED_ROW = re.compile("(?:" + "|".join(re.escape(e) for e in _S3_ENDS) + r")[\"”]? ?(\d[\d ]{5,}\d)")


def _glued_rows(folded: str) -> tuple[int, int]:
    """How many section-三 rows print their digits glued to the label with cells run together, and how
    many of them hold a piece no number is printed as ("0000000", "031"): proof the cells are glued."""
    count = zeros = 0
    for m in _GLUED_ROW.finditer(folded):
        run = m.group(1).strip()
        if sum(ch.isdigit() for ch in run) < 7:
            continue
        pieces = run.split()
        if len(pieces) >= 7 and all(p == "0" or not p.startswith("0") for p in pieces):
            continue        # seven numbers separated by spaces: a space-aligned table, not a glued one
        line_start = folded.rfind("\n", 0, m.start()) + 1
        line_end = folded.find("\n", m.end())
        line = folded[line_start:line_end if line_end >= 0 else len(folded)]
        if "|" in line or "\t" in line:
            continue
        count += 1
        zeros += any(len(p) > 1 and p.startswith("0") for p in pieces)
    return count, zeros


def detect(source: Source) -> float | None:
    try:
        lines = lines_or_none(source)
        if lines is None:
            return None
        n, zeros = _glued_rows(_fold(source.text[:400_000]))
    except Exception:  # detect must never raise
        return 0.0
    if n >= 5 and zeros:
        return 0.9
    return round(0.08 * n, 3)


# --- positions ----------------------------------------------------------------------------------------

class _Doc:
    def __init__(self, text: str):
        self.text = text
        self.ft = _fold(text)
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def cell(self, a: int, b: int, **kw) -> Cell | None:
        """The cell printed at [a, b), stripped; None when blank."""
        raw = self.text[a:b]
        s = raw.strip()
        if not s:
            return None
        a += len(raw) - len(raw.lstrip())
        line = bisect.bisect_right(self.starts, a)
        return Cell(s, line=line, col=a - self.starts[line - 1] + 1, **kw)

    def at(self, a: int, text: str, **kw) -> Cell:
        line = bisect.bisect_right(self.starts, a)
        return Cell(text, line=line, col=a - self.starts[line - 1] + 1, **kw)

    def prose(self, a: int, b: int) -> list[Row]:
        """TEXT rows for [a, b), one per printed line."""
        rows, pos = [], a
        while pos < b:
            nl = self.text.find("\n", pos, b)
            end = b if nl < 0 else nl
            c = self.cell(pos, end)
            if c is not None:
                rows.append(Row((c,), TEXT))
            pos = end + 1
        return rows

    def labels(self, a: int, b: int, marks: bool) -> list[Cell]:
        """Label cells printed at [a, b): cut at line ends and, for section 三, before each numbering."""
        cuts = {a, b}
        for i in range(a, b):
            if self.text[i] == "\n":
                cuts.update((i, i + 1))
        if marks:
            for m in _MARK.finditer(self.ft, a, b):
                cuts.add(m.start())
        edges = sorted(cuts)
        out = []
        for s, e in zip(edges, edges[1:]):
            c = self.cell(s, e)
            if c is not None:
                out.append(c)
        return out


# --- headings -----------------------------------------------------------------------------------------

def _headings(doc: _Doc) -> list[tuple[int, int, int]]:
    """(start, end, section index) of the section headings, in order."""
    ft = doc.ft
    cands, spans = [], {}
    for m in _HEAD.finditer(ft):
        numeral = m.group(1)
        for si, spec in enumerate(SECTIONS):
            if spec.numeral != numeral:
                continue
            best, best_end = 0.0, None
            for title in spec.titles:
                t = norm(title)
                for k in range(-2, 5):
                    end = m.end() + len(title) + k
                    if end <= m.end() or end > len(ft) or "\n" in ft[m.end():end]:
                        continue
                    s = similarity(norm(ft[m.end():end]), t)
                    if s > best:
                        best, best_end = s, end
            if best >= HEADING_MIN:
                cands.append((m.start(), si, best))
                spans[(m.start(), si)] = best_end
    chosen = best_sequence(sorted(cands))
    return sorted((pos, spans[(pos, si)], si) for pos, si in chosen.items())


# --- runs ---------------------------------------------------------------------------------------------

def _runs(doc: _Doc, a: int, b: int, numbering: bool) -> list[tuple[int, int]]:
    """Runs of values in [a, b): prose numbers left out; with ``numbering``, a label's number glued to the
    end of the run before it ("…00000002.其他…") is given back to the label."""
    ft = doc.ft
    out = []
    for m in _RUN.finditer(ft, a, b):
        s, e = m.start(), m.end()
        while e > s and ft[e - 1] == " ":
            e -= 1
        if e < len(ft) and ft[e] in _PROSE_AFTER or (s > 0 and ft[s - 1] in "第"):
            continue
        if numbering and e < b and ft[e] in ".、" and ft[e - 1].isdigit() and not ft[e + 1:e + 2].isdigit():
            e -= 1
            while e > s and ft[e - 1] == " ":
                e -= 1
            if e <= s:
                continue
        out.append((s, e))
    return out


def _value_cells(doc: _Doc, start: int, cells: list[glued.CellOut]) -> list[Cell]:
    return [doc.at(start + c.start, c.text, unread=c.unread) for c in cells]


# --- section 二 --------------------------------------------------------------------------------------

_S2_LABELS = sorted({(norm(label), r.id) for rows in S2_ROWS.values() for r in rows for label in r.labels},
                    key=lambda lr: -len(lr[0]))


def _s2_label(doc: _Doc, a: int, b: int) -> tuple[int, str] | None:
    """(start, row id) of the section-二 row label that ends [a, b), if one does."""
    ft = doc.ft
    kept = []   # (folded char, offset), from the end backwards, spaces and quotes skipped
    i = b - 1
    while i >= a and len(kept) < 16:
        ch = norm(ft[i])
        if ch:
            kept.append((ch, i))
        i -= 1
    tail = "".join(ch for ch, _ in reversed(kept))
    for label, rid in _S2_LABELS:
        if tail.endswith(label):
            return kept[len(label) - 1][1], rid
    for label, rid in _S2_LABELS:
        for k in range(len(label) - 1, len(label) + 3):
            if 2 <= k <= len(kept) and similarity(tail[-k:], label) >= 88:
                return kept[k - 1][1], rid
    return None


def _active_disclosure(doc: _Doc, a: int, b: int, fmt: str) -> list[Row]:
    rows: list[Row] = []
    prev = a
    ids = {r.id for r in S2_ROWS[fmt]}
    for s, e in _runs(doc, a, b, numbering=False):
        found = _s2_label(doc, prev, s)
        if found is None:
            continue
        ls, rid = found
        labels = [c for c in (doc.cell(prev, ls), doc.cell(ls, s)) if c is not None]
        run = doc.text[s:e]
        if rid in ids:
            values = _value_cells(doc, s, glued.read_run(run, glued.s2_shape(fmt, rid)))
        else:
            values = [doc.at(s, run.strip(), unread=f"{run.strip()!r}: a row of the other format")]
        rows.append(Row(tuple(labels + values), TABLE))
        prev = e
    rows += doc.prose(prev, b)
    return rows


# --- section 三 --------------------------------------------------------------------------------------

def _row_ids(entries: list[list[Cell]], fmt: str) -> list[str | None]:
    """The template row of each (label cells) entry, read the way ``core.placement`` places rows."""
    m = S3Matcher(fmt)
    cursor, group, used, out = 0, None, set(), []
    for labels in entries:
        texts = [to_simplified(c.text) for c in labels]
        for t in texts[:-1]:
            g = m.group_of(t)
            if g:
                group = g
        target = None
        if texts:
            g = m.group_of(texts[-1])
            if g:
                group, target = g, m.first_of(g)
            else:
                target, _score = m.match(texts[-1], cursor, group)
                if target is not None and m.spec[m.index[target]].group is None:
                    group = None
        elif cursor < len(m.spec) and m.spec[cursor].group is not None and m.spec[cursor].group == group:
            target = m.spec[cursor].id
        if target is None or target in used:
            out.append(None)
            continue
        used.add(target)
        out.append(target)
        cursor = m.index[target] + 1
        if m.spec[cursor - 1].group:
            group = m.spec[cursor - 1].group
    return out


def _applications(doc: _Doc, a: int, b: int, fmt: str) -> list[Row]:
    runs = _runs(doc, a, b, numbering=True)
    entries, prev = [], a
    for s, e in runs:
        entries.append(doc.labels(prev, s, marks=True))
        prev = e
    ids = _row_ids(entries, fmt)
    cells = glued.read_applications([(rid, doc.text[s:e]) for rid, (s, e) in zip(ids, runs)], fmt)
    rows = [Row(tuple(labels + _value_cells(doc, s, vals)), TABLE)
            for labels, (s, _e), vals in zip(entries, runs, cells)]
    return rows + doc.prose(prev, b)


# --- section 四 --------------------------------------------------------------------------------------

def _review_litigation(doc: _Doc, a: int, b: int) -> list[Row]:
    runs = _runs(doc, a, b, numbering=False)
    if not runs:
        return doc.prose(a, b)
    s, e = max(runs, key=lambda r: (sum(ch.isdigit() for ch in doc.ft[r[0]:r[1]]), -r[0]))
    labels = doc.labels(a, s, marks=False)
    values = _value_cells(doc, s, glued.read_review_litigation(doc.text[s:e]))
    return [Row(tuple(labels + values), TABLE)] + doc.prose(e, b)


# --- the document -------------------------------------------------------------------------------------

def parse(source: Source) -> list[Row]:
    doc = _Doc(source.text)
    heads = _headings(doc)
    if not heads:
        return doc.prose(0, len(doc.text))
    bounds = [(h[1], heads[i + 1][0] if i + 1 < len(heads) else len(doc.text), SECTIONS[h[2]].key)
              for i, h in enumerate(heads)]
    body = {key: (s, e) for s, e, key in bounds}
    tables = " ".join(doc.ft[s:e] for s, e, key in bounds if key in ("active_disclosure", "applications"))
    head_text = doc.text[:heads[0][0]]
    year, _how = find_year(head_text, doc.text[slice(*body["overview"])] if "overview" in body else "")
    fmt, _why, _conflict = decide_format(tables, year)

    rows = doc.prose(0, heads[0][0])
    for (start, end, _si), (s, e, key) in zip(heads, bounds):
        heading = doc.cell(start, end)
        if heading is not None:
            rows.append(Row((heading,), TEXT))
        if key == "active_disclosure":
            rows += _active_disclosure(doc, s, e, fmt)
        elif key == "applications":
            rows += _applications(doc, s, e, fmt)
        elif key == "review_litigation":
            rows += _review_litigation(doc, s, e)
        else:
            rows += doc.prose(s, e)
    return rows


@hookimpl
def core_layouts():
    return [LayoutPlugin(name=NAME, detect=detect, parse=parse,
                         description="text scraped with table cells glued together (no separators)")]
