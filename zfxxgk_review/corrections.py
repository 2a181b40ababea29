"""The ``corrections`` table: what reviewers found, kept beside the parsed values, never over them.

A correction is about a file's contents, not its path: it is keyed by the file's ``sha256`` and the field
path (``applications.total.natural_person``). So it survives every batch re-run over the same bytes (the
batch rewrites ``reports`` and its children; it never touches this table), follows a file that moved, and
applies to every copy of the same bytes. When the file at the path it was made on changes, or no report of
those bytes is left in the dataset, the correction is *stale*: kept, listed, applied to nothing.

Rows are only added: the latest row for a (sha256, field) decides; ``kind`` says what it does:

- ``corrected``: the right value is ``corrected_value`` (null: the cell is blank in the document);
- ``confirmed``: the reviewer checked the parsed value at the source and it is right;
- ``withdrawn``: the earlier correction no longer holds; the parsed value stands.

Schema (created when missing; the batch's own tables are never changed)::

    corrections (id, sha256, field, kind, parsed_value, parsed_status, corrected_value, note, reviewer,
                 created_at, path, report_id)
"""

from __future__ import annotations

import getpass
import json
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

from core.fields import FieldPath
from core.template import AMOUNT, COUNT, S2_AMOUNTS_AS_PRINTED, SIGNED, cell_kind

CORRECTED, CONFIRMED, WITHDRAWN = "corrected", "confirmed", "withdrawn"
KINDS = (CORRECTED, CONFIRMED, WITHDRAWN)

SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('corrected', 'confirmed', 'withdrawn')),
    parsed_value,
    parsed_status TEXT,
    corrected_value,
    note TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    path TEXT,
    report_id INTEGER
);
CREATE INDEX IF NOT EXISTS corrections_sha256_field ON corrections (sha256, field, id);
"""
_COLUMNS = (
    "id",
    "sha256",
    "field",
    "kind",
    "parsed_value",
    "parsed_status",
    "corrected_value",
    "note",
    "reviewer",
    "created_at",
    "path",
    "report_id",
)

#: Words a reviewer may type for a cell that is blank in the document.
BLANK_WORDS = frozenset({"blank", "null", "空", "空白", "-", "—", "－"})
_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Correction:
    id: int
    sha256: str
    field: str
    kind: str
    parsed_value: int | float | str | None
    parsed_status: str | None
    corrected_value: int | float | str | None
    note: str
    reviewer: str
    created_at: str
    path: str | None
    report_id: int | None

    @property
    def value(self):
        """The value the cell holds with this correction (the parsed one for a confirmation)."""
        return self.parsed_value if self.kind == CONFIRMED else self.corrected_value

    def to_dict(self) -> dict:
        return {c: getattr(self, c) for c in _COLUMNS}


class InvalidCorrection(ValueError):
    """A value a reviewer typed that the cell cannot hold (one line, shown on the page)."""


def ensure(conn: sqlite3.Connection) -> None:
    """Create the ``corrections`` table if the database has none."""
    conn.executescript(SCHEMA)


def has_table(conn: sqlite3.Connection) -> bool:
    sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'corrections'"
    return conn.execute(sql).fetchone() is not None


def utcnow() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return ""


def parse_value(fmt: str | None, field: str, text: str):
    """The value a reviewer typed for ``field``, as the cell's kind holds it: a count is a whole number
    ≥ 0, 本年增/减 a whole number with its sign, an amount a number (采购总金额 as printed, with its
    unit); a blank word (blank, 空, -) is a blank cell (None). Raises :class:`InvalidCorrection`."""
    t = text.strip().replace("，", "").replace(",", "").replace("＋", "+").replace("－", "-")
    t = t.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if text.strip().lower() in BLANK_WORDS or t.lower() in BLANK_WORDS:
        return None
    if not t:
        raise InvalidCorrection("enter the value the source prints, or 'blank' for a blank cell")
    try:
        path = FieldPath.parse(field)
    except ValueError:
        raise InvalidCorrection(f"{field!r} is not a field of the template") from None
    if (fmt, path.field) in S2_AMOUNTS_AS_PRINTED:
        if not re.search(r"\d", t):
            raise InvalidCorrection("an amount has a number (e.g. 6187.4万元)")
        return text.strip()
    kind = cell_kind(fmt or "2021", path)
    if kind == AMOUNT:
        if not _NUM.match(t):
            raise InvalidCorrection(f"{text.strip()!r} is not a number (the amount, in 万元)")
        v = float(t)
        return int(v) if v == int(v) and "." not in t else v
    if not _INT.match(t):
        raise InvalidCorrection(f"{text.strip()!r} is not a whole number")
    n = int(t)
    if kind == COUNT and n < 0:
        raise InvalidCorrection("a count cannot be negative")
    assert kind in (COUNT, SIGNED)
    return n


def add(
    conn: sqlite3.Connection,
    *,
    sha256: str,
    field: str,
    kind: str,
    parsed_value,
    parsed_status: str | None,
    corrected_value=None,
    note: str = "",
    reviewer: str | None = None,
    path: str | None = None,
    report_id: int | None = None,
) -> Correction:
    """Record a correction (a new row; earlier ones stay as history) and return it."""
    if kind not in KINDS:
        raise InvalidCorrection(f"unknown kind {kind!r}")
    if kind == CONFIRMED and parsed_status == "unread":
        raise InvalidCorrection("this cell was not read: enter the value the source prints")
    ensure(conn)
    if isinstance(parsed_value, (dict, list)):
        parsed_value = json.dumps(parsed_value, ensure_ascii=False)
    row = (
        sha256,
        field,
        kind,
        parsed_value,
        parsed_status,
        corrected_value if kind == CORRECTED else None,
        note.strip(),
        default_reviewer() if reviewer is None else reviewer.strip(),
        utcnow(),
        path,
        report_id,
    )
    with conn:
        cur = conn.execute(
            "INSERT INTO corrections (sha256, field, kind, parsed_value, parsed_status, corrected_value, note, "
            "reviewer, created_at, path, report_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    return Correction(int(cur.lastrowid or 0), *row)


def _rows(conn: sqlite3.Connection, where: str = "", params: Iterable = ()) -> list[Correction]:
    if not has_table(conn):
        return []
    sql = f"SELECT {', '.join(_COLUMNS)} FROM corrections {where} ORDER BY id"
    return [Correction(*r) for r in conn.execute(sql, tuple(params))]


def stamp(conn: sqlite3.Connection) -> str:
    """Changes whenever a correction is recorded (the rows are only added): for exports that are rebuilt
    only when the database changed, beside ``batch_meta.generation``."""
    if not has_table(conn):
        return "0"
    return str(conn.execute("SELECT COALESCE(MAX(id), 0) FROM corrections").fetchone()[0])


def history(conn: sqlite3.Connection, sha256: str, field: str | None = None) -> list[Correction]:
    """Every row recorded for a file's contents (and one field), oldest first."""
    if field is None:
        return _rows(conn, "WHERE sha256 = ?", (sha256,))
    return _rows(conn, "WHERE sha256 = ? AND field = ?", (sha256, field))


def _latest(rows: Iterable[Correction]) -> dict[tuple[str, str], Correction]:
    out: dict[tuple[str, str], Correction] = {}
    for c in rows:  # in id order: the last one decides
        out[(c.sha256, c.field)] = c
    return {k: c for k, c in out.items() if c.kind != WITHDRAWN}


def current(conn: sqlite3.Connection, sha256: str) -> dict[str, Correction]:
    """The corrections in force for a file's contents, by field path."""
    return {f: c for (_s, f), c in _latest(history(conn, sha256)).items()}


def all_current(conn: sqlite3.Connection) -> dict[str, dict[str, Correction]]:
    """Every correction in force: sha256 → field → correction."""
    out: dict[str, dict[str, Correction]] = {}
    for (sha, f), c in _latest(_rows(conn)).items():
        out.setdefault(sha, {})[f] = c
    return out


