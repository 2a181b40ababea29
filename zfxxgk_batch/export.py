"""The batch database exported as the files people open: CSV (wide and long), XLSX, Parquet, JSONL.

Every export is written to a temporary file beside its target and renamed over it when complete, so an
interrupted run never leaves a half-written file. Each export holds every report of the database (not only
the files of the last run).

- CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese text): ``OUT.csv`` is wide, one row per
  report, the report's metadata and indicators then one column per field ID (``applications.total.total``);
  a blank cell and a cell the report's format does not have are both empty. ``OUT.long.csv`` is the long
  form: one row per cell (``report_id, path, organ_key, year, section, field, value, text, provenance``),
  including the prose sections (section ``text``).
- XLSX (``OUT.xlsx``): sheets ``reports`` (metadata, indicators), one per section (``active_disclosure``,
  ``applications`` as the template's rows × 7 columns, ``review_litigation``, ``text``), then ``checks``
  (failed ones), ``diagnostics`` (warnings and errors), ``cross_year``, ``duplicates`` and ``failures``.
  Highlighted cells: yellow = named by a warning (a value that may be wrong or was not read), orange = in
  a break across years, red = read by a failed check (when a warned cell is read by a failed check, it
  stays yellow among the red: the likely culprit).
- Parquet (``OUT.parquet`` wide, ``OUT.long.parquet`` long; needs pyarrow): as the CSVs, typed; in the long
  table ``value`` is numeric (null for text values such as 采购总金额, which are in ``text``).
- JSONL (``OUT.jsonl``): one report per line, exactly the JSON ``python -m core parse`` prints, plus a
  ``batch`` key (path, sha256, parser_version, organ_key, indicators).

Safe for spreadsheets: the text in a report, its file name and its organ come from whoever published it.
A text cell that a spreadsheet would take for a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return, and is not simply a number) is written as text: in CSV with a leading ``'`` (what
Excel and LibreOffice read as "text follows"), in XLSX as a string cell marked quote-prefixed (never a
formula, also after the cell is edited). XLSX cannot hold most control characters at all: each one (ESC,
BS …) is written as ``\\xNN``.
"""
from __future__ import annotations

import csv
import itertools
import json
import os
import re
import sqlite3
import tempfile
import zlib
from contextlib import contextmanager
from pathlib import Path

from zfxxgk_batch.fields import all_fields, column_name
from zfxxgk_batch.indicators import INDICATORS

REPORT_COLUMNS = ("id", "path", "name", "sha256", "parser_version", "layout", "format", "year", "organ", "organ_key",
                  "script", "encoding", "parsed_at", *INDICATORS, "failed_checks", "warnings")
LONG_COLUMNS = ("report_id", "path", "organ_key", "year", "section", "field", "value", "text", "provenance")

