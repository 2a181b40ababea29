"""From a source to a checked report: choose the layout, read its rows, map them onto the template."""

from __future__ import annotations

import contextlib
import re

from core import guard, solver
from core.cells import NUMBER, read_cell
from core.checks import run_checks
from core.detect import CONFIDENT, Detection, detect
from core.diagnostics import ERROR, INFO, WARNING, Diagnostic, Notes
from core.errors import CoreError, NotAReport, UnreadableInput
from core.layout import TEXT, Cell, Document, LayoutPlugin, Note, Row
from core.meta import decide_format, find_organ, find_year
from core.placement import (
    check_s3_header,
    place_active_disclosure,
    place_applications,
    place_loose_numbers,
    place_review_litigation,
)
from core.prose import find_statements, prose_checks, stated_cells
from core.registry import BUILTIN, Registry, default_registry
from core.report import Report
from core.sections import Sections, split_sections
from core.sheet import Sheet
from core.source import Source
from core.status import cell_status
from core.tables import header_column, table_rows
from core.template import PROSE_SECTIONS, S3_COLUMN_LABELS, SECTIONS
from core.text import looks_traditional, norm, to_simplified

FIRST_TEMPLATE_YEAR = 2019
#: Most rows a layout may hand the core for one document: a long report has a few thousand, and the core
#: spends some 25 µs on each, so this bounds its work whatever layout read the file.
MAX_ROWS = 100_000
_REPORT_WORDS = re.compile(r"年度报告|年报|工作报告")


def parse_source(source: Source, registry: Registry | None = None, layout: str | None = None) -> Report:
    """Parse one source with the best layout (or the one named), and return the checked report."""
    registry = registry or default_registry()
    layouts = registry.layouts()
    _decode_once(source)
    detection = detect(source, layouts)
    if layout:
        chosen = [registry.layout(layout)]
    else:
        # Every layout that recognises the file reads it; the document's arithmetic decides among them.
        chosen = [p for p, score in detection.ranking if score >= CONFIDENT] or detection.tied
        if not chosen:
            if not source.looks_binary():
                _ = source.text  # raises the precise reason when the bytes do not decode as text
            raise UnreadableInput(f"{source.name}: no installed layout can read this file ({_what_it_is(source)})")
    attempts: list[tuple[Report, LayoutPlugin]] = []
    errors: list[tuple[LayoutPlugin, CoreError]] = []
    for plugin in chosen:
        try:
            attempts.append((build_report(*read_rows(plugin, source), plugin, detection), plugin))
        except CoreError as e:
            errors.append((plugin, e))
    if not attempts:
        raise errors[0][1]
    report, plugin = max(attempts, key=lambda rp: _quality(rp[0], detection.scores.get(rp[1].name, 0.0)))
    if errors and errors[0][0] is chosen[0]:
        # The best-scoring layout found no report in the file (page navigation in its format around a
        # report in another): another layout that recognises the file read it.
        failed = "; ".join(f"{p.name}: {e.message}" for p, e in errors)
        report.diagnostics.append(
            Diagnostic(INFO, "layout_fallback", "meta.layout", f"read with {plugin.name} after {failed}")
        )
    for _layout, err in errors:
        if isinstance(err, LayoutFault):
            report.diagnostics.append(Diagnostic(WARNING, "plugin_failed", "meta.layout", err.message))
    if len(attempts) > 1:
        names = ", ".join(f"{p.name} ({detection.scores.get(p.name, 0):.2f})" for _r, p in attempts)
        report.diagnostics.append(
            Diagnostic(
                INFO,
                "layouts_compared",
                "meta.layout",
                f"layouts that recognise the file: {names}; each read it and {plugin.name}'s reading has "
                f"the most cells the template's identities confirm",
            )
        )
    for p, reason in detection.failures:
        report.diagnostics.append(
            Diagnostic(WARNING, "plugin_failed", "meta.layout_scores", f"layout {p.name} failed to detect: {reason}")
        )
    for failure in registry.failures:
        report.diagnostics.append(Diagnostic(WARNING, "plugin_failed", "meta.layout_scores", str(failure)))
    return report


def _decode_once(source: Source) -> None:
    """Decode a text input and split its lines before the layouts get their copies, so that they share
    the work (every text layout's detect and parse reads the lines)."""
    if not source.binary:
        # the layouts that need the text raise the error themselves
        with contextlib.suppress(UnreadableInput):
            _ = source.lines  # marks only this master as read as text, never the layouts' copies


