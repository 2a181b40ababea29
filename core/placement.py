"""Placing the table rows of sections 二, 三 and 四 on the template's cells: each row on its template row,
each value under its column, written once into the report's :class:`core.sheet.Sheet`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz

from core import solver
from core.cells import AMOUNT, BLANK, LABEL, NUMBER, UNREAD, CellReading, read, read_cell
from core.diagnostics import ERROR, INFO, WARNING, Notes
from core.fields import FieldPath
from core.labels import similarity
from core.layout import Cell
from core.sheet import BLANK as PRINTED_BLANK
from core.sheet import READ, Sheet, Value
from core.sheet import UNREAD as NOT_READ
from core.tables import Columns, Fit, Slot, TableRow, fit_values, grid_start
from core.template import (
    APPLICANT_COLUMNS,
    S2_AMOUNTS_AS_PRINTED,
    S2_ROWS,
    S3_COLUMN_LABELS,
    S3_COLUMNS,
    S4_FIELDS,
    S3Row,
    identities,
    s3_groups,
    s3_rows,
)
from core.text import norm, split_numbering

_REMARK = re.compile(r"\(.*\)$")
_ratio = lru_cache(maxsize=16384)(fuzz.ratio)
_COLUMN_WORDS = frozenset(S3_COLUMN_LABELS) | {"申请人情况", "法人或其他组织", "法人或其他"}
ROW_MATCH_MIN = 65.0
#: A row with no number at all is taken for a template row only on a near-exact label.
BLANK_ROW_MATCH_MIN = 85.0
GROUP_MATCH_MIN = 90.0
S2_ROW_MATCH_MIN = 75.0

APPS, S2, S4 = "applications", "active_disclosure", "review_litigation"


def _main(key: str) -> str:
    """A label without its trailing remark in brackets ("部分公开(区分处理的…)" -> "部分公开")."""
    return _REMARK.sub("", key) or key


# --- writing values ---------------------------------------------------------------------------------


def store(
    sheet: Sheet,
    notes: Notes,
    path: FieldPath,
    slot: Slot | None,
    as_printed: bool = False,
    inferred: str | None = None,
) -> None:
    """Write one cell: its value or why it could not be read, its provenance, and any certain repair."""
    if slot is None:
        reason = "the value of this cell could not be placed with certainty"
        notes.add(WARNING, "cell_not_read", str(path), reason)
        sheet.put(path, Value(NOT_READ, None, None, reason=reason))
        return
    cell, reading = slot.cell, slot.reading
    kind = reading.kind
    if kind == UNREAD:
        reason = reading.repair[1] if reading.repair else "the cell could not be read"
        notes.add(WARNING, "cell_not_read", str(path), reason)
        sheet.put(path, Value(NOT_READ, None, cell, reason=reason))
        return
    if kind == LABEL or (kind not in (BLANK, AMOUNT) and reading.value is None):
        text = cell.text.strip() if cell is not None else ""
        reason = f"text {text!r} printed where a number was expected"
        notes.add(WARNING, "cell_not_read", str(path), reason)
        sheet.put(path, Value(NOT_READ, None, cell, reason=reason))
        return
    if reading.repair:
        notes.add(INFO, reading.repair[0], str(path), reading.repair[1])
    if kind == BLANK:
        sheet.put(path, Value(PRINTED_BLANK, None, cell, inferred))
        return
    value = reading.printed if as_printed and kind == AMOUNT else reading.value
    sheet.put(path, Value(READ, value, cell, inferred))


def _fit_note(notes: Notes, where: str, fit: Fit, code: str) -> None:
    if fit.note:
        level, message = fit.note
        notes.add(level, code, where, message)


def _fitted(fit: Fit) -> str | None:
    """How a fitted row's values were placed: None when each was printed in its own column."""
    return "fitted" if fit.note else None


# --- section 二 ------------------------------------------------------------------------------------


