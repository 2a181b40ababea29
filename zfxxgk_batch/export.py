"""The batch database exported as the files people open: CSV, XLSX, Parquet, JSONL, and the Datasette
metadata that makes the database itself browsable.

Every export is written to a temporary file beside its target and renamed over it when complete, so an
interrupted run never leaves a half-written file. Each export holds every report of the database (not only
the files of the last run). Every value of every report is in every export with its status (confirmed,
unconfirmed, conflict, unread, blank, corrected), so a cell printed blank and a cell the parse could not
read are never the same empty cell.

Every export applies the reviewers' corrections (``python -m core review``; ``zfxxgk_batch.corrections``
reads them): a cell a reviewer decided holds the reviewer's value with the status ``corrected``, and the
report's checks, the statuses of its other cells, its indicators, ``failed_checks`` and ``warnings`` are
evaluated again on the corrected values (``zfxxgk_review.corrected.corrected_report``); ``text`` and
``provenance`` keep what the document prints. Without a ``corrections`` table, or with none in force,
every export is byte for byte what it is without the review.

- CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese text): one wide file per template format,
  ``OUT.2021.csv`` and ``OUT.2019.csv``: one row per report of that format, its metadata and indicators,
  then one column per field of the format in template order (``applications.total.total``); beside each,
  its status twin ``OUT.2021.status.csv``: the same rows and field columns holding each cell's status
  (empty: the report does not have the cell). ``OUT.long.csv`` is the long form, one row per cell with its
  labels, unit and status, the prose sections included (section ``text``). ``OUT.fields.csv`` is the
  ``fields`` table: every field ID with its Chinese labels, formats and unit. ``labels="zh"`` heads the
  columns with the Chinese labels instead of the IDs (the fields file maps one to the other).
- XLSX (``OUT.xlsx``): ``legend`` (what the colours and statuses mean), ``reports`` (metadata,
  indicators as percentages), section 二 per format (``active_disclosure_2021``, ``active_disclosure_2019``),
  ``applications`` (the template's rows × 7 columns), ``review_litigation``, ``text`` (the prose, wrapped),
  ``checks`` (every rule evaluated, the failed ones red), ``diagnostics``, ``cross_year``, ``duplicates``,
  ``failures`` and ``fields``. With ``labels="zh"`` (the default) row 1 holds the Chinese labels and row 2
  the IDs; the filters sit on the last header row. Each cell of a value is filled by its status (none:
  confirmed; blue: unconfirmed; red: conflict; yellow: unread; grey: printed blank; green: corrected); a
  warning about a cell is its comment, and a corrected cell's comment says the parsed value and status,
  who corrected it, when, and the reviewer's note; ``checks`` and ``diagnostics`` hold a corrected
  report's, evaluated again, and so does ``cross_year`` (the same pairs of years checked with the corrected
  values; the database's ``cross_checks`` keeps the parse); a cell in a break across years has an orange
  border.
- Parquet (``OUT.2021.parquet``, ``OUT.2019.parquet`` wide, each with its ``.status.parquet`` twin;
  ``OUT.long.parquet`` long; needs pyarrow): typed as the template says (counts int64, 万元 amounts
  float64, amounts printed with their unit as text); each column's metadata holds its Chinese label and
  unit. In the long table ``value`` is the number and ``value_text`` the value when it is text.
- JSONL (``OUT.jsonl``): one report per line, exactly the JSON ``python -m core parse`` prints, plus a
  ``batch`` key (path, sha256, parser_version, organ_key, indicators); a report with corrections as
  ``zfxxgk_review.corrected.corrected_report`` gives it (a ``corrections`` map, ``meta.corrected``).
- Datasette metadata (``OUT.metadata.json``, always written beside the database): see
  ``zfxxgk_batch.datasette``.

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
import unicodedata
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.template import FORMATS as TEMPLATE_FORMATS
from core.template import S2_AMOUNTS_AS_PRINTED, S3_COLUMN_LABELS, S3_COLUMNS, S4_FIELDS
from zfxxgk_batch import corrections, crossyear
from zfxxgk_batch.fields import PROSE_FIELDS, SECTIONS, all_fields, column_name, format_fields
from zfxxgk_batch.indicators import INDICATORS
from zfxxgk_batch.labels import (
    FIELD_COLUMNS,
    PROSE_HEADINGS,
    STATUSES,
    column_label,
    field_info,
    field_label,
    field_rows,
    s3_row_label,
)

REPORT_COLUMNS = (
    "id",
    "path",
    "name",
    "sha256",
    "parser_version",
    "layout",
    "format",
    "year",
    "organ",
    "organ_key",
    "script",
    "encoding",
    "parsed_at",
    *INDICATORS,
    "failed_checks",
    "warnings",
)
#: The columns a status twin repeats from the reports, to find its rows.
KEY_COLUMNS = ("id", "path", "name", "layout", "format", "year", "organ", "organ_key")
LONG_COLUMNS = (
    "report_id",
    "path",
    "organ_key",
    "year",
    "format",
    "section",
    "field",
    "label",
    "value",
    "unit",
    "status",
    "text",
    "provenance",
)
#: Parquet's value column is a number: a text value (an amount printed with its unit) goes beside it.
PARQUET_LONG_COLUMNS = (
    *LONG_COLUMNS[: LONG_COLUMNS.index("value") + 1],
    "value_text",
    *LONG_COLUMNS[LONG_COLUMNS.index("value") + 1 :],
)
LABELS = ("id", "zh")

#: The fill of each status in XLSX (none: confirmed).
STATUS_FILLS = {
    "unconfirmed": "DDEBF7",
    "conflict": "FFC7CE",
    "unread": "FFEB9C",
    "blank": "E7E6E6",
    "corrected": "C6EFCE",
}
RED, ORANGE, YELLOW = STATUS_FILLS["conflict"], "F4B183", STATUS_FILLS["unread"]
XLSX_CELL_LIMIT = 32767
XLSX_ROW_LIMIT = 1_048_576

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


# --- reading the database -------------------------------------------------------------------------------


def _extra_fields(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Fields the database holds that the template does not have (a newer contract), sorted."""
    known = set(all_fields())
    return sorted(
        tuple(r)
        for r in conn.execute("SELECT DISTINCT section, field FROM \"values\" WHERE section != 'text'")
        if tuple(r) not in known
    )