# --- what still applies after a batch re-run -----------------------------------------------------------

KEPT, CHANGED, GONE, FIELD_ABSENT = "kept", "changed", "gone", "field_absent"


@dataclass(frozen=True)
class State:
    """A correction in force and what it applies to now.

    ``state``: ``kept`` (a report of the same bytes is in the dataset: ``report_ids``), ``changed`` (the
    file at the path it was made on now has other bytes: ``now_sha256``, ``now_report_id``), ``gone`` (no
    report of those bytes is left: the file was removed, or no longer parses), ``field_absent`` (the
    report of those bytes no longer has the cell: the parser now reads it in the other format)."""

    correction: Correction
    state: str
    report_ids: tuple[int, ...] = ()
    now_sha256: str | None = None
    now_report_id: int | None = None

    @property
    def stale(self) -> bool:
        return self.state != KEPT

    def describe(self) -> str:
        c = self.correction
        what = f"{c.field} = {c.corrected_value!r}" if c.kind == CORRECTED else f"{c.field} confirmed"
        where = c.path or c.sha256[:12]
        if self.state == KEPT:
            return f"kept: {where}: {what}"
        if self.state == CHANGED:
            return f"stale: {where} changed (sha256 {c.sha256[:12]}… is now {(self.now_sha256 or '')[:12]}…): {what}"
        if self.state == FIELD_ABSENT:
            return f"stale: {where}: the report no longer has the cell {c.field}: {what}"
        return f"stale: {where}: no report of these contents (sha256 {c.sha256[:12]}…) is in the dataset: {what}"


def states(conn: sqlite3.Connection) -> list[State]:
    """Every correction in force with what it applies to now (see :class:`State`), in the order made."""
    cur = all_current(conn)
    if not cur:
        return []
    by_sha: dict[str, list[int]] = {}
    by_path: dict[str, tuple[int, str]] = {}
    for rid, path, sha in conn.execute("SELECT id, path, sha256 FROM reports"):
        by_sha.setdefault(sha, []).append(rid)
        by_path[path] = (rid, sha)
    fields_of: dict[int, set[str]] = {}

    def fields(rid: int) -> set[str]:
        if rid not in fields_of:
            from zfxxgk_review.dataset import report_json

            doc = report_json(conn, rid) or {}
            fields_of[rid] = set(doc.get("status") or {})
        return fields_of[rid]

    out: list[State] = []
    for sha, by_field in cur.items():
        ids = tuple(by_sha.get(sha, ()))
        for c in by_field.values():
            if ids:
                have = tuple(r for r in ids if c.field in fields(r))
                out.append(State(c, KEPT, have) if have else State(c, FIELD_ABSENT, ids))
                continue
            now = by_path.get(c.path or "")
            if now is not None:
                out.append(State(c, CHANGED, (), now[1], now[0]))
            else:
                out.append(State(c, GONE))
    out.sort(key=lambda s: s.correction.id)
    return out


def stale(conn: sqlite3.Connection) -> list[State]:
    """The corrections in force that apply to nothing the dataset holds now."""
    return [s for s in states(conn) if s.stale]


def batch_summary_lines(conn: sqlite3.Connection, limit: int = 10) -> list[str]:
    """Lines for the closing summary of ``python -m core batch`` (call after the run has written the
    reports): how many corrections still apply to the same file contents and which no longer do. Empty
    when the database has no corrections (the table is not created)."""
    if not has_table(conn):
        return []
    all_states = states(conn)
    if not all_states:
        return []
    bad = [s for s in all_states if s.stale]
    out = [
        f"corrections: {len(all_states) - len(bad)} kept (the same file contents), {len(bad)} stale"
        + (" (python -m core review DATASET --stale lists them)" if bad else "")
    ]
    for s in bad[: max(0, limit)]:
        out.append(f"  {s.describe()}")
    if len(bad) > limit:
        out.append(f"  … and {len(bad) - limit} more")
    return out