def place_active_disclosure(
    rows: list[TableRow], fmt: str, sheet: Sheet, notes: Notes, stated: dict[FieldPath, list] | None = None
) -> None:
    """Place section 二's rows; ``stated``: numbers the prose states for its cells (by cell), which decide
    among the splits of a run of glued digits."""
    specs = S2_ROWS[fmt]
    seen: set[str] = set()
    columns = Columns(rows)
    for tr in rows:
        if tr.label is None or not (tr.has_numbers or _printed_blank(tr, 1)):
            continue
        _num, key = split_numbering(norm(tr.label.text))
        best, best_score = None, 0.0
        for spec in specs:
            s = max(similarity(key, norm(label)) for label in spec.labels)
            if s > best_score:
                best, best_score = spec, s
        if not tr.has_numbers and (
            best is None or best_score < BLANK_ROW_MATCH_MIN or not _printed_blank(tr, len(best.columns))
        ):
            continue
        if best is None or best_score < S2_ROW_MATCH_MIN:
            notes.add(
                WARNING,
                "row_not_recognised",
                S2,
                f"row {tr.label.text.strip()!r} with numbers matches no row of section 二",
            )
            continue
        if best.id in seen:
            notes.add(
                WARNING,
                "duplicate_row",
                f"{S2}.{best.id}",
                f"row {tr.label.text.strip()!r} appears twice; the first is kept",
            )
            continue
        seen.add(best.id)
        if tr.glued:
            slots: Sequence[Slot | None]
            slots, inferred = _s2_run(tr, fmt, best.id, stated or {}, notes)
        else:
            fit = fit_values(tr.values, len(best.columns), columns=columns)
            _fit_note(notes, f"{S2}.{best.id}", fit, "values_fitted")
            slots, inferred = fit.slots, _fitted(fit)
        for col, slot in zip(best.columns, slots):
            store(
                sheet,
                notes,
                FieldPath(S2, best.id, col.id),
                slot,
                as_printed=(fmt, best.field(col.id)) in S2_AMOUNTS_AS_PRINTED,
                inferred=inferred,
            )
    for spec in specs:
        if spec.id not in seen:
            notes.add(WARNING, "row_not_found", f"{S2}.{spec.id}", f"section 二 has no row {spec.labels[0]!r}")


def _s2_run(tr: TableRow, fmt: str, row: str, stated: dict, notes: Notes) -> tuple[list[Slot | None], str | None]:
    """A section-二 row printed as a run of glued digits: its splits, narrowed by what the prose states
    about its cells when the digits alone do not decide."""
    run = tr.values[0].cell
    assert run is not None
    rs = solver.split_run(run.text, solver.s2_shape(fmt, row))
    spec = next(r for r in S2_ROWS[fmt] if r.id == row)
    said = [(i, st) for i, c in enumerate(spec.columns) for st in stated.get(FieldPath(S2, row, c.id), [])]
    if not rs.splits or len(rs.splits) < 2 or not said:
        cells = solver.cells_of(rs)
        return _run_slots(tr, cells), _split_how(tr, cells)
    keep = [k for k, split in enumerate(rs.splits) if all(split[i].value == st.number for i, st in said)]
    if not keep:  # the prose contradicts every split: the prose check says so, the digits stay undecided
        return _run_slots(tr, solver.cells_of(rs)), "split"
    clauses = "; ".join(f"“{st.clause}”" for _i, st in said)
    cells = solver.cells_of(rs, keep, f"; the text says {clauses}")
    if len(keep) < len(rs.splits):
        notes.add(
            INFO,
            "decided_by_prose",
            f"{S2}.{row}",
            f"{run.text!r} splits {len(rs.splits)} ways; the text says {clauses}, which leaves {len(keep)}",
        )
    return _run_slots(tr, cells), "prose"


# --- section 三 ------------------------------------------------------------------------------------


class S3Matcher:
    """Places section-三 rows on template rows, reading labels in document order."""

    def __init__(self, fmt: str, single_other: bool = False):
        self.fmt = fmt
        self.single_other = single_other
        self.spec: tuple[S3Row, ...] = s3_rows(fmt, single_other)
        self.index = {r.id: i for i, r in enumerate(self.spec)}
        self.groups = {g.key: g for g in s3_groups(fmt, single_other)}
        self._keys = [(norm(r.label), _main(norm(r.label))) for r in self.spec]

    def group_of(self, text: str) -> str | None:
        """The group whose heading this label is ("(三)不予公开" -> "denied"), if any."""
        return _group_of(self.fmt, self.single_other, text)

    def _group(self, text: str) -> str | None:
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
        """The template row a label stands for, read with the cursor (the next row expected) and the group
        it is printed in, and its score; (None, score) when no row matches well enough."""
        return _match(self.fmt, self.single_other, text, cursor, group)

    def _scores(self, text: str, cursor: int, group: str | None) -> tuple[str | None, float]:
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


