"""Year over year: one organ's reports side by side, corrections applied.

For the reports chosen (by default, one per year of the organ: the one with the fewest failed checks, then
the fewest warnings, then the first path, as the batch's cross-year checks choose), in year order:

- every field of the template any of them has, with each year's value and status, and whether it
  changed from the year before;
- for each pair of consecutive years, the identities across years (``core.template.year_identities``)
  evaluated on the corrected values, and the prose sections' sentences added and removed.
"""

from __future__ import annotations

import difflib
import itertools
import re
import sqlite3
from dataclasses import dataclass, field

from core.fields import FieldPath
from core.template import PROSE_SECTIONS, year_identities
from zfxxgk_review import dataset
from zfxxgk_review.corrected import corrected_report, get_value, has_value
from zfxxgk_review.labels import PROSE_TITLES, field_order, label

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


@dataclass
class Column:
    """One report of the comparison."""

    row: dict
    report: dict

    @property
    def year(self):
        return self.row.get("year")


@dataclass
class FieldRow:
    path: str
    label: str
    #: per report: (value, status, present)
    cells: list[tuple[object, str | None, bool]]
    #: per report from the second: whether the value differs from the report before
    changed: list[bool]

    @property
    def any_changed(self) -> bool:
        return any(self.changed)


@dataclass
class Pair:
    a: Column
    b: Column
    consecutive: bool
    checks: list[dict] = field(default_factory=list)
    #: prose section key → {"title", "added": [...], "removed": [...], "ratio"}
    prose: dict[str, dict] = field(default_factory=dict)


@dataclass
class Comparison:
    columns: list[Column]
    fields: list[FieldRow]
    pairs: list[Pair]
    #: year → ids of the organ's other files on that year (duplicates not shown)
    others: dict[int, list[int]] = field(default_factory=dict)

    @property
    def organ(self) -> str:
        for c in self.columns:
            if c.row.get("organ"):
                return str(c.row["organ"])
        return ""


def _rank(row: dict) -> tuple:
    return (row.get("failed_checks") or 0, row.get("warnings") or 0, row.get("path") or "")


def choose(conn: sqlite3.Connection, organ_key: str) -> tuple[list[int], dict[int, list[int]]]:
    """The organ's report ids to compare (one per year) and the other files of each year."""
    by_year: dict[int, list[dict]] = {}
    for r in dataset.organ_reports(conn, organ_key):
        by_year.setdefault(r["year"], []).append(r)
    ids, others = [], {}
    for year in sorted(by_year):
        rows = sorted(by_year[year], key=_rank)
        ids.append(rows[0]["id"])
        if len(rows) > 1:
            others[year] = [r["id"] for r in rows[1:]]
    return ids, others


def sentences(text: str | None) -> list[str]:
    """The sentences of a prose section, without its heading (the first line)."""
    text = text or ""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    return [s.strip() for s in _SENTENCE.findall(body) if len(s.strip()) > 1]


def prose_diff(a: str | None, b: str | None) -> dict:
    """The sentences of ``b`` not in ``a`` (added) and of ``a`` not in ``b`` (removed), in order."""
    sa, sb = sentences(a), sentences(b)
    set_a, set_b = set(sa), set(sb)
    ratio = difflib.SequenceMatcher(None, a or "", b or "", autojunk=False).ratio() if (a or b) else 1.0
    return {
        "added": [s for s in sb if s not in set_a],
        "removed": [s for s in sa if s not in set_b],
        "ratio": round(ratio, 3),
        "sentences_a": len(sa),
        "sentences_b": len(sb),
    }


