"""The batch database (SQLite): schema, resume lookups and writes.

Tables (browse with ``datasette OUT.db``; read with ``pandas.read_sql("SELECT * FROM reports", sqlite3.connect("OUT.db"))``):

- ``reports``: one row per parsed file: ``id, path`` (absolute), ``name, sha256`` (of the file's bytes),
  ``size, parser_version, layout, format, year, organ`` (as printed), ``organ_key`` (normalised for grouping
  one organ's reports across years), ``script, encoding, parsed_at`` (UTC), the derived indicators
  ``substantive_disclosure_rate, review_correction_rate, litigation_correction_rate`` (see
  ``zfxxgk_batch.indicators``), and ``failed_checks, warnings`` (counts).
- ``values``: the long form, one row per cell: ``report_id, section`` (active_disclosure, applications,
  review_litigation, or text for the prose sections), ``field`` (the stable field ID, e.g.
  ``new_received.natural_person``), ``value`` (null: blank cell), ``text`` (the cell as printed, or the
  prose), ``provenance`` (JSON: line/col, or page/bbox).
- ``checks``: every consistency rule evaluated per report (``ok`` 0/1, ``scope``, ``cells`` JSON,
  ``expected``, ``found``, ``blank_cells``, ``sentence``).
- ``diagnostics``: ``report_id, level, code, where, message``.
- ``failures``: files that could not be parsed: ``path, name, sha256, size, parser_version, exit_code``
  (3 unreadable, 4 not a report, 1 internal error), ``reason``, ``message`` (one line), ``failed_at``.
- ``cross_checks``: checks across one organ's consecutive years (``zfxxgk_batch.crossyear``).
- ``duplicates`` (a view): organ_key and year found in more than one file.
- ``report_json``: each report's full JSON (the output contract), zlib-compressed, for ``--format jsonl``.
- ``batch_meta``: schema version.

Indexes: ``reports(organ_key, year)``, ``reports(year)``, ``reports(sha256)``; ``values`` is keyed by
``(report_id, section, field)`` (an index on ``(section, field)`` would double the cost of writing; add one
with ``CREATE INDEX values_field ON "values" (section, field)`` to query one field over many reports often).
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = "1"
_MAGIC = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER,
    parser_version TEXT NOT NULL,
    layout TEXT,
    format TEXT,
    year INTEGER,
    organ TEXT,
    organ_key TEXT,
    script TEXT,
    encoding TEXT,
    parsed_at TEXT NOT NULL,
    substantive_disclosure_rate REAL,
    review_correction_rate REAL,
    litigation_correction_rate REAL,
    failed_checks INTEGER,
    warnings INTEGER
);
CREATE INDEX IF NOT EXISTS reports_organ_key_year ON reports (organ_key, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE INDEX IF NOT EXISTS reports_sha256 ON reports (sha256);
CREATE TABLE IF NOT EXISTS "values" (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    field TEXT NOT NULL,
    value,
    text TEXT,
    provenance TEXT,
    PRIMARY KEY (report_id, section, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checks (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    ok INTEGER NOT NULL,
    scope TEXT,
    cells TEXT,
    expected,
    found,
    blank_cells TEXT,
    sentence TEXT
);
CREATE INDEX IF NOT EXISTS checks_report ON checks (report_id);
CREATE TABLE IF NOT EXISTS diagnostics (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    code TEXT,
    "where" TEXT,
    message TEXT
);
CREATE INDEX IF NOT EXISTS diagnostics_report ON diagnostics (report_id);
CREATE TABLE IF NOT EXISTS report_json (
    report_id INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    json_zlib BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT,
    sha256 TEXT,
    size INTEGER,
    parser_version TEXT,
    exit_code INTEGER NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cross_checks (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    organ_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    next_year INTEGER NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    next_report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    ok INTEGER NOT NULL,
    expected,
    found,
    cells TEXT,
    blank_cells TEXT
);
CREATE INDEX IF NOT EXISTS cross_checks_organ ON cross_checks (organ_key, year);
CREATE INDEX IF NOT EXISTS cross_checks_report ON cross_checks (report_id);
CREATE INDEX IF NOT EXISTS cross_checks_next_report ON cross_checks (next_report_id);
CREATE VIEW IF NOT EXISTS duplicates AS
    SELECT organ_key, year, COUNT(*) AS files, group_concat(id, ', ') AS report_ids,
           group_concat(path, ' | ') AS paths
    FROM reports WHERE organ_key IS NOT NULL AND year IS NOT NULL
    GROUP BY organ_key, year HAVING COUNT(*) > 1;
"""

