"""A report with its corrections applied: the corrected values in place of the parsed ones, every check
of the template evaluated again on them (``core.checks.evaluate`` over a ``core.sheet.Sheet`` rebuilt from
the report's JSON, the identities from ``core.template.identities``), the status of every cell again
(``core.status.cell_status``), and each corrected cell's status ``corrected``.

The shape stays the output contract's, plus:

- ``corrections``: field path → ``{"kind", "parsed", "parsed_status", "value", "note", "reviewer", "at", "id"}``;
- ``meta.corrected``: how many cells a reviewer decided; ``meta.sha256`` when known.

``provenance`` keeps what the document prints (the parsed cell's text): a correction never rewrites the
source. The batch's exports (``zfxxgk_batch.corrections``) and ``compare --db`` use:

- :func:`corrected_report` ``(conn, report_id) -> dict | None``;
- :func:`apply_corrections` ``(report: dict, corrections: Mapping[str, Correction]) -> dict`` for a report
  dict already in hand, with ``zfxxgk_review.corrections.current(conn, sha256)`` or ``all_current(conn)``.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Mapping

from core.checks import evaluate
from core.diagnostics import Notes
from core.fields import FieldPath
from core.sheet import BLANK, READ, UNREAD, Sheet, Value
from core.status import cell_status
from core.template import identities
from zfxxgk_review.corrections import CORRECTED, Correction, current

#: The status of a cell whose value a reviewer decided (entered or confirmed at the source).
CORRECTED_STATUS = "corrected"
PROSE_RULE = "prose_matches_table"


def get_value(report: dict, path: FieldPath):
    data = report.get(path.section) or {}
    if path.section == "active_disclosure":
        return data.get(path.field)
    row = data.get(path.row)
    return row.get(path.column) if isinstance(row, dict) else None


def has_value(report: dict, path: FieldPath) -> bool:
    data = report.get(path.section) or {}
    if path.section == "active_disclosure":
        return path.field in data
    row = data.get(path.row)
    return isinstance(row, dict) and path.column in row


def set_value(report: dict, path: FieldPath, value) -> None:
    data = report.setdefault(path.section, {})
    if path.section == "active_disclosure":
        data[path.field] = value
    else:
        data.setdefault(path.row, {})[path.column] = value


def sheet_of(report: dict) -> Sheet:
    """The report's cells as a Sheet, in the order the parse placed them (its ``status`` map's order)."""
    sheet = Sheet()
    for key, status in (report.get("status") or {}).items():
        try:
            path = FieldPath.parse(key)
        except ValueError:
            continue
        if status == "unread":
            sheet.put(path, Value(UNREAD))
            continue
        v = get_value(report, path)
        sheet.put(path, Value(BLANK) if v is None else Value(READ, v))
    return sheet


def evaluate_checks(report: dict, sheet: Sheet) -> list[dict]:
    """Every identity of the template on ``sheet`` (as ``core.checks.run_checks`` lists them), then the
    report's prose checks with their sums taken again over the same cells."""
    fmt = (report.get("meta") or {}).get("format") or "2021"
    out = []
    for identity in identities(fmt, sheet.rows("applications")):
        check = evaluate(identity, sheet)
        if check is not None:
            out.append(check.to_dict())
    for stored in report.get("checks") or ():
        if stored.get("rule") != PROSE_RULE:
            continue
        c = dict(stored)
        paths = [FieldPath.parse(p) for p in c.get("cells", [])]
        if any(sheet.unread(p) for p in paths):
            continue
        values = [sheet.value(p) for p in paths]
        found = sum(v for v in values if isinstance(v, (int, float)))
        c["found"] = found
        c["ok"] = found == c.get("expected")
        blanks = [str(p) for p, v in zip(paths, values) if v is None]
        if blanks:
            c["blank_cells"] = blanks
        else:
            c.pop("blank_cells", None)
        out.append(c)
    return out


