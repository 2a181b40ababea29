"""Mapping the table rows of sections 二, 三 and 四 onto the template's fields."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import fuzz

from core.labels import similarity
from core.report import ERROR, INFO, WARNING, Report
from core.tables import Fit, Slot, TableRow, fit_values, grid_start
from core.template import (S2_AMOUNTS_AS_PRINTED, S2_ROWS, S3_COLUMN_LABELS, S3_COLUMNS, S3_ROWS,
                           S4_FIELDS, S3Row, s3_groups)
from core.text import norm, split_numbering
from core.values import AMOUNT, BLANK, LABEL, NUMBER, UNREAD, read_cell

_REMARK = re.compile(r"\(.*\)$")
_ratio = lru_cache(maxsize=16384)(fuzz.ratio)
_COLUMN_WORDS = frozenset(S3_COLUMN_LABELS) | {"申请人情况", "法人或其他组织", "法人或其他"}
ROW_MATCH_MIN = 65.0
#: A row with no number at all is taken for a template row only on a near-exact label.
BLANK_ROW_MATCH_MIN = 85.0
GROUP_MATCH_MIN = 90.0


def _main(key: str) -> str:
    """A label without its trailing remark in brackets ("部分公开(区分处理的…)" -> "部分公开")."""
    return _REMARK.sub("", key) or key


# --- writing values ---------------------------------------------------------------------------------

def _store(report: Report, section: str, path: str, slot: Slot | None, field_key: str | None = None,
           as_printed: bool = False):
    """Write one value with its provenance and any repair; return the value written."""
    where = f"{section}.{path}"
    if slot is None:
        report.note(WARNING, "cell_not_read", where, "the value of this cell could not be placed with certainty")
        value = None
    elif slot.reading.kind == UNREAD:
        report.note(WARNING, "cell_not_read", where, slot.reading.repair[1])
        value = None
    elif slot.reading.kind == LABEL:
        report.note(WARNING, "cell_not_read", where,
                    f"text {slot.cell.text.strip()!r} printed where a number was expected")
        value = None
    elif slot.reading.kind == BLANK:
        value = None
        if slot.reading.repair:
            report.note(INFO, slot.reading.repair[0], where, slot.reading.repair[1])
    else:
        value = slot.reading.value
        if as_printed and slot.reading.kind == AMOUNT:
            value = slot.reading.printed
        if slot.reading.repair:
            report.note(INFO, slot.reading.repair[0], where, slot.reading.repair[1])
    if slot is not None and slot.cell is not None:
        report.provenance[where] = slot.cell.where()
    return value


def _fit_note(report: Report, where: str, fit: Fit, code: str):
    if fit.note:
        level, message = fit.note
        report.note(level, code, where, message)


# --- section 二 ------------------------------------------------------------------------------------

def map_active_disclosure(rows: list[TableRow], fmt: str, report: Report) -> None:
    specs = S2_ROWS[fmt]
    seen: set[str] = set()
    for tr in rows:
        if tr.label is None or not (tr.has_numbers or _printed_blank(tr, 1)):
            continue
        num, key = split_numbering(norm(tr.label.text))
        best, best_score = None, 0.0
        for spec in specs:
            s = max(similarity(key, norm(label)) for label in spec.labels)
            if s > best_score:
                best, best_score = spec, s
        if not tr.has_numbers and (best is None or best_score < BLANK_ROW_MATCH_MIN
                                   or not _printed_blank(tr, len(best.columns))):
            continue
        if best is None or best_score < 75:
            report.note(WARNING, "row_not_recognised", f"active_disclosure",
                        f"row {tr.label.text.strip()!r} with numbers matches no row of section 二")
            continue
        if best.id in seen:
            report.note(WARNING, "duplicate_row", f"active_disclosure.{best.id}",
                        f"row {tr.label.text.strip()!r} appears twice; the first is kept")
            continue
        seen.add(best.id)
        fit = fit_values(tr.values, len(best.columns))
        _fit_note(report, f"active_disclosure.{best.id}", fit, "values_fitted")
        for (col, _label), slot in zip(best.columns, fit.slots):
            fid = best.field(col)
            report.active_disclosure[fid] = _store(report, "active_disclosure", fid, slot,
                                                   as_printed=(fmt, fid) in S2_AMOUNTS_AS_PRINTED)
    for spec in specs:
        if spec.id not in seen:
            report.note(WARNING, "row_not_found", f"active_disclosure.{spec.id}",
                        f"section 二 has no row {spec.labels[0]!r}")


# --- section 三 ------------------------------------------------------------------------------------

class S3Matcher:
    """Places section-三 rows on template rows, reading labels in document order."""

    def __init__(self, fmt: str):
        self.fmt = fmt
        self.spec: tuple[S3Row, ...] = S3_ROWS[fmt]
        self.index = {r.id: i for i, r in enumerate(self.spec)}
        self.groups = {g.key: g for g in s3_groups(fmt)}
        self._keys = [(norm(r.label), _main(norm(r.label))) for r in self.spec]

    def group_of(self, text: str) -> str | None:
        """The group whose heading this label is ("(三)不予公开" -> "denied"), if any."""
        num, key = split_numbering(norm(text))
        if num.isdigit():
            return None
        for g in self.groups.values():
            if num and num != g.number:
                continue
            if similarity(key, g.label) >= GROUP_MATCH_MIN:
                return g.key
        return None

    def first_of(self, group: str) -> str:
        return next(r.id for r in self.spec if r.group == group)

    def match(self, text: str, cursor: int, group: str | None) -> tuple[str | None, float]:
        num, key = split_numbering(norm(text))
        if not num and key in _COLUMN_WORDS:
            # A header cell ("其他", "总计" of the applicant columns) is never a row's label by itself.
            return None, 0.0
        main = _main(key)
        best, best_score = None, 0.0
        for i, (r, (full, rmain)) in enumerate(zip(self.spec, self._keys)):
            # Remarks in brackets ("…不计其他情形") are compared whole, never searched for a part.
            s = max(_ratio(key, full), similarity(main, rmain))
            if num:
                same_level = num.isdigit() == r.number.isdigit()
                if num == r.number:
                    s += 10
                elif same_level:
                    s -= 15
            if group and r.group and r.group != group:
                s -= 10
            s -= 2 * max(0, i - cursor) if i >= cursor else 25
            if s > best_score:
                best, best_score = r.id, s
        if best_score < ROW_MATCH_MIN:
            return None, best_score
        return best, best_score


def _printed_blank(tr: TableRow, n: int) -> bool:
    """A labelled row that prints at least ``n`` value cells, all of them blank."""
    return tr.label is not None and len(tr.values) >= n and all(v.reading.kind == BLANK for v in tr.values)


def _row_sum_ok(slots: list[Slot]) -> bool:
    nums = [s.reading.value or 0 for s in slots]
    if any(s.reading.kind == LABEL for s in slots):
        return False
    if any(s.reading.kind == UNREAD for s in slots):
        return True
    return sum(nums[:6]) == nums[6]


def map_applications(rows: list[TableRow], fmt: str, report: Report, header_start: int | None = None) -> None:
    """Place section 三's rows; ``header_start`` is the index of the 自然人 header cell in a gridded table.

    Labelled rows are anchored on template rows in document order. Rows of numbers printed without a
    label (their labels lost, or floating elsewhere as loose text) are placed by position only where that
    is forced: between two anchors, when they are exactly as many as the template rows missing there.
    """
    m = S3Matcher(fmt)
    placed: dict[str, tuple[TableRow, str]] = {}
    sequence: list[tuple[str | None, TableRow]] = []   # (anchored row id, row) or (None, orphan row)
    cursor, group, pending = 0, None, 0
    for tr in rows:
        for cell in tr.labels[:-1] if tr.has_numbers else tr.labels:
            g = m.group_of(cell.text)
            if g:
                group = g
        if not tr.has_numbers:
            if _printed_blank(tr, len(S3_COLUMNS)):
                # A row printed with every cell blank is present and unfilled (nulls), not missing.
                target, score = m.match(tr.label.text, cursor + pending, group)
                if target is not None and score >= BLANK_ROW_MATCH_MIN and target not in placed:
                    placed[target] = (tr, "label")
                    sequence.append((target, tr))
                    cursor, pending = m.index[target] + 1, 0
            continue
        if tr.label is None:
            sequence.append((None, tr))
            pending += 1
            continue
        g = m.group_of(tr.label.text)
        if g:
            # The group's label with numbers beside it: its first row, whose own label was lost.
            group, target, how = g, m.first_of(g), "group"
        else:
            target, _score = m.match(tr.label.text, cursor + pending, group)
            how = "label"
            if target is None:
                report.note(WARNING, "row_not_recognised", "applications",
                            f"row {tr.label.text.strip()!r} with numbers matches no row of section 三")
                continue
        if target in placed:
            report.note(WARNING, "duplicate_row", f"applications.{target}",
                        "two rows of section 三 map to this row; the first is kept")
            continue
        placed[target] = (tr, how)
        sequence.append((target, tr))
        cursor, pending = m.index[target] + 1, 0
        group = m.spec[cursor - 1].group or (group if how == "group" else None)
    _place_orphans(m, sequence, placed, report)

    start = grid_start([tr for tr, _how in placed.values() if tr.values], len(S3_COLUMNS), header_start)
    for r in m.spec:
        if r.id not in placed:
            report.note(WARNING, "row_not_found", f"applications.{r.id}",
                        f"section 三 has no row {r.number} {r.label}")
            continue
        tr, how = placed[r.id]
        if how == "uncertain":
            report.note(WARNING, "cell_not_read", f"applications.{r.id}",
                        "this row's numbers could not be told from its neighbours'")
            report.applications[r.id] = {c: None for c in S3_COLUMNS}
            continue
        offset = None if start is None or tr.start is None else start - tr.start
        fit = fit_values(tr.values, len(S3_COLUMNS), consistent=_row_sum_ok, offset=offset)
        _fit_note(report, f"applications.{r.id}", fit, "values_fitted")
        report.applications[r.id] = {
            col: _store(report, "applications", f"{r.id}.{col}", slot)
            for col, slot in zip(S3_COLUMNS, fit.slots)
        }


def _place_orphans(m: S3Matcher, sequence, placed: dict, report: Report) -> None:
    """Give rows without labels the template rows missing between their anchors, when that is forced."""
    index = -1
    orphans: list[TableRow] = []
    for rid, tr in sequence + [(_END, None)]:
        if rid is None:
            orphans.append(tr)
            continue
        nxt = len(m.spec) if rid == _END else m.index[rid]
        if orphans:
            missing = [r.id for r in m.spec[index + 1:nxt] if r.id not in placed]
            after = m.spec[index].id if index >= 0 else "the table's start"
            before = m.spec[nxt].id if nxt < len(m.spec) else "the table's end"
            if len(orphans) == len(missing):
                for row_id, orphan in zip(missing, orphans):
                    placed[row_id] = (orphan, "position")
                report.note(INFO, "row_placed_by_position", f"applications.{missing[0]}",
                            f"{len(orphans)} row(s) printed without labels between {after} and {before}, "
                            f"exactly the template rows missing there: " + ", ".join(missing))
            else:
                for row_id in missing:
                    placed[row_id] = (TableRow(values=[]), "uncertain")
                report.note(WARNING, "row_placed_by_position", f"applications.{after}",
                            f"{len(orphans)} row(s) printed without labels between {after} and {before}, "
                            f"where {len(missing)} template row(s) are missing: which is which is uncertain, "
                            f"so those rows are null" + (": " + ", ".join(missing) if missing else ""))
            orphans = []
        if rid != _END:
            index = max(index, m.index[rid])
    for rid, (_tr, how) in placed.items():
        if how == "group":
            report.note(INFO, "row_placed_by_position", f"applications.{rid}",
                        "row printed with its group's label only: it is the group's first row")


_END = "<end>"


def check_s3_header(header_text: str, report: Report) -> None:
    """Say so when the applicant columns are not named; the template's order is then assumed."""
    key = norm(header_text)
    absent = [lab for lab in S3_COLUMN_LABELS if lab not in key]
    if absent and len(absent) > 2:
        report.note(INFO, "columns_assumed", "applications",
                    "applicant column headers not found; the template's column order is assumed")