_REPORT_COLUMNS = ("path", "name", "sha256", "size", "parser_version", "layout", "format", "year", "organ",
                   "organ_key", "script", "encoding", "parsed_at", "substantive_disclosure_rate",
                   "review_correction_rate", "litigation_correction_rate", "failed_checks", "warnings")
_INSERT_REPORT = (f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in _REPORT_COLUMNS)})")


def utcnow() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Known:
    """What the database already holds for a path."""

    kind: str              # "report" or "failure"
    id: int
    sha256: str | None
    parser_version: str | None


class NotABatchDatabase(Exception):
    pass


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (and create) a batch database. Raises :class:`NotABatchDatabase` for any other file."""
    path = Path(path)
    if path.exists():
        if path.is_dir():
            raise NotABatchDatabase(f"{path} is a directory")
        with open(path, "rb") as f:
            head = f.read(16)
        if head and head != _MAGIC:
            raise NotABatchDatabase(f"{path} exists and is not a SQLite database")
    elif not create:
        raise NotABatchDatabase(f"{path}: no such database")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        conn.execute("PRAGMA foreign_keys = ON")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "batch_meta" not in tables:
            conn.close()
            raise NotABatchDatabase(f"{path} is a SQLite database of something else (no batch_meta table)")
        if create:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MB
            conn.executescript(SCHEMA)
            conn.execute("INSERT OR IGNORE INTO batch_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            conn.commit()
    except sqlite3.DatabaseError as e:
        raise NotABatchDatabase(f"{path}: {e}") from None
    return conn


def close(conn: sqlite3.Connection) -> None:
    """Close, folding the write-ahead log back into the database file (no -wal/-shm left behind)."""
    try:
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.DatabaseError:
        pass
    conn.close()


def known(conn: sqlite3.Connection) -> dict[str, Known]:
    """path -> what is stored for it (a report, or a failure)."""
    out: dict[str, Known] = {}
    for id_, path, sha, ver in conn.execute("SELECT id, path, sha256, parser_version FROM failures"):
        out[path] = Known("failure", id_, sha, ver)
    for id_, path, sha, ver in conn.execute("SELECT id, path, sha256, parser_version FROM reports"):
        out[path] = Known("report", id_, sha, ver)
    return out


@contextmanager
def one_report(conn: sqlite3.Connection):
    """The writes of one report as a unit inside the open transaction (a savepoint): all or nothing."""
    if not conn.in_transaction:
        conn.execute("BEGIN")
    conn.execute("SAVEPOINT one_report")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO one_report")
        conn.execute("RELEASE one_report")
        raise
    conn.execute("RELEASE one_report")


def _forget(conn: sqlite3.Connection, path: str) -> None:
    conn.execute("DELETE FROM reports WHERE path = ?", (path,))
    conn.execute("DELETE FROM failures WHERE path = ?", (path,))


def write_report(conn: sqlite3.Connection, result: dict, parser_version: str, *, replace: bool) -> int:
    """Insert one parsed report with its values, checks and diagnostics (replacing what the path had)."""
    if replace:
        _forget(conn, result["path"])
    info = result["info"]
    row = {**info, "path": result["path"], "sha256": result["sha256"], "size": result["size"],
           "parser_version": parser_version, "parsed_at": utcnow()}
    cur = conn.execute(_INSERT_REPORT, [row.get(c) for c in _REPORT_COLUMNS])
    rid = cur.lastrowid
    conn.executemany('INSERT OR REPLACE INTO "values" VALUES (?, ?, ?, ?, ?, ?)',
                     [(rid, *v) for v in result["values"]])
    conn.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(rid, *c) for c in result["checks"]])
    conn.executemany('INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?)', [(rid, *d) for d in result["diagnostics"]])
    conn.execute("INSERT INTO report_json VALUES (?, ?)", (rid, result["json"]))
    return rid


def write_failure(conn: sqlite3.Connection, result: dict, parser_version: str | None, *, replace: bool) -> None:
    """Record a file that could not be parsed (replacing what the path had)."""
    if replace:
        _forget(conn, result["path"])
    conn.execute("INSERT INTO failures (path, name, sha256, size, parser_version, exit_code, reason, message, "
                 "failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (result["path"], Path(result["path"]).name, result.get("sha256"), result.get("size"),
                  parser_version, result["exit_code"], result["reason"], result["message"], utcnow()))


_CHILDREN = (('"values"', "section, field, value, text, provenance"),
             ("checks", "rule, ok, scope, cells, expected, found, blank_cells, sentence"),
             ("diagnostics", 'level, code, "where", message'),
             ("report_json", "json_zlib"))


def parts_dir(db_path: Path) -> Path:
    """Where local workers write their part databases: ``.NAME.parts`` beside the database."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.parts")