@lru_cache(maxsize=16384)
def _match(fmt: str, single_other: bool, text: str, cursor: int, group: str | None) -> tuple[str | None, float]:
    # The same labels come back in every report: the scores of a label at a place are computed once.
    # Keyed by the flag, not by the template's rows: hashing a tuple of 25 dataclasses costs microseconds.
    return matcher(fmt, single_other)._scores(text, cursor, group)


@lru_cache(maxsize=16384)
def _group_of(fmt: str, single_other: bool, text: str) -> str | None:
    # every label of a table is asked for its group, in every report: once per label
    return matcher(fmt, single_other)._group(text)


@lru_cache(maxsize=8)
def matcher(fmt: str, single_other: bool) -> S3Matcher:
    """The matcher of a format (it holds only the template's rows: built once, never changed)."""
    return S3Matcher(fmt, single_other)


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


def place_applications(
    rows: list[TableRow], fmt: str, sheet: Sheet, notes: Notes, header_start: int | None = None
) -> None:
    """Place section 三's rows; ``header_start`` is the index of the 自然人 header cell in a gridded table.

    Labelled rows are anchored on template rows in document order. Rows of numbers printed without a
    label (their labels lost, or floating elsewhere as loose text) are placed by position only where that
    is forced: between two anchors, when they are exactly as many as the template rows missing there.
    """
    m = matcher(fmt, fmt != "2019" and _other_printed_as_one_row(rows, fmt))
    placed: dict[str, tuple[TableRow, str]] = {}
    sequence: list[tuple[str | None, TableRow]] = []  # (anchored row id, row) or (None, orphan row)
    cursor, group, pending = 0, None, 0
    for tr in rows:
        for cell in tr.labels[:-1] if tr.has_numbers else tr.labels:
            g = m.group_of(cell.text)
            if g:
                group = g
        if not tr.has_numbers:
            if _printed_blank(tr, len(S3_COLUMNS)):
                # A row printed with every cell blank is present and unfilled (nulls), not missing.
                assert tr.label is not None
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
            found, _score = m.match(tr.label.text, cursor + pending, group)
            how = "label"
            if found is None:
                notes.add(
                    WARNING,
                    "row_not_recognised",
                    APPS,
                    f"row {tr.label.text.strip()!r} with numbers matches no row of section 三",
                )
                continue
            target = found
        if target in placed:
            notes.add(
                WARNING,
                "duplicate_row",
                f"{APPS}.{target}",
                "two rows of section 三 map to this row; the first is kept",
            )
            continue
        placed[target] = (tr, how)
        sequence.append((target, tr))
        cursor, pending = m.index[target] + 1, 0
        group = m.spec[cursor - 1].group or (group if how == "group" else None)
    _place_orphans(m, sequence, placed, notes)

    start = grid_start(
        [tr for tr, _how in placed.values() if tr.values and not tr.glued], len(S3_COLUMNS), header_start
    )
    values = _s3_values(m, placed, fmt, start)
    for r in m.spec:
        if r.id not in placed:
            notes.add(WARNING, "row_not_found", f"{APPS}.{r.id}", f"section 三 has no row {r.number} {r.label}")
            continue
        tr, how = placed[r.id]
        if how == "uncertain":
            reason = "this row's numbers could not be told from its neighbours'"
            notes.add(WARNING, "cell_not_read", f"{APPS}.{r.id}", reason)
            for col in S3_COLUMNS:
                sheet.put(FieldPath(APPS, r.id, col), Value(NOT_READ, reason=reason))
            continue
        slots, inferred, note = values[r.id]
        if note:
            notes.add(note[0], "values_fitted", f"{APPS}.{r.id}", note[1])
        if how in ("position", "group"):
            inferred = "position"
        for path, slot in zip(_s3_paths(r.id), slots):
            store(sheet, notes, path, slot, inferred=inferred)