RED, ORANGE, YELLOW = "FFC7CE", "F8CBAD", "FFEB9C"
XLSX_CELL_LIMIT = 32767

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
#: what openpyxl refuses in a cell (its ILLEGAL_CHARACTERS_RE)
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or start one when it is edited)."""
    return text.startswith(_FORMULA_START) and text != "-" and not _NUMBER.fullmatch(text)


def csv_cell(v):
    """A value as a CSV cell: empty for null, a leading ``'`` before formula-like text."""
    if v is None:
        return ""
    if isinstance(v, str) and formula_like(v):
        return "'" + v
    return v


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: control characters as ``\\xNN``, cut at the cell limit."""
    if _XLSX_ILLEGAL.search(text):
        text = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 20] + " …(truncated)"
    return text


@contextmanager
def atomic(target: Path, mode: str | None = "w", **kw):
    """Open a temp file beside ``target``; renamed over it on success, removed on any error."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if mode is None:
            yield Path(tmp)
        else:
            with open(tmp, mode, **kw) as f:
                yield f
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def field_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every field ID of the template, then any other field the database holds (a newer contract)."""
    fields = list(all_fields())
    known = set(fields)
    extra = sorted(r for r in conn.execute(
        "SELECT DISTINCT section, field FROM \"values\" WHERE section != 'text'") if tuple(r) not in known)
    return fields + [tuple(r) for r in extra]


def _reports(conn: sqlite3.Connection):
    return conn.execute(f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports ORDER BY id")


def _values_by_report(conn: sqlite3.Connection, sections=None):
    where = "" if sections is None else f"WHERE section IN ({', '.join(repr(s) for s in sections)})"
    cur = conn.execute(f'SELECT report_id, section, field, value, text, provenance FROM "values" {where} '
                       f"ORDER BY report_id")
    return itertools.groupby(cur, key=lambda r: r[0])


def _wide_rows(conn: sqlite3.Connection, fields: list[tuple[str, str]]):
    """(report row, {(section, field): value}) for every report, in id order."""
    values = _values_by_report(conn, ("active_disclosure", "applications", "review_litigation"))
    pending = next(values, None)
    for rep in _reports(conn):
        got: dict = {}
        while pending is not None and pending[0] < rep[0]:
            pending = next(values, None)
        if pending is not None and pending[0] == rep[0]:
            got = {(r[1], r[2]): r[3] for r in pending[1]}
            pending = next(values, None)
        yield rep, got


# --- CSV --------------------------------------------------------------------------------------------

def export_csv(conn: sqlite3.Connection, wide: Path, long: Path) -> list[Path]:
    fields = field_columns(conn)
    with atomic(wide, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([*REPORT_COLUMNS, *(column_name(s, fid) for s, fid in fields)])
        for rep, got in _wide_rows(conn, fields):
            w.writerow([*(csv_cell(v) for v in rep), *(csv_cell(got.get(k)) for k in fields)])
    with atomic(long, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(LONG_COLUMNS)
        cur = conn.execute('SELECT v.report_id, r.path, r.organ_key, r.year, v.section, v.field, v.value, v.text, '
                           'v.provenance FROM "values" v JOIN reports r ON r.id = v.report_id '
                           "ORDER BY v.report_id")
        for row in cur:
            w.writerow([csv_cell(v) for v in row])
    return [Path(wide), Path(long)]


# --- JSONL ------------------------------------------------------------------------------------------

def export_jsonl(conn: sqlite3.Connection, path: Path) -> list[Path]:
    cols = ("path", "sha256", "parser_version", "organ_key", *INDICATORS)
    with atomic(path, "w", encoding="utf-8", newline="\n") as f:
        cur = conn.execute(f"SELECT {', '.join('r.' + c for c in cols)}, j.json_zlib FROM reports r "
                           f"JOIN report_json j ON j.report_id = r.id ORDER BY r.id")
        for row in cur:
            doc = zlib.decompress(row[-1]).decode("utf-8").rstrip()
            extra = json.dumps(dict(zip(cols, row[:-1])), ensure_ascii=False, separators=(",", ":"))
            f.write(doc[:-1] + ("," if doc != "{}" else "") + f'"batch":{extra}' + "}\n")
    return [Path(path)]


# --- Parquet ----------------------------------------------------------------------------------------

def require_pyarrow():
    from core.errors import UsageError

    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UsageError("--format parquet needs pyarrow: pip install 'zfxxgk[parquet]' (or pip install pyarrow)") \
            from None


def _column(values: list):
    import pyarrow as pa

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def export_parquet(conn: sqlite3.Connection, wide: Path, long: Path) -> list[Path]:
    require_pyarrow()
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = field_columns(conn)
    names = [*REPORT_COLUMNS, *(column_name(s, fid) for s, fid in fields)]
    cols: list[list] = [[] for _ in names]
    for rep, got in _wide_rows(conn, fields):
        for i, v in enumerate(rep):
            cols[i].append(v)
        for j, k in enumerate(fields, start=len(rep)):
            cols[j].append(got.get(k))
    with atomic(wide, None) as tmp:
        pq.write_table(pa.table({n: _column(c) for n, c in zip(names, cols)}), tmp)
    long_cols: dict[str, list] = {c: [] for c in LONG_COLUMNS}
    cur = conn.execute('SELECT v.report_id, r.path, r.organ_key, r.year, v.section, v.field, v.value, v.text, '
                       'v.provenance FROM "values" v JOIN reports r ON r.id = v.report_id ORDER BY v.report_id')
    for row in cur:
        for c, v in zip(LONG_COLUMNS, row):
            if c == "value":
                v = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
            long_cols[c].append(v)
    schema = {"report_id": pa.int64(), "year": pa.int64(), "value": pa.float64()}
    table = pa.table({c: pa.array(v, type=schema.get(c, pa.string())) for c, v in long_cols.items()})
    with atomic(long, None) as tmp:
        pq.write_table(table, tmp)
    return [Path(wide), Path(long)]


# --- XLSX -------------------------------------------------------------------------------------------

def require_openpyxl():
    from core.errors import UsageError

    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise UsageError("--format xlsx needs openpyxl: pip install 'zfxxgk[xlsx]' (or pip install openpyxl)") \
            from None


def highlights(conn: sqlite3.Connection) -> dict[int, dict[str, str]]:
    """report id -> {cell path: fill colour}: yellow for cells a warning names, orange for cells of breaks
    across years, red for the other cells read by failed checks. A warned cell stays yellow when a check
    that read it failed too: it is the likely culprit among the red ones."""
    rank = {RED: 1, ORANGE: 2, YELLOW: 3}
    out: dict[int, dict[str, str]] = {}

    def mark(rid: int, cell: str, colour: str) -> None:
        d = out.setdefault(rid, {})
        if rank[colour] > rank.get(d.get(cell, ""), 0):
            d[cell] = colour

    for rid, where in conn.execute("SELECT report_id, \"where\" FROM diagnostics WHERE level IN ('warning', 'error')"):
        if where:
            mark(rid, where, YELLOW)
    for rid, cells in conn.execute("SELECT report_id, cells FROM checks WHERE ok = 0"):
        for c in json.loads(cells or "[]"):
            mark(rid, c, RED)
    for a, b, year, cells in conn.execute("SELECT report_id, next_report_id, year, cells FROM cross_checks WHERE ok = 0"):
        for c in json.loads(cells or "[]"):
            tag, _, path = c.partition(":")
            mark(a if tag == str(year) else b, path, ORANGE)
    return out


def export_xlsx(conn: sqlite3.Connection, path: Path) -> list[Path]:
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font, PatternFill

    from core.template import S3_COLUMNS, S4_FIELDS

    wb = Workbook(write_only=True)
    fills = {c: PatternFill("solid", start_color=c, end_color=c) for c in (RED, ORANGE, YELLOW)}
    bold = Font(bold=True)
    marks = highlights(conn)

    def sheet(title: str, header: list[str], widths: dict[int, float] | None = None):
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, wdt in (widths or {}).items():
            ws.column_dimensions[_letter(i)].width = wdt
        row = []
        for h in header:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            row.append(c)
        ws.append(row)
        return ws

    def cell(ws, value, colour: str | None = None):
        as_text = False
        if isinstance(value, str):
            value = xlsx_text(value)
            as_text = formula_like(value) or value in ERROR_CODES
        if colour is None and not as_text:
            return value
        c = WriteOnlyCell(ws, value=value)
        if as_text:  # openpyxl makes "=…" a formula and "#N/A" an error: keep them the text they are
            c.data_type = "s"
            c.quotePrefix = True
        if colour is not None:
            c.fill = fills[colour]
        return c

    def row_of(ws, values) -> list:
        return [cell(ws, v) for v in values]

    reports = list(_reports(conn))
    who = {r[0]: (r[9] or r[8], r[7]) for r in reports}  # id -> (organ_key, or the organ as printed; year)

    ws = sheet("reports", list(REPORT_COLUMNS), {1: 40, 8: 24, 9: 24})
    fc, wc = REPORT_COLUMNS.index("failed_checks"), REPORT_COLUMNS.index("warnings")
    for r in reports:
        ws.append([cell(ws, v, RED if i == fc and v else YELLOW if i == wc and v else None)
                   for i, v in enumerate(r)])

    fields = field_columns(conn)
    s2 = [f for s, f in fields if s == "active_disclosure"]
    ws2 = sheet("active_disclosure", ["report_id", "organ_key", "year", "format", *s2])
    s3_rows: list[str] = []
    for s, f in fields:
        if s == "applications":
            row_id = f.rpartition(".")[0]
            if row_id not in s3_rows:
                s3_rows.append(row_id)
    ws3 = sheet("applications", ["report_id", "organ_key", "year", "row", *S3_COLUMNS], {2: 24, 4: 32})
    s4 = [f"{g}.{c}" for g, c in S4_FIELDS]
    ws4 = sheet("review_litigation", ["report_id", "organ_key", "year", *s4])
    fmt_of = {r[0]: r[6] for r in reports}
    for rep, got in _wide_rows(conn, fields):
        rid = rep[0]
        organ, year = who[rid]
        mk = marks.get(rid, {})
        present = {f for s, f in got if s == "active_disclosure"}
        ws2.append([rid, cell(ws2, organ), year, fmt_of[rid],
                    *(cell(ws2, got.get(("active_disclosure", f)), mk.get(f"active_disclosure.{f}")) if f in present
                      else None for f in s2)])
        for row_id in s3_rows:
            keys = [("applications", f"{row_id}.{c}") for c in S3_COLUMNS]
            if not any(k in got for k in keys):
                continue
            ws3.append([rid, cell(ws3, organ), year, row_id,
                        *(cell(ws3, got.get(k), mk.get(column_name(*k))) for k in keys)])
        ws4.append([rid, cell(ws4, organ), year, *(cell(ws4, got.get(("review_litigation", f)),
                                             mk.get(f"review_litigation.{f}")) for f in s4)])

    ws5 = sheet("text", ["report_id", "organ_key", "year", "overview", "problems", "other_matters"])
    texts: dict[int, dict[str, str]] = {}
    for rid, fid, text in conn.execute("SELECT report_id, field, text FROM \"values\" WHERE section = 'text' "
                                       "ORDER BY report_id"):
        texts.setdefault(rid, {})[fid] = text
    for r in reports:
        t = texts.get(r[0], {})
        ws5.append([r[0], *row_of(ws5, who[r[0]]), *(cell(ws5, t.get(k)) for k in ("overview", "problems",
                                                                                  "other_matters"))])

    ws6 = sheet("checks", ["report_id", "organ_key", "year", "rule", "scope", "expected", "found", "cells", "blank_cells"])
    for row in conn.execute("SELECT report_id, rule, scope, expected, found, cells, blank_cells FROM checks "
                            "WHERE ok = 0 ORDER BY report_id"):
        ws6.append([row[0], *row_of(ws6, who[row[0]]),
                    *(cell(ws6, v, RED if i < 4 else None) for i, v in enumerate(row[1:]))])
    ws7 = sheet("diagnostics", ["report_id", "organ_key", "year", "level", "code", "where", "message"])
    for row in conn.execute("SELECT report_id, level, code, \"where\", message FROM diagnostics "
                            "WHERE level IN ('warning', 'error') ORDER BY report_id"):
        ws7.append([row[0], *row_of(ws7, who[row[0]]),
                    *(cell(ws7, v, YELLOW if i == 0 else None) for i, v in enumerate(row[1:]))])
    ws8 = sheet("cross_year", ["rule", "organ_key", "year", "next_year", "report_id", "next_report_id", "scope", "ok",
                               "expected", "found", "cells"])
    for row in conn.execute("SELECT rule, organ_key, year, next_year, report_id, next_report_id, scope, ok, expected, "
                            "found, cells FROM cross_checks ORDER BY organ_key, year, scope"):
        ws8.append([cell(ws8, v, None if row[7] else ORANGE) for v in row])
    ws9 = sheet("duplicates", ["organ_key", "year", "files", "report_ids", "paths"])
    for row in conn.execute("SELECT organ_key, year, files, report_ids, paths FROM duplicates"):
        ws9.append(row_of(ws9, row))
    ws10 = sheet("failures", ["path", "exit_code", "reason", "message", "sha256", "failed_at"], {1: 40, 4: 60})
    for row in conn.execute("SELECT path, exit_code, reason, message, sha256, failed_at FROM failures ORDER BY path"):
        ws10.append(row_of(ws10, row))
    with atomic(path, None) as tmp:
        wb.save(tmp)
    return [Path(path)]


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


# --- all --------------------------------------------------------------------------------------------

FORMATS = ("sqlite", "csv", "xlsx", "parquet", "jsonl")


def outputs(out: Path, formats: list[str]) -> dict[str, list[Path]]:
    """The files each format writes for ``-o OUT``. The database is always written (it is what makes a
    run resumable): OUT itself when it ends in .db/.sqlite/.sqlite3, else OUT with the suffix .db."""
    out = Path(out)
    stem = out.with_suffix("") if out.suffix.lower() in (".db", ".sqlite", ".sqlite3", ".csv", ".xlsx",
                                                          ".parquet", ".jsonl") else out
    db = out if out.suffix.lower() in (".db", ".sqlite", ".sqlite3") else Path(f"{stem}.db")
    files = {"sqlite": [db]}
    for fmt in formats:
        if fmt == "csv":
            files["csv"] = [Path(f"{stem}.csv"), Path(f"{stem}.long.csv")]
        elif fmt == "parquet":
            files["parquet"] = [Path(f"{stem}.parquet"), Path(f"{stem}.long.parquet")]
        elif fmt in ("xlsx", "jsonl"):
            files[fmt] = [Path(f"{stem}.{fmt}")]
    return files


def write(conn: sqlite3.Connection, fmt: str, files: list[Path]) -> list[Path]:
    if fmt == "csv":
        return export_csv(conn, *files)
    if fmt == "xlsx":
        return export_xlsx(conn, files[0])
    if fmt == "parquet":
        return export_parquet(conn, *files)
    if fmt == "jsonl":
        return export_jsonl(conn, files[0])
    return list(files)