# --- section 四 ------------------------------------------------------------------------------------

def _s4_ok(slots: list[Slot]) -> bool:
    if any(s.reading.kind == LABEL for s in slots):
        return False
    if any(s.reading.kind == UNREAD for s in slots):
        return True
    nums = [s.reading.value or 0 for s in slots]
    return all(sum(nums[g * 5:g * 5 + 4]) == nums[g * 5 + 4] for g in range(3))


def map_review_litigation(rows: list[TableRow], report: Report) -> None:
    data = [tr for tr in rows if tr.has_numbers]
    if not data:
        report.note(ERROR, "table_not_found", "review_litigation", "section 四 has no row of numbers")
        return
    n = len(S4_FIELDS)
    whole = [tr for tr in data if sum(1 for s in tr.values if s.reading.kind != BLANK) == n]
    if len(whole) == 1:
        values = whole[0].values
    else:
        values = []
        for tr in data:
            vals = list(tr.values)
            while vals and vals[-1].reading.kind == BLANK:
                vals.pop()
            values.extend(vals)
    fit = fit_values(values, n, consistent=_s4_ok)
    _fit_note(report, "review_litigation", fit, "values_fitted")
    for (g, c), slot in zip(S4_FIELDS, fit.slots):
        report.review_litigation.setdefault(g, {})[c] = _store(report, "review_litigation", f"{g}.{c}", slot)


