"""The stable field IDs (../shared/domain/STANDARD.md) as an ordered list of columns, and a report's JSON
flattened into rows of the long form: (section, field, value, printed text, provenance, status)."""

from __future__ import annotations

import json
import math
from functools import cache, lru_cache

from core.template import FORMATS, S2_ROWS, S3_COLUMNS, S3_ROWS, S4_FIELDS

#: Numeric sections, in template order.
SECTIONS = ("active_disclosure", "applications", "review_litigation")
#: Prose sections, stored with section "text" and the value in the ``text`` column.
TEXT_SECTION = "text"
PROSE_FIELDS = ("overview", "problems", "other_matters")


@lru_cache(maxsize=1)
def all_fields() -> tuple[tuple[str, str], ...]:
    """Every (section, field) either format can have, in template order: the 2021 format's, with the
    fields only the 2019 format has after the 2021 ones of the same section (section 三's single （六）
    row before （七）总计, as the template prints it)."""
    out: list[tuple[str, str]] = []
    for fmt in reversed(FORMATS):  # 2021 first
        for section, field in format_fields(fmt):
            if (section, field) not in out:
                out.append((section, field))
    order = {s: i for i, s in enumerate(SECTIONS)}
    rows = _s3_row_order()
    return tuple(
        sorted(
            out, key=lambda sf: (order[sf[0]], rows.get(sf[1].rpartition(".")[0], 0) if sf[0] == "applications" else 0)
        )
    )


@lru_cache(maxsize=1)
def _s3_row_order() -> dict[str, int]:
    ids = [r.id for r in S3_ROWS["2021"]]
    ids.insert(ids.index("total"), "other")
    return {rid: i for i, rid in enumerate(ids)}


@cache
def format_fields(fmt: str) -> tuple[tuple[str, str], ...]:
    """Every (section, field) a report of ``fmt`` can have, in template order. A 2021-format report may
    print （六）其他处理 as one row (``other``, as the 2019 format does) instead of its three sub-rows, so
    both are columns of the 2021 format."""
    out = [("active_disclosure", r.field(c.id)) for r in S2_ROWS[fmt] for c in r.columns]
    rows = [r.id for r in S3_ROWS[fmt]]
    if "other" not in rows:
        rows.insert(rows.index("total"), "other")
    out += [("applications", f"{rid}.{col}") for rid in rows for col in S3_COLUMNS]
    out += [("review_litigation", f"{g}.{c}") for g, c in S4_FIELDS]
    return tuple(out)


def formats_of(section: str, field: str) -> tuple[str, ...]:
    """The formats whose reports can have a field."""
    return tuple(f for f in FORMATS if (section, field) in format_fields(f))


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
    provenance, status)``: ``text`` is the cell as printed, ``provenance`` a compact JSON of where it was
    read (line/col or page/bbox), ``status`` the report's status of the cell (confirmed, unconfirmed,
    conflict, unread, blank; None for prose). Blank and unread cells keep a row with a null value (their
    status tells them apart); absent cells have no row."""
    prov = report.get("provenance") or {}
    status = report.get("status") or {}
    rows: list[tuple] = []

    def add(section: str, field: str, value) -> None:
        key = f"{section}.{field}"
        p = prov.get(key)
        text = where = None
        if p:
            text = p.get("text")
            where = _where_json(p)
        if value is not None and not isinstance(value, (int, float, str)):
            value = json.dumps(value, ensure_ascii=False, separators=_SEP)
        rows.append((section, field, value, text, where, status.get(key)))

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
        rows.append((TEXT_SECTION, key, None, prose, None, None))
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
