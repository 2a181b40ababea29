"""The batch database (SQLite): schema, resume lookups and writes.

Tables (browse with ``datasette OUT.db -m OUT.metadata.json``; read with
``pandas.read_sql("SELECT * FROM reports", sqlite3.connect("OUT.db"))``):

- ``reports``: one row per parsed file: ``id, path`` (absolute; see ``zfxxgk_batch.names`` for names that
  are not UTF-8), ``name, sha256`` (of the file's bytes), ``size, parser_version`` (the core's version and
  the version of the layout that read the file, as text), ``layout, format, year, organ`` (as printed),
  ``organ_key`` (normalised for grouping one organ's reports across years), ``script, encoding,
  parsed_at`` (UTC), the derived indicators ``substantive_disclosure_rate, review_correction_rate,
  litigation_correction_rate`` (see ``zfxxgk_batch.indicators``), ``failed_checks, warnings`` (counts),
  and for resuming: ``run_id`` (the run that parsed it), ``core_version, layout_version``, ``mtime_ns,
  ctime_ns, inode`` (the file's stat when it was read; null when it was too fresh to be trusted).
- ``values``: the long form, one row per cell: ``report_id, section`` (active_disclosure, applications,
  review_litigation, or text for the prose sections), ``field`` (the stable field ID, e.g.
  ``new_received.natural_person``), ``value`` (null: printed blank or not read), ``text`` (the cell as
  printed, or the prose), ``provenance`` (JSON: line/col, or page/bbox), ``status`` (confirmed,
  unconfirmed, conflict, unread, blank: what tells a blank cell from one the parse could not read; null
  for prose).
- ``fields``: every stable field ID with its section, its Chinese row and column labels as the template
  prints them, the formats that have it, its unit and kind (``zfxxgk_batch.labels.FieldInfo``);
  ``statuses``: each status with its Chinese label and meaning.
- ``labelled_values`` (a view): ``values`` with the report's organ, year, format and layout and the
  field's labels and unit beside each value.
- ``prose``: the prose sections (一, 五, 六), one row each, with full-text search (``prose_fts``, FTS5
  with the trigram tokenizer: any three or more characters of Chinese text match).
- ``checks``: every consistency rule evaluated per report (``ok`` 0/1, ``scope``, ``cells`` JSON,
  ``expected``, ``found``, ``blank_cells``, ``sentence``).
- ``diagnostics``: ``report_id, level, code, where, message``.
- ``failures``: files that could not be parsed: ``path, name, sha256, size, parser_version, exit_code``
  (3 unreadable or over a per-file limit, 4 not a report, 1 internal error or a worker crash), ``reason``,
  ``message`` (one line, without the file name), ``failed_at``, and ``run_id, core_version, layouts``
  (JSON: every layout installed then, name -> origin and version), ``limit_hit`` (the limit a
  time_limit or memory_limit failure went over), ``mtime_ns, ctime_ns, inode``.
- ``cross_checks``: checks across one organ's consecutive years (``zfxxgk_batch.crossyear``).
- ``duplicates`` (a view): organ_key and year found in more than one file.
- ``report_json``: each report's full JSON (the output contract), zlib-compressed, for ``--format jsonl``.
- ``runs``: one row per batch run: ``id, started_at, ended_at, status`` (running, completed, interrupted,
  stopped, failed; killed: a run found still "running" by the next), ``pid``, and what it did (``parsed, failed,
  unchanged``).
- ``batch_meta``: schema version; ``generation`` (counts changes to reports and failures, so that a run
  that changed nothing rebuilds neither the cross-year checks nor the exports).

Indexes: ``reports(organ_key, year)``, ``reports(year)``, ``reports(sha256)``; ``values`` is keyed by
``(report_id, section, field)`` (an index on ``(section, field)`` would double the cost of writing; add one
with ``CREATE INDEX values_field ON "values" (section, field)`` to query one field over many reports often).
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from zfxxgk_batch.labels import PROSE_HEADINGS, STATUSES
from zfxxgk_batch.names import key as name_key
from zfxxgk_batch.names import shown

KNOWN_STATUSES = frozenset(STATUSES)

SCHEMA_VERSION = "3"
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
    warnings INTEGER,
    run_id INTEGER,
    core_version TEXT,
    layout_version TEXT,
    mtime_ns INTEGER,
    ctime_ns INTEGER,
    inode INTEGER
);
CREATE INDEX IF NOT EXISTS reports_organ_key_year ON reports (organ_key, year);
CREATE INDEX IF NOT EXISTS reports_year ON reports (year);
CREATE INDEX IF NOT EXISTS reports_sha256 ON reports (sha256);
CREATE TABLE IF NOT EXISTS statuses (
    status TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    meaning TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "values" (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    field TEXT NOT NULL,
    value,
    text TEXT,
    provenance TEXT,
    status TEXT REFERENCES statuses (status),
    PRIMARY KEY (report_id, section, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS prose (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    section TEXT NOT NULL,
    heading TEXT,
    text TEXT
);
CREATE INDEX IF NOT EXISTS prose_report ON prose (report_id);
CREATE TABLE IF NOT EXISTS fields (
    section TEXT NOT NULL,
    field TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    section_label TEXT,
    group_label TEXT,
    "row" TEXT,
    row_label TEXT,
    "column" TEXT,
    column_group_label TEXT,
    column_label TEXT,
    label TEXT,
    formats TEXT,
    unit TEXT,
    kind TEXT,
    row_label_2019 TEXT,
    column_label_2019 TEXT,
    PRIMARY KEY (section, field)
);
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
    failed_at TEXT NOT NULL,
    run_id INTEGER,
    core_version TEXT,
    layouts TEXT,
    limit_hit REAL,
    mtime_ns INTEGER,
    ctime_ns INTEGER,
    inode INTEGER
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
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    pid INTEGER,
    parsed INTEGER,
    failed INTEGER,
    unchanged INTEGER
);
CREATE VIEW IF NOT EXISTS duplicates AS
    SELECT organ_key, year, COUNT(*) AS files, group_concat(id, ', ') AS report_ids,
           group_concat(path, ' | ') AS paths
    FROM reports WHERE organ_key IS NOT NULL AND year IS NOT NULL
    GROUP BY organ_key, year HAVING COUNT(*) > 1;
CREATE VIEW IF NOT EXISTS labelled_values AS
    SELECT v.report_id, r.organ, r.organ_key, r.year, r.format, r.layout, v.section, v.field,
           f.label, f.row_label, f.column_label, v.value, f.unit, v.status, s.label AS status_label, v.text,
           v.provenance
    FROM "values" v JOIN reports r ON r.id = v.report_id
    LEFT JOIN fields f ON f.section = v.section AND f.field = v.field
    LEFT JOIN statuses s ON s.status = v.status
    WHERE v.section != 'text';
"""

