"""The words people read beside the stable IDs: every field's Chinese row and column labels as the template
prints them (``core.template``), its unit and the formats that have it (the ``fields`` table and file), the
meaning of each cell status, and a Chinese label and a description for every column the batch writes
(export headers with ``--labels zh``, the Datasette metadata).

The IDs stay the key everywhere: a label is for reading, an ID for joining.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from functools import cache, lru_cache

from core.template import (
    FORMATS,
    S2_PRINTED_COLUMN_LABELS,
    S2_ROWS,
    S3_COLUMN_LABELS,
    S3_COLUMNS,
    S3_GROUP_HEADINGS,
    S3_ORGANISATIONS_HEADER,
    S3_PRINTED_LABELS,
    S3_RESULTS_LABEL,
    S3_ROWS,
    S3_S4_UNIT,
    S4_COLUMN_LABELS,
    S4_GROUP_LABELS,
    S4_HEADERS,
    SECTION_HEADINGS,
)
from zfxxgk_batch.fields import all_fields, formats_of

#: What the template calls each prose section, by its key in ``text``.
PROSE_HEADINGS = {k: SECTION_HEADINGS[k] for k in ("overview", "problems", "other_matters")}

# --- cell statuses (core.status) ---------------------------------------------------------------------

#: status -> (Chinese label, meaning), in the order of the output contract, then ``corrected``: a value a
#: reviewer decided (``zfxxgk_review``), in the exports only.
STATUSES = {
    "confirmed": ("已核实", "read, and a passing identity of the template (勾稽关系) includes it"),
    "unconfirmed": ("未核实", "read, and no identity of the template could check it (section 二 has none)"),
    "conflict": ("勾稽不符", "read, and a failed identity includes it: the document breaks a rule over this cell"),
    "unread": (
        "未能读取",
        "the document has the cell but it could not be read with certainty (null; a "
        "cell_not_read warning gives the reason)",
    ),
    "blank": ("空白", "printed blank in the document (null, never 0)"),
    "corrected": (
        "已更正",
        "a reviewer decided the value at the source (python -m core review): the exports hold the reviewer's "
        "value, the batch's own tables keep the parsed one (table corrections has both)",
    ),
}
#: The statuses a parse gives (core.status); ``corrected`` is given only by a reviewer's correction.
PARSE_STATUSES = tuple(s for s in STATUSES if s != "corrected")


# --- fields -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    """One stable field ID with the words of the template. Labels are the 2021 format's where a field is
    in both formats; ``row_label_2019``/``column_label_2019`` hold the 2019 wording where it differs."""

    section: str
    field: str
    #: the dotted output path (``applications.total.total``): the column of the wide exports
    path: str
    #: template order, 1-based
    position: int
    section_label: str
    #: what the template prints over the row: section 二's item of Article 20, section 三's group
    #: (（三）不予公开, 三、本年度办理结果), section 四's 行政复议 / 行政诉讼
    group_label: str
    row: str
    row_label: str
    column: str
    #: section 三's five organisation columns sit under 法人或其他组织
    column_group_label: str
    column_label: str
    #: "row label / column label", one header
    label: str
    #: the formats whose reports can have it, comma-separated ("2019,2021")
    formats: str
    unit: str
    #: count, signed (本年增/减) or amount
    kind: str
    row_label_2019: str | None
    column_label_2019: str | None


FIELD_COLUMNS = tuple(f.name for f in fields(FieldInfo))


def _s2(fmt: str, row: str, column: str):
    for r in S2_ROWS[fmt]:
        if r.id == row:
            for c in r.columns:
                if c.id == column:
                    return r, c
    return None, None


def _s3_row_label(row: str) -> tuple[str, str]:
    """(group label, row label) of a section 三 row."""
    printed = S3_PRINTED_LABELS[row]
    group, _, _ = row.partition(".")
    if "." in row:
        return S3_GROUP_HEADINGS[group], f"{S3_GROUP_HEADINGS[group]} {printed}"
    if printed.startswith("（"):
        return S3_RESULTS_LABEL, printed
    return "", printed


@cache
def field_info(section: str, field: str, position: int = 0) -> FieldInfo:
    """The labels, unit and formats of one field."""
    row, _, column = field.rpartition(".")
    fmts = formats_of(section, field)
    label_2019 = col_2019 = None
    col_group = ""
    if section == "active_disclosure":
        newest = fmts[-1] if fmts else FORMATS[-1]
        r, c = _s2(newest, row, column)
        if r is None or c is None:
            raise KeyError(f"{section}.{field}")
        group, row_label = r.item, r.labels[0]
        col_label = S2_PRINTED_COLUMN_LABELS.get(c.label, c.label)
        unit, kind = c.unit or "元或万元（随值印出）", c.kind
        if "2019" in fmts and newest != "2019":
            r19, c19 = _s2("2019", row, column)
            if r19 is not None and c19 is not None:
                label_2019 = r19.labels[0] if r19.labels[0] != row_label else None
                printed = S2_PRINTED_COLUMN_LABELS.get(c19.label, c19.label)
                col_2019 = printed if printed != col_label else None
    elif section == "applications":
        group, row_label = _s3_row_label(row)
        col_label = S3_COLUMN_LABELS[S3_COLUMNS.index(column)]
        col_group = S3_ORGANISATIONS_HEADER if column not in ("natural_person", "total") else ""
        unit, kind = S3_S4_UNIT, "count"
    elif section == "review_litigation":
        group, row_label = S4_HEADERS[row][0], S4_GROUP_LABELS[row]
        col_label = S4_COLUMN_LABELS[column]
        unit, kind = S3_S4_UNIT, "count"
    else:
        raise KeyError(f"{section}.{field}")
    return FieldInfo(
        section,
        field,
        f"{section}.{field}",
        position,
        SECTION_HEADINGS[section],
        group,
        row,
        row_label,
        column,
        col_group,
        col_label,
        f"{row_label} / {col_label}",
        ",".join(fmts),
        unit,
        kind,
        label_2019,
        col_2019,
    )


@lru_cache(maxsize=1)
def all_field_info() -> tuple[FieldInfo, ...]:
    """Every field of either format, in template order (the rows of the ``fields`` table)."""
    return tuple(field_info(s, f, i) for i, (s, f) in enumerate(all_fields(), start=1))


def field_label(section: str, field: str, fmt: str | None = None) -> str:
    """One header for a field in the wording of ``fmt`` (the 2021 format's when None); the path itself
    for a field the template does not have."""
    try:
        info = field_info(section, field)
    except (KeyError, ValueError):
        return f"{section}.{field}"
    if fmt == "2019" and (info.row_label_2019 or info.column_label_2019):
        return f"{info.row_label_2019 or info.row_label} / {info.column_label_2019 or info.column_label}"
    return info.label


def field_rows() -> list[tuple]:
    return [astuple(f) for f in all_field_info()]


S3_ROW_IDS = tuple(dict.fromkeys(r.id for fmt in reversed(FORMATS) for r in S3_ROWS[fmt]))


def s3_row_label(row: str) -> str:
    """The printed label of a section 三 row, with its group's for a sub-row."""
    try:
        return _s3_row_label(row)[1]
    except KeyError:
        return row


# --- columns of the tables and exports --------------------------------------------------------------

#: column -> (Chinese label, description), for the columns the batch writes in more than one table.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("编号", "the row's id"),
    "report_id": ("报告编号", "the report (reports.id)"),
    "path": ("文件路径", "the file's absolute path (bytes that are not UTF-8 written \\xNN)"),
    "name": ("文件名", "the file's name"),
    "sha256": ("SHA-256", "SHA-256 of the file's bytes"),
    "size": ("字节数", "the file's size in bytes"),
    "parser_version": ("解析器版本", "the core's version and that of the layout that read the file"),
    "layout": ("版式", "the layout plugin that read the file (pipe-rows, pdf, html …)"),
    "format": ("模板格式", "the template format: 2019 (国办公开办函〔2019〕60号) or 2021 (国办公开办函〔2021〕30号)"),
    "year": ("统计年度", "the statistics year: the year the report is about"),
    "organ": ("机关", "the organ as printed in the report"),
    "organ_key": (
        "机关（归并）",
        "the organ normalised (simplified script, no spaces or punctuation) to group one organ's reports across years",
    ),
    "script": ("字形", "simplified or traditional characters"),
    "encoding": ("编码", "the text encoding the file was read in"),
    "parsed_at": ("解析时间", "when the file was parsed (UTC)"),
    "substantive_disclosure_rate": (
        "实质公开率",
        "(予以公开 + 部分公开) / 办理结果总计; null when the denominator is 0 or a value read is blank",
    ),
    "review_correction_rate": (
        "复议纠错率",
        "复议结果纠正 / 复议总计; null when the denominator is 0 or a value is blank",
    ),
    "litigation_correction_rate": (
        "诉讼纠错率",
        "(直接起诉结果纠正 + 复议后起诉结果纠正) / (直接起诉总计 + 复议后起诉"
        "总计); null when the denominator is 0 or a value is blank",
    ),
    "failed_checks": ("未通过校验", "how many consistency rules the report breaks (table checks, ok = 0)"),
    "warnings": ("警告", "how many warnings and errors the parse gave (table diagnostics)"),
    "run_id": ("运行编号", "the batch run that parsed the file (table runs)"),
    "core_version": ("核心版本", "the version of zfxxgk that parsed the file"),
    "layout_version": ("版式版本", "the version of the layout that read the file"),
    "mtime_ns": ("修改时间", "the file's modification time (ns) when it was read; what a rerun compares"),
    "ctime_ns": ("变更时间", "the file's status change time (ns) when it was read; what a rerun compares"),
    "inode": ("inode", "the file's inode when it was read; what a rerun compares"),
    "section": ("部分", "active_disclosure (二), applications (三), review_litigation (四), or text (一, 五, 六)"),
    "section_label": ("部分标题", "the section's heading as the template prints it"),
    "field": ("字段", "the stable field ID within its section (../shared/domain/STANDARD.md)"),
    "value": (
        "数值",
        "the number read; null when printed blank or not read (status says which); text for "
        "amounts printed with their unit (采购总金额)",
    ),
    "value_text": ("文字值", 'the value when it is text (采购总金额 as printed, "6187.4万元"); null for numbers'),
    "text": ("原文", "the cell as printed, or the prose of the section"),
    "provenance": (
        "出处",
        "where the cell was read: JSON with line and col (text, HTML), or page and bbox in PDF points",
    ),
    "status": (
        "状态",
        "how sure the parse is of the cell: confirmed, unconfirmed, conflict, unread or blank "
        "(table statuses); null for prose",
    ),
    "status_label": ("状态说明", "the status in Chinese"),
    "label": ("标签", "the field's row and column labels as the template prints them"),
    "row_label": ("行", "the row's label as the template prints it"),
    "column_label": ("列", "the column's label as the template prints it"),
    "unit": ("单位", "the unit of the value: 件, 项, 万元, or as printed"),
    "rule": ("规则", "the consistency rule (勾稽关系) evaluated"),
    "ok": ("通过", "1: the rule holds; 0: the document breaks it"),
    "scope": ("范围", "the row, column or group the rule was evaluated over"),
    "cells": ("单元格", "JSON list of the field paths the rule read"),
    "expected": ("表中所列", "what the table states (its total, or the received side of the 勾稽 balance)"),
    "found": ("合计所得", "what the other side adds up to"),
    "blank_cells": ("空白单元格", "JSON list of the blank cells the rule counted as 0"),
    "sentence": ("原文句子", "for prose checks: the sentence that states the number"),
    "level": (
        "级别",
        "info (a certain repair), warning (a value may be wrong or was not read), error (a section missing)",
    ),
    "code": ("代码", "the diagnostic code (README, Diagnostic codes)"),
    "where": ("位置", "the field path, row or section the diagnostic is about"),
    "message": ("说明", "one line saying what happened"),
    "exit_code": (
        "退出码",
        "3 unreadable or over a per-file limit, 4 not a 2019/2021-template report, 1 internal error or a worker crash",
    ),
    "reason": ("原因", "unreadable, not_a_report, time_limit, memory_limit, crashed, internal …"),
    "failed_at": ("失败时间", "when the file failed (UTC)"),
    "layouts": ("版式列表", "JSON: every layout installed then, name -> origin and version"),
    "limit_hit": ("超出限制", "the time (s) or memory (MB) limit a time_limit or memory_limit failure went over"),
    "next_year": ("次年", "the later of the two years compared"),
    "next_report_id": ("次年报告编号", "the report on the later year (reports.id)"),
    "files": ("文件数", "how many files have this organ and year"),
    "report_ids": ("报告编号列表", "their reports.id"),
    "paths": ("文件路径列表", "their paths"),
    "heading": ("标题", "the section's heading as the template prints it"),
    "position": ("顺序", "the field's place in template order"),
    "group_label": (
        "组",
        "what the template prints over the row: section 二's item of Article 20 "
        "(第二十条第（一）项), section 三's group (（三）不予公开, 三、本年度办理结果), "
        "section 四's 行政复议 / 行政诉讼",
    ),
    "row": ("行ID", "the stable ID of the row (section 三, 四) or item (section 二)"),
    "column": ("列ID", "the stable ID of the column"),
    "column_group_label": ("列组", "法人或其他组织 over section 三's five organisation columns"),
    "formats": ("格式", "the template formats whose reports can have the field (2019, 2021)"),
    "kind": (
        "类型",
        "count (a whole number), signed (本年增/减, may be negative) or amount (money, may have decimals)",
    ),
    "row_label_2019": ("行（2019）", "the row's label in the 2019 format, where it differs"),
    "column_label_2019": ("列（2019）", "the column's label in the 2019 format, where it differs"),
    "meaning": ("含义", "what the status says about the cell"),
    "json_zlib": ("JSON", "the report's JSON (the output contract), zlib-compressed"),
    "key": ("键", "the setting"),
    "started_at": ("开始时间", "UTC"),
    "ended_at": ("结束时间", "UTC"),
    "pid": ("进程号", "the process that ran the batch"),
    "parsed": ("已解析", "files parsed by the run"),
    "failed": ("失败", "files that failed in the run"),
    "unchanged": ("未变", "files skipped as unchanged"),
}


def column_label(column: str) -> str:
    """The Chinese header of a column the batch writes (the column itself when it has none)."""
    return COLUMNS.get(column, (column, ""))[0]


def column_description(column: str) -> str:
    return COLUMNS.get(column, ("", ""))[1]