def read_rows(plugin: LayoutPlugin, master: Source) -> tuple[Document, Source]:
    """What the layout reads of its own copy of the source, and that copy (it knows whether the layout
    read the file as text)."""
    source = master.copy()
    seconds = None if plugin.origin == BUILTIN else guard.PARSE_SECONDS
    try:
        result, warning = guard.call(f"layout {plugin.name}", plugin.parse, source, seconds=seconds)
        doc = as_document(result, plugin.name)
    except guard.PluginFault as e:
        if "MemoryError" in str(e) or "RecursionError" in str(e):
            raise UnreadableInput(f"{source.name}: too large or too deeply nested to read") from None
        # a plugin bug must be one line, not a traceback, and leave the other layouts their turn
        raise LayoutFault(f"{source.name}: {e}") from None
    if not doc.rows:
        raise UnreadableInput(f"{source.name}: no text found")
    if len(doc.rows) > MAX_ROWS:
        raise UnreadableInput(f"{source.name}: {len(doc.rows):,} rows is more than any report has (limit {MAX_ROWS:,})")
    if warning:
        doc = Document(doc.rows, (*doc.notes, Note("warning", "plugin_failed", warning)), dict(doc.meta))
    return doc, source


class LayoutFault(UnreadableInput):
    """A layout's parse failed or misbehaved (a bug of the layout, not something about the file)."""


def as_document(result, layout: str = "a layout") -> Document:
    """What ``parse`` returned, as a Document; refused (one line) when it is not rows of cells."""
    doc = result if isinstance(result, Document) else None
    if doc is None:
        try:
            doc = Document(result)
        except TypeError:
            raise guard.PluginFault(f"layout {layout} returned {type(result).__name__}, not rows") from None
    rows = doc.rows
    if all(type(row) is Row for row in rows) and all(
        type(c) is Cell and type(c.text) is str for row in rows for c in row.cells
    ):
        return doc  # the common case, checked cheaply: two passes, not two generators per row
    for row in rows:
        if type(row) is Row and all(type(c) is Cell and type(c.text) is str for c in row.cells):
            continue
        if not isinstance(row, Row) or not all(isinstance(c, Cell) and isinstance(c.text, str) for c in row.cells):
            raise guard.PluginFault(f"layout {layout} returned {type(row).__name__} where rows of cells belong")
    return doc


def _quality(report: Report, score: float) -> tuple:
    """How well a reading is supported: the cells the template's identities confirm, then the cells read,
    the fewest warnings and failed checks, and the layout's own score."""
    statuses = list(report.status.values())
    confirmed = statuses.count("confirmed")
    read = confirmed + statuses.count("unconfirmed") + statuses.count("conflict")
    return (confirmed, read, -len(report.warnings), -len(report.failed_checks), score)


def _what_it_is(source: Source) -> str:
    head = source.head
    if head.startswith(b"%PDF"):
        return "a PDF"
    if head.startswith(b"PK"):
        return "a zip archive"
    return "binary data" if source.looks_binary() else "text in no known layout"


# --- building the report ----------------------------------------------------------------------------


def build_report(doc: Document, source: Source, plugin: LayoutPlugin, detection: Detection) -> Report:
    with solver.document_budget():
        return _build_report(doc, source, plugin, detection)