def field_columns(conn: sqlite3.Connection, fmt: str | None = None) -> list[tuple[str, str]]:
    """Every field of the template (of ``fmt``, or of either format), then any other field the database
    holds."""
    fields = list(format_fields(fmt) if fmt else all_fields())
    return fields + _extra_fields(conn)


def _reports(conn: sqlite3.Connection, fmt: str | None = None):
    cols = ", ".join(REPORT_COLUMNS)
    if fmt is None:
        return conn.execute(f"SELECT {cols} FROM reports ORDER BY id")
    if fmt == TEMPLATE_FORMATS[-1]:  # the current format takes any report of no known format
        marks = ", ".join("?" for _ in TEMPLATE_FORMATS)
        return conn.execute(
            f"SELECT {cols} FROM reports WHERE format = ? OR format IS NULL OR format NOT IN ({marks}) ORDER BY id",
            (fmt, *TEMPLATE_FORMATS),
        )
    return conn.execute(f"SELECT {cols} FROM reports WHERE format = ? ORDER BY id", (fmt,))


def _values_by_report(conn: sqlite3.Connection, sections=None):
    where = "" if sections is None else f"WHERE section IN ({', '.join(repr(s) for s in sections)})"
    cur = conn.execute(
        f'SELECT report_id, section, field, value, text, provenance, status FROM "values" {where} ORDER BY report_id'
    )
    return itertools.groupby(cur, key=lambda r: r[0])


def _wide_rows(
    conn: sqlite3.Connection, fmt: str | None = None, fix: corrections.Corrections | None = None
) -> Iterator[tuple[tuple, dict]]:
    """(report row, {(section, field): (value, status)}) for every report (of ``fmt``), in id order; with
    ``fix``, a corrected report's row and cells as corrected."""
    values = _values_by_report(conn, SECTIONS)
    pending = next(values, None)
    for rep in _reports(conn, fmt):
        got: dict = {}
        while pending is not None and pending[0] < rep[0]:
            pending = next(values, None)
        if pending is not None and pending[0] == rep[0]:
            got = {(r[1], r[2]): (r[3], r[6]) for r in pending[1]}
            pending = next(values, None)
        if fix is not None and rep[0] in fix:
            yield fix.report_row(rep, REPORT_COLUMNS), fix.cells(rep[0], got)
        else:
            yield rep, got


#: where the value and the status are in a row of :func:`_long_rows`
_LONG_VALUE, _LONG_STATUS = LONG_COLUMNS.index("value"), LONG_COLUMNS.index("status")


def _long_rows(conn: sqlite3.Connection, fix: corrections.Corrections | None = None) -> Iterator[tuple]:
    """The rows of :data:`LONG_COLUMNS`, in report id order; with ``fix``, a corrected report's values and
    statuses as corrected."""
    cur = conn.execute(
        "SELECT v.report_id, r.path, r.organ_key, r.year, r.format, v.section, v.field, f.label, "
        'v.value, f.unit, v.status, v.text, v.provenance FROM "values" v '
        "JOIN reports r ON r.id = v.report_id "
        "LEFT JOIN fields f ON f.section = v.section AND f.field = v.field "
        "ORDER BY v.report_id"
    )
    if fix is None:
        yield from cur
        return
    for row in cur:
        if row[0] in fix:
            out = list(row)
            out[_LONG_VALUE], out[_LONG_STATUS] = fix.cell(row[0], row[5], row[6], row[_LONG_VALUE], row[_LONG_STATUS])
            row = tuple(out)
        yield row


def _heading(column: str, labels: str) -> str:
    return column_label(column) if labels == "zh" else column


def _field_heading(section: str, field: str, fmt: str | None, labels: str) -> str:
    return field_label(section, field, fmt) if labels == "zh" else column_name(section, field)