#: Full-text search over the prose, in the main database only (workers' part databases are merged into
#: it, and the triggers index what is merged). The trigram tokenizer matches any run of three or more
#: characters, which is what Chinese text needs (it has no spaces between words); SQLite before 3.34 has
#: no trigram tokenizer and gets FTS5's default one.
FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS prose_fts USING fts5(text, content="prose", content_rowid="id"{tokenize});
CREATE TRIGGER IF NOT EXISTS prose_fts_insert AFTER INSERT ON prose BEGIN
    INSERT INTO prose_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS prose_fts_delete AFTER DELETE ON prose BEGIN
    INSERT INTO prose_fts (prose_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS prose_fts_update AFTER UPDATE ON prose BEGIN
    INSERT INTO prose_fts (prose_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO prose_fts (rowid, text) VALUES (new.id, new.text);
END;
"""

#: Columns added since schema 1 (a database written by an earlier version gets them, empty: its files
#: are parsed again once, as nothing says which version of their layout read them).
_ADDED = {
    "reports": (
        "run_id INTEGER",
        "core_version TEXT",
        "layout_version TEXT",
        "mtime_ns INTEGER",
        "ctime_ns INTEGER",
        "inode INTEGER",
    ),
    "failures": (
        "run_id INTEGER",
        "core_version TEXT",
        "layouts TEXT",
        "limit_hit REAL",
        "mtime_ns INTEGER",
        "ctime_ns INTEGER",
        "inode INTEGER",
    ),
    # schema 3
    "values": ("status TEXT REFERENCES statuses (status)",),
}

_REPORT_COLUMNS = (
    "path",
    "name",
    "sha256",
    "size",
    "parser_version",
    "layout",
    "format",
    "year",
    "organ",
    "organ_key",
    "script",
    "encoding",
    "parsed_at",
    "substantive_disclosure_rate",
    "review_correction_rate",
    "litigation_correction_rate",
    "failed_checks",
    "warnings",
    "run_id",
    "core_version",
    "layout_version",
    "mtime_ns",
    "ctime_ns",
    "inode",
)
_INSERT_REPORT = (
    f"INSERT INTO reports ({', '.join(_REPORT_COLUMNS)}) VALUES ({', '.join('?' for _ in _REPORT_COLUMNS)})"
)
_FAILURE_COLUMNS = (
    "path",
    "name",
    "sha256",
    "size",
    "parser_version",
    "exit_code",
    "reason",
    "message",
    "failed_at",
    "run_id",
    "core_version",
    "layouts",
    "limit_hit",
    "mtime_ns",
    "ctime_ns",
    "inode",
)
_INSERT_FAILURE = (
    f"INSERT INTO failures ({', '.join(_FAILURE_COLUMNS)}) VALUES ({', '.join('?' for _ in _FAILURE_COLUMNS)})"
)


def utcnow() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Known:
    """What the database already holds for a path."""

    kind: str  # "report" or "failure"
    id: int
    sha256: str | None
    #: (size, mtime_ns, ctime_ns, inode) when the file was read, or None (unknown, or too fresh to trust)
    stat: tuple | None
    core_version: str | None
    #: report: the layout that read it and that layout's version
    layout: str | None = None
    layout_version: str | None = None
    #: failure: every layout installed then ({name: "origin version"}), the reason, the limit it went over
    layouts: dict | None = None
    reason: str | None = None
    limit_hit: float | None = None


class NotABatchDatabase(Exception):
    pass


def connect(path: Path, *, create: bool = True, part: bool = False) -> sqlite3.Connection:
    """Open (and create) a batch database. Raises :class:`NotABatchDatabase` for any other file.

    ``part``: a worker's part database, which is thrown away when lost: no sync to disk."""
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
            conn.execute(f"PRAGMA synchronous = {'OFF' if part else 'NORMAL'}")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MB
            version = _schema_version(conn, tables)
            if version != SCHEMA_VERSION:  # a new database, or one an earlier version wrote
                _migrate(conn, tables)
                conn.executescript(SCHEMA)
                if not part:
                    _create_fts(conn)
                refresh_statuses(conn)
                if version == "2":
                    # its values have no status and its prose is not searchable: parse its files again once
                    conn.execute("UPDATE reports SET core_version = NULL")
                conn.execute("INSERT OR IGNORE INTO batch_meta VALUES ('generation', '0')")
                conn.execute("INSERT OR REPLACE INTO batch_meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
                conn.commit()
    except sqlite3.DatabaseError as e:
        raise NotABatchDatabase(f"{path}: {e}") from None
    return conn


def _schema_version(conn: sqlite3.Connection, tables: set[str]) -> str | None:
    """The schema a database was written with: None for a new one, "1" for one with no runs table."""
    if not tables:
        return None
    if "runs" not in tables:
        return "1"
    row = conn.execute("SELECT value FROM batch_meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else "1"


def _create_fts(conn: sqlite3.Connection) -> None:
    """The full-text index of the prose (trigram tokenizer where SQLite has it); none without FTS5."""
    for tokenize in (', tokenize="trigram"', ""):
        try:
            conn.executescript(FTS_SCHEMA.format(tokenize=tokenize))
            return
        except sqlite3.OperationalError:
            continue


def has_fts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'prose_fts'").fetchone()[0] > 0


def refresh_statuses(conn: sqlite3.Connection) -> None:
    """The ``statuses`` table: each cell status with its Chinese label and meaning."""
    from zfxxgk_batch.labels import STATUSES

    conn.executemany(
        "INSERT INTO statuses VALUES (?, ?, ?) ON CONFLICT (status) DO UPDATE SET "
        "label = excluded.label, meaning = excluded.meaning",
        [(k, label, meaning) for k, (label, meaning) in STATUSES.items()],
    )


def refresh_fields(conn: sqlite3.Connection) -> None:
    """The ``fields`` table as this version's template has it (inside the caller's transaction)."""
    from zfxxgk_batch.labels import FIELD_COLUMNS, field_rows

    rows = field_rows()
    have = conn.execute("SELECT * FROM fields ORDER BY position").fetchall()
    if [tuple(r) for r in have] == rows:
        return
    cols = ", ".join(f'"{c}"' for c in FIELD_COLUMNS)
    conn.execute("DELETE FROM fields")
    conn.executemany(f"INSERT INTO fields ({cols}) VALUES ({', '.join('?' for _ in FIELD_COLUMNS)})", rows)
    refresh_statuses(conn)


def _migrate(conn: sqlite3.Connection, tables: set[str]) -> None:
    for table, columns in _ADDED.items():
        if table not in tables:
            continue
        have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
        for decl in columns:
            if decl.split()[0] not in have:
                conn.execute(f'ALTER TABLE "{table}" ADD COLUMN {decl}')


def close(conn: sqlite3.Connection) -> None:
    """Close, folding the write-ahead log back into the database file (no -wal/-shm left behind)."""
    try:
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.DatabaseError:
        pass
    conn.close()


# --- runs and generations --------------------------------------------------------------------------


def start_run(conn: sqlite3.Connection, pid: int) -> int:
    """Record a new run; its id is above every run id the rows hold (parts merged from elsewhere too)."""
    with conn:
        # a run still "running" here was killed: the lock says no other run is alive
        conn.execute("UPDATE runs SET status = 'killed' WHERE status = 'running'")
        top = (
            conn.execute(
                "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM runs UNION ALL SELECT MAX(run_id) "
                "FROM reports UNION ALL SELECT MAX(run_id) FROM failures)"
            ).fetchone()[0]
            or 0
        )
        cur = conn.execute(
            "INSERT INTO runs (id, started_at, status, pid) VALUES (?, ?, 'running', ?)", (top + 1, utcnow(), pid)
        )
    return int(cur.lastrowid or 0)


def end_run(conn: sqlite3.Connection, run_id: int, status: str, parsed: int, failed: int, unchanged: int) -> None:
    with conn:
        conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, parsed = ?, failed = ?, unchanged = ? WHERE id = ?",
            (utcnow(), status, parsed, failed, unchanged, run_id),
        )


def bump(conn: sqlite3.Connection) -> None:
    """Count a change to the reports or failures (inside the caller's transaction)."""
    conn.execute("UPDATE batch_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM batch_meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM batch_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO batch_meta VALUES (?, ?)", (key, value))


def run_counts(conn: sqlite3.Connection, run_id: int) -> tuple[int, int]:
    """(reports, failures) the database holds from run ``run_id``."""
    reports = conn.execute("SELECT COUNT(*) FROM reports WHERE run_id = ?", (run_id,)).fetchone()[0]
    failures = conn.execute("SELECT COUNT(*) FROM failures WHERE run_id = ?", (run_id,)).fetchone()[0]
    return reports, failures


# --- resume lookups ---------------------------------------------------------------------------------


def _stat(size, mtime, ctime, ino) -> tuple | None:
    return None if mtime is None or ctime is None or ino is None else (size, mtime, ctime, ino)


def known(conn: sqlite3.Connection) -> dict[str, Known]:
    """path -> what is stored for it (a report, or a failure)."""
    out: dict[str, Known] = {}
    for id_, path, sha, size, mt, ct, ino, core, layouts, reason, limit in conn.execute(
        "SELECT id, path, sha256, size, mtime_ns, ctime_ns, inode, core_version, layouts, reason, limit_hit "
        "FROM failures"
    ):
        try:
            lay = json.loads(layouts) if layouts else None
        except ValueError:
            lay = None
        out[path] = Known(
            "failure", id_, sha, _stat(size, mt, ct, ino), core, layouts=lay, reason=reason, limit_hit=limit
        )
    for id_, path, sha, size, mt, ct, ino, core, layout, lv in conn.execute(
        "SELECT id, path, sha256, size, mtime_ns, ctime_ns, inode, core_version, layout, layout_version FROM reports"
    ):
        out[path] = Known("report", id_, sha, _stat(size, mt, ct, ino), core, layout=layout, layout_version=lv)
    return out


# --- writes -----------------------------------------------------------------------------------------


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


def _stat_columns(result: dict) -> tuple:
    st = result.get("stat")
    return (None, None, None) if not st else (st[1], st[2], st[3])


def write_report(conn: sqlite3.Connection, result: dict, versions, run_id: int | None, *, replace: bool) -> int:
    """Insert one parsed report with its values, checks and diagnostics (replacing what the path had).

    :param versions: a :class:`zfxxgk_batch.worker.Versions` (the core's and every layout's version)."""
    if replace:
        _forget(conn, result["path"])
    info = result["info"]
    layout = info.get("layout")
    lv = versions.layouts.get(layout) if layout else None
    mt, ct, ino = _stat_columns(result)
    row = {
        **info,
        "path": result["path"],
        "name": info.get("name"),
        "sha256": result["sha256"],
        "size": result["size"],
        "parser_version": versions.of_report(layout),
        "parsed_at": utcnow(),
        "run_id": run_id,
        "core_version": versions.core,
        "layout_version": lv,
        "mtime_ns": mt,
        "ctime_ns": ct,
        "inode": ino,
    }
    cur = conn.execute(_INSERT_REPORT, [row.get(c) for c in _REPORT_COLUMNS])
    rid = int(cur.lastrowid or 0)
    values = [(rid, *v) if len(v) == 6 else (rid, *v, None) for v in result["values"]]
    unknown = {v[6] for v in values if v[6] is not None and v[6] not in KNOWN_STATUSES}
    if unknown:  # a status a newer core gives: recorded as it is rather than lost
        conn.executemany("INSERT OR IGNORE INTO statuses VALUES (?, ?, ?)", [(u, u, u) for u in sorted(unknown)])
    conn.executemany('INSERT OR REPLACE INTO "values" VALUES (?, ?, ?, ?, ?, ?, ?)', values)
    conn.executemany(
        "INSERT INTO prose (report_id, section, heading, text) VALUES (?, ?, ?, ?)",
        [(rid, v[2], PROSE_HEADINGS.get(v[2]), v[4]) for v in values if v[1] == "text"],
    )
    conn.executemany("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [(rid, *c) for c in result["checks"]])
    conn.executemany("INSERT INTO diagnostics VALUES (?, ?, ?, ?, ?)", [(rid, *d) for d in result["diagnostics"]])
    conn.execute("INSERT INTO report_json VALUES (?, ?)", (rid, result["json"]))
    bump(conn)
    return rid


def write_failure(conn: sqlite3.Connection, result: dict, versions, run_id: int | None, *, replace: bool) -> None:
    """Record a file that could not be parsed (replacing what the path had). A failure found before any
    parse (the file cannot be read) depends on no version: it is retried on every run."""
    if replace:
        _forget(conn, result["path"])
    parsed = bool(result.get("sha256"))
    mt, ct, ino = _stat_columns(result)
    row = {
        "path": result["path"],
        "name": result.get("name") or shown(Path(result["path"]).name),
        "sha256": result.get("sha256"),
        "size": result.get("size"),
        "parser_version": versions.of_failure() if parsed else None,
        "exit_code": result["exit_code"],
        "reason": result["reason"],
        "message": result["message"],
        "failed_at": utcnow(),
        "run_id": run_id,
        "core_version": versions.core if parsed else None,
        "layouts": json.dumps(versions.layouts, ensure_ascii=False, sort_keys=True) if parsed else None,
        "limit_hit": result.get("limit_hit"),
        "mtime_ns": mt,
        "ctime_ns": ct,
        "inode": ino,
    }
    conn.execute(_INSERT_FAILURE, [row[c] for c in _FAILURE_COLUMNS])
    bump(conn)


def update_seen(conn: sqlite3.Connection, k: Known, stat: tuple | None, versions=None) -> None:
    """A file found unchanged after all (its stat changed, its bytes did not; or the layouts installed
    since it failed do not claim it): remember the new stat (and layouts) so the next run skips it unread."""
    table = "reports" if k.kind == "report" else "failures"
    mt, ct, ino = (None, None, None) if not stat else (stat[1], stat[2], stat[3])
    conn.execute(f"UPDATE {table} SET mtime_ns = ?, ctime_ns = ?, inode = ? WHERE id = ?", (mt, ct, ino, k.id))
    if versions is not None and k.kind == "failure":
        conn.execute(
            "UPDATE failures SET layouts = ?, parser_version = ? WHERE id = ?",
            (json.dumps(versions.layouts, ensure_ascii=False, sort_keys=True), versions.of_failure(), k.id),
        )


def prune(conn: sqlite3.Connection, paths: list[str]) -> int:
    """Delete what is stored for ``paths`` (reports with their rows, failures). Returns the rows removed."""
    n = 0
    with conn:
        for i in range(0, len(paths), 500):
            part = paths[i : i + 500]
            marks = ", ".join("?" for _ in part)
            n += conn.execute(f"DELETE FROM reports WHERE path IN ({marks})", part).rowcount
            n += conn.execute(f"DELETE FROM failures WHERE path IN ({marks})", part).rowcount
        if n:
            bump(conn)
    return n


#: The tables whose rows belong to a report, and their columns besides ``report_id`` (merged from parts).
_CHILDREN = (
    ('"values"', "section, field, value, text, provenance, status"),
    ("prose", "section, heading, text"),
    ("checks", "rule, ok, scope, cells, expected, found, blank_cells, sentence"),
    ("diagnostics", 'level, code, "where", message'),
    ("report_json", "json_zlib"),
)


def parts_dir(db_path: Path) -> Path:
    """Where local workers write their part databases: ``.NAME.parts`` beside the database."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.parts")


def part_reports(parts: Path) -> int:
    """Reports waiting in the part databases of ``parts`` (written by workers, not merged yet)."""
    n = 0
    for part in Path(parts).glob("part-*.db"):
        try:
            c = sqlite3.connect(f"file:{part}?mode=ro", uri=True, timeout=1)
            try:
                n += c.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
            finally:
                c.close()
        except sqlite3.Error:
            pass
    return n


def merge_parts(conn: sqlite3.Connection, parts: Path) -> tuple[int, list[str]]:
    """Merge every part database in ``parts`` into ``conn`` (each in one transaction; a report replaces
    what its path had), delete the merged parts, and return (reports merged, problems).

    Only the holder of the database's writer lock may call this: the parts may belong to a run that was
    killed, never to one still running."""
    parts = Path(parts)
    if not parts.is_dir():
        return 0, []
    merged, problems = 0, []
    conn.commit()
    for part in sorted(parts.glob("part-*.db")):
        try:
            conn.execute("ATTACH DATABASE ? AS part", (str(part),))
        except sqlite3.DatabaseError as e:
            problems.append(f"{name_key(part.name)}: {e}")
            continue
        try:
            with conn:
                if conn.execute("SELECT COUNT(*) FROM part.sqlite_master WHERE name = 'reports'").fetchone()[0]:
                    have = {r[1] for r in conn.execute("PRAGMA part.table_info(reports)")}
                    cols = ", ".join(c for c in _REPORT_COLUMNS if c in have)
                    conn.execute("DELETE FROM main.reports WHERE path IN (SELECT path FROM part.reports)")
                    conn.execute("DELETE FROM main.failures WHERE path IN (SELECT path FROM part.reports)")
                    n = conn.execute(
                        f"INSERT INTO main.reports ({cols}) SELECT {cols} FROM part.reports ORDER BY id"
                    ).rowcount
                    # part id -> new id, so that the rows of each table are copied in key order by integer
                    conn.execute("CREATE TEMP TABLE IF NOT EXISTS part_ids (part_id INTEGER PRIMARY KEY, id INTEGER)")
                    conn.execute("DELETE FROM temp.part_ids")
                    conn.execute(
                        "INSERT INTO temp.part_ids SELECT p.id, m.id FROM part.reports p "
                        "JOIN main.reports m ON m.path = p.path"
                    )
                    for table, columns in _CHILDREN:
                        sel = ", ".join(f"c.{c}" for c in columns.split(", "))
                        conn.execute(
                            f"INSERT INTO main.{table} (report_id, {columns}) SELECT i.id, {sel} "
                            f"FROM part.{table} c JOIN temp.part_ids i ON i.part_id = c.report_id"
                        )
                    if n > 0:
                        bump(conn)
                    merged += max(n, 0)
        except sqlite3.DatabaseError as e:
            problems.append(f"{name_key(part.name)}: {e}")
            conn.execute("DETACH DATABASE part")
            if "interrupt" in str(e):
                break
            continue
        conn.execute("DETACH DATABASE part")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{part}{suffix}").unlink(missing_ok=True)
    with suppress(OSError):
        parts.rmdir()
    return merged, problems


def failures_for(conn: sqlite3.Connection, paths: set[str]) -> list[tuple]:
    """(path, exit_code, reason, message) of the stored failures among ``paths``, in path order."""
    rows = conn.execute("SELECT path, exit_code, reason, message FROM failures ORDER BY path").fetchall()
    return [r for r in rows if r[0] in paths]
