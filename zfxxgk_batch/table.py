"""``python -m core batch … --summary``: the dataset as a table for a person at a terminal, drawn with rich
(as ``parse --format table`` is): one line per report (organ, year, format, layout, how many of its cells
have each status, failed checks, warnings), the reports with the most to look at first, then the files
that failed."""

from __future__ import annotations

import sqlite3

from core.view import MARKS, render_text, safe
from zfxxgk_batch.names import shown

STATUS_ORDER = tuple(MARKS)


def _mark(status: str) -> str:
    return MARKS[status][0] or "✓"


def _rows(conn: sqlite3.Connection) -> list[tuple]:
    counts: dict[int, dict[str, int]] = {}
    for rid, status, n in conn.execute(
        "SELECT report_id, status, COUNT(*) FROM \"values\" WHERE section != 'text' GROUP BY report_id, status"
    ):
        counts.setdefault(rid, {})[status or "?"] = n
    out = []
    for rid, name, organ, year, fmt, layout, failed, warnings in conn.execute(
        "SELECT id, name, organ, year, format, layout, failed_checks, warnings FROM reports"
    ):
        c = counts.get(rid, {})
        out.append((rid, name, organ, year, fmt, layout, c, failed or 0, warnings or 0))
    out.sort(
        key=lambda r: (-(r[7]), -(r[6].get("conflict", 0) + r[6].get("unread", 0)), -r[8], r[2] or "", r[3] or 0, r[0])
    )
    return out


def renderables(conn: sqlite3.Connection, limit: int = 10) -> list:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    limit = max(0, limit)
    rows = _rows(conn)
    out: list = []
    t = Table(
        title=f"报告 reports in the database ({len(rows)}; the ones with most to look at first)",
        box=box.SQUARE,
        title_justify="left",
    )
    t.caption = "cells: " + ", ".join(f"{_mark(s)} {s}" for s in STATUS_ORDER)
    t.caption_justify = "left"
    for head, right, least in (
        ("#", True, 0),
        ("机关 organ", False, 12),
        ("年度", True, 4),
        ("格式", False, 4),
        ("版式", False, 8),
        *((_mark(s), True, 3) for s in STATUS_ORDER),
        ("校验失败", True, 4),
        ("警告", True, 4),
        ("文件 file", False, 14),
    ):
        t.add_column(head, justify="right" if right else "left", overflow="fold", min_width=least or None)
    for rid, name, organ, year, fmt, layout, counts, failed, warnings in rows[:limit]:
        t.add_row(
            str(rid),
            safe(organ) or "?",
            str(year or "?"),
            safe(fmt),
            safe(layout),
            *(
                Text(str(counts.get(s, 0)), style=MARKS[s][1] if counts.get(s) and s != "confirmed" else "")
                for s in STATUS_ORDER
            ),
            Text(str(failed), style="bold red" if failed else ""),
            Text(str(warnings), style="yellow" if warnings else ""),
            safe(name),
        )
    out.append(t)
    if len(rows) > limit:
        out.append(Text(f"… and {len(rows) - limit} more (--show N lists more; table reports)", style="dim"))
    failures = conn.execute("SELECT path, exit_code, reason, message FROM failures ORDER BY path").fetchall()
    if failures:
        f = Table(title=f"失败 files not parsed ({len(failures)})", box=box.SQUARE, title_justify="left")
        for head in ("文件 file", "exit", "原因 reason", "说明 message"):
            f.add_column(head, overflow="fold")
        for path, code, reason, message in failures[:limit]:
            f.add_row(safe(shown(path)), str(code), safe(reason), safe(message))
        out += ["", f]
        if len(failures) > limit:
            out.append(Text(f"… and {len(failures) - limit} more (table failures)", style="dim"))
    return out


def render(conn: sqlite3.Connection, limit: int = 10, width: int | None = None, color: bool = False) -> str:
    """The table as text (no colours unless ``color``), ``width`` columns wide (default 120)."""
    return render_text(renderables(conn, limit), width, color)


def print_summary(db_path, limit: int = 10, file=None) -> None:
    """Print the table of the database at ``db_path`` (read-only) to ``file`` (stdout)."""
    import sys

    from core.view import is_terminal, terminal_width

    out = file or sys.stdout
    conn = sqlite3.connect(str(db_path))
    try:
        if is_terminal(out):
            from rich.console import Console

            console = Console(file=out, markup=False, emoji=False, highlight=False)
            for part in renderables(conn, limit):
                console.print(part)
        else:
            out.write(render(conn, limit, width=terminal_width()))
    finally:
        conn.close()