def _checks_as_objects(checks: list[dict]):
    from core.checks import Check

    out = []
    for c in checks:
        scope = {k: c[k] for k in ("row", "column", "group") if k in c}
        out.append(
            Check(c["rule"], bool(c["ok"]), list(c.get("cells", [])), c.get("expected", 0), c.get("found", 0), scope)
        )
    return out


def apply_corrections(report: dict, corrections: Mapping[str, Correction]) -> dict:
    """A copy of ``report`` (the output contract's dict) with ``corrections`` (field path → correction in
    force) applied and its checks and statuses evaluated again. A report without corrections comes back
    unchanged but for an empty ``corrections`` map; a correction of a cell the report does not have is
    ignored (see ``zfxxgk_review.corrections.states``: it is stale)."""
    out = copy.deepcopy(report)
    out["corrections"] = {}
    applied: dict[str, Correction] = {}
    for key, c in corrections.items():
        try:
            path = FieldPath.parse(key)
        except ValueError:
            continue
        if key not in (report.get("status") or {}) and not has_value(report, path):
            continue
        applied[key] = c
        set_value(out, path, c.value)
        out["corrections"][key] = {
            "kind": c.kind,
            "parsed": get_value(report, path),
            "parsed_status": (report.get("status") or {}).get(key),
            "value": c.value,
            "note": c.note,
            "reviewer": c.reviewer,
            "at": c.created_at,
            "id": c.id,
        }
    out.setdefault("meta", {})["corrected"] = len(applied)
    if not applied:
        return out
    sheet = Sheet()
    for key, status in (report.get("status") or {}).items():
        path = FieldPath.parse(key)
        if key in applied:
            v = applied[key].value
            sheet.put(path, Value(BLANK) if v is None else Value(READ, v))
        elif status == "unread":
            sheet.put(path, Value(UNREAD))
        else:
            v = get_value(out, path)
            sheet.put(path, Value(BLANK) if v is None else Value(READ, v))
    for key in applied:  # a corrected cell the status map did not list
        path = FieldPath.parse(key)
        if not sheet.has(path):
            v = applied[key].value
            sheet.put(path, Value(BLANK) if v is None else Value(READ, v))
    checks = evaluate_checks(report, sheet)
    out["checks"] = checks
    status = cell_status(sheet, _checks_as_objects(checks), Notes())
    for key in applied:
        status[key] = CORRECTED_STATUS
    out["status"] = status
    # a value_unconfirmed/cell_not_read warning about a cell the reviewer decided is answered
    answered = ("value_unconfirmed", "cell_not_read")
    out["diagnostics"] = [
        d for d in report.get("diagnostics") or () if not (d.get("where") in applied and d.get("code") in answered)
    ]
    return out


def corrected_report(conn: sqlite3.Connection, report_id: int) -> dict | None:
    """Report ``report_id`` of the batch database with the corrections in force for its file's contents
    (its ``sha256``); None when the database has no such report."""
    from zfxxgk_review.dataset import report as report_row
    from zfxxgk_review.dataset import report_json

    row = report_row(conn, report_id)
    doc = report_json(conn, report_id)
    if row is None or doc is None:
        return None
    out = apply_corrections(doc, current(conn, row["sha256"]))
    out["meta"]["sha256"] = row["sha256"]
    return out


def apply_for_file(conn: sqlite3.Connection, path: str, report: dict) -> dict:
    """``report`` (parsed from, or the JSON of, the file at ``path``) with the corrections the dataset
    holds for that file's bytes: for ``python -m core compare A B`` given a dataset."""
    from pathlib import Path

    from zfxxgk_review.source import sha256_of

    out = apply_corrections(report, current(conn, sha256_of(Path(path))))
    return out


def corrected_only(report: dict) -> dict[str, dict]:
    """The cells a reviewer gave another value (not the confirmations)."""
    return {k: v for k, v in (report.get("corrections") or {}).items() if v["kind"] == CORRECTED}
