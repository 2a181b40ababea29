"""The Datasette metadata written beside the batch database (``OUT.metadata.json``), so that

    datasette OUT.db -m OUT.metadata.json

is a browsable dataset: a title and a description for every table, view and column, label columns (a
report shows as its organ, a status as its Chinese name), suggested facets (year, organ, format, layout,
status …), full-text search on the prose (table ``prose``), and a few canned queries.

Units are a column (``fields.unit``, ``labelled_values.unit``) rather than Datasette's ``units`` setting:
that setting runs numbers through Pint, which writes 3000 件 as "3.0 k件" and cannot hold one unit for a
column like ``values.value`` whose rows are counts and amounts alike.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from zfxxgk_batch.labels import COLUMNS, PARSE_STATUSES, STATUSES

#: table -> (title, description, settings)
TABLES: dict[str, tuple[str, str, dict]] = {
    "reports": (
        "报告 · reports",
        "One row per parsed report file: where it is, what the parse found about it "
        "(layout, template format, statistics year, organ), the derived indicators and how many checks "
        "failed and warnings it has.",
        {"label_column": "organ", "facets": ["year", "format", "layout", "organ_key"], "sort": "id"},
    ),
    "values": (
        "数值 · values",
        "Every cell of every report (the long form): the stable field ID, the value, the "
        "cell as printed, where it was read and its status. A null value is a printed blank (status "
        "blank) or a cell the parse could not read (status unread): the status says which. Section text "
        "holds the prose. labelled_values shows the same rows with their labels.",
        {"facets": ["status", "section"]},
    ),
    "labelled_values": (
        "数值（带标签）· labelled_values",
        "values with the report's organ, year, format and layout "
        "and the field's Chinese labels and unit beside each cell (the prose is in table prose).",
        {"facets": ["status", "year", "format", "layout", "section", "organ_key"]},
    ),
    "fields": (
        "字段 · fields",
        "Every stable field ID (../shared/domain/STANDARD.md) with its section, its Chinese "
        "row and column labels as the template prints them, the formats that have it, its unit and kind.",
        {"label_column": "label", "facets": ["section", "formats", "unit", "kind"], "sort": "position"},
    ),
    "statuses": ("状态 · statuses", "What each status of a cell means (core/status.py).", {"label_column": "label"}),
    "prose": (
        "文字部分 · prose",
        "The prose sections 一、总体情况, 五、存在的主要问题及改进情况 and "
        "六、其他需要报告的事项 of every report, with full-text search (any three or more characters; "
        "for one or two, filter with text__contains).",
        {"facets": ["section"], "fts_table": "prose_fts", "fts_pk": "id"},
    ),
    "checks": (
        "校验 · checks",
        "Every consistency rule (勾稽关系) evaluated on every report, passing or not, with the "
        "cells it read: expected is what the table states, found what the other side adds up to.",
        {"facets": ["rule", "ok"]},
    ),
    "diagnostics": (
        "诊断 · diagnostics",
        "What the parse says about each report: info (a certain repair), warning "
        "(a value that may be wrong or was not read), error (a section missing).",
        {"facets": ["level", "code"]},
    ),
    "failures": (
        "失败 · failures",
        "Files that could not be parsed, with the reason and a one-line message.",
        {"facets": ["reason", "exit_code"]},
    ),
    "cross_checks": (
        "跨年校验 · cross_checks",
        "Checks between one organ's reports on consecutive years: 二、上年结转 "
        "of N+1 = 四、结转下年度继续办理 of N; 现行有效件数 follows 本年制发件数 and 本年废止件数 "
        "(2021 format).",
        {"facets": ["rule", "ok", "year"]},
    ),
    "duplicates": ("重复 · duplicates", "Organ and year found in more than one file: kept, never merged.", {}),
    "runs": ("运行 · runs", "One row per batch run.", {"facets": ["status"]}),
    "report_json": (
        "报告 JSON · report_json",
        "Each report's full JSON (the output contract), zlib-compressed.",
        {"hidden": True},
    ),
    "batch_meta": (
        "batch_meta",
        "The schema version and what the exports and cross-year checks were built from.",
        {"hidden": True},
    ),
}

#: Descriptions that differ by table.
TABLE_COLUMNS = {
    ("fields", "label"): ("标签", "row label / column label: one header for the field"),
    ("fields", "section"): ("部分", "active_disclosure (二), applications (三) or review_litigation (四)"),
    ("fields", "path"): ("路径", "the dotted output path: the column of the wide exports"),
    ("statuses", "status"): ("状态", "the status as the JSON writes it"),
    ("statuses", "label"): ("名称", "the status in Chinese"),
    ("prose", "id"): ("编号", "the row's id (the full-text index's rowid)"),
    ("prose", "section"): ("部分", "overview (一), problems (五) or other_matters (六)"),
    ("prose", "text"): ("原文", "the section as printed, its heading included"),
    ("values", "text"): ("原文", "the cell as printed, or (section text) the prose"),
    ("runs", "status"): (
        "状态",
        "running, completed, interrupted, stopped, failed; killed: found still running by the next run",
    ),
    ("reports", "id"): ("报告编号", "the report's id (values.report_id and the other tables refer to it)"),
    ("reports", "warnings"): COLUMNS["warnings"],
    ("cross_checks", "report_id"): ("报告编号", "the report on the earlier year"),
    ("cross_checks", "cells"): ("单元格", "JSON list of YEAR:field path of the cells read"),
}

QUERIES = {
    "unread_cells": {
        "title": "未能读取的单元格 · cells the parse could not read",
        "description": "Every cell whose status is unread, with its report and the warning that says why.",
        "sql": "SELECT v.report_id, v.organ, v.year, v.label, v.text, d.message FROM labelled_values v "
        "LEFT JOIN diagnostics d ON d.report_id = v.report_id AND d.\"where\" = v.section || '.' || v.field "
        "AND d.code = 'cell_not_read' WHERE v.status = 'unread' ORDER BY v.report_id",
    },
    "field_over_years": {
        "title": "一个字段的历年数值 · one field over the years",
        "description": "One field of one organ's reports, year by year (section and field from table fields).",
        "sql": 'SELECT r.year, r.organ, v.value, v.status, v.text FROM reports r JOIN "values" v '
        "ON v.report_id = r.id WHERE r.organ_key = :organ_key AND v.section = :section AND v.field = :field "
        "ORDER BY r.year",
    },
    "failed_checks": {
        "title": "未通过的校验 · failed checks",
        "description": "Every rule a report breaks, with what the table states and what its cells add up to.",
        "sql": "SELECT c.report_id, r.organ, r.year, c.rule, c.scope, c.expected, c.found, c.cells FROM checks c "
        "JOIN reports r ON r.id = c.report_id WHERE c.ok = 0 ORDER BY c.report_id",
    },
}


def _columns(conn: sqlite3.Connection, name: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]


def _describe(table: str, column: str) -> str:
    label, text = TABLE_COLUMNS.get((table, column)) or COLUMNS.get(column, ("", ""))
    return f"{label} — {text}" if label and text else label or text


def database_name(conn: sqlite3.Connection) -> str:
    """The name Datasette gives the database: its file's name without the suffix."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file).stem
    return "dataset"