def _build_report(doc: Document, source: Source, plugin: LayoutPlugin, detection: Detection) -> Report:
    notes = Notes()
    rows = list(doc.rows)
    layout_meta = dict(doc.meta)
    if source.text_read:
        for level, code, message in source.decoded.notes:
            notes.add(level, code, "meta.source", message)
        layout_meta.setdefault("encoding", source.decoded.encoding)
    for n in doc.notes:
        notes.add(n.level, n.code, "meta.source", n.message)
    all_text = "\n".join(r.text for r in rows)
    script = "simplified"
    if looks_traditional(all_text):
        script = "traditional"
        rows = _simplify(rows)
        notes.add(INFO, "script_converted", "meta.script", "traditional characters converted to simplified")
    sections = split_sections(rows)
    head_text = "\n".join(r.text for r in sections.preamble)
    body_text = "\n".join(r.text for r in sections.rows("overview"))
    year, year_how = find_year(head_text, body_text)
    _refuse_if_not_a_report(sections, year, year_how, head_text)

    table_text = "\n".join(r.text for key in ("active_disclosure", "applications") for r in sections.rows(key))
    fmt, fmt_how, conflict = decide_format(table_text, year)
    if conflict:
        notes.add(
            WARNING, "format_conflict", "meta.format", f"the tables are in the {fmt} format but the report is on {year}"
        )
    meta = {
        "source": source.name,
        "layout": plugin.name,
        "layout_scores": dict(sorted(detection.scores.items(), key=lambda kv: -kv[1])),
        "format": fmt,
        "year": year,
        "organ": find_organ("\n".join(_printed(r, "|") for r in sections.preamble)),
        "script": script,
        **layout_meta,
    }
    notes.add(INFO, "year_found", "meta.year", f"statistics year {year} from the {year_how}")
    notes.add(INFO, "format_found", "meta.format", f"{fmt} format, from the {fmt_how}")

    for spec in SECTIONS:
        if spec.key not in sections.heading:
            if spec.key in PROSE_SECTIONS:
                # No number depends on a prose section; its text, when printed under another heading,
                # stays in the previous section's text.
                notes.add(
                    INFO,
                    "section_missing",
                    spec.key,
                    f"heading {spec.numeral}、{spec.titles[0]} not found; no text is given for it",
                )
            else:
                notes.add(ERROR, "section_missing", spec.key, f"section {spec.numeral}、{spec.titles[0]} was not found")
    text = {key: _prose(sections.heading[key], sections.rows(key)) for key in PROSE_SECTIONS if key in sections.heading}
    statements = find_statements(text, meta)
    sheet = Sheet()
    if "active_disclosure" in sections.heading:
        place_active_disclosure(
            table_rows(sections.rows("active_disclosure"), "active_disclosure"),
            fmt,
            sheet,
            notes,
            stated_cells(statements, fmt),
        )
    if "applications" in sections.heading:
        raw = sections.rows("applications")
        trows = table_rows(raw, "applications")
        check_s3_header(_header_text(trows), notes)
        place_applications(trows, fmt, sheet, notes, header_start=header_column(raw, S3_COLUMN_LABELS[0]))
        place_loose_numbers(
            sheet,
            notes,
            fmt,
            [
                r.cells[0]
                for r in raw
                if r.kind == TEXT and len(r.cells) == 1 and read_cell(r.cells[0].text).kind == NUMBER
            ],
        )
    if "review_litigation" in sections.heading:
        place_review_litigation(table_rows(sections.rows("review_litigation"), "review_litigation"), sheet, notes)
    checks = run_checks(sheet, fmt)
    checks += prose_checks(sheet, statements, fmt, notes)
    status = cell_status(sheet, checks, notes)
    return Report(
        meta=meta,
        active_disclosure=sheet.section("active_disclosure"),
        applications=sheet.section("applications"),
        review_litigation=sheet.section("review_litigation"),
        text=text,
        provenance=sheet.provenance(),
        status=status,
        checks=checks,
        diagnostics=notes.items,
    )


def _simplify(rows: list[Row]) -> list[Row]:
    out = []
    for row in rows:
        cells = tuple(_simplified_cell(c) for c in row.cells)
        out.append(Row(cells, row.kind))
    return out


def _simplified_cell(cell: Cell) -> Cell:
    text = to_simplified(cell.text)
    if text == cell.text:
        return cell
    # built directly: dataclasses.replace costs several times more, on every cell of a traditional report
    return Cell(text, cell.line, cell.col, cell.page, cell.bbox, cell.text, cell.unread)


def _header_text(trows) -> str:
    parts: list[str] = []
    for tr in trows:
        if tr.has_numbers:
            parts.extend(c.text for c in tr.labels[:-1])
            break
        parts.extend(c.text for c in tr.labels)
    return " ".join(parts)


def _prose(heading: Row, rows: list[Row]) -> str:
    lines = [_printed(heading)] + [_printed(r) for r in rows]
    return "\n".join(line for line in lines if line)


def _printed(row: Row, sep: str = " ") -> str:
    return sep.join((c.printed if c.printed is not None else c.text).strip() for c in row.cells if c.text.strip())


_OTHER_DOCUMENT = re.compile(r"(通知|通报|工作要点|要点|实施方案|方案|意见|办法|规定|决定|批复|函|计划|纪要)$")


def _refuse_if_not_a_report(sections: Sections, year: int | None, year_how: str, head_text: str) -> None:
    if year is not None and year < FIRST_TEMPLATE_YEAR and year_how in ("title", "statistics period"):
        raise NotAReport(
            f"report on {year} predates the 2019 template (国办公开办函〔2019〕60号); "
            f"only reports on 2019 and later are parsed"
        )
    title = next((r.text for r in sections.preamble[:8] if len(norm(r.text)) >= 6), "")
    kind = _OTHER_DOCUMENT.search(norm(title).rstrip("。.:"))
    if kind and not _REPORT_WORDS.search(norm(title)[-8:]):
        raise NotAReport(f"not an annual report: the document is a {kind.group(1)} ({title.strip()[:40]})")
    # Section titles listed in a notice have no content under them; a report's sections do.
    filled = [k for k in sections.heading if sections.rows(k)]
    has_tables = any(k in filled for k in ("applications", "review_litigation"))
    if len(filled) >= 3 and has_tables:
        return
    if year is not None and year < FIRST_TEMPLATE_YEAR:
        raise NotAReport(f"report on {year} predates the 2019 template; only reports on 2019 and later are parsed")
    if not _REPORT_WORDS.search(norm(head_text)) or len(filled) < 2:
        raise NotAReport(
            "not a government information disclosure annual report of the 2019/2021 template "
            f"({len(filled)} of its 6 sections found with content)"
        )