# --- values printed outside their cell --------------------------------------------------------------

def place_loose_numbers(report: Report, fmt: str, loose: list) -> None:
    """Put back a number that a converter printed on a line of its own, outside its table cell.

    Only into a section-三 row that has exactly one blank cell, and only when the row's own sum and a
    column identity both require exactly that printed number there: the document's arithmetic decides,
    and the number is one the document prints. Anything less certain stays blank.
    """
    from core.template import APPLICANT_COLUMNS, s3_result_rows

    if not loose:
        return
    apps = report.applications
    results = s3_result_rows(fmt)
    unused = list(loose)

    def cell(row, col):
        return apps.get(row, {}).get(col)

    def column_needs(row, col):
        needs = []
        if all(r in apps for r in results + ("total",)):
            parts = {r: cell(r, col) for r in results}
            if row == "total" and None not in parts.values():
                needs.append(sum(parts.values()))
            elif row in results and cell("total", col) is not None and \
                    all(v is not None for r, v in parts.items() if r != row):
                needs.append(cell("total", col) - sum(v for r, v in parts.items() if r != row))
        sides = {"new_received": 1, "carried_over": 1, "total": -1, "carried_forward": -1}
        if row in sides and all(r in apps for r in sides):
            others = {r: cell(r, col) for r in sides if r != row}
            if None not in others.values():
                rest = sum(sides[r] * v for r, v in others.items())
                needs.append(-rest * sides[row])
        return needs

    for row, cols in apps.items():
        blanks = [c for c, v in cols.items() if v is None]
        if len(blanks) != 1 or f"applications.{row}.{blanks[0]}" in _warned(report):
            continue
        col = blanks[0]
        if col == "total":
            row_need = sum(cols[c] for c in APPLICANT_COLUMNS)
        else:
            row_need = cols["total"] - sum(cols[c] for c in APPLICANT_COLUMNS if c != col)
        needs = column_needs(row, col)
        if not needs or any(n != row_need for n in needs):
            continue
        match = [c for c in unused if read_cell(c.text).value == row_need]
        if not match:
            continue
        unused.remove(match[0])
        cols[col] = row_need
        where = f"applications.{row}.{col}"
        report.provenance[where] = match[0].where()
        report.note(INFO, "displaced_value", where,
                    f"cell printed blank, and {match[0].text.strip()!r} printed on a line of its own nearby "
                    f"is exactly what the row's sum and the column's identity require there")


def _warned(report: Report) -> set[str]:
    return {d.where for d in report.diagnostics if d.level != INFO}
