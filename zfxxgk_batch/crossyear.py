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

Duplicates (the same ``organ_key`` and year from more than one file) are kept as they are and listed
once (the ``duplicates`` view). They are not checked against each other, and each is checked against
one report of each neighbouring year: that year's representative (the report of the organ-year with the
fewest failed checks, then the fewest warnings, then the first path). So the number of evaluations grows
with the number of reports, never with the square of the duplicates: years N and N+1 with a and b
files give a + b − 1 pairs.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.template import year_identities


def _get(report: dict, section: str, fieldid: str):
    from zfxxgk_batch.fields import has_field, value_of

    return has_field(report, section, fieldid), value_of(report, section, fieldid)


def year_pair_checks(a: dict, b: dict) -> list[dict]:
    """The cross-year rules of the template (``core.template.year_identities``) between report ``a`` (year
    N) and report ``b`` (year N+1), both in the output contract's shape. Each check: rule, scope, ok,
    expected, found, cells, blank_cells."""
    out: list[dict] = []
    reports = (a, b)
    tags = tuple(f"{(r.get('meta') or {}).get('year')}:" for r in reports)
    formats = {(r.get("meta") or {}).get("format") for r in reports}
    for rule in year_identities():
        if not formats <= set(rule.formats):
            continue
        path, offset = rule.stated
        present, ev = _get(reports[offset], path.section, path.field)
        if not present:
            continue
        cells, blanks = [f"{tags[offset]}{path}"], []
        if ev is None:
            blanks.append(cells[0])
        found: float = 0
        for sign, off, p in rule.summed:
            present2, v = _get(reports[off], p.section, p.field)
            if not present2 or (v is not None and not isinstance(v, (int, float))):
                break
            cells.append(f"{tags[off]}{p}")
            if v is None:
                blanks.append(cells[-1])
            else:
                found += sign * v
        else:
            expected = ev if isinstance(ev, (int, float)) else 0
            exact = not (isinstance(expected, float) or isinstance(found, float))
            ok = expected == found if exact else abs(expected - found) < 1e-6
            out.append(
                {
                    "rule": rule.rule,
                    "scope": "=".join(rule.scope),
                    "ok": ok,
                    "expected": expected,
                    "found": found,
                    "cells": cells,
                    "blank_cells": blanks,
                }
            )
    return out


@dataclass
class CrossYearSummary:
    pairs: int = 0  # (year N, year N+1) report pairs of one organ
    evaluated: int = 0  # rule evaluations
    breaks: list[dict] = field(default_factory=list)  # failed evaluations, with organ and years
    duplicates: list[tuple] = field(default_factory=list)  # (organ_key, year, [paths])
    without_organ: int = 0  # reports that cannot be grouped (no organ or no year)


def pairs_of(groups: dict[tuple[str, int], list[int]], rep: dict[tuple[str, int], int]):
    """(organ_key, year, report of N, report of N+1) for every pair to check (see the module docstring)."""
    for (key, year), ids in sorted(groups.items()):
        nxt = groups.get((key, year + 1))
        if not nxt:
            continue
        rep_a, rep_b = rep[(key, year)], rep[(key, year + 1)]
        for a in ids:
            yield key, year, a, rep_b
        for b in nxt:
            if b != rep_b:
                yield key, year, rep_a, b


