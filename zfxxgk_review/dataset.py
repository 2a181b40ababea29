"""The batch database as the review reads it: ``reports``, ``report_json``, ``checks``, ``cross_checks``
and ``failures`` are only read (their schema belongs to ``zfxxgk_batch.store``); the one table written is
``corrections`` (``zfxxgk_review.corrections``)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from core.errors import UsageError

_MAGIC = b"SQLite format 3\x00"
REPORT_COLUMNS = (
    "id",
    "path",
    "name",
    "sha256",
    "size",
    "layout",
    "format",
    "year",
    "organ",
    "organ_key",
    "script",
    "encoding",
    "parsed_at",
    "failed_checks",
    "warnings",
    "mtime_ns",
)


def open_dataset(path: str | Path) -> sqlite3.Connection:
    """A connection to a batch database (made by ``python -m core batch``); a one-line usage error for
    anything else. ``check_same_thread`` is off: the web server answers from its threads, one request at
    a time per connection (the app keeps one connection per thread)."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{p}: no such database (make one with: python -m core batch REPORTS -o {p.name})")
    with open(p, "rb") as f:
        if f.read(16) != _MAGIC:
            raise UsageError(f"{p}: not a SQLite database")
    try:
        conn = sqlite3.connect(str(p), timeout=30, check_same_thread=False)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise UsageError(f"{p}: {e}") from None
    if not {"batch_meta", "reports", "report_json"} <= tables:
        conn.close()
        raise UsageError(f"{p}: not a batch database (no reports/report_json tables)")
    return conn


def generation(conn: sqlite3.Connection) -> str:
    """Changes whenever a batch run changes the reports (``batch_meta.generation``)."""
    row = conn.execute("SELECT value FROM batch_meta WHERE key = 'generation'").fetchone()
    return str(row[0]) if row else ""


def _dicts(cur: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def reports(conn: sqlite3.Connection) -> list[dict]:
    """Every report's row (the columns the review shows), in path order."""
    return _dicts(conn.execute(f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports ORDER BY path"))


def report(conn: sqlite3.Connection, report_id: int) -> dict | None:
    rows = _dicts(conn.execute(f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports WHERE id = ?", (report_id,)))
    return rows[0] if rows else None


def report_json(conn: sqlite3.Connection, report_id: int) -> dict | None:
    """A report's whole JSON (the output contract) as the batch stored it."""
    row = conn.execute("SELECT json_zlib FROM report_json WHERE report_id = ?", (report_id,)).fetchone()
    if row is None:
        return None
    return json.loads(zlib.decompress(row[0]).decode("utf-8"))


def failures(conn: sqlite3.Connection) -> list[dict]:
    """Files the batch could not parse."""
    return _dicts(
        conn.execute("SELECT id, path, name, exit_code, reason, message, failed_at FROM failures ORDER BY path")
    )


def organ_reports(conn: sqlite3.Connection, organ_key: str) -> list[dict]:
    """One organ's reports (every file), by year then path."""
    return _dicts(
        conn.execute(
            f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports WHERE organ_key = ? ORDER BY year, path", (organ_key,)
        )
    )


def organs(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(organ_key, an organ name as printed, reports) of every organ with more than one year."""
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT organ_key, MIN(organ), COUNT(*) FROM reports WHERE organ_key IS NOT NULL AND year IS NOT NULL "
            "GROUP BY organ_key HAVING COUNT(DISTINCT year) > 1 ORDER BY organ_key"
        )
    ]


def stored_cross_checks(conn: sqlite3.Connection, report_id: int) -> list[dict]:
    """The batch's cross-year checks that involve a report (as stored: without corrections)."""
    rows = _dicts(
        conn.execute(
            "SELECT rule, organ_key, year, next_year, report_id, next_report_id, scope, ok, expected, found, cells, "
            "blank_cells FROM cross_checks WHERE report_id = ? OR next_report_id = ? ORDER BY year, rule, scope",
            (report_id, report_id),
        )
    )
    for r in rows:
        r["cells"] = json.loads(r["cells"]) if r["cells"] else []
        r["blank_cells"] = json.loads(r["blank_cells"]) if r["blank_cells"] else []
    return rows