@lru_cache(maxsize=256)
def _s3_paths(row: str) -> tuple[FieldPath, ...]:
    """The paths of a section-三 row's cells, in column order (made once per template row)."""
    return tuple(FieldPath(APPS, row, col) for col in S3_COLUMNS)


Placed = tuple[Sequence[Slot | None], str | None, tuple[str, str] | None]


def _s3_values(m: S3Matcher, placed: dict, fmt: str, start: int | None) -> dict[str, Placed]:
    """Each placed row's seven cells, how they were placed, and a note on it.

    A row printed cell by cell whose values fit its columns is read as printed. A row that leaves doubt —
    a run of glued digits, or fewer values than columns with more than one place for the blanks — keeps
    every placement its own sum allows, and the column identities across the table's rows decide among
    them (the rows read as printed take part with their values): the document's arithmetic decides, and
    a cell it does not decide is unread with its candidates.
    """
    order = [r.id for r in m.spec if r.id in placed and placed[r.id][1] != "uncertain"]
    as_cells = _spaced_table([placed[rid][0] for rid in order], len(S3_COLUMNS), _row_sum_ok)
    placed = {**placed, **{rid: (tr, placed[rid][1]) for rid, tr in zip(order, as_cells)}}
    columns = Columns([placed[rid][0] for rid in order])
    out: dict[str, Placed] = {}
    fits: dict[str, Fit] = {}
    for rid in order:
        tr = placed[rid][0]
        if tr.glued:
            continue
        offset = None if start is None or tr.start is None else start - tr.start
        fits[rid] = fit = fit_values(
            tr.values, len(S3_COLUMNS), consistent=_row_sum_ok, offset=offset, columns=columns, columns_decide=True
        )
        out[rid] = (fit.slots, _fitted(fit), fit.note)
    doubtful = [rid for rid in order if placed[rid][0].glued or None in fits[rid].slots]
    if not doubtful:
        return out
    rows: list[solver.RowSplits | None] = []
    for rid in order:
        tr = placed[rid][0]
        rows.append(solver.split_run(tr.values[0].cell.text, solver.S3_SHAPE) if tr.glued else _as_splits(fits[rid]))
    keep, note = solver.solve_rows(rows, solver.s3_tiers(order, fmt))
    for rid, rs, k in zip(order, rows, keep):
        tr = placed[rid][0]
        many = rs is not None and rs.splits is not None and len(rs.splits) > 1 and (k is None or len(k) > 1)
        context = (f"; {note}" if note else "; the row and column sums allow each") if many else ""
        if tr.glued:
            assert rs is not None
            cells = solver.cells_of(rs, k, context)
            out[rid] = (_run_slots(tr, cells), _split_how(tr, cells), None)
        elif rid in doubtful and rs is not None and k is not None and rs.splits and len(k) < len(rs.splits):
            out[rid] = _decided(fits[rid], k, context)
    return out


def _as_splits(fit: Fit) -> solver.RowSplits | None:
    """The placements of a row printed cell by cell, as splits the column identities can combine."""
    pool = fit.pool if fit.pool else [fit.slots]
    if any(s is None or s.reading.kind in (LABEL, UNREAD) for cand in pool for s in cand):
        return None
    splits = [
        tuple(
            solver.Piece(s.cell.text if s is not None and s.cell else "", 0, 0, s.reading.value if s else None)
            for s in cand
        )
        for cand in pool
    ]
    return solver.RowSplits("", solver.S3_SHAPE, splits, True)


def _decided(fit: Fit, keep: list[int], context: str) -> Placed:
    """A row whose placements the column identities narrowed: the cells the survivors agree on."""
    assert fit.pool is not None
    pool = [fit.pool[i] for i in keep]
    slots: list[Slot | None] = []
    for col in range(len(S3_COLUMNS)):
        column = [cand[col] for cand in pool]
        agreed = len({(s.reading.kind, s.reading.value) for s in column}) == 1
        slots.append(column[0] if agreed else None)
    if None in slots:
        return (
            slots,
            "fitted",
            (
                "warning",
                f"{len(pool)} placements of its values fit the table's "
                f"sums{context}; the cells they disagree on are not read",
            ),
        )
    hows = {fit.hows[i] for i in keep} if fit.hows else {""}
    how = f", read {hows.pop()}" if len(hows) == 1 and "" not in hows else ""
    return slots, "fitted", ("info", f"the column identities of the table leave one placement of its values{how}")