#: The columns of ``cross_checks`` that :func:`evaluate` gives, in its order.
CROSS_COLUMNS = (
    "rule",
    "organ_key",
    "year",
    "next_year",
    "report_id",
    "next_report_id",
    "scope",
    "ok",
    "expected",
    "found",
    "cells",
    "blank_cells",
)


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute the ``cross_checks`` table from every report in the database (in one transaction)."""
    from zfxxgk_batch import store

    rows = evaluate(conn)
    with conn:
        conn.execute("DELETE FROM cross_checks")
        conn.executemany(
            f"INSERT INTO cross_checks ({', '.join(CROSS_COLUMNS)}) VALUES ({', '.join('?' * len(CROSS_COLUMNS))})",
            rows,
        )
        store.set_meta(conn, "cross_generation", str(store.generation(conn)))


def evaluate(conn: sqlite3.Connection, corrected: Mapping[int, dict] | None = None) -> list[tuple]:
    """The rows of ``cross_checks`` (:data:`CROSS_COLUMNS`) for every report in the database; a report in
    ``corrected`` (report id -> the report with a reviewer's corrections applied) is checked with its
    corrected values. The pairs to check are the same either way: they follow organ and year."""
    reports: dict[int, dict] = {}
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    rank: dict[int, tuple] = {}
    for rid, key, year, fmt, path, failed, warned in conn.execute(
        "SELECT id, organ_key, year, format, path, failed_checks, warnings FROM reports "
        "WHERE organ_key IS NOT NULL AND year IS NOT NULL"
    ):
        reports[rid] = {"meta": {"year": year, "format": fmt}, "applications": {}, "active_disclosure": {}}
        groups[(key, year)].append(rid)
        rank[rid] = (failed or 0, warned or 0, path)
    rep = {k: min(ids, key=rank.__getitem__) for k, ids in groups.items()}
    sql = (
        'SELECT report_id, section, field, value FROM "values" WHERE '
        "(section = 'applications' AND (field LIKE 'carried_forward.%' OR field LIKE 'carried_over.%')) OR "
        "(section = 'active_disclosure' AND (field LIKE 'regulations.%' OR field LIKE 'normative_documents.%'))"
    )
    for rid, section, fid, value in conn.execute(sql):
        r = reports.get(rid)
        if r is None:
            continue
        if section == "active_disclosure":
            r["active_disclosure"][fid] = value
        else:
            row, _, col = fid.rpartition(".")
            r["applications"].setdefault(row, {})[col] = value
    for rid, doc in (corrected or {}).items():
        if rid in reports:
            reports[rid]["applications"] = doc.get("applications") or {}
            reports[rid]["active_disclosure"] = doc.get("active_disclosure") or {}
    rows = []
    for key, year, a, b in pairs_of(groups, rep):
        for c in year_pair_checks(reports[a], reports[b]):
            rows.append(
                (
                    c["rule"],
                    key,
                    year,
                    year + 1,
                    a,
                    b,
                    c["scope"],
                    int(c["ok"]),
                    c["expected"],
                    c["found"],
                    json.dumps(c["cells"], ensure_ascii=False),
                    json.dumps(c["blank_cells"], ensure_ascii=False) if c["blank_cells"] else None,
                )
            )
    return rows


def up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether ``cross_checks`` was built from the reports the database holds now."""
    from zfxxgk_batch import store

    return store.get_meta(conn, "cross_generation") == str(store.generation(conn))


def summarize(conn: sqlite3.Connection) -> CrossYearSummary:
    """What the ``cross_checks`` table and the reports say: pairs, evaluations, breaks, duplicates."""
    summary = CrossYearSummary()
    summary.evaluated = conn.execute("SELECT COUNT(*) FROM cross_checks").fetchone()[0]
    summary.pairs = conn.execute(
        "SELECT COUNT(*) FROM (SELECT DISTINCT report_id, next_report_id FROM cross_checks)"
    ).fetchone()[0]
    for rule, key, year, next_year, scope, expected, found, cells, blanks, path, next_path, organ in conn.execute(
        "SELECT c.rule, c.organ_key, c.year, c.next_year, c.scope, c.expected, c.found, c.cells, c.blank_cells, "
        "a.path, b.path, b.organ FROM cross_checks c JOIN reports a ON a.id = c.report_id "
        "JOIN reports b ON b.id = c.next_report_id WHERE c.ok = 0 ORDER BY c.organ_key, c.year, a.path, b.path, "
        "c.rule, c.scope"
    ):
        summary.breaks.append(
            {
                "rule": rule,
                "organ_key": key,
                "organ": organ,
                "year": year,
                "next_year": next_year,
                "scope": scope,
                "ok": False,
                "expected": expected,
                "found": found,
                "cells": json.loads(cells) if cells else [],
                "blank_cells": json.loads(blanks) if blanks else [],
                "path": path,
                "next_path": next_path,
            }
        )
    current: tuple | None = None
    for key, year, path in conn.execute(
        "SELECT r.organ_key, r.year, r.path FROM reports r JOIN (SELECT organ_key, year FROM reports "
        "WHERE organ_key IS NOT NULL AND year IS NOT NULL GROUP BY organ_key, year HAVING COUNT(*) > 1) d "
        "ON d.organ_key = r.organ_key AND d.year = r.year ORDER BY r.organ_key, r.year, r.path"
    ):
        if current is None or current[:2] != (key, year):
            current = (key, year, [])
            summary.duplicates.append(current)
        current[2].append(path)
    summary.without_organ = conn.execute(
        "SELECT COUNT(*) FROM reports WHERE organ_key IS NULL OR year IS NULL"
    ).fetchone()[0]
    return summary