def metadata(conn: sqlite3.Connection, name: str | None = None) -> dict:
    """The Datasette metadata of a batch database (every table and view it has that the batch writes)."""
    from zfxxgk_batch.worker import versions

    name = name or database_name(conn)
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    tables = {}
    for table, (title, description, settings) in TABLES.items():
        if table not in have:
            continue
        if table == "prose" and "prose_fts" not in have:
            settings = {k: v for k, v in settings.items() if not k.startswith("fts")}
        tables[table] = {
            "title": title,
            "description": description,
            "columns": {c: _describe(table, c) for c in _columns(conn, table)},
            **settings,
        }
    status_words = ", ".join(f"{k} ({STATUSES[k][0]})" for k in PARSE_STATUSES)
    corrected_words = f"corrected ({STATUSES['corrected'][0]})"
    try:
        made_by = versions().core
    except Exception:  # a plugin that fails to load must not cost the metadata
        made_by = "zfxxgk"
    return {
        "title": "政府信息公开工作年度报告 · government information disclosure annual reports",
        "description": "Sections 二, 三 and 四 of each report as numbers keyed by stable field IDs, the prose of "
        "sections 一, 五 and 六, every consistency check, and what the parse was unsure of. Each "
        f"cell has a status: {status_words}; in the exports (CSV, XLSX, Parquet, JSONL) a value a reviewer "
        f"decided with python -m core review is {corrected_words}, while the tables here keep the parsed value "
        f"(table corrections has both). Written by {made_by} (python -m core batch).",
        "source": made_by,
        "databases": {
            name: {
                "title": "政府信息公开工作年度报告数据集",
                "description": "Start with reports (one row per file), labelled_values (every cell with its "
                "labels and status) and prose (full-text search). fields says what every field ID "
                "means; statuses what each status means.",
                "tables": tables,
                "queries": QUERIES,
            }
        },
    }


def write_metadata(conn: sqlite3.Connection, path: Path) -> list[Path]:
    """Write ``OUT.metadata.json`` (atomically)."""
    from zfxxgk_batch.export import atomic

    doc = json.dumps(metadata(conn), ensure_ascii=False, indent=1) + "\n"
    with atomic(Path(path), "w", encoding="utf-8") as f:
        f.write(doc)
    return [Path(path)]