def _spaced_table(rows: list[TableRow], n: int, consistent) -> list[TableRow]:
    """The table's rows printed as runs, as cells one space apart where that is what they are.

    When most runs of the table print their numbers one space apart, the spaces are the table's cell
    boundaries (a page whose cells collapsed into single spaces): every such run is its cells, a missing
    blank is the placement's to find, and no number is ever cut. Otherwise the spaces are strays in glued
    digits, and a run is taken as cells only when some placement of them keeps the row's own sums
    ("100 0 0 0 1" is 1|0|0|0|0|0|1, not 100)."""
    runs = [tr for tr in rows if tr.glued]
    spaced = [spaced_cells(tr, n) for tr in rows]
    if runs and sum(c is not None for c in spaced) * 2 > len(runs):
        return [c or tr for c, tr in zip(spaced, rows)]
    return [_spaced(tr, c, n, consistent) for c, tr in zip(spaced, rows)]


def _spaced(tr: TableRow, cells: TableRow | None, n: int, consistent) -> TableRow:
    if cells is None:
        return tr
    vals = cells.values
    for gaps in combinations(range(n), n - len(vals)):
        it = iter(vals)
        if consistent([Slot(CellReading(BLANK), None) if i in gaps else next(it) for i in range(n)]):
            return cells
    return tr


def spaced_cells(tr: TableRow, n: int) -> TableRow | None:
    """A run whose numbers stand one space apart, each a number as printed (no leading zeros), as the row
    of cells it is: the spaces are its cell boundaries, so no number is cut, and a blank cell, which prints
    nothing, may be missing anywhere (the placement of rows with fewer values than columns decides). A run
    of ``n`` cells qualifies when at most two are missing: glued digits with a stray space ("80 1000081")
    print far fewer pieces, and are the solver's to cut."""
    run = tr.values[0].cell if tr.glued and tr.values else None
    if run is None:
        return None
    pieces = [(m.group(0), m.start()) for m in re.finditer(r"\S+", run.text)]
    if len(pieces) < max(2, n - 2) or len(pieces) > n:
        return None
    cells = []
    for text, at in pieces:
        reading = read_cell(text)
        if reading.kind not in (NUMBER, AMOUNT) or reading.repair is not None:
            return None  # "000023": digits glued with a stray space, for the solver to cut
        cells.append(Slot(reading, replace(run, text=text, col=(run.col or 1) + at, printed=None)))
    return TableRow(labels=tr.labels, values=cells, stray=[], start=None)


def _split_how(tr: TableRow, cells: list[solver.CellOut]) -> str | None:
    """How the cells of a run were placed: "split" when the run had to be cut inside a printed number
    or a blank was taken to hide in it; None when it printed one number per cell, apart by spaces."""
    run = tr.values[0].cell
    pieces = run.text.split() if run is not None else []
    if len(pieces) == len(cells) and all(c.unread is None and c.text == p for c, p in zip(cells, pieces)):
        return None
    return "split"


def _run_slots(tr: TableRow, cells: list[solver.CellOut]) -> list[Slot | None]:
    """The cells the solver cut out of a row's run, each a slot pointing at its digits in the source."""
    run = tr.values[0].cell
    assert run is not None
    out: list[Slot | None] = []
    for c in cells:
        cell = replace(run, text=c.text, col=(run.col or 1) + c.start, printed=None, unread=c.unread)
        out.append(Slot(read(cell), cell))
    return out


def _other_printed_as_one_row(rows: list[TableRow], fmt: str) -> bool:
    """True when a 2021-format table prints （六）其他处理 with numbers of its own, and what follows it is
    none of its sub-rows: the next row of numbers is （七）总计 (rows without labels after it are its
    sub-rows with their labels lost)."""
    m = matcher(fmt, False)
    subs = [r for r in m.spec if r.group == "other"]
    at = next(
        (
            i
            for i, tr in enumerate(rows)
            if tr.has_numbers and tr.label is not None and m.group_of(tr.label.text) == "other"
        ),
        None,
    )
    if at is None:
        return False
    after = next((tr for tr in rows[at + 1 :] if tr.has_numbers), None)
    if after is None or after.label is None or m.match(after.label.text, m.index["total"], None)[0] != "total":
        return False
    for tr in rows:
        for cell in tr.labels:
            _num, key = split_numbering(norm(cell.text))
            if any(similarity(_main(key), _main(norm(r.label))) >= ROW_MATCH_MIN + 15 for r in subs[:2]):
                return False
    return True