def year_checks(a: dict, b: dict) -> list[dict]:
    """The identities across years (``core.template.year_identities``) between report ``a`` (year N) and
    ``b`` (year N+1), on their values as given (corrected, when they are). As ``zfxxgk_batch.crossyear``
    lists them: ``expected`` is the stated cell, ``found`` the signed sum of the others, ``cells`` the
    stated cell then the summed ones (``YEAR:path``); a blank cell counts as 0 (``blank_cells``). An
    identity over a cell absent from either report, not read, or not a number is not evaluated (as the
    core does within one report); ``corrected_cells`` names the cells a reviewer decided."""
    reports = (a, b)
    years = tuple((r.get("meta") or {}).get("year") for r in reports)
    formats = {(r.get("meta") or {}).get("format") for r in reports}
    out = []
    for identity in year_identities():
        if not formats <= set(identity.formats):
            continue
        path, offset = identity.stated
        terms = [(1, offset, path), *identity.summed]
        cells, blanks, corrected = [], [], []
        sums: list[int | float] = []
        for sign, off, p in terms:
            report = reports[off]
            if not has_value(report, p) or (report.get("status") or {}).get(str(p)) == "unread":
                break
            v = get_value(report, p)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                break
            name = f"{years[off]}:{p}"
            cells.append(name)
            if str(p) in (report.get("corrections") or {}):
                corrected.append(name)
            if v is None:
                blanks.append(name)
            sums.append(0 if v is None else sign * v)
        else:
            expected, found = sums[0], sum(sums[1:])
            exact = not (isinstance(expected, float) or isinstance(found, float))
            ok = expected == found if exact else abs(expected - found) < 1e-6
            out.append(
                {
                    "rule": identity.rule,
                    "scope": "=".join(identity.scope),
                    "ok": ok,
                    "expected": expected,
                    "found": found,
                    "cells": cells,
                    "blank_cells": blanks,
                    "corrected_cells": corrected,
                }
            )
    return out


def compare(conn: sqlite3.Connection, ids: list[int], others: dict[int, list[int]] | None = None) -> Comparison:
    """The comparison of reports ``ids`` (any order: shown by year, then path)."""
    columns = []
    for rid in ids:
        row = dataset.report(conn, rid)
        doc = corrected_report(conn, rid)
        if row is not None and doc is not None:
            columns.append(Column(row, doc))
    columns.sort(key=lambda c: (c.year is None, c.year or 0, c.row.get("path") or ""))
    fmts = {c.row.get("format") for c in columns}
    order = field_order(fmts.pop() if len(fmts) == 1 else None)
    fields = []
    for key in order:
        path = FieldPath.parse(key)
        cells = []
        for c in columns:
            present = has_value(c.report, path)
            cells.append((get_value(c.report, path), (c.report.get("status") or {}).get(key), present))
        if not any(present for _v, _s, present in cells):
            continue
        changed = [
            (now[2] or before[2]) and (now[0] != before[0] or now[2] != before[2])
            for before, now in itertools.pairwise(cells)
        ]
        fields.append(FieldRow(key, label(key), cells, changed))
    pairs = []
    for a, b in itertools.pairwise(columns):
        consecutive = isinstance(a.year, int) and isinstance(b.year, int) and b.year == a.year + 1
        pair = Pair(a, b, consecutive, year_checks(a.report, b.report) if consecutive else [])
        for key in PROSE_SECTIONS:
            ta, tb = (a.report.get("text") or {}).get(key), (b.report.get("text") or {}).get(key)
            if ta or tb:
                pair.prose[key] = {"title": PROSE_TITLES[key], **prose_diff(ta, tb)}
        pairs.append(pair)
    return Comparison(columns, fields, pairs, others or {})


def mark_compare(cmp: dict, a: dict, b: dict) -> dict:
    """Mark the corrected values in the dict of ``zfxxgk_batch.compare.compare_reports(a, b)`` made from
    corrected reports (``zfxxgk_review.corrected``): each field row gains ``a_corrected``/``b_corrected``
    (and each cross-year check ``corrected_cells``). The older report is A there, as in the comparison."""
    if cmp.get("swapped"):
        a, b = b, a
    fa, fb = set(a.get("corrections") or {}), set(b.get("corrections") or {})
    for row in cmp.get("fields") or ():
        row["a_corrected"] = row["field"] in fa
        row["b_corrected"] = row["field"] in fb
    ya, yb = str((a.get("meta") or {}).get("year")), str((b.get("meta") or {}).get("year"))
    for check in cmp.get("identities") or ():
        check["corrected_cells"] = [
            c
            for c in check.get("cells", ())
            if (c.startswith(ya + ":") and c.split(":", 1)[1] in fa)
            or (c.startswith(yb + ":") and c.split(":", 1)[1] in fb)
        ]
    return cmp


def organ_comparison(conn: sqlite3.Connection, organ_key: str) -> Comparison:
    ids, others = choose(conn, organ_key)
    return compare(conn, ids, others)


def change(a, b):
    """b − a for numbers; None when either is blank or they are not numbers."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        d = b - a
        return round(d, 6) if isinstance(d, float) else d
    return None
