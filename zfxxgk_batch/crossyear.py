"""Checks across one organ's reports of consecutive years, and duplicate reports.

Rules (report A on year N, report B on year N+1, same ``organ_key``):

- ``carried_forward_equals_next_carried_over``, for each of the 7 columns of section 三:
  B's 二、上年结转 (``applications.carried_over.<column>``) = A's 四、结转下年度继续办理
  (``applications.carried_forward.<column>``). ``expected`` is what B prints, ``found`` what A carried.
- ``in_force_follows_issued_and_repealed``, for ``regulations`` and ``normative_documents`` when both
  reports are in the 2021 format: B's 现行有效件数 (``in_force``) = A's ``in_force`` + B's 本年制发件数
  (``issued``) − B's 本年废止件数 (``repealed``).

As in a report's own checks, a rule is evaluated when the cells exist in both reports; a blank cell
counts as 0 and is listed in ``blank_cells``. A break is reported, never repaired.

Duplicates (the same ``organ_key`` and year from more than one file) are kept as they are: every pair
of their years is checked, and the ``duplicates`` view lists them.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from core.template import S3_COLUMNS

CARRIED = "carried_forward_equals_next_carried_over"
IN_FORCE = "in_force_follows_issued_and_repealed"
IN_FORCE_ROWS = ("regulations", "normative_documents")


def _get(report: dict, section: str, fieldid: str):
    from zfxxgk_batch.fields import has_field, value_of

    return has_field(report, section, fieldid), value_of(report, section, fieldid)


def year_pair_checks(a: dict, b: dict) -> list[dict]:
    """The cross-year rules between report ``a`` (year N) and report ``b`` (year N+1), both in the output
    contract's shape. Each check: rule, scope, ok, expected, found, cells, blank_cells."""
    out: list[dict] = []
    ya = (a.get("meta") or {}).get("year")
    yb = (b.get("meta") or {}).get("year")
    tag_a, tag_b = f"{ya}:", f"{yb}:"

    def evaluate(rule: str, scope: str, expected_cell, found_cells) -> None:
        # expected_cell: (report, tag, section, field); found_cells: [(sign, report, tag, section, field)]
        r, tag, sec, fid = expected_cell
        present, ev = _get(r, sec, fid)
        if not present:
            return
        cells, blanks = [f"{tag}{sec}.{fid}"], []
        if ev is None:
            blanks.append(cells[0])
        found = 0
        for sign, r2, tag2, sec2, fid2 in found_cells:
            present2, v = _get(r2, sec2, fid2)
            if not present2:
                return
            name = f"{tag2}{sec2}.{fid2}"
            cells.append(name)
            if v is None:
                blanks.append(name)
            elif isinstance(v, (int, float)):
                found += sign * v
            else:
                return
        expected = ev if isinstance(ev, (int, float)) else 0
        ok = abs(expected - found) < 1e-6 if isinstance(expected, float) or isinstance(found, float) \
            else expected == found
        out.append({"rule": rule, "scope": scope, "ok": ok, "expected": expected, "found": found,
                    "cells": cells, "blank_cells": blanks})

    for col in S3_COLUMNS:
        evaluate(CARRIED, f"column={col}", (b, tag_b, "applications", f"carried_over.{col}"),
                 [(1, a, tag_a, "applications", f"carried_forward.{col}")])
    fa = (a.get("meta") or {}).get("format")
    fb = (b.get("meta") or {}).get("format")
    if fa == fb == "2021":
        for row in IN_FORCE_ROWS:
            evaluate(IN_FORCE, f"row={row}", (b, tag_b, "active_disclosure", f"{row}.in_force"),
                     [(1, a, tag_a, "active_disclosure", f"{row}.in_force"),
                      (1, b, tag_b, "active_disclosure", f"{row}.issued"),
                      (-1, b, tag_b, "active_disclosure", f"{row}.repealed")])
    return out


@dataclass
class CrossYearSummary:
    pairs: int = 0                 # (year N, year N+1) report pairs of one organ
    evaluated: int = 0             # rule evaluations
    breaks: list[dict] = field(default_factory=list)        # failed evaluations, with organ and years
    duplicates: list[tuple] = field(default_factory=list)   # (organ_key, year, [paths])
    without_organ: int = 0         # reports that cannot be grouped (no organ or no year)


_FIELDS = ("carried_forward.%", "carried_over.%")


def rebuild(conn: sqlite3.Connection) -> CrossYearSummary:
    """Recompute the ``cross_checks`` table from every report in the database (in one transaction)."""
    summary = CrossYearSummary()
    reports: dict[int, dict] = {}
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for rid, key, year, fmt, organ, path in conn.execute(
            "SELECT id, organ_key, year, format, organ, path FROM reports ORDER BY organ_key, year, path"):
        if key is None or year is None:
            summary.without_organ += 1
            continue
        reports[rid] = {"meta": {"year": year, "format": fmt, "organ": organ, "path": path},
                        "applications": {}, "active_disclosure": {}}
        groups[(key, year)].append(rid)
    sql = ('SELECT report_id, section, field, value FROM "values" WHERE '
           "(section = 'applications' AND (field LIKE 'carried_forward.%' OR field LIKE 'carried_over.%')) OR "
           "(section = 'active_disclosure' AND (field LIKE 'regulations.%' OR field LIKE 'normative_documents.%'))")
    for rid, section, fid, value in conn.execute(sql):
        r = reports.get(rid)
        if r is None:
            continue
        if section == "active_disclosure":
            r["active_disclosure"][fid] = value
        else:
            row, _, col = fid.rpartition(".")
            r["applications"].setdefault(row, {})[col] = value
    rows = []
    for (key, year), ids in sorted(groups.items()):
        if len(ids) > 1:
            summary.duplicates.append((key, year, [reports[i]["meta"]["path"] for i in ids]))
        for a in ids:
            for b in groups.get((key, year + 1), ()):
                summary.pairs += 1
                for c in year_pair_checks(reports[a], reports[b]):
                    summary.evaluated += 1
                    rows.append((c["rule"], key, year, year + 1, a, b, c["scope"], int(c["ok"]), c["expected"],
                                 c["found"], json.dumps(c["cells"], ensure_ascii=False),
                                 json.dumps(c["blank_cells"], ensure_ascii=False) if c["blank_cells"] else None))
                    if not c["ok"]:
                        summary.breaks.append({**c, "organ_key": key, "organ": reports[b]["meta"]["organ"],
                                               "year": year, "next_year": year + 1,
                                               "path": reports[a]["meta"]["path"],
                                               "next_path": reports[b]["meta"]["path"]})
    with conn:
        conn.execute("DELETE FROM cross_checks")
        conn.executemany("INSERT INTO cross_checks (rule, organ_key, year, next_year, report_id, next_report_id, "
                         "scope, ok, expected, found, cells, blank_cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         rows)
    return summary
