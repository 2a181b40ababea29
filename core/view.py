"""The report for a person at a terminal (``python -m core parse FILE --format table``): organ, year and
format, the three tables laid out as the template prints them with its Chinese labels, each doubtful cell
marked, then the failed checks, the warnings and the prose.

It reads the output contract's JSON (a dict), so it shows exactly what ``parse`` prints as JSON. Tables
are drawn by rich (https://github.com/Textualize/rich), which measures the width of Chinese characters
and colours only a terminal. Every piece of text that comes from the document (organ, prose, messages)
has its control characters written ``\\xNN``, so a report cannot drive the terminal.
"""

from __future__ import annotations

import io
import re
from typing import Any

from core.template import (
    FORMAT_DOCUMENTS,
    PROSE_SECTIONS,
    S2_PRINTED_COLUMN_LABELS,
    S2_ROW_HEADER,
    S2_ROWS,
    S3_BALANCE_NOTE,
    S3_COLUMN_LABELS,
    S3_COLUMNS,
    S3_COLUMNS_HEADER,
    S3_GROUP_HEADINGS,
    S3_ORGANISATIONS_HEADER,
    S3_PRINTED_LABELS,
    S3_RESULTS_LABEL,
    S3_ROWS,
    S4_COLUMN_LABELS,
    S4_COLUMNS,
    S4_GROUP_LABELS,
    S4_GROUPS,
    SECTION_HEADINGS,
)

#: status -> (mark after the value, rich style, words)
MARKS = {
    "confirmed": ("", "", "confirmed: a passing identity of the template includes it"),
    "unconfirmed": ("~", "cyan", "unconfirmed: read, no identity could check it"),
    "conflict": ("!", "bold red", "conflict: a failed check reads it"),
    "unread": ("?", "bold yellow", "unread: the document has it, it could not be read with certainty"),
    "blank": ("·", "dim", "blank: printed blank (not 0)"),
}
WARNED = "*"