def _place_orphans(m: S3Matcher, sequence, placed: dict, notes: Notes) -> None:
    """Give rows without labels the template rows missing between their anchors, when that is forced;
    where no template row is missing, they are the rest of the row above them when they fit in it."""
    index = -1
    orphans: list[TableRow] = []
    last: str | None = None  # the anchored row the orphans follow
    for rid, tr in [*sequence, (_END, None)]:
        if rid is None:
            orphans.append(tr)
            continue
        nxt = len(m.spec) if rid == _END else m.index[rid]
        if orphans:
            missing = [r.id for r in m.spec[index + 1 : nxt] if r.id not in placed]
            after = m.spec[index].id if index >= 0 else "the table's start"
            before = m.spec[nxt].id if nxt < len(m.spec) else "the table's end"
            if not missing and last is not None and _completed(placed, last, orphans):
                notes.add(
                    INFO,
                    "row_joined",
                    f"{APPS}.{last}",
                    f"{len(orphans)} line(s) of values without a label below this row, where no template "
                    f"row is missing, taken as the rest of its values (together they are no more than "
                    f"its columns)",
                )
            elif len(orphans) == len(missing):
                for row_id, orphan in zip(missing, orphans):
                    placed[row_id] = (orphan, "position")
                notes.add(
                    INFO,
                    "row_placed_by_position",
                    f"{APPS}.{missing[0]}",
                    f"{len(orphans)} row(s) printed without labels between {after} and {before}, "
                    f"exactly the template rows missing there: " + ", ".join(missing),
                )
            else:
                for row_id in missing:
                    placed[row_id] = (TableRow(values=[]), "uncertain")
                notes.add(
                    WARNING,
                    "row_placed_by_position",
                    f"{APPS}.{after}",
                    f"{len(orphans)} row(s) printed without labels between {after} and {before}, "
                    f"where {len(missing)} template row(s) are missing: which is which is uncertain, "
                    f"so those rows are null" + (": " + ", ".join(missing) if missing else ""),
                )
            orphans = []
        if rid != _END:
            index = max(index, m.index[rid])
            last = rid
    for rid, (_tr, how) in placed.items():
        if how == "group":
            notes.add(
                INFO,
                "row_placed_by_position",
                f"{APPS}.{rid}",
                "row printed with its group's label only: it is the group's first row",
            )


_END = "<end>"


def _completed(placed: dict, rid: str, orphans: list[TableRow]) -> bool:
    """Join lines of values without a label onto the row above them when together they are no more than
    its columns (a row whose values a converter printed over several lines); True when joined."""
    tr, how = placed[rid]
    rows = [tr, *orphans]
    if any(r.glued for r in rows) or sum(len(r.values) for r in rows) > len(S3_COLUMNS):
        return False
    values = [v for r in rows for v in r.values]
    placed[rid] = (replace(tr, values=values, stray=[c for r in rows for c in r.stray], start=None), how)
    return True


def check_s3_header(header_text: str, notes: Notes) -> None:
    """Say so when the applicant columns are not named; the template's order is then assumed."""
    key = norm(header_text)
    absent = [lab for lab in S3_COLUMN_LABELS if lab not in key]
    if absent and len(absent) > 2:
        notes.add(
            INFO, "columns_assumed", APPS, "applicant column headers not found; the template's column order is assumed"
        )


# --- section 四 ------------------------------------------------------------------------------------


def _s4_ok(slots: list[Slot]) -> bool:
    if any(s.reading.kind == LABEL for s in slots):
        return False
    if any(s.reading.kind == UNREAD for s in slots):
        return True
    nums = [s.reading.value or 0 for s in slots]
    return all(sum(nums[g * 5 : g * 5 + 4]) == nums[g * 5 + 4] for g in range(3))


