"""What each page shows, as plain data for its template: the report's tables cell by cell, the chosen
cell with its checks, diagnostics and source, the next doubtful cells the keys jump to."""

from __future__ import annotations

from dataclasses import dataclass, field

from zfxxgk_review import source as src
from zfxxgk_review.corrections import Correction
from zfxxgk_review.index import DOUBTFUL
from zfxxgk_review.labels import PROSE_TITLES, SECTION_TITLES, Table, label, tables

STATUS_NAMES = {
    "confirmed": "confirmed: a passing identity of the template reads it",
    "unconfirmed": "unconfirmed: read, but no identity checks it",
    "conflict": "conflict: a failed identity reads it",
    "unread": "unread: the document has the cell but it could not be read with certainty",
    "blank": "blank: printed blank (null, not 0)",
    "corrected": "corrected: a reviewer decided its value at the source",
}
SECTION_ORDER = ("active_disclosure", "applications", "review_litigation")


@dataclass
class CellView:
    path: str
    value: object
    status: str
    present: bool
    corrected: bool = False
    parsed: object = None


@dataclass
class TableView:
    table: Table
    #: body rows: (label cells, [CellView | None])
    body: list[tuple[list[tuple[str, int, int]], list[CellView | None]]]


@dataclass
class ReportView:
    row: dict
    report: dict
    sections: list[tuple[str, str, list[TableView]]]
    #: field paths in the order shown, and their statuses
    order: list[str]
    failed: list[dict]
    passed: int
    prose: list[tuple[str, str]]
    extra: list[CellView] = field(default_factory=list)


def _fmt_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def fmt(v) -> str:
    return _fmt_value(v)


def report_view(row: dict, report: dict) -> ReportView:
    from core.fields import FieldPath
    from zfxxgk_review.corrected import get_value, has_value

    status = report.get("status") or {}
    fixes = report.get("corrections") or {}
    fmt_ = (report.get("meta") or {}).get("format") or row.get("format") or "2021"
    single_other = "other" in (report.get("applications") or {})
    sections = []
    order: list[str] = []
    for key, tabs in tables(fmt_, single_other):
        views = []
        for t in tabs:
            body = []
            for labels, paths in t.body:
                cells: list[CellView | None] = []
                for p in paths:
                    if p is None:
                        cells.append(None)
                        continue
                    fp = FieldPath.parse(p)
                    present = has_value(report, fp) or p in status
                    fix = fixes.get(p)
                    cells.append(
                        CellView(
                            p,
                            get_value(report, fp),
                            status.get(p, "absent" if not present else ""),
                            present,
                            fix is not None,
                            fix["parsed"] if fix else None,
                        )
                    )
                    if present:
                        order.append(p)
                body.append((labels, cells))
            views.append(TableView(t, body))
        sections.append((key, SECTION_TITLES[key], views))
    shown = set(order)
    extra = [
        CellView(p, get_value(report, FieldPath.parse(p)), s, True, p in fixes)
        for p, s in status.items()
        if p not in shown
    ]
    order += [c.path for c in extra]
    checks = report.get("checks") or []
    failed = [c for c in checks if not c.get("ok")]
    prose = [
        (PROSE_TITLES[k], (report.get("text") or {}).get(k) or "")
        for k in PROSE_TITLES
        if (report.get("text") or {}).get(k)
    ]
    return ReportView(row, report, sections, order, failed, len(checks) - len(failed), prose, extra)


def jumps(view: ReportView, cell: str | None) -> dict[str, str | None]:
    """The cells the keys go to from ``cell``: next/previous doubtful, next conflict, next unread."""
    status = view.report.get("status") or {}
    order = view.order
    at = order.index(cell) if cell in order else -1

    def find(statuses, step: int) -> str | None:
        n = len(order)
        if not n:
            return None
        i = at
        for _ in range(n):
            i = (i + step) % n if i >= 0 or step > 0 else n - 1
            if status.get(order[i]) in statuses and order[i] != cell:
                return order[i]
        return None

    return {
        "next": find(DOUBTFUL, 1),
        "prev": find(DOUBTFUL, -1),
        "conflict": find(("conflict",), 1),
        "unread": find(("unread",), 1),
    }


@dataclass
class CellDetail:
    path: str
    label: str
    value: object
    status: str
    where: dict | None
    checks: list[dict]
    diagnostics: list[dict]
    correction: dict | None
    history: list[Correction]
    file: src.FileState | None = None
    text: src.TextView | None = None
    pdf: dict | None = None
    source_note: str = ""


def cell_detail(row: dict, report: dict, parsed: dict, cell: str, history: list[Correction]) -> CellDetail:
    """The chosen cell: its value and status, the checks that read it, the diagnostics about it, its
    correction and history, and where it was read (the file's state and the source around it)."""
    from core.fields import FieldPath
    from zfxxgk_review.corrected import get_value

    path = FieldPath.parse(cell)
    where = (report.get("provenance") or {}).get(cell)
    checks = [c for c in report.get("checks") or () if cell in c.get("cells", ())]
    checks.sort(key=lambda c: c.get("ok"))
    diags = [
        d
        for d in parsed.get("diagnostics") or ()
        if d.get("where") == cell or (d.get("where") and d.get("level") != "info" and path.within(d["where"]))
    ]
    d = CellDetail(
        cell,
        label(cell),
        get_value(report, path),
        (report.get("status") or {}).get(cell, ""),
        where,
        checks,
        diags,
        (report.get("corrections") or {}).get(cell),
        history,
    )
    if where is None:
        d.source_note = (
            "the cell was printed blank: no position was recorded"
            if d.status == "blank"
            else "no position was recorded for this cell"
        )
        return d
    d.file = src.file_state(row["path"], row["sha256"])
    if not d.file.readable:
        return d
    try:
        if src.is_pdf(row.get("layout"), row["path"]) and "page" in where and "bbox" in where:
            info = src.page_info(row["path"], int(where["page"]))
            x, y, w, h = info.box(where["bbox"])
            pad_x, pad_y = 90.0, 45.0
            zx, zy = max(0.0, x - pad_x), max(0.0, y - pad_y)
            d.pdf = {
                "page": info.number,
                "pages": info.pages,
                "width": info.width,
                "height": info.height,
                "box": (x, y, w, h),
                "zoom": (zx, zy, min(info.width - zx, w + 2 * pad_x), min(info.height - zy, h + 2 * pad_y)),
            }
        elif src.has_text_view(row.get("layout"), row["path"]) and "line" in where:
            d.text = src.text_view(
                row["path"], (report.get("meta") or {}).get("encoding"), where, rank=_rank(report, cell, where)
            )
        else:
            d.source_note = f"the {row.get('layout')} layout records no position inside the file for its cells"
    except (OSError, ValueError) as e:
        d.source_note = f"the source cannot be shown: {e}"
    return d


def _rank(report: dict, cell: str, where: dict) -> int:
    """Among the cells read from the same line with the same printed text, this cell's place."""
    same = [
        p
        for p, w in (report.get("provenance") or {}).items()
        if w.get("line") == where.get("line") and w.get("text") == where.get("text") and "col" not in w
    ]
    return same.index(cell) if cell in same else 0