#: The consistency rules in the template's words.
RULES = {
    "applicant_columns_sum_to_total": "各申请人之和 = 总计",
    "received_equals_handled_plus_carried": "第一项 + 第二项 = 第三项 + 第四项（勾稽关系）",
    "result_rows_sum_to_total": "（一）至（六）之和 = （七）总计",
    "review_litigation_group_total": "四项结果之和 = 总计",
    "prose_matches_table": "正文所述 = 表中数值",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PROSE_PREVIEW = 160
#: The width of the view when it is not shown on a terminal.
DEFAULT_WIDTH = 120


def safe(text: Any) -> str:
    """Text from the document as it may be shown: control characters as ``\\xNN``."""
    s = "" if text is None else str(text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)


def _s2_column_label(label: str) -> str:
    return S2_PRINTED_COLUMN_LABELS.get(label, label)


def where_label(where: str | None, fmt: str = "2021") -> str:
    """A field path, row path or section as the template prints it (``applications.granted.total`` →
    "（一）予以公开 / 总计"); the path itself when it names nothing the template has."""
    if not where:
        return ""
    section, _, rest = where.partition(".")
    if section in SECTION_HEADINGS and not rest:
        return SECTION_HEADINGS[section]
    if section == "active_disclosure":
        row, _, col = rest.partition(".")
        for r in S2_ROWS.get(fmt, S2_ROWS["2021"]):
            if r.id == row:
                cols = {c.id: _s2_column_label(c.label) for c in r.columns}
                return f"{r.labels[0]} / {cols[col]}" if col in cols else r.labels[0]
    if section == "applications":
        row, col = rest, ""
        if rest.rpartition(".")[2] in S3_COLUMNS:
            row, _, col = rest.rpartition(".")
        label = _s3_label(row)
        if label is not None:
            return f"{label} / {S3_COLUMN_LABELS[S3_COLUMNS.index(col)]}" if col else label
    if section == "review_litigation":
        group, _, col = rest.partition(".")
        if group in S4_GROUP_LABELS:
            return (
                f"{S4_GROUP_LABELS[group]} / {S4_COLUMN_LABELS[col]}"
                if col in S4_COLUMN_LABELS
                else S4_GROUP_LABELS[group]
            )
    return where


def _s3_label(row: str) -> str | None:
    if row in S3_PRINTED_LABELS:
        group = row.partition(".")[0]
        return f"{S3_GROUP_HEADINGS[group]} {S3_PRINTED_LABELS[row]}" if "." in row else S3_PRINTED_LABELS[row]
    if row in S3_GROUP_HEADINGS:
        return S3_GROUP_HEADINGS[row]
    return None


def _number(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return safe(v)


class _Cells:
    """How each cell is shown: its value and the mark of its status (and * when a warning names it)."""

    def __init__(self, report: dict):
        self.status = report.get("status") or {}
        self.warned = {
            d.get("where")
            for d in report.get("diagnostics") or []
            if d.get("level") in ("warning", "error") and d.get("where")
        }
        self.seen: set[str] = set()

    def show(self, path: str, value: Any, present: bool, mark_unconfirmed: bool = True):
        from rich.text import Text

        if not present:
            return Text("")
        st = self.status.get(path, "blank" if value is None else "confirmed")
        mark, style, _ = MARKS.get(st, ("", "", ""))
        if st == "unconfirmed" and not mark_unconfirmed:
            mark, style = "", ""
        if mark:
            self.seen.add(st)
        text = "" if value is None else _number(value)
        warned = path in self.warned and st != "unread"  # an unread cell always has its warning
        if warned:
            self.seen.add(WARNED)
        return Text(f"{text}{mark}{WARNED if warned else ''}", style=style)


def _table(title: str | None = None, caption: str | None = None):
    from rich import box
    from rich.table import Table

    return Table(
        title=title,
        caption=caption,
        box=box.SQUARE,
        title_justify="left",
        caption_justify="left",
        show_lines=False,
        pad_edge=True,
        expand=False,
    )


def _header(report: dict):
    meta = report.get("meta") or {}
    fmt = meta.get("format")
    organ = safe(meta.get("organ")) or "（机关未识别 organ not found）"
    year = meta.get("year")
    title = f"{organ} {year}年政府信息公开工作年度报告" if year else f"{organ} 政府信息公开工作年度报告"
    lines = [title]
    doc = FORMAT_DOCUMENTS.get(str(fmt), "")
    lines.append(
        f"格式 format {fmt or '?'}"
        + (f"（{doc}）" if doc else "")
        + f" · 版式 layout {safe(meta.get('layout'))}"
        + f" · 字形 script {safe(meta.get('script'))}"
        + (f" · encoding {safe(meta.get('encoding'))}" if meta.get("encoding") else "")
    )
    lines.append(f"文件 file {safe(meta.get('source'))}")
    counts: dict[str, int] = {}
    for st in (report.get("status") or {}).values():
        counts[st] = counts.get(st, 0) + 1
    cells = sum(counts.values())
    checks = report.get("checks") or []
    failed = sum(1 for c in checks if not c.get("ok"))
    warnings = sum(1 for d in report.get("diagnostics") or [] if d.get("level") in ("warning", "error"))
    parts = ", ".join(f"{counts[s]} {s}" for s in MARKS if counts.get(s))
    lines.append(f"{cells} cells: {parts or 'none'} · {len(checks)} checks, {failed} failed · {warnings} warnings")
    return "\n".join(lines)


def _section_two(report: dict, cells: _Cells, fmt: str) -> list:
    data = report.get("active_disclosure") or {}
    out = []
    items: dict[str, list] = {}
    for row in S2_ROWS.get(fmt, S2_ROWS["2021"]):
        items.setdefault(row.item, []).append(row)
    for item, rows in items.items():
        columns = rows[0].columns
        t = _table(item)
        t.add_column(S2_ROW_HEADER, overflow="fold")
        for c in columns:
            t.add_column(_s2_column_label(c.label), justify="right")
        for row in rows:
            t.add_row(
                row.labels[0],
                *(
                    cells.show(
                        f"active_disclosure.{row.id}.{c.id}",
                        data.get(row.field(c.id)),
                        row.field(c.id) in data,
                        mark_unconfirmed=False,
                    )
                    for c in row.columns
                ),
            )
        out.append(t)
    return out


def _section_three(report: dict, cells: _Cells, fmt: str, width: int = DEFAULT_WIDTH):
    data = report.get("applications") or {}
    single_other = "other" in data
    t = _table(
        caption=f"{S3_COLUMNS_HEADER}: {S3_ORGANISATIONS_HEADER} = {'、'.join(S3_COLUMN_LABELS[1:6])}. "
        f"{S3_BALANCE_NOTE}"
    )
    # the labels keep a readable width: the headers wrap first
    t.add_column("", overflow="fold", min_width=26 if width >= 100 else 14)
    for label in S3_COLUMN_LABELS:  # split over two lines as the template prints them (商业 / 企业)
        head = label if len(label) <= 3 else f"{label[: len(label) - 2]}\n{label[-2:]}"
        t.add_column(head, justify="right", overflow="fold")
    rows = list(S3_ROWS.get(fmt, S3_ROWS["2021"]))
    if single_other and not any(r.id == "other" for r in rows):
        rows = [r for r in rows if r.group != "other"]
        rows.insert(next(i for i, r in enumerate(rows) if r.id == "total"), _single_other())
    results_shown = False
    group_shown: set[str] = set()
    for row in rows:
        if row.id == "granted" and not results_shown:
            t.add_row(S3_RESULTS_LABEL, *([""] * len(S3_COLUMNS)))
            results_shown = True
        if row.group and row.group not in group_shown:
            t.add_row(f"  {S3_GROUP_HEADINGS[row.group]}", *([""] * len(S3_COLUMNS)))
            group_shown.add(row.group)
        label = S3_PRINTED_LABELS.get(row.id, row.label)
        indent = "    " if row.group else "  " if label.startswith("（") else ""
        got = data.get(row.id)
        values: dict = got if isinstance(got, dict) else {}
        t.add_row(
            f"{indent}{label}",
            *(cells.show(f"applications.{row.id}.{c}", values.get(c), c in values) for c in S3_COLUMNS),
            end_section=row.id in ("carried_over", "total"),
        )
    return t


def _single_other():
    from core.template import S3_SINGLE_OTHER

    return S3_SINGLE_OTHER


def _section_four(report: dict, cells: _Cells):
    data = report.get("review_litigation") or {}
    t = _table()
    t.add_column("")
    for c in S4_COLUMNS:
        t.add_column(S4_COLUMN_LABELS[c], justify="right")
    for g in S4_GROUPS:
        got = data.get(g)
        values: dict = got if isinstance(got, dict) else {}
        t.add_row(
            S4_GROUP_LABELS[g],
            *(cells.show(f"review_litigation.{g}.{c}", values.get(c), c in values) for c in S4_COLUMNS),
        )
    return t


def _scope(check: dict, fmt: str) -> str:
    for key, section in (("row", "applications"), ("column", None), ("group", "review_litigation")):
        if key in check:
            value = str(check[key])
            if key == "column":
                return S3_COLUMN_LABELS[S3_COLUMNS.index(value)] if value in S3_COLUMNS else value
            return where_label(f"{section}.{value}", fmt)
    if check.get("sentence"):
        return f"“{safe(check['sentence'])}”"
    return ""


def _checks(report: dict, fmt: str):
    failed = [c for c in report.get("checks") or [] if not c.get("ok")]
    if not failed:
        return None
    t = _table(f"未通过的校验 failed checks ({len(failed)})")
    for head in ("规则 rule", "范围 scope", "表中所列 expected", "合计所得 found", "空白 blank"):
        t.add_column(head, justify="right" if head[0] in "表合空" else "left", overflow="fold")
    for c in failed:
        rule = str(c.get("rule"))
        t.add_row(
            f"{RULES.get(rule, rule)}\n{rule}",
            _scope(c, fmt),
            _number(c.get("expected")),
            _number(c.get("found")),
            str(len(c.get("blank_cells") or [])) if c.get("blank_cells") else "",
        )
    return t


def _warnings(report: dict, fmt: str):
    warned = [d for d in report.get("diagnostics") or [] if d.get("level") in ("warning", "error")]
    if not warned:
        return None
    t = _table(f"警告 warnings and errors ({len(warned)})")
    for head in ("级别 level", "代码 code", "位置 where", "说明 message"):
        t.add_column(head, overflow="fold")
    for d in warned:
        where = d.get("where")
        label = where_label(where, fmt)
        t.add_row(
            safe(d.get("level")),
            safe(d.get("code")),
            safe(label) if label == where else f"{safe(label)}\n{safe(where)}",
            safe(d.get("message")),
        )
    return t


def _infos(report: dict) -> str:
    codes: dict[str, int] = {}
    for d in report.get("diagnostics") or []:
        if d.get("level") == "info":
            codes[str(d.get("code"))] = codes.get(str(d.get("code")), 0) + 1
    if not codes:
        return ""
    return "notes (info): " + ", ".join(f"{k} ×{n}" if n > 1 else k for k, n in codes.items())


def _prose(report: dict) -> list[str]:
    text = report.get("text") or {}
    out = []
    for key in PROSE_SECTIONS:
        body = text.get(key)
        heading = SECTION_HEADINGS[key]
        if not body:
            out.append(f"{heading}: （未找到 not found）")
            continue
        flat = " ".join(str(body).split())
        if flat.startswith(heading):
            flat = flat[len(heading) :].strip()
        preview = flat[:_PROSE_PREVIEW] + ("…" if len(flat) > _PROSE_PREVIEW else "")
        out.append(f"{heading}（{len(str(body))} 字）\n  {safe(preview)}")
    return out


def _legend(cells: _Cells) -> str:
    parts = [f"{mark} {words}" for st, (mark, _s, words) in MARKS.items() if mark and st in cells.seen]
    if WARNED in cells.seen:
        parts.append(f"{WARNED} named by a warning (below)")
    return "marks: " + "; ".join(parts) if parts else "every cell is confirmed by the template's identities"


def renderables(report: dict, width: int = DEFAULT_WIDTH) -> list:
    """The parts of the view, in order, as rich renderables and strings, for ``width`` columns."""
    from rich.text import Text

    meta = report.get("meta") or {}
    fmt = str(meta.get("format") or "2021")
    if fmt not in S2_ROWS:
        fmt = "2021"
    cells = _Cells(report)
    out: list = [Text(_header(report), style="bold"), ""]
    out.append(Text(SECTION_HEADINGS["active_disclosure"], style="bold"))
    out += _section_two(report, cells, fmt)
    out.append(Text("  section 二 has no identities: its values are read, not checked (unconfirmed)", style="dim"))
    out += ["", Text(SECTION_HEADINGS["applications"], style="bold"), _section_three(report, cells, fmt, width)]
    out += ["", Text(SECTION_HEADINGS["review_litigation"], style="bold"), _section_four(report, cells)]
    out.append(Text(_legend(cells), style="dim"))
    for part in (_checks(report, fmt), _warnings(report, fmt)):
        if part is not None:
            out += ["", part]
    failed = sum(1 for c in report.get("checks") or [] if not c.get("ok"))
    if not failed:
        out += ["", Text(f"all {len(report.get('checks') or [])} checks pass")]
    info = _infos(report)
    if info:
        out.append(Text(safe(info), style="dim"))
    out.append("")
    out += [Text(line) for line in _prose(report)]
    return out


def render(report: dict, width: int | None = None, color: bool = False) -> str:
    """The view as text (no colours unless ``color``), ``width`` columns wide (default 120)."""
    return render_text(renderables(report, width or DEFAULT_WIDTH), width, color)


def render_text(parts: list, width: int | None = None, color: bool = False) -> str:
    """rich renderables as text, ``width`` columns wide (default 120), coloured only when ``color``; the
    text of the document is never read as rich markup or emoji codes."""
    from rich.console import Console

    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width or DEFAULT_WIDTH,
        color_system="standard" if color else None,
        force_terminal=color,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    for part in parts:
        console.print(part)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def print_report(report: dict, file=None) -> None:
    """Print the view to ``file`` (stdout): coloured and as wide as the terminal when it is one; else
    ``$COLUMNS`` (default 120) wide and plain."""
    import sys

    out = file or sys.stdout
    if is_terminal(out):
        from rich.console import Console

        console = Console(file=out, markup=False, emoji=False, highlight=False)
        for part in renderables(report, console.width):
            console.print(part)
    else:
        out.write(render(report, width=terminal_width()))


def is_terminal(f) -> bool:
    try:
        return bool(f.isatty())
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """The width of the view when it is not on a terminal: ``$COLUMNS``, else 120."""
    import os

    try:
        return max(60, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return DEFAULT_WIDTH