def place_review_litigation(rows: list[TableRow], sheet: Sheet, notes: Notes) -> None:
    data = [tr for tr in rows if tr.has_numbers]
    if not data:
        notes.add(ERROR, "table_not_found", S4, "section 四 has no row of numbers")
        return
    n = len(S4_FIELDS)
    data = _spaced_table(data, n, _s4_ok)
    glued = [tr for tr in data if tr.glued]
    if glued and glued[0].values[0].cell is not None:
        cells = solver.read_run(glued[0].values[0].cell.text, solver.S4_SHAPE)
        how = _split_how(glued[0], cells)
        for (g, c), slot in zip(S4_FIELDS, _run_slots(glued[0], cells)):
            store(sheet, notes, FieldPath(S4, g, c), slot, inferred=how)
        return
    whole = [tr for tr in data if sum(1 for s in tr.values if s.reading.kind != BLANK) == n]
    if len(whole) == 1:
        # the one row printing all fifteen values: empty cells between them are the grid's (header and
        # data spans out of step in a saved page), not blanks of the table
        values = [s for s in whole[0].values if s.reading.kind != BLANK or (s.cell is not None and s.cell.text)]
    else:
        values = []
        for tr in data:
            vals = list(tr.values)
            while vals and vals[-1].reading.kind == BLANK:
                vals.pop()
            values.extend(vals)
    fit = fit_values(values, n, consistent=_s4_ok)
    _fit_note(notes, S4, fit, "values_fitted")
    for (g, c), slot in zip(S4_FIELDS, fit.slots):
        store(sheet, notes, FieldPath(S4, g, c), slot, inferred=_fitted(fit))


# --- values printed outside their cell --------------------------------------------------------------


def place_loose_numbers(sheet: Sheet, notes: Notes, fmt: str, loose: list[Cell]) -> None:
    """Put back a number that a converter printed on a line of its own, outside its table cell.

    Only into a section-三 row that has exactly one blank cell, and only when the row's own sum and every
    column identity over that cell both require exactly that printed number there: the document's
    arithmetic decides, and the number is one the document prints. Anything less certain stays blank.
    """
    if not loose:
        return
    unused = list(loose)
    rows = sheet.rows(APPS)
    column_rules = [i for i in identities(fmt, rows) if i.scope[0] == "column"]
    for row in rows:
        cells = {c: sheet.get(FieldPath(APPS, row, c)) for c in S3_COLUMNS}
        blanks = [c for c, v in cells.items() if v is not None and v.state == PRINTED_BLANK]
        if len(blanks) != 1 or any(v is None or v.state == NOT_READ for v in cells.values()):
            continue
        col = blanks[0]
        target = FieldPath(APPS, row, col)
        if col == "total":
            row_need = sum(sheet.value(FieldPath(APPS, row, c)) or 0 for c in APPLICANT_COLUMNS)
        else:
            row_need = (sheet.value(FieldPath(APPS, row, "total")) or 0) - sum(
                sheet.value(FieldPath(APPS, row, c)) or 0 for c in APPLICANT_COLUMNS if c != col
            )
        needs = [
            need
            for rule in column_rules
            if target in rule.cells
            for need in [_needed(sheet, rule.stated, rule.summed, target)]
            if need is not None
        ]
        if not needs or any(n != row_need for n in needs):
            continue
        match = [c for c in unused if read_cell(c.text).value == row_need]
        if not match:
            continue
        unused.remove(match[0])
        sheet.put(target, Value(READ, row_need, match[0], inferred="displaced"))
        notes.add(
            INFO,
            "displaced_value",
            str(target),
            f"cell printed blank, and {match[0].text.strip()!r} printed on a line of its own nearby "
            f"is exactly what the row's sum and the column's identity require there",
        )


def _needed(sheet: Sheet, stated, summed, target: FieldPath):
    """The value ``target`` must have for ``sum(stated) == sum(summed)``, when every other cell is read."""
    others = [p for p in stated + summed if p != target]
    if not all(sheet.has(p) for p in stated + summed):
        return None
    values = [sheet.get(p) for p in others]
    if any(v is None or v.state != READ or v.number is None for v in values):
        return None
    sign = 1 if target in summed else -1
    total = sum(sheet.value(p) for p in stated if p != target) - sum(sheet.value(p) for p in summed if p != target)
    return total * sign
