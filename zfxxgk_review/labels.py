"""The three tables as the template prints them, with their Chinese labels, built from ``core.template``:
what the report page lays out and what the exports and the comparison name each field by.

A report's section 三 has the rows its format gives it (（六） as one row or as three sub-rows, as the
report printed it); section 二 is one small table per item of Article 20, as in the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from core.fields import FieldPath
from core.template import (
    S2_ROWS,
    S3_COLUMN_LABELS,
    S3_COLUMNS,
    S3_GROUPS,
    S3_RESULTS_LABEL,
    S4_COLUMN_LABELS,
    S4_COLUMNS,
    S4_GROUP_LABELS,
    S4_GROUPS,
    S3Row,
    s3_rows,
)

SECTION_TITLES = {
    "active_disclosure": "二、主动公开政府信息情况",
    "applications": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
}
PROSE_TITLES = {
    "overview": "一、总体情况",
    "problems": "五、存在的主要问题及改进情况",
    "other_matters": "六、其他需要报告的事项",
}
_NUMERALS = "一二三四五六七八九十"


def _s3_number(row: S3Row) -> str:
    n = row.number
    if n.startswith("("):
        return "（" + n[1:-1] + "）"
    if n in _NUMERALS:
        return n + "、"
    return n + "."


def s3_row_label(row: S3Row) -> str:
    return _s3_number(row) + row.label.replace("(", "（").replace(")", "）").replace(",", "，")


@dataclass
class Table:
    """One table as printed: header rows of (text, colspan, rowspan), then body rows, each a list of
    label cells (text, rowspan, colspan) followed by the field paths of its value cells (None: no cell)."""

    key: str
    title: str
    header: list[list[tuple[str, int, int]]] = field(default_factory=list)
    body: list[tuple[list[tuple[str, int, int]], list[str | None]]] = field(default_factory=list)


def _s2_column_label(text: str) -> str:
    return text.replace("(", "（").replace(")", "）").replace(":", "：")


def s2_tables(fmt: str) -> list[Table]:
    """Section 二: one table per item of Article 20 (consecutive rows of an item share their columns)."""
    out: list[Table] = []
    columns: list[tuple[str, ...]] = []
    for row in S2_ROWS.get(fmt, ()):
        ids = tuple(c.id for c in row.columns)
        if not out or out[-1].key != row.item or columns[-1] != ids:
            t = Table(row.item, row.item)
            t.header = [[("信息内容", 1, 1)] + [(_s2_column_label(c.label), 1, 1) for c in row.columns]]
            out.append(t)
            columns.append(ids)
        out[-1].body.append(([(row.labels[0], 1, 1)], [str(FieldPath("active_disclosure", row.id, c)) for c in ids]))
    return out


def s3_table(fmt: str, single_other: bool) -> Table:
    """Section 三: 申请人情况 columns, rows with the group labels spanning their sub-rows."""
    rows = s3_rows(fmt, single_other)
    t = Table("applications", SECTION_TITLES["applications"])
    t.header = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 7, 1)],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [(label, 1, 1) for label in S3_COLUMN_LABELS[1:6]],
    ]
    # 三、本年度办理结果 spans the result rows and （七）总计
    results = [r for r in rows if r.id not in ("new_received", "carried_over", "carried_forward")]
    groups = {g.key: g for g in S3_GROUPS}
    seen_groups: set[str] = set()
    for r in rows:
        labels: list[tuple[str, int, int]] = []
        if r.id in ("new_received", "carried_over", "carried_forward"):
            labels.append((s3_row_label(r), 1, 3))
        else:
            if results and r.id == results[0].id:
                labels.append((S3_RESULTS_LABEL, len(results), 1))
            if r.group is None:
                labels.append((s3_row_label(r), 1, 2))
            else:
                if r.group not in seen_groups:
                    seen_groups.add(r.group)
                    g = groups[r.group]
                    span = sum(1 for x in rows if x.group == r.group)
                    labels.append((_s3_number(S3Row("", "", g.number)) + g.label, span, 1))
                labels.append((s3_row_label(r), 1, 1))
        t.body.append((labels, [str(FieldPath("applications", r.id, c)) for c in S3_COLUMNS]))
    return t


def s4_table() -> Table:
    t = Table("review_litigation", SECTION_TITLES["review_litigation"])
    t.header = [
        [("行政复议", 5, 2), ("行政诉讼", 10, 1)],
        [("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        [(S4_COLUMN_LABELS[c], 1, 1) for _g in S4_GROUPS for c in S4_COLUMNS],
    ]
    t.body.append(([], [str(FieldPath("review_litigation", g, c)) for g in S4_GROUPS for c in S4_COLUMNS]))
    return t


def tables(fmt: str, single_other: bool) -> list[tuple[str, list[Table]]]:
    """The report's tables by section, in template order."""
    return [
        ("active_disclosure", s2_tables(fmt)),
        ("applications", [s3_table(fmt, single_other)]),
        ("review_litigation", [s4_table()]),
    ]


@cache
def _labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for fmt in ("2021", "2019"):
        for row in S2_ROWS[fmt]:
            for col in row.columns:
                out.setdefault(f"active_disclosure.{row.id}.{col.id}", f"{row.item} {row.labels[0]} · {col.label}")
        for single in (False, True):
            for r in s3_rows(fmt, single):
                prefix = ""
                if r.group:
                    grp = next(x for x in S3_GROUPS if x.key == r.group)
                    prefix = _s3_number(S3Row("", "", grp.number)) + grp.label + " "
                for c, cl in zip(S3_COLUMNS, S3_COLUMN_LABELS):
                    out.setdefault(f"applications.{r.id}.{c}", f"{prefix}{s3_row_label(r)} · {cl}")
    for group in S4_GROUPS:
        for column in S4_COLUMNS:
            out[f"review_litigation.{group}.{column}"] = f"{S4_GROUP_LABELS[group]} · {S4_COLUMN_LABELS[column]}"
    return out


def label(path: str) -> str:
    """The Chinese label of a field path (``applications.total.natural_person`` → ``（七）总计 · 自然人``);
    a path of no template cell is returned as it is. A cross-year cell (``2023:applications…``) keeps its
    year in front."""
    year, sep, rest = path.partition(":")
    if sep and year.isdigit():
        return f"{year} {label(rest)}"
    return _labels().get(path, path)


def field_order(fmt: str | None) -> list[str]:
    """Every field path of a format in template order (both formats' fields when unknown)."""
    from core.template import field_paths

    fmts = [fmt] if fmt in ("2019", "2021") else ["2021", "2019"]
    out: list[str] = []
    for f in fmts:
        for p in field_paths(f):
            if str(p) not in out:
                out.append(str(p))
        if "applications.other.natural_person" not in out:
            # （六） printed as one row
            idx = out.index("applications.total.natural_person")
            out[idx:idx] = [f"applications.other.{c}" for c in S3_COLUMNS]
    return out