def _check_labels(labels: str) -> str:
    from core.errors import UsageError

    if labels not in LABELS:
        raise UsageError(f"--labels {labels}: not one of {', '.join(LABELS)}")
    return labels


# --- CSV --------------------------------------------------------------------------------------------


def csv_files(stem: Path) -> list[Path]:
    """What ``--format csv`` writes for the stem ``OUT``."""
    out = []
    for fmt in reversed(TEMPLATE_FORMATS):
        out += [Path(f"{stem}.{fmt}.csv"), Path(f"{stem}.{fmt}.status.csv")]
    return [*out, Path(f"{stem}.long.csv"), Path(f"{stem}.fields.csv")]


def export_csv(conn: sqlite3.Connection, files: list[Path], labels: str = "id") -> list[Path]:
    """Write the CSV files of :func:`csv_files` (in that order)."""
    labels = _check_labels(labels)
    fix = corrections.load(conn)
    paths = list(files)
    wide = {fmt: (paths[2 * i], paths[2 * i + 1]) for i, fmt in enumerate(reversed(TEMPLATE_FORMATS))}
    long, fields_file = paths[-2], paths[-1]
    for fmt, (values_path, status_path) in wide.items():
        fields = field_columns(conn, fmt)
        heads = [_field_heading(s, f, fmt, labels) for s, f in fields]
        with (
            atomic(values_path, "w", encoding="utf-8-sig", newline="") as fv,
            atomic(status_path, "w", encoding="utf-8-sig", newline="") as fs,
        ):
            wv, ws = csv.writer(fv), csv.writer(fs)
            wv.writerow([*(_heading(c, labels) for c in REPORT_COLUMNS), *heads])
            ws.writerow([*(_heading(c, labels) for c in KEY_COLUMNS), *heads])
            key_at = [REPORT_COLUMNS.index(c) for c in KEY_COLUMNS]
            for rep, got in _wide_rows(conn, fmt, fix):
                cells = [got.get(k, (None, None)) for k in fields]
                wv.writerow([*(csv_cell(v) for v in rep), *(csv_cell(v) for v, _ in cells)])
                ws.writerow([*(csv_cell(rep[i]) for i in key_at), *(st or "" for _, st in cells)])
    with atomic(long, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([_heading(c, labels) for c in LONG_COLUMNS])
        for row in _long_rows(conn, fix):
            w.writerow([csv_cell(v) for v in row])
    with atomic(fields_file, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([_heading(c, labels) for c in FIELD_COLUMNS])
        for frow in field_rows():
            w.writerow([csv_cell(v) for v in frow])
    return paths


# --- JSONL ------------------------------------------------------------------------------------------


def export_jsonl(conn: sqlite3.Connection, path: Path) -> list[Path]:
    """One report per line; a report with corrections as ``zfxxgk_review.corrected.corrected_report``
    gives it (its ``corrections`` map, ``meta.corrected``, and the indicators of ``batch`` corrected)."""
    cols = ("id", "path", "sha256", "parser_version", "organ_key", *INDICATORS)
    fix = corrections.load(conn)
    with atomic(path, "w", encoding="utf-8", newline="\n") as f:
        cur = conn.execute(
            f"SELECT {', '.join('r.' + c for c in cols)}, j.json_zlib FROM reports r "
            f"JOIN report_json j ON j.report_id = r.id ORDER BY r.id"
        )
        for row in cur:
            if fix is not None and row[0] in fix:
                doc = json.dumps(fix.reports[row[0]].doc, ensure_ascii=False, separators=(",", ":"))
                row = (*fix.report_row(row[:-1], cols), row[-1])
            else:
                doc = zlib.decompress(row[-1]).decode("utf-8").rstrip()
            extra = json.dumps(dict(zip(cols[1:], row[1:-1])), ensure_ascii=False, separators=(",", ":"))
            f.write(doc[:-1] + ("," if doc != "{}" else "") + f'"batch":{extra}' + "}\n")
    return [Path(path)]


# --- Parquet ----------------------------------------------------------------------------------------


def require_pyarrow():
    from core.errors import UsageError

    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UsageError(
            "--format parquet needs pyarrow: pip install pyarrow (from a clone: pip install '.[parquet]')"
        ) from None


def parquet_files(stem: Path) -> list[Path]:
    out = []
    for fmt in reversed(TEMPLATE_FORMATS):
        out += [Path(f"{stem}.{fmt}.parquet"), Path(f"{stem}.{fmt}.status.parquet")]
    return [*out, Path(f"{stem}.long.parquet")]


def _column(values: list, type_=None):
    """An Arrow array of ``type_`` (or inferred); as text when the values do not fit it."""
    import pyarrow as pa

    try:
        return pa.array(values, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
        try:
            return pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _field_type(fmt: str, section: str, field: str):
    """The Arrow type of a field: text for amounts printed with their unit, float64 for other amounts,
    int64 for counts."""
    import pyarrow as pa

    if section == "active_disclosure" and (fmt, field) in S2_AMOUNTS_AS_PRINTED:
        return pa.string()
    try:
        kind = field_info(section, field).kind
    except (KeyError, ValueError):
        return None
    return pa.float64() if kind == "amount" else pa.int64()


_REPORT_TYPES = {
    "id": "int64",
    "year": "int64",
    "failed_checks": "int64",
    "warnings": "int64",
    **dict.fromkeys(INDICATORS, "float64"),
}


def _meta(section: str, field: str, fmt: str | None) -> dict[bytes, bytes]:
    try:
        info = field_info(section, field)
    except (KeyError, ValueError):
        return {}
    return {
        b"label": field_label(section, field, fmt).encode(),
        b"unit": info.unit.encode(),
        b"field": info.field.encode(),
        b"section": section.encode(),
    }


def export_parquet(conn: sqlite3.Connection, files: list[Path]) -> list[Path]:
    """Write the Parquet files of :func:`parquet_files` (in that order)."""
    require_pyarrow()
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = list(files)
    fix = corrections.load(conn)
    for i, fmt in enumerate(reversed(TEMPLATE_FORMATS)):
        fields = field_columns(conn, fmt)
        rep_cols: list[list] = [[] for _ in REPORT_COLUMNS]
        val_cols: list[list] = [[] for _ in fields]
        st_cols: list[list] = [[] for _ in fields]
        for rep, got in _wide_rows(conn, fmt, fix):
            for j, v in enumerate(rep):
                rep_cols[j].append(v)
            for j, k in enumerate(fields):
                v, st = got.get(k, (None, None))
                val_cols[j].append(v)
                st_cols[j].append(st)
        arrays, schema = [], []
        for c, vals in zip(REPORT_COLUMNS, rep_cols):
            arr = _column(vals, getattr(pa, _REPORT_TYPES.get(c, "string"))())
            arrays.append(arr)
            schema.append(pa.field(c, arr.type, metadata={b"label": column_label(c).encode()}))
        key_at = [REPORT_COLUMNS.index(c) for c in KEY_COLUMNS]
        st_arrays = [arrays[j] for j in key_at]
        st_schema = [schema[j] for j in key_at]
        for (section, field), vals, sts in zip(fields, val_cols, st_cols):
            name = column_name(section, field)
            meta = _meta(section, field, fmt)
            arr = _column(vals, _field_type(fmt, section, field))
            arrays.append(arr)
            schema.append(pa.field(name, arr.type, metadata=meta))
            st_arrays.append(pa.array(sts, type=pa.string()))
            st_schema.append(pa.field(name, pa.string(), metadata=meta))
        with atomic(paths[2 * i], None) as tmp:
            pq.write_table(pa.Table.from_arrays(arrays, schema=pa.schema(schema)), tmp)
        with atomic(paths[2 * i + 1], None) as tmp:
            pq.write_table(pa.Table.from_arrays(st_arrays, schema=pa.schema(st_schema)), tmp)
    long_cols: dict[str, list] = {c: [] for c in PARQUET_LONG_COLUMNS}
    for row in _long_rows(conn, fix):
        rec = dict(zip(LONG_COLUMNS, row))
        v = rec["value"]
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        rec["value"] = float(v) if number else None
        rec["value_text"] = v if v is not None and not number else None
        for c in PARQUET_LONG_COLUMNS:
            long_cols[c].append(rec[c])
    types = {"report_id": pa.int64(), "year": pa.int64(), "value": pa.float64()}
    table = pa.table({c: _column(v, types.get(c, pa.string())) for c, v in long_cols.items()})
    with atomic(paths[-1], None) as tmp:
        pq.write_table(table, tmp)
    return paths


# --- XLSX -------------------------------------------------------------------------------------------


def require_openpyxl():
    from core.errors import UsageError

    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise UsageError(
            "--format xlsx needs openpyxl: pip install openpyxl (from a clone: pip install '.[xlsx]')"
        ) from None


def _diagnostic_rows(conn: sqlite3.Connection, fix: corrections.Corrections | None = None) -> Iterator[tuple]:
    """(report_id, level, code, where, message) of every diagnostic in report order; with ``fix``, a
    corrected report's (without the warnings its corrections answer)."""
    rows = conn.execute('SELECT report_id, level, code, "where", message FROM diagnostics ORDER BY report_id, rowid')
    if fix is None:
        return rows
    return fix.replace(rows, lambda rid, fixed: [(rid, *d) for d in fixed.diagnostics])


def _check_rows(conn: sqlite3.Connection, fix: corrections.Corrections | None = None) -> Iterator[tuple]:
    """(report_id, rule, ok, scope, expected, found, cells, blank_cells, sentence) of every check in report
    order; with ``fix``, a corrected report's checks evaluated again on its corrected values."""
    rows = conn.execute(
        "SELECT report_id, rule, ok, scope, expected, found, cells, blank_cells, sentence "
        "FROM checks ORDER BY report_id, rowid"
    )
    if fix is None:
        return rows
    # the checks table's columns from worker._check_row's (rule, ok, scope, cells, expected, found, blank, sentence)
    return fix.replace(rows, lambda rid, fixed: [(rid, *c[:3], c[4], c[5], c[3], *c[6:]) for c in fixed.checks])


def cell_notes(conn: sqlite3.Connection, fix: corrections.Corrections | None = None) -> dict[int, dict[str, list[str]]]:
    """report id -> {cell path: notes}: the warnings and errors that name the cell (or its row); with
    ``fix``, a corrected report's (see :func:`_diagnostic_rows`)."""
    out: dict[int, dict[str, list[str]]] = {}
    for rid, level, code, where, message in _diagnostic_rows(conn, fix):
        if level not in ("warning", "error"):
            continue
        if where:
            out.setdefault(rid, {}).setdefault(where, []).append(f"{level} {code}: {message}")
    return out


def cross_rows(conn: sqlite3.Connection, fix: corrections.Corrections | None) -> list[tuple]:
    """The checks across years (``crossyear.CROSS_COLUMNS``) by organ, year and scope: the ``cross_checks``
    table, or, with corrections in force, the same pairs evaluated again with the corrected values."""
    if fix is None:
        cols = ", ".join(crossyear.CROSS_COLUMNS)
        return list(conn.execute(f"SELECT {cols} FROM cross_checks ORDER BY organ_key, year, scope"))
    rows = crossyear.evaluate(conn, {rid: f.doc for rid, f in fix.reports.items()})
    at = {c: k for k, c in enumerate(crossyear.CROSS_COLUMNS)}
    return sorted(rows, key=lambda r: (r[at["organ_key"]], r[at["year"]], r[at["scope"]]))


def cross_breaks(rows: list[tuple]) -> dict[int, dict[str, list[str]]]:
    """report id -> {cell path: the breaks across years that read it}, of the rows of :func:`cross_rows`."""
    out: dict[int, dict[str, list[str]]] = {}
    for row in rows:
        r = dict(zip(crossyear.CROSS_COLUMNS, row))
        if r["ok"]:
            continue
        a, b, year, next_year = r["report_id"], r["next_report_id"], r["year"], r["next_year"]
        rule, scope, expected, found, cells = r["rule"], r["scope"], r["expected"], r["found"], r["cells"]
        for c in json.loads(cells or "[]"):
            tag, _, path = c.partition(":")
            note = (
                f"across years {year}→{next_year}: {rule} {scope}: {next_year} prints {expected}, {year} gives {found}"
            )
            out.setdefault(a if tag == str(year) else b, {}).setdefault(path, []).append(note)
    return out


def _notes_for(notes: dict[str, list[str]], path: str) -> list[str]:
    """The notes of a cell: those naming it, its row, or its section."""
    out = []
    for where, items in notes.items():
        if path == where or path.startswith(where + "."):
            out += items
    return out


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: Column widths (in characters) where the header does not say enough.
_WIDTHS = {
    "path": 60,
    "name": 30,
    "organ": 28,
    "organ_key": 28,
    "sha256": 20,
    "parser_version": 28,
    "parsed_at": 20,
    "message": 80,
    "cells": 50,
    "blank_cells": 30,
    "sentence": 50,
    "where": 40,
    "paths": 60,
    "report_ids": 16,
    "layouts": 40,
    "row_label": 48,
    "row": 30,
    "label": 40,
    "meaning": 90,
    "item": 22,
    "kind": 10,
    "overview": 80,
    "problems": 80,
    "other_matters": 80,
    "text": 80,
    "scope": 26,
}
#: Columns of prose and messages: wrapped.
_WRAP = {"overview", "problems", "other_matters", "message", "meaning", "sentence", "text"}


def _width(column: str, header: str) -> float:
    if column in _WIDTHS:
        return _WIDTHS[column]
    return max(8, min(40, _display_width(header) * 0.9 + 2))


class _Sheets:
    """The sheets of a workbook written row by row (write-only): headers, widths, filters, and a next sheet
    when one is full."""

    def __init__(self, labels: str):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb = Workbook(write_only=True)
        self.labels = labels
        self.fills = {
            c: PatternFill("solid", start_color=c, end_color=c)
            for c in {*STATUS_FILLS.values(), RED, ORANGE, YELLOW, "F2F2F2"}
        }
        self.bold = Font(bold=True)
        self.id_font = Font(italic=True, color="808080", size=9)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.head_align = Alignment(wrap_text=True, vertical="bottom")
        orange = Side(style="medium", color="C55A11")
        self.cross_border = Border(left=orange, right=orange, top=orange, bottom=orange)
        self.percent = "0.0%"

    def sheet(
        self,
        title: str,
        columns: list[str],
        headers: list[str] | None = None,
        *,
        freeze_cols: int = 0,
        wrap: set[str] | None = None,
    ) -> _Sheet:
        return _Sheet(self, title, columns, headers or [_heading(c, "zh") for c in columns], freeze_cols, wrap or set())


class _Sheet:
    def __init__(
        self, book: _Sheets, title: str, columns: list[str], headers: list[str], freeze_cols: int, wrap: set[str]
    ):
        self.book, self.title, self.columns, self.headers = book, title, columns, headers
        self.freeze_cols, self.wrap = freeze_cols, wrap
        self.part = 0
        self._open()

    def _open(self) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        self.part += 1
        title = self.title if self.part == 1 else f"{self.title} ({self.part})"
        ws = self.book.wb.create_sheet(title[:31])
        zh = self.book.labels == "zh"
        self.head_rows = 2 if zh else 1
        for i, (c, h) in enumerate(zip(self.columns, self.headers), start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(c, h if zh else c)
        ws.freeze_panes = f"{get_column_letter(self.freeze_cols + 1)}{self.head_rows + 1}"
        if zh:
            top = []
            for h in self.headers:
                cell = WriteOnlyCell(ws, value=xlsx_text(h))
                cell.font = self.book.bold
                cell.alignment = self.book.head_align
                top.append(cell)
            ws.append(top)
        ids = []
        for c in self.columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = self.book.id_font if zh else self.book.bold
            ids.append(cell)
        ws.append(ids)
        self.ws, self.rows = ws, self.head_rows
        self._letter = get_column_letter(max(1, len(self.columns)))

    def _close_filter(self) -> None:
        self.ws.auto_filter.ref = f"A{self.head_rows}:{self._letter}{max(self.rows, self.head_rows)}"

    def append(self, cells: list) -> None:
        if self.rows >= XLSX_ROW_LIMIT:
            self._close_filter()
            self._open()
        self.ws.append(cells)
        self.rows += 1

    def close(self) -> None:
        self._close_filter()

    def cell(
        self,
        value,
        *,
        fill: str | None = None,
        comment: list[str] | None = None,
        border: bool = False,
        number_format: str | None = None,
        wrap: bool = False,
    ):
        """A cell as written: text made safe, formula-like text quote-prefixed, and its marks."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES
        from openpyxl.comments import Comment

        as_text = False
        if isinstance(value, str):
            value = xlsx_text(value)
            as_text = formula_like(value) or value in ERROR_CODES
        if fill is None and not as_text and not comment and not border and not number_format and not wrap:
            return value
        c = WriteOnlyCell(self.ws, value=value)
        if as_text:  # openpyxl makes "=…" a formula and "#N/A" an error: keep them the text they are
            c.data_type = "s"
            c.quotePrefix = True
        if fill is not None:
            c.fill = self.book.fills[fill]
        if comment:
            text = xlsx_text("\n".join(comment))
            c.comment = Comment(text[:2000], "zfxxgk", width=360, height=120)
        if border:
            c.border = self.book.cross_border
        if number_format:
            c.number_format = number_format
        if wrap:
            c.alignment = self.book.wrap
        return c

    def row(self, values) -> list:
        return [self.cell(v, wrap=c in self.wrap) for c, v in zip(self.columns, values)]


LEGEND_ROWS = (
    ("status", "confirmed", "", "已核实: " + STATUSES["confirmed"][1]),
    ("status", "unconfirmed", STATUS_FILLS["unconfirmed"], "未核实: " + STATUSES["unconfirmed"][1]),
    ("status", "conflict", STATUS_FILLS["conflict"], "勾稽不符: " + STATUSES["conflict"][1]),
    ("status", "unread", STATUS_FILLS["unread"], "未能读取: " + STATUSES["unread"][1]),
    ("status", "blank", STATUS_FILLS["blank"], "空白: " + STATUSES["blank"][1]),
    ("status", "corrected", STATUS_FILLS["corrected"], "已更正: " + STATUSES["corrected"][1]),
    (
        "mark",
        "comment",
        "",
        "批注: the warnings about the cell (hover to read; table diagnostics has them all); on a corrected cell, "
        "the parsed value and status, who corrected it and the reviewer's note",
    ),
    (
        "mark",
        "orange border",
        "",
        "橙框: the cell is part of a break across one organ's consecutive years (sheet cross_year)",
    ),
    ("mark", "no value, no fill", "", "the report's format does not have this cell"),
    ("reports", "failed_checks", RED, "the report breaks this many consistency rules (sheet checks, 通过 = FALSE)"),
    ("reports", "warnings", YELLOW, "the parse gave this many warnings and errors (sheet diagnostics)"),
    ("checks", "passed / failed", RED, "every rule evaluated; a failed one is red"),
    (
        "headers",
        "row 1 / row 2",
        "",
        "row 1: the labels as the template prints them; row 2: the stable field IDs "
        "(../shared/domain/STANDARD.md), the key to join on; the filters are on row 2",
    ),
)


def export_xlsx(conn: sqlite3.Connection, path: Path, labels: str = "zh") -> list[Path]:
    require_openpyxl()
    labels = _check_labels(labels)
    book = _Sheets(labels)
    fix = corrections.load(conn)
    notes = cell_notes(conn, fix)
    crossed = cross_rows(conn, fix)
    breaks = cross_breaks(crossed)

    def head(columns: list[str]) -> list[str]:
        return [_heading(c, labels) for c in columns]

    legend = book.sheet("legend", ["kind", "item", "meaning"], ["类别", "项目", "说明"], wrap={"meaning"})
    for kind, item, fill, meaning in LEGEND_ROWS:
        legend.append(
            [
                kind,
                legend.cell(
                    item,
                    fill=fill or None,
                    border=item == "orange border",
                    comment=["警告 …"] if item == "comment" else None,
                ),
                legend.cell(meaning, wrap=True),
            ]
        )
    legend.close()

    reports = [fix.report_row(r, REPORT_COLUMNS) for r in _reports(conn)] if fix else list(_reports(conn))
    who = {r[0]: (r[9] or r[8], r[7], r[6]) for r in reports}  # id -> (organ_key or organ, year, format)
    ws = book.sheet("reports", list(REPORT_COLUMNS), head(list(REPORT_COLUMNS)), freeze_cols=1)
    fc, wc = REPORT_COLUMNS.index("failed_checks"), REPORT_COLUMNS.index("warnings")
    rates = {REPORT_COLUMNS.index(c) for c in INDICATORS}
    for r in reports:
        ws.append(
            [
                ws.cell(
                    v,
                    fill=RED if i == fc and v else YELLOW if i == wc and v else None,
                    number_format=book.percent if i in rates and v is not None else None,
                )
                for i, v in enumerate(r)
            ]
        )
    ws.close()

    def value_cell(sheet: _Sheet, rid: int, path_: str, got: dict, key: tuple[str, str]):
        if key not in got:
            return None
        v, st = got[key]
        fixed = fix.note(rid, path_) if fix is not None else []
        return sheet.cell(
            v,
            fill=STATUS_FILLS.get(st or ""),
            comment=fixed + _notes_for(notes.get(rid, {}), path_) + breaks.get(rid, {}).get(path_, []),
            border=path_ in breaks.get(rid, {}),
        )

    keys = ["report_id", "organ_key", "year", "format"]
    s2_sheets = {}
    for fmt in reversed(TEMPLATE_FORMATS):
        s2 = [f for s, f in field_columns(conn, fmt) if s == "active_disclosure"]
        s2_sheets[fmt] = (
            s2,
            book.sheet(
                f"active_disclosure_{fmt}",
                [*keys, *s2],
                [*head(keys), *(_field_heading("active_disclosure", f, fmt, labels) for f in s2)],
                freeze_cols=3,
            ),
        )
    s3_rows: list[str] = []
    for s, f in field_columns(conn):
        if s == "applications":
            row_id = f.rpartition(".")[0]
            if row_id not in s3_rows:
                s3_rows.append(row_id)
    ws3 = book.sheet(
        "applications",
        [*keys, "row", "row_label", *S3_COLUMNS],
        [*head(keys), "行ID" if labels == "zh" else "row", "行", *S3_COLUMN_LABELS],
        freeze_cols=6,
    )
    s4 = [f"{g}.{c}" for g, c in S4_FIELDS]
    ws4 = book.sheet(
        "review_litigation",
        [*keys, *s4],
        [*head(keys), *(_field_heading("review_litigation", f, None, labels) for f in s4)],
        freeze_cols=3,
    )
    for rep, got in _wide_rows(conn, None, fix):
        rid = rep[0]
        organ, year, fmt = who[rid]
        fmt_key = fmt if fmt in s2_sheets else TEMPLATE_FORMATS[-1]
        s2, ws2 = s2_sheets[fmt_key]
        ws2.append(
            [
                rid,
                ws2.cell(organ),
                year,
                fmt,
                *(value_cell(ws2, rid, f"active_disclosure.{f}", got, ("active_disclosure", f)) for f in s2),
            ]
        )
        for row_id in s3_rows:
            cols = [("applications", f"{row_id}.{c}") for c in S3_COLUMNS]
            if not any(k in got for k in cols):
                continue
            ws3.append(
                [
                    rid,
                    ws3.cell(organ),
                    year,
                    fmt,
                    row_id,
                    ws3.cell(s3_row_label(row_id)),
                    *(value_cell(ws3, rid, column_name(*k), got, k) for k in cols),
                ]
            )
        ws4.append(
            [
                rid,
                ws4.cell(organ),
                year,
                fmt,
                *(value_cell(ws4, rid, f"review_litigation.{f}", got, ("review_litigation", f)) for f in s4),
            ]
        )
    for _s2, sheet in s2_sheets.values():
        sheet.close()
    ws3.close()
    ws4.close()

    ws5 = book.sheet(
        "text",
        ["report_id", "organ_key", "year", *PROSE_FIELDS],
        [
            *head(["report_id", "organ_key", "year"]),
            *(PROSE_HEADINGS[k] if labels == "zh" else k for k in PROSE_FIELDS),
        ],
        freeze_cols=3,
        wrap=set(PROSE_FIELDS),
    )
    texts: dict[int, dict[str, str]] = {}
    for rid, fid, text in conn.execute(
        "SELECT report_id, field, text FROM \"values\" WHERE section = 'text' ORDER BY report_id"
    ):
        texts.setdefault(rid, {})[fid] = text
    for r in reports:
        t = texts.get(r[0], {})
        ws5.append([r[0], ws5.cell(who[r[0]][0]), who[r[0]][1], *(ws5.cell(t.get(k), wrap=True) for k in PROSE_FIELDS)])
    ws5.close()

    check_cols = [
        "report_id",
        "organ_key",
        "year",
        "rule",
        "ok",
        "scope",
        "expected",
        "found",
        "cells",
        "blank_cells",
        "sentence",
    ]
    ws6 = book.sheet("checks", check_cols, head(check_cols), freeze_cols=3, wrap={"sentence"})
    for row in _check_rows(conn, fix):
        failed = not row[2]
        ws6.append(
            [
                row[0],
                ws6.cell(who[row[0]][0]),
                who[row[0]][1],
                *(
                    ws6.cell(bool(v) if i == 1 else v, fill=RED if failed and i < 5 else None, wrap=i == 7)
                    for i, v in enumerate(row[1:])
                ),
            ]
        )
    ws6.close()
    diag_cols = ["report_id", "organ_key", "year", "level", "code", "where", "message"]
    ws7 = book.sheet("diagnostics", diag_cols, head(diag_cols), freeze_cols=3, wrap={"message"})
    for row in _diagnostic_rows(conn, fix):
        warned = row[1] in ("warning", "error")
        ws7.append(
            [
                row[0],
                ws7.cell(who[row[0]][0]),
                who[row[0]][1],
                *(ws7.cell(v, fill=YELLOW if warned and i == 0 else None, wrap=i == 3) for i, v in enumerate(row[1:])),
            ]
        )
    ws7.close()
    cross_cols = [c for c in crossyear.CROSS_COLUMNS if c != "blank_cells"]
    ws8 = book.sheet("cross_year", cross_cols, head(cross_cols), freeze_cols=2)
    for whole in crossed:
        row = whole[: len(cross_cols)]  # blank_cells, the last column, is not shown
        ws8.append([ws8.cell(bool(v) if i == 7 else v, fill=None if row[7] else ORANGE) for i, v in enumerate(row)])
    ws8.close()
    dup_cols = ["organ_key", "year", "files", "report_ids", "paths"]
    ws9 = book.sheet("duplicates", dup_cols, head(dup_cols))
    for row in conn.execute(f"SELECT {', '.join(dup_cols)} FROM duplicates"):
        ws9.append(ws9.row(row))
    ws9.close()
    fail_cols = ["path", "exit_code", "reason", "message", "sha256", "failed_at"]
    ws10 = book.sheet("failures", fail_cols, head(fail_cols), wrap={"message"})
    for row in conn.execute(f"SELECT {', '.join(fail_cols)} FROM failures ORDER BY path"):
        ws10.append(ws10.row(row))
    ws10.close()
    ws11 = book.sheet("fields", list(FIELD_COLUMNS), head(list(FIELD_COLUMNS)), freeze_cols=2)
    for frow in field_rows():
        ws11.append(ws11.row(frow))
    ws11.close()
    with atomic(path, None) as tmp:
        book.wb.save(tmp)
    return [Path(path)]


# --- all --------------------------------------------------------------------------------------------

FORMATS = ("sqlite", "csv", "xlsx", "parquet", "jsonl")


def outputs(out: Path, formats: list[str]) -> dict[str, list[Path]]:
    """The files each format writes for ``-o OUT``. The database is always written (it is what makes a
    run resumable): OUT itself when it ends in .db/.sqlite/.sqlite3, else OUT with the suffix .db; so is
    its Datasette metadata, ``OUT.metadata.json``."""
    out = Path(out)
    stem = (
        out.with_suffix("")
        if out.suffix.lower() in (".db", ".sqlite", ".sqlite3", ".csv", ".xlsx", ".parquet", ".jsonl")
        else out
    )
    db = out if out.suffix.lower() in (".db", ".sqlite", ".sqlite3") else Path(f"{stem}.db")
    files = {"sqlite": [db], "metadata": [Path(f"{stem}.metadata.json")]}
    for fmt in formats:
        if fmt == "csv":
            files["csv"] = csv_files(stem)
        elif fmt == "parquet":
            files["parquet"] = parquet_files(stem)
        elif fmt in ("xlsx", "jsonl"):
            files[fmt] = [Path(f"{stem}.{fmt}")]
    return files


def write(conn: sqlite3.Connection, fmt: str, files: list[Path], labels: str | None = None) -> list[Path]:
    """Write one format's files. ``labels``: "id" or "zh" column headers (default: zh for XLSX, id for
    CSV)."""
    if fmt == "csv":
        return export_csv(conn, files, labels or "id")
    if fmt == "xlsx":
        return export_xlsx(conn, files[0], labels or "zh")
    if fmt == "parquet":
        return export_parquet(conn, files)
    if fmt == "jsonl":
        return export_jsonl(conn, files[0])
    if fmt == "metadata":
        from zfxxgk_batch.datasette import write_metadata

        return write_metadata(conn, files[0])
    return list(files)
