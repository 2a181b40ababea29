"""Exports with corrections: the dataset's values as a long CSV (each cell's value, status and, for a
corrected cell, the parsed value beside the corrected one), a year-over-year comparison as CSV, and the
corrections in force by report (``value_overrides``: ``zfxxgk_batch.corrections`` finds there the reports
the batch's own exports correct).

CSV is UTF-8 with a BOM (Excel opens it as UTF-8) and spreadsheet-safe: a text that a spreadsheet would
take for a formula is written with a leading ``'`` (``zfxxgk_batch.export.csv_cell``).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator

from zfxxgk_batch.export import csv_cell
from zfxxgk_review import corrections, dataset
from zfxxgk_review.corrected import CORRECTED_STATUS, apply_corrections, get_value
from zfxxgk_review.labels import field_order, label
from zfxxgk_review.yoy import Comparison, change

LONG_COLUMNS = (
    "report_id",
    "path",
    "sha256",
    "organ",
    "year",
    "section",
    "field",
    "label",
    "value",
    "status",
    "parsed_value",
    "parsed_status",
    "correction",
    "note",
)


def value_overrides(conn: sqlite3.Connection) -> dict[int, dict[tuple[str, str], dict]]:
    """report id → (section, field id) → ``{"value", "parsed", "kind", "note", "status": "corrected"}`` for
    every correction in force, joined to the reports by their file's sha256. For the batch's exports:
    the wide CSV/Parquet/XLSX write ``value`` in place of the stored one and mark the cell ``corrected``;
    ``parsed`` is the stored value. Cheap: reads ``reports`` and ``corrections`` only."""
    cur = corrections.all_current(conn)
    out: dict[int, dict[tuple[str, str], dict]] = {}
    if not cur:
        return out
    for rid, sha in conn.execute("SELECT id, sha256 FROM reports"):
        for path, c in (cur.get(sha) or {}).items():
            section, _, fid = path.partition(".")
            out.setdefault(rid, {})[(section, fid)] = {
                "value": c.value,
                "parsed": c.parsed_value,
                "kind": c.kind,
                "note": c.note,
                "status": CORRECTED_STATUS,
            }
    return out


def corrected_rows(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every cell of every report, corrections applied, in report id then template order (the rows of
    :func:`write_values_csv`)."""
    cur = corrections.all_current(conn)
    for row in sorted(dataset.reports(conn), key=lambda r: r["id"]):
        doc = dataset.report_json(conn, row["id"]) or {}
        fixes = cur.get(row["sha256"]) or {}
        fixed = apply_corrections(doc, fixes) if fixes else doc
        status = fixed.get("status") or {}
        done = fixed.get("corrections") or {}
        order = [p for p in field_order(row.get("format")) if p in status]
        order += [p for p in status if p not in set(order)]
        from core.fields import FieldPath

        for key in order:
            path = FieldPath.parse(key)
            fix = done.get(key)
            yield {
                "report_id": row["id"],
                "path": row["path"],
                "sha256": row["sha256"],
                "organ": row["organ"],
                "year": row["year"],
                "section": path.section,
                "field": path.field,
                "label": label(key),
                "value": get_value(fixed, path),
                "status": status.get(key),
                "parsed_value": fix["parsed"] if fix else get_value(doc, path),
                "parsed_status": fix["parsed_status"] if fix else status.get(key),
                "correction": fix["kind"] if fix else "",
                "note": fix["note"] if fix else "",
            }


def _value(v):
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return v


def write_values_csv(conn: sqlite3.Connection, f) -> int:
    """The long CSV of every cell with corrections (see :data:`LONG_COLUMNS`) to the text stream ``f``;
    returns the rows written."""
    w = csv.writer(f)
    w.writerow(LONG_COLUMNS)
    n = 0
    for r in corrected_rows(conn):
        w.writerow([csv_cell(_value(r[c])) for c in LONG_COLUMNS])
        n += 1
    return n


def values_csv(conn: sqlite3.Connection) -> bytes:
    buf = io.StringIO()
    write_values_csv(conn, buf)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# --- year over year -----------------------------------------------------------------------------------

COMPARE_COLUMNS = (
    "kind",
    "year_a",
    "year_b",
    "section",
    "field",
    "label",
    "a",
    "b",
    "change",
    "a_status",
    "b_status",
    "detail",
)


def comparison_rows(cmp: Comparison) -> Iterator[list]:
    """The comparison as rows of :data:`COMPARE_COLUMNS`, for each pair of reports shown side by side:
    ``field`` rows (every field either has; ``change`` is b − a, ``a_status``/``b_status`` say
    ``corrected`` for a corrected value), ``cross_check`` rows (``a`` is what year N gives, ``b`` what N+1 states,
    ``change`` ok/broken), then ``sentence_added``/``sentence_removed`` rows of the prose sections."""
    for i, pair in enumerate(cmp.pairs):
        ya, yb = pair.a.year, pair.b.year
        for f in cmp.fields:
            (va, sa, ina), (vb, sb, inb) = f.cells[i], f.cells[i + 1]
            if not (ina or inb):
                continue
            section, _, fid = f.path.partition(".")
            d = change(va, vb)
            detail = "changed" if f.changed[i] else ""
            yield [
                "field",
                ya,
                yb,
                section,
                fid,
                f.label,
                va if ina else "",
                vb if inb else "",
                "" if d is None else d,
                sa or "",
                sb or "",
                detail,
            ]
        for c in pair.checks:
            detail = "; ".join(label(x) for x in c["cells"])
            if c["corrected_cells"]:
                detail += " (corrected: " + ", ".join(c["corrected_cells"]) + ")"
            yield [
                "cross_check",
                ya,
                yb,
                "",
                f"{c['rule']} {c['scope']}",
                c["rule"],
                c["found"],
                c["expected"],
                "ok" if c["ok"] else "broken",
                "",
                "",
                detail,
            ]
        for key, p in pair.prose.items():
            for s in p["added"]:
                yield ["sentence_added", ya, yb, "text", key, p["title"], "", s, "", "", "", ""]
            for s in p["removed"]:
                yield ["sentence_removed", ya, yb, "text", key, p["title"], s, "", "", "", "", ""]


def comparison_csv(cmp: Comparison) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COMPARE_COLUMNS)
    for row in comparison_rows(cmp):
        w.writerow([csv_cell(_value(v)) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
