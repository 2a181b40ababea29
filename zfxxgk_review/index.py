"""The reports list: every report with its counts of doubtful cells and failed checks, corrections applied.

The counts come from each report's JSON (its ``status`` map and ``checks``), corrected
(``zfxxgk_review.corrected``); they are computed once per report and kept until the report is parsed
again or its corrections change, so the list costs one pass over ``report_json`` when the app starts
(about a millisecond a report) and nothing after.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter

from zfxxgk_review import corrections, dataset
from zfxxgk_review.corrected import apply_corrections

#: The statuses the list counts, and which of them are doubtful (to check at the source).
DOUBTFUL = ("conflict", "unread", "unconfirmed")
COUNTED = (*DOUBTFUL, "corrected")
SORT_KEYS = ("organ", "year", "format", "layout", "conflict", "unconfirmed", "unread", "failed", "corrected", "path")


class Index:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[int, tuple[tuple, dict]] = {}

    def summaries(self, conn: sqlite3.Connection) -> list[dict]:
        """One dict per report: its ``reports`` row plus ``conflict, unconfirmed, unread, corrected``
        (cells), ``failed`` and ``checks`` (the template's checks after corrections)."""
        latest: dict[str, int] = {}
        if corrections.has_table(conn):
            latest = dict(conn.execute("SELECT sha256, MAX(id) FROM corrections GROUP BY sha256").fetchall())
        out = []
        with self._lock:
            rows = dataset.reports(conn)
            keep = {r["id"] for r in rows}
            for gone in set(self._cache) - keep:
                del self._cache[gone]
            for row in rows:
                key = (row["sha256"], row["parsed_at"], latest.get(row["sha256"]))
                hit = self._cache.get(row["id"])
                if hit is None or hit[0] != key:
                    hit = (key, self._count(conn, row, bool(latest.get(row["sha256"]))))
                    self._cache[row["id"]] = hit
                out.append({**row, **hit[1]})
        return out

    @staticmethod
    def _count(conn: sqlite3.Connection, row: dict, corrected: bool) -> dict:
        doc = dataset.report_json(conn, row["id"]) or {}
        if corrected:
            doc = apply_corrections(doc, corrections.current(conn, row["sha256"]))
        counts = Counter((doc.get("status") or {}).values())
        checks = doc.get("checks") or []
        out = {k: counts.get(k, 0) for k in COUNTED}
        out["failed"] = sum(1 for c in checks if not c.get("ok"))
        out["checks"] = len(checks)
        out["doubtful"] = sum(out[k] for k in DOUBTFUL)
        return out


def filtered(
    rows: list[dict],
    *,
    organ: str = "",
    year: str = "",
    fmt: str = "",
    layout: str = "",
    doubt: str = "",
    sort: str = "path",
    desc: bool = False,
) -> list[dict]:
    """The list as the Reports page shows it: filtered by organ (a part of its name), year, format,
    layout and doubt (``any``: a doubtful cell or a failed check; ``conflict``, ``unread``, ``failed``:
    at least one), sorted by one of :data:`SORT_KEYS`."""
    organ = organ.strip()
    out = []
    for r in rows:
        if organ and organ not in (r.get("organ") or "") and organ not in (r.get("organ_key") or ""):
            continue
        if year and str(r.get("year")) != year:
            continue
        if fmt and (r.get("format") or "") != fmt:
            continue
        if layout and (r.get("layout") or "") != layout:
            continue
        if doubt == "any" and not (r["conflict"] or r["unread"] or r["failed"] or r["unconfirmed"]):
            continue
        if doubt in ("conflict", "unread", "failed", "corrected") and not r[doubt]:
            continue
        out.append(r)
    if sort not in SORT_KEYS:
        sort = "path"

    # ties in path order, unknown values last, in either direction
    out.sort(key=lambda r: r.get("path") or "")
    known = [r for r in out if r.get(sort) is not None]
    known.sort(key=lambda r: r[sort], reverse=desc)
    return known + [r for r in out if r.get(sort) is None]