def merge_parts(conn: sqlite3.Connection, parts: Path) -> tuple[int, list[str]]:
    """Merge every part database in ``parts`` into ``conn`` (each in one transaction; a report replaces
    what its path had), delete the merged parts, and return (reports merged, problems)."""
    parts = Path(parts)
    if not parts.is_dir():
        return 0, []
    merged, problems = 0, []
    conn.commit()
    for part in sorted(parts.glob("part-*.db")):
        try:
            conn.execute("ATTACH DATABASE ? AS part", (str(part),))
        except sqlite3.DatabaseError as e:
            problems.append(f"{part.name}: {e}")
            continue
        try:
            with conn:
                if conn.execute("SELECT COUNT(*) FROM part.sqlite_master WHERE name = 'reports'").fetchone()[0]:
                    cols = ", ".join(_REPORT_COLUMNS)
                    conn.execute("DELETE FROM main.reports WHERE path IN (SELECT path FROM part.reports)")
                    conn.execute("DELETE FROM main.failures WHERE path IN (SELECT path FROM part.reports)")
                    n = conn.execute(f"INSERT INTO main.reports ({cols}) SELECT {cols} FROM part.reports "
                                     f"ORDER BY id").rowcount
                    # part id -> new id, so that the rows of each table are copied in key order by integer
                    conn.execute("CREATE TEMP TABLE IF NOT EXISTS part_ids (part_id INTEGER PRIMARY KEY, id INTEGER)")
                    conn.execute("DELETE FROM temp.part_ids")
                    conn.execute("INSERT INTO temp.part_ids SELECT p.id, m.id FROM part.reports p "
                                 "JOIN main.reports m ON m.path = p.path")
                    for table, columns in _CHILDREN:
                        sel = ", ".join(f"c.{c}" for c in columns.split(", "))
                        conn.execute(f"INSERT INTO main.{table} SELECT i.id, {sel} FROM part.{table} c "
                                     f"JOIN temp.part_ids i ON i.part_id = c.report_id")
                    merged += max(n, 0)
        except sqlite3.DatabaseError as e:
            problems.append(f"{part.name}: {e}")
            conn.execute("DETACH DATABASE part")
            continue
        conn.execute("DETACH DATABASE part")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{part}{suffix}").unlink(missing_ok=True)
    try:
        parts.rmdir()
    except OSError:
        pass
    return merged, problems


def failures_for(conn: sqlite3.Connection, paths: set[str]) -> list[tuple]:
    """(path, exit_code, reason, message) of the stored failures among ``paths``, in path order."""
    rows = conn.execute("SELECT path, exit_code, reason, message FROM failures ORDER BY path").fetchall()
    return [r for r in rows if r[0] in paths]
