"""Table rows as the placement sees them: label cells, then value cells, fitted to a known column count."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations, pairwise, product

from core.cells import BLANK, LABEL, CellReading, read
from core.layout import CELL, FLOW, TABLE, TEXT, Cell, Row

_BLANK = CellReading(BLANK)


@dataclass
class Slot:
    """One value cell: its reading and the cell it was read from (None for a cell the layout left out)."""

    reading: CellReading
    cell: Cell | None

    @property
    def key(self):
        return (self.reading.kind, self.reading.value)


@dataclass
class TableRow:
    labels: list[Cell] = field(default_factory=list)
    values: list[Slot] = field(default_factory=list)
    #: Text cells printed where numbers were expected (after the first number of the row).
    stray: list[Cell] = field(default_factory=list)
    #: Index, in the printed row, of the first value cell; None when the layout shows no row (CELL runs).
    start: int | None = None
    #: The row's values are one run of text whose cells may be glued together or lost their blanks
    #: (read from FLOW text): the placement splits it under the template's identities.
    glued: bool = False

    @property
    def has_numbers(self) -> bool:
        return any(s.reading.is_filled for s in self.values)

    @property
    def label(self) -> Cell | None:
        return self.labels[-1] if self.labels else None


def table_rows(rows: list[Row], section: str = "applications") -> list[TableRow]:
    """The table rows of a section among ``rows``: TABLE rows as they are, each run of lone CELLs read
    whole into rows (core.cellstream: by its labels, or by the template's rows and sums), FLOW text cut
    at its row labels, prose skipped."""
    from core import cellstream, flow

    out: list[TableRow] = []
    stream: list[Cell] = []
    flowing: list[Row] = []
    for row in rows:
        if row.kind == FLOW:
            flowing.append(row)
            continue
        if flowing:
            out += flow.table_rows(flowing, section)
            flowing = []
        if row.kind == CELL:
            # a run of lone cells is read whole: where its rows end is for the template to say
            stream.extend(row.cells)
            continue
        if stream:
            out += cellstream.read_cells(stream, section)
            stream = []
        if row.kind == TABLE:
            out.append(_split_table_row(row.cells))
        elif row.kind == TEXT and len(row.cells) == 1:
            cells = _label_and_numbers(row.cells[0])
            if cells:
                out.append(_split_table_row(cells))
    if flowing:
        out += flow.table_rows(flowing, section)
    if stream:
        out += cellstream.read_cells(stream, section)
    return out


_LABEL_NUMBERS = re.compile(r"^(?P<label>\S.*?\D)?\s+(?P<nums>[-+]?\d[\d,.]*(?:\s+[-+]?\d[\d,.]*)*)\s*$")
_NUMBER = re.compile(r"[-+]?\d[\d,.]*")


def _label_and_numbers(cell: Cell) -> tuple[Cell, ...] | None:
    """A prose line that is really a table row: "行政许可 97", or "0 0 0 …" (at least two numbers)."""
    text = cell.text
    pad = 1 if text[:1].isdigit() else 0  # the pattern wants a space before the first number
    m = _LABEL_NUMBERS.match(" " * pad + text)
    if not m:
        return None
    nums = [(n.group(0), m.start("nums") + n.start() - pad) for n in _NUMBER.finditer(m.group("nums"))]
    if not m.group("label") and len(nums) < 2:
        return None
    col = cell.col or 1
    out = [Cell(m.group("label").strip(), line=cell.line, col=col)] if m.group("label") else []
    out += [Cell(t, line=cell.line, col=col + pos) for t, pos in nums]
    return tuple(out)


def _split_table_row(cells) -> TableRow:
    tr = TableRow()
    readings = [read(c) for c in cells]
    first_num = next((i for i, r in enumerate(readings) if r.is_filled), len(cells))
    last_label = max((i for i in range(first_num) if readings[i].kind == LABEL), default=-1)
    for i in range(0, last_label + 1):
        if readings[i].kind == LABEL:
            tr.labels.append(cells[i])
    tr.start = last_label + 1
    for i in range(last_label + 1, len(cells)):
        if readings[i].kind == LABEL:
            tr.stray.append(cells[i])
            tr.values.append(Slot(CellReading(LABEL), cells[i]))
        else:
            tr.values.append(Slot(readings[i], cells[i]))
    return tr


@dataclass
class Fit:
    slots: Sequence[Slot | None]  # None: the cell could not be read with certainty
    note: tuple[str, str] | None  # (level, message) about how the values were fitted
    candidates: int = 1
    #: Every placement the row's own arithmetic leaves, when more than one was tried (for the table's
    #: column identities to decide among, see core.placement).
    pool: list[list[Slot]] | None = None
    #: For each placement of the pool, the converter's damage it takes the row to show ("" for none).
    hows: list[str] | None = None


def header_column(rows: list[Row], label: str) -> int | None:
    """The index at which a header cell ``label`` stands in the table rows, when it stands at one index."""
    from core.text import norm

    found = {i for row in rows if row.kind == TABLE for i, c in enumerate(row.cells) if norm(c.text) == label}
    return found.pop() if len(found) == 1 else None


def grid_start(rows: list[TableRow], n: int, header: int | None = None) -> int | None:
    """Where the value columns start in a table printed as a full grid, or None when rows disagree.

    A grid (HTML, Word, a clean spreadsheet export) prints every cell, so the rows that hold exactly ``n``
    numbers all start them at the same index; a blank cell at either end of another row is then placed by
    that index rather than guessed.
    """
    starts = set()
    for tr in rows:
        if tr.start is None:
            return None
        nums = [i for i, s in enumerate(tr.values) if s.reading.is_filled]
        if len(nums) == n and nums[-1] - nums[0] == n - 1:
            starts.add(tr.start + nums[0])
    if header is not None and starts <= {header}:
        return header
    return starts.pop() if len(starts) == 1 else None


def _x(cell: Cell | None) -> float | None:
    """Where a cell stands across the page: the centre of its box (PDF), or of its characters (text)."""
    if cell is None:
        return None
    if cell.bbox is not None:
        return (cell.bbox[0] + cell.bbox[2]) / 2
    if cell.col is not None:
        return cell.col + len(cell.text) / 2
    return None


class Columns:
    """Where the value columns of a table stand, learnt from its rows that print every cell, page by page
    (a converter's text keeps a table's columns in place on a page, not always from page to page)."""

    def __init__(self, rows: list[TableRow]):
        seen: dict[tuple[int | None, int], list[list[float]]] = {}
        for tr in rows:
            if tr.glued or not tr.values:
                continue
            xs = [_x(s.cell) for s in tr.values if s.reading.is_filled]
            if len(xs) != len(tr.values) or None in xs:
                continue
            page = tr.values[0].cell.page if tr.values[0].cell is not None else None
            seen.setdefault((page, len(xs)), []).append(xs)  # type: ignore[arg-type]
        self.centres = {key: [sorted(col)[len(col) // 2] for col in zip(*rows_)] for key, rows_ in seen.items()}

    def place(self, values: list[Slot], n: int) -> list[Slot] | None:
        """The row's values under their columns, blanks where nothing is printed, when where they stand
        leaves one answer: each value nearest one column of its page, no two the same."""
        cells = [s for s in values if s.reading.kind != BLANK or (s.cell is not None and s.cell.text.strip())]
        if not cells or len(cells) >= n:
            return None
        page = cells[0].cell.page if cells[0].cell is not None else None
        centres = self.centres.get((page, n))
        found = [_x(s.cell) for s in cells]
        xs = [x for x in found if x is not None]
        if centres is None or len(xs) < len(found):
            return None
        gaps = [b - a for a, b in pairwise(centres)]
        if min(gaps, default=0) <= 0:
            return None
        placed: list[Slot | None] = [None] * n
        for slot, x in zip(cells, xs):
            j = min(range(n), key=lambda c: abs(centres[c] - x))
            near = min(gaps[j - 1] if j > 0 else gaps[0], gaps[j] if j < n - 1 else gaps[-1])
            if placed[j] is not None or abs(centres[j] - x) > 0.4 * near:
                return None
            placed[j] = slot
        return [s if s is not None else Slot(_BLANK, None) for s in placed]


def fit_values(
    values: list[Slot],
    n: int,
    consistent=None,
    offset: int | None = None,
    columns: Columns | None = None,
    columns_decide: bool = False,
) -> Fit:
    """Place a row's value cells into ``n`` columns.

    Printed blank cells keep their places; surplus blanks at either end are layout padding. When the row
    has more or fewer numbers than columns, every placement is tried; ``consistent(slots)`` (the row's own
    arithmetic) keeps the plausible ones, and a column gets a value only when all of them agree on it.
    When none of them keeps it, the placements a converter's damage explains and the sum keeps
    (``_misprinted``) join them, with what each takes the damage to be (``Fit.hows``). With
    ``columns_decide`` (the caller's table identities choose among the placements left, as section 三's do)
    a row of as many values as columns that breaks its sum gets them too; without, it is read as printed
    and the checks say that it breaks its sum.
    """
    if (
        offset is not None
        and offset >= 0
        and len(values) >= offset + n
        and all(s.reading.kind == BLANK for s in values[:offset] + values[offset + n :])
    ):
        window = list(values[offset : offset + n])
        if not columns_decide or consistent is None or consistent(window):
            return Fit(window, None)
        # the grid's cells as printed, unless a converter's damage gives them further placements
        fit = fit_values(window, n, consistent, columns=columns, columns_decide=True)
        return fit if fit.hows else Fit(window, None)
    vals = list(values)
    trailing = 0
    while vals and vals[-1].reading.kind == BLANK:
        vals.pop()
        trailing += 1
    while len(vals) > n and vals[0].reading.kind == BLANK:
        vals.pop(0)
    if len(vals) == n and (not columns_decide or consistent is None or consistent(vals)):
        return Fit(vals, None)
    if len(vals) < n and len(vals) + trailing >= n:
        return Fit(vals + [Slot(_BLANK, None)] * (n - len(vals)), None)
    if len(vals) < n and columns is not None:
        placed = columns.place(vals, n)
        if placed is not None and (consistent is None or consistent(placed)):
            return Fit(
                list(placed),
                ("info", f"{len(vals)} values for {n} columns; each stands under its column where it is printed"),
            )
    if len(vals) > n:
        cands = [vals[i : i + n] for i in range(len(vals) - n + 1)]
        # Printed numbers are data and blanks at the ends are padding: prefer windows holding more numbers.
        most = max(_numbers(c) for c in cands)
        cands = [c for c in cands if _numbers(c) == most]
        what = f"{len(vals)} values for {n} columns"
    else:
        missing = n - len(vals)
        if missing > 3:
            return Fit([None] * n, ("warning", f"{len(vals)} values for {n} columns"), 0)
        cands = []
        for gaps in combinations(range(n), missing):
            it = iter(vals)
            cands.append([Slot(_BLANK, None) if i in gaps else next(it) for i in range(n)])
        what = f"{len(vals)} values for {n} columns"
    kept = [c for c in cands if consistent(c)] if consistent else cands
    hows: list[str] | None = None
    if consistent and not kept:
        # No placement keeps the row's sum: those a converter's damage explains and the sum keeps join
        # them, never replace them (a document may break its own sums), for the table's column sums to
        # decide between.
        reread = next(
            (held for tier in _misprinted(vals, n) if (held := [(c, how) for c, how in tier if consistent(c)])), []
        )
        if reread:
            kept = cands + [c for c, _how in reread]
            hows = [""] * len(cands) + [how for _c, how in reread]
            what = f"{what}; as printed they break the row's sum, which they keep if read {_told(reread)}"
        elif len(vals) == n:
            return Fit(vals, None)  # as printed: the checks say that it breaks the row's sum
    pool = kept or cands
    slots: list[Slot | None] = []
    for col in range(n):
        keys = {c[col].key for c in pool}
        slots.append(pool[0][col] if len(keys) == 1 else None)
    if None in slots:
        return Fit(slots, ("warning", f"{what}; the cells could not be placed"), len(pool), pool, hows)
    if len(vals) > n:
        return Fit(slots, ("info", f"{what}; every placement gives the same values"), len(pool), pool)
    return Fit(slots, ("info", f"{what}; the row's arithmetic places the blank"), len(pool), pool)


def _told(reread: list[tuple[list[Slot], str]]) -> str:
    """What the damage that explains a row is said to be: the one found, or both kinds when several."""
    hows = {how for _c, how in reread}
    return hows.pop() if len(hows) == 1 else "with a number taken as two glued, or a value out of its place"


def _misprinted(vals: list[Slot], n: int) -> list[list[tuple[list[Slot], str]]]:
    """The placements of a row that a converter's damage explains, for a row whose values as printed fit
    no placement its own sum allows, each with what it takes the damage to be, the lesser damage first:
    a number that is two cells glued together ("8722" for 87 and 22, when the row prints one value fewer
    than its columns); then, as well, one value printed out of its column's place (a converter that puts
    a narrow column elsewhere on the line, as poppler's -layout does with a table's 总计 column at a page's
    foot). A blank never hides in such a row: one value short is the glued pair, not a blank cell. Each is
    only a candidate: the caller's arithmetic keeps the ones that hold."""
    if len(vals) == n:
        lines = [(vals, "")]
    elif len(vals) == n - 1:
        lines = [
            (vals[:i] + pair + vals[i + 1 :], glued) for i, s in enumerate(vals) for pair, glued in _glued_pairs(s)
        ]
    else:
        return []
    moves: list[tuple[list[Slot], str]] = []
    seen: set[tuple] = set()
    for row, glued in lines:
        for i, j in product(range(n), repeat=2):
            cell = row[i].cell
            if i == j or cell is None or not row[i].reading.is_filled:
                continue
            moved = row[:i] + row[i + 1 :]
            moved.insert(j, row[i])
            key = tuple(s.key for s in moved)
            if key not in seen:
                seen.add(key)
                place = f"{cell.text.strip()} printed out of its column's place (column {j + 1})"
                moves.append((moved, f"{glued}, and {place}" if glued else f"with {place}"))
    return [[line for line in lines if line[1]], moves]


def _glued_pairs(slot: Slot) -> list[tuple[list[Slot], str]]:
    """The two cells a printed number may be, cut between its digits (no piece but "0" starts with 0),
    each pair with how it is told."""
    cell = slot.cell
    text = cell.text.strip() if cell is not None else ""
    if cell is None or not text.isdigit():
        return []
    pairs = []
    for cut in range(1, len(text)):
        a, b = text[:cut], text[cut:]
        if (a.startswith("0") and a != "0") or (b.startswith("0") and b != "0"):
            continue
        col = cell.col
        pieces = [
            replace(cell, text=a, printed=None),
            replace(cell, text=b, col=None if col is None else col + cut, printed=None),
        ]
        pairs.append(([Slot(read(c), c) for c in pieces], f"with {a} and {b} glued as {text}"))
    return pairs


def _numbers(slots: list[Slot]) -> int:
    return sum(1 for s in slots if s.reading.is_filled)
