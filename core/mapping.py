"""Mapping the table rows of sections 二, 三 and 四 onto the template's fields."""
from __future__ import annotations

import re
from collections import defaultdict

from core.labels import similarity
from core.report import ERROR, INFO, WARNING, Report
from core.tables import Fit, Slot, TableRow, fit_values, grid_start
from core.template import (S2_AMOUNTS_AS_PRINTED, S2_ROWS, S3_COLUMN_LABELS, S3_COLUMNS, S3_ROWS,
                           S4_FIELDS, S3Row, s3_groups)
from core.text import norm, split_numbering
from core.values import AMOUNT, BLANK, LABEL, UNREAD

_REMARK = re.compile(r"\(.*\)$")
ROW_MATCH_MIN = 65.0
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
        if not tr.has_numbers or tr.label is None:
            continue
        num, key = split_numbering(norm(tr.label.text))
        best, best_score = None, 0.0
        for spec in specs:
            s = max(similarity(key, norm(label)) for label in spec.labels)
            if s > best_score:
                best, best_score = spec, s
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

class _S3Matcher:
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
        main = _main(key)
        best, best_score = None, 0.0
        for i, (r, (full, rmain)) in enumerate(zip(self.spec, self._keys)):
            s = max(similarity(key, full), similarity(main, rmain))
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


def _row_sum_ok(slots: list[Slot]) -> bool:
    nums = [s.reading.value or 0 for s in slots]
    if any(s.reading.kind == LABEL for s in slots):
        return False
    if any(s.reading.kind == UNREAD for s in slots):
        return True
    return sum(nums[:6]) == nums[6]


def map_applications(rows: list[TableRow], fmt: str, report: Report, header_start: int | None = None) -> None:
    """Place section 三's rows; ``header_start`` is the index of the 自然人 header cell in a gridded table."""
    m = _S3Matcher(fmt)
    cursor, group = 0, None
    placed: dict[str, tuple[TableRow, str]] = {}
    for tr in rows:
        for cell in tr.labels[:-1] if tr.has_numbers else tr.labels:
            g = m.group_of(cell.text)
            if g:
                group = g
        if not tr.has_numbers:
            continue
        target, how = None, "label"
        if tr.label is not None:
            g = m.group_of(tr.label.text)
            if g:
                group, target, how = g, m.first_of(g), "position"
            else:
                target, _score = m.match(tr.label.text, cursor, group)
                if target is None:
                    report.note(WARNING, "row_not_recognised", "applications",
                                f"row {tr.label.text.strip()!r} with numbers matches no row of section 三")
                    continue
                if m.spec[m.index[target]].group is None:
                    group = None
        else:
            nxt = m.spec[cursor] if cursor < len(m.spec) else None
            if nxt is not None and nxt.group is not None and nxt.group == group:
                target, how = nxt.id, "position"
            else:
                report.note(WARNING, "row_not_placed", "applications",
                            "a row of numbers without a label follows no group it could belong to")
                continue
        if target in placed:
            report.note(WARNING, "duplicate_row", f"applications.{target}",
                        "two rows of section 三 map to this row; the first is kept")
            continue
        placed[target] = (tr, how)
        cursor = m.index[target] + 1
        if m.spec[cursor - 1].group:
            group = m.spec[cursor - 1].group

    # Rows placed by position are certain only when their group has exactly its template rows.
    by_group: dict[str, list[str]] = defaultdict(list)
    for rid, (_tr, how) in placed.items():
        if how == "position":
            by_group[m.spec[m.index[rid]].group].append(rid)
    for g, rids in by_group.items():
        members = [r.id for r in m.spec if r.group == g]
        missing = [r for r in members if r not in placed]
        name = f"{m.groups[g].number}{m.groups[g].label}"
        if missing:
            for rid in rids:
                placed[rid] = (TableRow(values=[]), "uncertain")
            report.note(WARNING, "row_placed_by_position", f"applications.{g}",
                        f"{len(rids)} row(s) of group {name} printed without labels, and the group lacks "
                        f"{len(missing)} row(s): which row is which is uncertain, so their cells are null")
        else:
            report.note(INFO, "row_placed_by_position", f"applications.{g}",
                        f"{len(rids)} row(s) of group {name} printed without labels; placed by their position "
                        f"in the group, which has exactly its {len(members)} rows: " + ", ".join(rids))

    start = grid_start([tr for tr, _how in placed.values() if tr.values], len(S3_COLUMNS), header_start)
    for r in m.spec:
        if r.id not in placed:
            report.note(WARNING, "row_not_found", f"applications.{r.id}",
                        f"section 三 has no row {r.number} {r.label}")
            continue
        tr, how = placed[r.id]
        if how == "uncertain":
            report.applications[r.id] = {c: None for c in S3_COLUMNS}
            continue
        offset = None if start is None or tr.start is None else start - tr.start
        fit = fit_values(tr.values, len(S3_COLUMNS), consistent=_row_sum_ok, offset=offset)
        _fit_note(report, f"applications.{r.id}", fit, "values_fitted")
        report.applications[r.id] = {
            col: _store(report, "applications", f"{r.id}.{col}", slot)
            for col, slot in zip(S3_COLUMNS, fit.slots)
        }


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
