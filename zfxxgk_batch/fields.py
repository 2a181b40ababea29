"""The stable field IDs (../shared/domain/STANDARD.md) as an ordered list of columns, and a report's JSON
flattened into rows of the long form: (section, field, value, printed text, provenance)."""
from __future__ import annotations

import json
import math
from functools import lru_cache

from core.template import FORMATS, S2_ROWS, S3_COLUMNS, S3_ROWS, S4_FIELDS

#: Numeric sections, in template order.
SECTIONS = ("active_disclosure", "applications", "review_litigation")
#: Prose sections, stored with section "text" and the value in the ``text`` column.
TEXT_SECTION = "text"
PROSE_FIELDS = ("overview", "problems", "other_matters")


@lru_cache(maxsize=1)
def all_fields() -> tuple[tuple[str, str], ...]:
    """Every (section, field) either format can have, in template order (2021 format first; rows and
    columns only the 2019 format has come after the 2021 ones of the same section)."""
    out: list[tuple[str, str]] = []

    def add(section: str, field: str) -> None:
        if (section, field) not in seen:
            seen.add((section, field))
            out.append((section, field))

    seen: set[tuple[str, str]] = set()
    for fmt in reversed(FORMATS):  # 2021 first
        for row in S2_ROWS[fmt]:
            for col in (c.id for c in row.columns):
                add("active_disclosure", row.field(col))
    s3_ids: list[str] = []
    for fmt in reversed(FORMATS):
        for s3_row in S3_ROWS[fmt]:
            if s3_row.id not in s3_ids:
                # the 2019 format's single （六） row goes after the 2021 format's sub-rows
                s3_ids.insert(s3_ids.index("total") if "total" in s3_ids else len(s3_ids), s3_row.id)
    for rid in s3_ids:
        for col in S3_COLUMNS:
            add("applications", f"{rid}.{col}")
    for group, col in S4_FIELDS:
        add("review_litigation", f"{group}.{col}")
    return tuple(out)


def column_name(section: str, field: str) -> str:
    """The wide-table column of a field: its dotted output path, e.g. ``applications.total.total``."""
    return f"{section}.{field}"


_SEP = (",", ":")


def _where_json(p: dict) -> str | None:
    """Compact JSON of a provenance without its ``text`` ({"line":3,"col":7}, {"page":2,"bbox":[…]});
    written by hand for the usual shapes, as this runs for every cell of every report."""
    parts = []
    for k, v in p.items():
        if k == "text":
            continue
        t = type(v)
        if t is int:
            parts.append(f'"{k}":{v}')
        elif t is list and all(type(x) in (int, float) and math.isfinite(x) for x in v):
            parts.append(f'"{k}":[{",".join(repr(x) for x in v)}]')
        else:
            rest = {k2: v2 for k2, v2 in p.items() if k2 != "text"}
            return json.dumps(rest, ensure_ascii=False, separators=_SEP)
    return "{" + ",".join(parts) + "}" if parts else None


def flatten(report: dict) -> list[tuple]:
    """A report in the output contract's shape as long-form rows ``(section, field, value, text,
    provenance)``: ``text`` is the cell as printed, ``provenance`` a compact JSON of where it was read
    (line/col or page/bbox). Blank cells keep a row with a null value; absent cells have no row."""
    prov = report.get("provenance") or {}
    rows: list[tuple] = []

    def add(section: str, field: str, value) -> None:
        p = prov.get(f"{section}.{field}")
        text = where = None
        if p:
            text = p.get("text")
            where = _where_json(p)
        if value is not None and not isinstance(value, (int, float, str)):
            value = json.dumps(value, ensure_ascii=False, separators=_SEP)
        rows.append((section, field, value, text, where))

    for field, value in (report.get("active_disclosure") or {}).items():
        add("active_disclosure", field, value)
    for section in ("applications", "review_litigation"):
        for row, cols in (report.get(section) or {}).items():
            if isinstance(cols, dict):
                for col, value in cols.items():
                    add(section, f"{row}.{col}", value)
            else:  # not the contract's shape; kept rather than lost
                add(section, row, cols)
    for key, prose in (report.get("text") or {}).items():
        rows.append((TEXT_SECTION, key, None, prose, None))
    return rows


def value_of(report: dict, section: str, field: str):
    """A value of a report dict by section and field ID (None when blank or absent)."""
    data = report.get(section) or {}
    if section == "active_disclosure":
        return data.get(field)
    row, _, col = field.rpartition(".")
    cols = data.get(row)
    return cols.get(col) if isinstance(cols, dict) else None


def has_field(report: dict, section: str, field: str) -> bool:
    data = report.get(section) or {}
    if section == "active_disclosure":
        return field in data
    row, _, col = field.rpartition(".")
    cols = data.get(row)
    return isinstance(cols, dict) and col in cols
