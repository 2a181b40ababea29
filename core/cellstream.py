"""Reading a stream of lone table cells (``CELL`` rows): one cell after the other in the order a layout
met them, with nothing to say where a table row ends.

The layouts that give such streams (``pipe-cells``, ``blank-line-cells``, ``line-cells``) cannot tell a
row apart; the template can. A stream is read in one of two ways:

- **by its labels**, when they stand where a table prints them: each row label before its row's values
  (a label after a value starts a new row). Text copied out of a web page or a Word table reads so.
- **by the template's shape**, when they do not. Text out of a PDF (plain pdftotext, a viewer's copy)
  comes in poppler's order: a row label after its row's values or among them, the label of a tall row
  after several rows, a total printed at the top of a tall cell before its row or after the page's last
  line. The values are then cut into the template's rows in order (section 三: rows of seven cells;
  section 四: three groups of five), and the template's sums decide where a row ends (:func:`cut`). A
  cut may take one cell of a row from elsewhere in the stream (beside text: poppler keeps the order of
  the cells it reads one after the other), the row's sum saying which value; may leave a row short of
  cells where blanks printed nothing (the core places them: core.tables.fit_values); and may pass over a
  value. Each costs, a row whose sum fails costs more; the cheapest cuts are kept, a row label printed
  right before its row breaks ties, and the column identities choose among what is left. A row they
  leave in doubt is unread, with the reason. A cut that had to move cells or pass values over is kept
  only where the column identities vouch for its rows; a 0 that a cut nearly as cheap makes a blank is
  unread (no sum tells a 0 from a blank). Where no cheapest cut keeps the column identities, the
  damage was more than the least: the search widens (a value printed beside text, or beside a glyph
  the layout dropped, may be a cell printed any distance before its row, and so may every value of a
  run of fewer values than a row that holds such a glyph's neighbour; a row may leave two cells to be
  printed later) and goes on to dearer cuts, and the cuts of the least extra cost that keep every
  column identity are read, as the cheapest would be (:func:`_deeper`); where they differ in some
  cells, those cells are unread and the others, the same in each, are read. Section 四's groups share no
  identity, so when they are not printed whole and in order every order of them is tried, and a group
  is read only where all agree.
  A number wrapped in a narrow cell of section 四 (its pieces a block of lines) is joined, and kept where
  its group adds up (:func:`_wrapped_numbers`).
  Labels name the rows (and tell the 2019 table from the 2021 one); a row whose label is not found goes
  to the core without one, which places it by position (core.placement).
- section 二 has no sum to decide with. It is cut into its rows, whole or table by table (第二十条第（X）项),
  only where its values are exactly as many as the cells, the row labels are printed in the rows'
  order and none among another row's values, and each value is of its column's kind; otherwise it is read by its
  labels (a row's label is the one that names a template row, not a column header printed between it
  and its values; a row label after the last values takes the values no row label stood before), and a
  table short of values whose row labels do not stand before their values is not read. A table whose
  one column poppler printed as a block after its rows (the column's header, then its cells top to
  bottom) is read when every other part of the table is printed row by row (:func:`_s2_stacked_column`).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from functools import cache, lru_cache
from itertools import combinations, permutations
from types import MappingProxyType

from core import solver
from core.cells import AMOUNT, BLANK, LABEL, NUMBER, UNREAD, CellReading, read
from core.labels import similarity
from core.layout import Cell
from core.tables import Slot, TableRow
from core.template import AMOUNT as AMOUNT_KIND
from core.template import (
    FORMAT_MARKERS,
    S2_ROWS,
    S3_COLUMN_LABELS,
    S3_COLUMNS,
    S3_GROUPS,
    S3_ROWS,
    S4_COLUMNS,
    S4_GROUPS,
    SIGNED,
    S3Row,
    identities,
)
from core.text import norm, split_numbering

# --- the stream ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    cell: Cell
    reading: CellReading
    #: Values before this item in the stream.
    offset: int

    @property
    def is_label(self) -> bool:
        return self.reading.kind == LABEL


def items_of(cells: list[Cell]) -> list[Item]:
    out, n = [], 0
    for c in cells:
        r = read(c)
        out.append(Item(c, r, n))
        if r.kind != LABEL:
            n += 1
    return out


def by_labels(items: list[Item]) -> list[TableRow]:
    """The stream read by its labels: a label after a value starts a new row."""
    out: list[TableRow] = []
    row: TableRow | None = None
    for it in items:
        if it.is_label:
            if row is None or row.values:
                row = TableRow()
                out.append(row)
            row.labels.append(it.cell)
        else:
            if row is None:
                row = TableRow()
                out.append(row)
            row.values.append(Slot(it.reading, it.cell))
    return out


def read_cells(cells: list[Cell], section: str) -> list[TableRow]:
    """The table rows of one run of lone cells of ``section``."""
    items = items_of(cells)
    usual = by_labels(items)
    if section == "applications":
        return _applications(items, usual)
    if section == "review_litigation":
        return _review_litigation(items, usual)
    if section == "active_disclosure":
        return _active_disclosure(items, usual)
    return usual


# --- cutting values into the template's rows ----------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A stretch of a table's cells the stream prints one after the other: a row of section 三, a group of
    section 四. ``summed``: its last cell is the sum of the others (the template's identity)."""

    id: str
    width: int
    summed: bool = True


#: What a cut pays for each way its rows depart from the template's shape (see the module's docstring).
BLANK_COST = 1  # per cell a row does not print (a blank)
MOVED_CELL = 1  # a row one of whose cells is printed elsewhere in the stream (its sum says which value)
UNSUMMED = 2  # a short row whose last value is not the sum of the others
STRAY = 2  # a value that belongs to no row
BROKEN_SUM = 3  # a full row whose total is not the sum of its cells
#: Most blanks a row may hide (core.tables.fit_values places at most three).
MOST_BLANKS = 3
#: Most cells printed away from their rows that a cut keeps track of at once (where the search widens:
#: WIDE_MOVED).
MOST_MOVED = 3
WIDE_MOVED = 6
#: A cell printed before its row comes at most this many rows' width before the row.
MOVED_REACH = 1
#: A stream whose cheapest cut costs more than this is too far from the template to be read by its shape.
MOST_COST = 24
#: The moves of a cut that read a unit (the others read one value: passed over, or a cell printed away
#: from its unit).
UNIT_MOVES = ("cells", "short", "taken", "owed", "owed2")
#: Most states the search visits before it gives a stream up as too far from the template (where the
#: search widens, each row may take more damage: WIDE_STATES).
MOST_STATES = 30_000
WIDE_STATES = 60_000
#: A cell no cut decides (the cheapest cuts, and the column sums over them, leave it open).
UNDECIDED = "undecided"
_NOWHERE = (float("inf"), float("inf"))
#: Cuts costing this much more than the cheapest are plausible too where only a blank tells them apart.
NEAR = 1
#: Most cheapest cuts listed for the column identities to choose among.
MOST_PATHS = 256
#: How much dearer than the cheapest a cut may be and still be read, where the column identities fit
#: no reading of the cheapest and fit one of it.
DEEPEST = 2
#: A stream this many times longer than the table is not that table.
MOST_VALUES = 3


@dataclass
class Reading:
    """One cheapest cut: per unit, the stream positions of its cells (None for a total printed nowhere
    in the stream), whether it is short of cells (blanks that printed nothing) and its values; the
    positions passed over."""

    cells: list[list[int | None]]
    short: list[bool]
    strays: list[int]
    values: list[tuple]
    #: No cell was taken from elsewhere in the stream and no value passed over.
    plain: bool = True
    #: The cells taken from elsewhere in the stream: (value, position, unit).
    moved: tuple = ()


@dataclass
class Cut:
    """The cheapest cuts of a stream (all of them when ``complete``, else one), and per unit how many
    different readings they give it."""

    cost: tuple[float, float]
    readings: list[Reading]
    complete: bool
    #: Per unit, every reading (short of cells, values) the cheapest cuts give it.
    seen: list[set]
    #: Per unit, every reading the cuts costing at most NEAR more give it.
    near: list[set]
    #: Per extra cost d (0 up to the search's slack), per unit, every reading the cuts costing at most d
    #: more give it.
    levels: list[list[set]] = field(default_factory=list)
    #: The cuts costing at most d more whose units read as allowed (per unit a set of readings, or None
    #: for any): ``(d, allowed) -> readings``, None when more than MOST_PATHS.
    within: Callable[[int, list[set | None]], list[Reading] | None] | None = None

    def agreed(self, keep: list[int] | None = None) -> list[list[int | None] | None]:
        """Per unit, its positions when the readings kept (default all) give it the same values, else
        None."""
        if not self.complete:
            one = self.readings[0]
            return [one.cells[u] if len(d) == 1 else None for u, d in enumerate(self.seen)]
        kept = [self.readings[k] for k in keep] if keep is not None else self.readings
        return [kept[0].cells[u] if len({rd.values[u] for rd in kept}) == 1 else None for u in range(len(self.seen))]


def cut(
    nums: list[float],
    units: list[Unit],
    label_at: dict[str, set[int]],
    most: float = MOST_COST,
    loose: list[bool] | None = None,
    slack: int = NEAR,
    wide: bool = False,
) -> Cut | None:
    """The cheapest cuts of the values ``nums`` into ``units``, in order, or None when there is none
    within the search's budget (costing at most ``most``). ``label_at``: per unit id, the stream offsets
    at which a label naming it is printed (a tie-breaker).

    A cut is a path through states (units done, values done, cells printed before their unit and not
    yet taken, cells of units done not yet printed); the search (A*, the cells and values left
    unmatched being the least the rest costs) visits states cheapest first, so a stream that departs
    little from the template costs little to read. It goes on to the cuts costing NEAR more, whose
    readings are kept apart (``Cut.near``).

    A wider ``slack`` goes on to cuts costing that much more (``Cut.levels``, ``Cut.within``). ``wide``
    allows more damage: a value printed beside text (and only such a value) may be a cell printed any
    distance before its row, or one printed after it, and a row may leave two cells to be printed
    later; for when the cheapest cuts give the table values its column identities refuse."""
    n, N = len(units), len(nums)
    if N == 0 or MOST_VALUES * sum(u.width for u in units) < N:
        return None
    widths = [u.width for u in units]
    pre = [0.0]
    for v in nums:
        pre.append(pre[-1] + v)

    def adds_up(i: int, k: int) -> bool:
        return k >= 2 and abs(pre[i + k - 1] - pre[i] - nums[i + k - 1]) < 1e-9

    @cache
    def missing(i: int, k: int) -> list[tuple[float, int]]:
        """(value, column) of the one cell a summed unit printing the ``k`` values at ``i`` may have
        printed elsewhere, one per different reading: its total (the sum of the values), or any other
        cell (the last value, its total, less the others; never below 0)."""
        out: dict[tuple, tuple[float, int]] = {}
        vals = nums[i : i + k]
        total = pre[i + k] - pre[i]
        out[(*tuple(vals), total)] = (total, k)
        rest = vals[-1] - (total - vals[-1])
        if rest >= 0:
            for c in range(k):
                out.setdefault((*tuple(vals[:c]), rest, *tuple(vals[c:])), (rest, c))
        return list(out.values())

    # A value may wait for a unit after it only when it is the cell a unit starting soon after may
    # have printed elsewhere (a total printed at the top of its cell, above the row); a unit may leave
    # a cell to be printed later only when that value is printed later.
    soon: list[set[float]] = [set() for _ in range(N + 1)]
    for width in {u.width for u in units if u.summed}:
        for j in range(N - width + 2):
            for v, _c in missing(j, width - 1):
                for i in range(max(0, j - MOVED_REACH * width), j):
                    soon[i].add(v)
    # a 0 is printed everywhere: only one beside text may be a cell printed away from its row; where the
    # search widens, only a value beside text may be (poppler prints such a cell as a block of its own),
    # but any distance before its row
    free = [(v != 0 and not wide) or loose is None or loose[i] for i, v in enumerate(nums)]
    far = [wide and loose is not None and loose[i] for i in range(N)]
    after: list[set[float]] = [set() for _ in range(N + 2)]
    if wide:
        for width in {u.width for u in units if u.summed}:
            for j in range(N - width + 2):
                after[j].update(v for v, _c in missing(j, width - 1))
        for j in range(N, -1, -1):
            after[j] |= after[j + 1]
    reach = MOVED_REACH * max(u.width for u in units)
    most_moved = WIDE_MOVED if wide else MOST_MOVED
    # per position, how many times each value that may be a cell printed away is printed from there on
    later: list[dict[float, int]] = [{} for _ in range(N + 1)]
    for i in range(N - 1, -1, -1):
        later[i] = later[i + 1]
        if free[i]:
            later[i] = {**later[i + 1], nums[i]: later[i + 1].get(nums[i], 0) + 1}

    @cache
    def missing_two(i: int, k: int, width: int) -> list[tuple[float, int, float, int]]:
        """(value, column, value, column) of two cells a summed unit printing the ``k`` values at ``i``
        (all its other cells) may have printed later, both printed later: its total and another cell,
        or two other cells adding up to the last value (its total) less the others."""
        vals = nums[i : i + k]
        printed = sum(vals)
        rest = vals[-1] - (printed - vals[-1])
        out = []
        for x in sorted(later[i + k]):
            if printed + x in later[i + k]:
                out += [(x, c, printed + x, width - 1) for c in range(width - 1)]
            if x <= rest and rest - x in later[i + k]:
                out += [(x, c1, rest - x, c2) for c1, c2 in combinations(range(width - 1), 2)]
        return out

    def moves(r, i, credits, debts):
        """(move, next state, cost) from a state: r units and i values done, ``credits`` (cells printed
        before their unit: (value, position), in order) and ``debts`` (values of cells of units done,
        printed later)."""
        if any(at + reach < i and not far[at] for _v, at in credits):
            return  # a cell printed before its row, and the row did not come soon after
        if debts and any(debts.count(v) > later[i].get(v, 0) for v in set(debts)):
            return  # a cell left to be printed later, and no such value is left
        held = len(credits) + len(debts)
        room = held < most_moved
        if i < N:
            v = nums[i]
            if v in debts and free[i]:
                yield ("pay", i), (r, i + 1, credits, _minus(debts, v)), (0, 0)
            if room and free[i] and (v in soon[i] or (far[i] and v in after[i + 1])):
                yield ("credit", i), (r, i + 1, (*credits, (v, i)), debts), (MOVED_CELL, 0)
            yield ("stray", i), (r, i + 1, credits, debts), (STRAY, 0)
        if r < n:
            u = units[r]
            off = 0 if not label_at.get(u.id) or i in label_at[u.id] else 1
            for k in range(max(1, u.width - MOST_BLANKS), min(u.width, N - i) + 1):
                ok = not u.summed or adds_up(i, k)
                if k == u.width:
                    yield ("cells", r, i, k), (r + 1, i + k, credits, debts), (0 if ok else BROKEN_SUM, off)
                    continue
                yield (
                    ("short", r, i, k),
                    (r + 1, i + k, credits, debts),
                    (BLANK_COST * (u.width - k) + (0 if ok else UNSUMMED), off),
                )
                if u.summed and k >= 2:
                    # one cell printed elsewhere (and the row's other missing cells blanks)
                    blanks = BLANK_COST * (u.width - k - 1)
                    for v, c in missing(i, k):
                        early = next((cr for cr in credits if cr[0] == v), None)
                        if early is not None:
                            yield (
                                ("taken", r, i, k, v, c),
                                (r + 1, i + k, tuple(cr for cr in credits if cr is not early), debts),
                                (blanks, off),
                            )
                        elif room and v in later[i + k]:
                            yield (
                                ("owed", r, i, k, v, c),
                                (r + 1, i + k, credits, _plus(debts, v)),
                                (MOVED_CELL + blanks, off),
                            )
                if wide and u.summed and k == u.width - 2 and held + 2 <= most_moved:
                    # two cells printed later (where the search widens)
                    for x, c1, y, c2 in missing_two(i, k, u.width):
                        yield (
                            ("owed2", r, i, k, x, c1, y, c2),
                            (r + 1, i + k, credits, _plus(_plus(debts, x), y)),
                            (2 * MOVED_CELL, off),
                        )

    cells_after = [0] * (n + 1)
    for r in range(n - 1, -1, -1):
        cells_after[r] = cells_after[r + 1] + units[r].width

    def ahead(state) -> int:
        """The least the rest of a cut can cost: every cell left without a value left (a blank or a
        total printed elsewhere) and every value left without a cell (passed over) costs at least 1."""
        r, i, credits, debts = state
        cells, values = cells_after[r] - len(credits), N - i - len(debts)
        return abs(cells - values)

    start = (0, 0, (), ())
    goal = (n, N, (), ())
    dist: dict[tuple, tuple[float, float]] = {start: (0, 0)}
    came: dict[tuple, list] = {start: []}
    heap = [(ahead(start), 0, 0, start)]
    done: set[tuple] = set()
    tick = 0
    edges: dict[tuple, list] = {}
    while heap:
        f0, _f1, _t, state = heapq.heappop(heap)
        if state in done:
            continue
        if (goal in dist and f0 > dist[goal][0] + slack) or f0 > most + slack:
            break
        done.add(state)
        if len(done) > (WIDE_STATES if wide else MOST_STATES):
            return None
        c0, c1 = dist[state]
        edges[state] = out = []
        for move, nxt, (m0, m1) in moves(*state):
            out.append((move, nxt, (m0, m1)))
            cost = (c0 + m0, c1 + m1)
            old = dist.get(nxt)
            if old is None or cost < old:
                dist[nxt] = cost
                came[nxt] = [(state, move)]
                tick += 1
                heapq.heappush(heap, (cost[0] + ahead(nxt), cost[1], tick, nxt))
            elif cost == old:
                came[nxt].append((state, move))
    if goal not in dist or dist[goal][0] > most:
        return None
    # the readings of the cuts that cost at most NEAR more than the cheapest, unit by unit: an edge is
    # on such a cut when the cheapest way to it, its cost and the cheapest way from it add up to that
    # (as well placed beside their labels: a cut that is only dearer is no rival where labels decide)
    rest: dict[tuple, tuple[float, float]] = {goal: (0.0, 0.0)}

    def left(state) -> tuple[float, float]:
        if state not in rest:
            rest[state] = min(
                ((w[0] + b[0], w[1] + b[1]) for _m, nxt, w in edges.get(state, ()) for b in [left(nxt)]),
                default=_NOWHERE,
            )
        return rest[state]

    near: list[set] = [set() for _ in units]
    levels: list[list[set]] = [[set() for _ in units] for _ in range(slack + 1)]
    c0, c1 = dist[goal]
    for state, out in edges.items():
        g0, g1 = dist[state]
        for move, nxt, w in out:
            if move[0] in UNIT_MOVES:
                b0, b1 = left(nxt)
                over = g0 + w[0] + b0 - c0
                if over > slack:
                    continue
                if over <= NEAR and g1 + w[1] + b1 <= c1:
                    near[move[1]].add(_values(move, nums, widths))
                for d in range(max(0, int(over + 0.5)), slack + 1):
                    levels[d][move[1]].add(_values(move, nums, widths))

    def within(extra: int, allowed: list[set | None]) -> list[Reading] | None:
        """The cuts costing at most ``extra`` more whose units read as ``allowed``, one per different
        reading of the table (cuts that differ only in which of equal values they take are one)."""
        limit = c0 + extra
        memo: dict[tuple, dict | None] = {}

        def reading(move) -> tuple | None:
            return (move[1], _values(move, nums, widths)) if move[0] in UNIT_MOVES else None

        def tails(state, spent: float) -> dict | None:
            """Per different reading of the units left, one path of moves to the goal (a linked list)."""
            key = (state, spent)
            if key in memo:
                return memo[key]
            out: dict | None = {(): None} if state == goal else {}
            for move, nxt, w in edges.get(state, ()):
                got = reading(move)
                rule = allowed[got[0]] if got is not None else None
                if got is not None and rule is not None and got[1] not in rule:
                    continue
                if spent + w[0] + left(nxt)[0] > limit:
                    continue
                rest = tails(nxt, spent + w[0])
                if rest is None:
                    out = None
                    break
                for tail, path in rest.items():
                    out.setdefault((got, *tail) if got else tail, (move, path))  # type: ignore[union-attr]
                if len(out) > MOST_PATHS:  # type: ignore[arg-type]
                    out = None
                    break
            memo[key] = out
            return out

        found = tails(start, 0.0)
        if found is None:
            return None
        out = []
        for path in found.values():
            moves = []
            while path is not None:
                move, path = path
                moves.append(move)
            out.append(_replay(moves, nums, widths))
        return out

    # every unit's readings over all the cheapest cuts
    seen: list[set] = [set() for _ in units]
    todo, visited = [goal], {goal}
    while todo:
        for prev, move in came[todo.pop()]:
            if move[0] in UNIT_MOVES:
                seen[move[1]].add(_values(move, nums, widths))
            if prev not in visited:
                visited.add(prev)
                todo.append(prev)
    paths = _paths(came, goal, MOST_PATHS)
    complete = paths is not None
    if paths is None:
        paths = [_first_path(came, goal)]
    return Cut(dist[goal], [_replay(p, nums, widths) for p in paths], complete, seen, near, levels, within)


def _first_path(came: dict, goal) -> list:
    one, state = [], goal
    while came[state]:
        state, move = came[state][0]
        one.append(move)
    return one[::-1]


def _paths(came: dict, goal, most: int) -> list[list] | None:
    """Every path of moves from the start to ``goal`` (the cheapest cuts), or None when more than
    ``most``."""
    out: list[list] = []
    stack: list[tuple[object, list]] = [(goal, [])]
    while stack:
        state, tail = stack.pop()
        if not came[state]:
            out.append(tail[::-1])
            if len(out) > most:
                return None
            continue
        for prev, move in came[state]:
            stack.append((prev, [*tail, move]))
    return out


def _replay(path: list, nums: list[float], widths: list[int]) -> Reading:
    """The stream positions of every unit's cells along one path of moves."""
    n = len(widths)
    cells: list[list[int | None]] = [[] for _ in range(n)]
    short = [False] * n
    strays: list[int] = []
    credits: list[tuple[float, int]] = []
    debts: list[tuple[float, int, int]] = []
    values: list[tuple] = [()] * n
    moved: list[tuple[float, int, int]] = []
    for move in path:
        if move[0] in ("pay", "credit", "stray"):
            i = move[1]
            if move[0] == "stray":
                strays.append(i)
            elif move[0] == "credit":
                credits.append((nums[i], i))
            else:
                debt = next(d for d in debts if d[0] == nums[i])
                debts.remove(debt)
                cells[debt[1]][debt[2]] = i
                moved.append((nums[i], i, debt[1]))
            continue
        kind, r, i, k = move[:4]
        cells[r] = list(range(i, i + k))
        values[r] = _values(move, nums, widths)
        short[r] = values[r][0]
        if kind == "taken":
            v, at = next((v, at) for v, at in credits if v == move[4])
            credits.remove((v, at))  # the earliest, as the search took it
            cells[r].insert(move[5], at)
            moved.append((v, at, r))
        elif kind == "owed":
            cells[r].insert(move[5], None)
            debts.append((move[4], r, move[5]))
        elif kind == "owed2":
            cells[r].insert(move[5], None)
            cells[r].insert(move[7], None)
            debts += [(move[4], r, move[5]), (move[6], r, move[7])]
    plain = not strays and all(m[0] in ("cells", "short") for m in path)
    return Reading(cells, short, strays, values, plain, tuple(moved))


def _values(move: tuple, nums: list[float], widths: list[int]) -> tuple:
    """What a unit's move reads: (short of cells, its values in column order)."""
    kind, r, i, k = move[:4]
    vals = list(nums[i : i + k])
    if kind in ("taken", "owed", "owed2"):
        vals.insert(move[5], move[4])
    if kind == "owed2":
        vals.insert(move[7], move[6])
    return len(vals) < widths[r], tuple(vals)


def _plus(values: tuple, v) -> tuple:
    return tuple(sorted((*values, v)))


def _minus(values: tuple, v) -> tuple:
    out = list(values)
    out.remove(v)
    return tuple(out)


def _number(it: Item) -> float | None:
    """The value an item adds to a sum (a printed blank adds 0); None when it has none to add."""
    if it.reading.kind == BLANK:
        return 0.0
    if it.reading.kind in (NUMBER, AMOUNT) and isinstance(it.reading.value, (int, float)):
        return float(it.reading.value)
    return None


_BLANK = CellReading(BLANK)


def _unread(cell: Cell | None, why: str) -> Slot:
    return Slot(CellReading(UNREAD, repair=("cell_not_read", why)), cell)


# --- section 三 ---------------------------------------------------------------------------------------

#: A stream read by its labels may have this many full rows that break their sums (a report's typos);
#: rows read from the wrong cells break many.
MOST_BROKEN_IN_PLACE = 1
#: Row labels: a printed label names a row when it matches this well (its numbering agreeing).
LABEL_MIN = 80.0
#: ... or this well when it is printed without a numbering.
BARE_LABEL_MIN = 90.0


@lru_cache(maxsize=4096)
def _names(text: str, fmt: str) -> str | None:
    """The row of the ``fmt`` table that a printed label names, or None (a header, a group heading, a
    fragment of a wrapped label, or text)."""
    num, key = split_numbering(norm(text))
    if not num and key in S3_COLUMN_LABELS:
        return None  # a header cell ("其他", "总计") names no row by itself
    best, best_score = None, 0.0
    for r in S3_ROWS[fmt]:
        if num and num != r.number:
            continue
        s = similarity(key, norm(r.label))
        if s > best_score:
            best, best_score = r.id, s
    if best_score >= (LABEL_MIN if num else BARE_LABEL_MIN):
        return best
    return None


def _group_heading(text: str) -> str | None:
    num, key = split_numbering(norm(text))
    for g in S3_GROUPS:
        if (not num or num == g.number) and similarity(key, g.label) >= 90:
            return g.key
    return None


def _labels_stand_in_place(usual: list[TableRow], fmt: str, width: int) -> bool:
    """Each row of numbers has a label before it naming a template row after the one before (or the
    heading of a group, for its first row), no more values than the row has cells, no row label is
    printed after the last values, and at most one full row breaks its sum."""
    order = {r.id: i for i, r in enumerate(S3_ROWS[fmt])}
    cursor = -1
    broken = 0
    last_values = max((k for k, tr in enumerate(usual) if tr.has_numbers), default=-1)
    for k, tr in enumerate(usual):
        if k > last_values:
            if any(_names(c.text, fmt) for c in tr.labels):
                return False
            continue
        if not tr.has_numbers:
            continue
        vals = list(tr.values)
        while vals and vals[-1].reading.kind == BLANK:
            vals.pop()
        while len(vals) > width and vals[0].reading.kind == BLANK:
            vals.pop(0)
        if not tr.labels or len(vals) > width:
            return False
        rid = _names(tr.labels[-1].text, fmt)
        if rid is None:
            g = _group_heading(tr.labels[-1].text)
            rid = next((r.id for r in S3_ROWS[fmt] if r.group == g), None) if g else None
        if rid is None or order[rid] <= cursor:
            return False
        cursor = order[rid]
        nums = [v.reading.value or 0 for v in vals]
        if (
            len(vals) == width
            and all(v.reading.kind in (NUMBER, BLANK) for v in vals)
            and abs(sum(nums[:-1]) - nums[-1]) > 1e-9
        ):
            broken += 1
    # a report may break a row's sum; rows read from the wrong cells break many
    return broken <= MOST_BROKEN_IN_PLACE


def _applications(items: list[Item], usual: list[TableRow]) -> list[TableRow]:
    width = len(S3_COLUMNS)
    if any(_labels_stand_in_place(usual, fmt, width) for fmt in S3_ROWS):
        return usual
    values = [it for it in items if not it.is_label]
    if any(it.cell.stack is not None for it in values):
        stacked = _stacked_columns(items)
        if stacked is not None:
            return stacked
    read = [_number(it) for it in values]
    nums = [n for n in read if n is not None]
    if not values or len(nums) < len(read):
        return _all_unread(
            usual, "the cells are printed out of their rows' order, and the stream holds text that is no number"
        )
    labels = [it for it in items if it.is_label]
    loose = _loose(items, width)
    best: tuple | None = None
    tried: dict[str, tuple[Cut | None, dict[str, set[int]], list[Unit]]] = {}
    for fmt in _formats(labels, len(values)):
        rows = S3_ROWS[fmt]
        if best is not None and abs(len(rows) * width - len(values)) >= best[1].cost[0]:
            continue  # every cell or value left over costs at least 1: no cheaper cut there
        label_at: dict[str, set[int]] = {}
        for it in labels:
            rid = _names(it.cell.text, fmt)
            if rid:
                label_at.setdefault(rid, set()).add(it.offset)
        units = [Unit(r.id, width) for r in rows]
        found = cut(nums, units, label_at, MOST_COST if best is None else best[1].cost[0], loose)
        tried[fmt] = (found, label_at, units)
        if found is not None and (best is None or found.cost < best[1].cost):
            best = (fmt, found, label_at)
    if best is None or (not all(rd.plain for rd in best[1].readings) and not _fits_all(best[0], best[1])):
        # the least damage the stream shows gives values the table's sums refuse: read what more damage
        # explains, where the sums accept it (a stream read in place whose sums break is the document's
        # own arithmetic, reported by the checks, never rearranged to fit)
        for fmt in [best[0]] if best is not None else list(tried):
            least, label_at, units = tried[fmt]
            for slack in range(1, DEEPEST + 1):
                most = MOST_COST if least is None else least.cost[0]
                wide = cut(nums, units, label_at, most, loose, slack, wide=True)
                deeper = _deeper(fmt, wide) if wide is not None else None
                if wide is None or deeper is not None:
                    break
            if deeper is not None:
                best = (fmt, deeper, label_at)
                break
    if best is None:
        return _all_unread(
            usual, "the cells are printed out of their rows' order and cannot be cut into the template's rows"
        )
    fmt, found, _label_at = best
    cells, doubt, zeros = _decide(fmt, found, nums)
    return _s3_rows(fmt, cells, doubt, zeros, values, labels, width)


# Poppler's plain text of a table whose cells stand close one above the other (values in a large font in
# short rows, as in the template typed into unchanged) reads the table a column at a time: it makes a
# block of each column's run of cells and prints the blocks one after the other, between them rows it
# read across (a line of several values) and lone cells, in an order that follows the page, not the
# table. The layout marks such blocks (``Cell.stack``, with the cell unread: its row is not shown).
# Where every cell of the table is printed (as many values as the table has cells) and every value is
# the same 0, every way to lay the stream into the table gives the same table, all its sums holding:
# the cells are read so. Otherwise a stacked stream stays unread (which rows a block's cells stand on
# is not decided by anything this reading checks yet).


def _stacked_columns(items: list[Item]) -> list[TableRow] | None:
    """Section 三 read from a stream of stacked blocks (see above), or None when it cannot be read so."""
    width = len(S3_COLUMNS)
    values: list[Item] = []
    for it in items:
        if it.is_label:
            continue
        cell = dataclass_replace(it.cell, unread=None, stack=None)
        values.append(Item(cell, read(cell), it.offset))
    nums = [_number(it) for it in values]
    if any(v != 0 or it.reading.kind != NUMBER for v, it in zip(nums, values)):
        return None
    labels = [it for it in items if it.is_label]
    for fmt in _formats(labels, len(values)):
        rows = S3_ROWS[fmt]
        if len(rows) * width != len(values):
            continue
        # each cell is given a 0 of the stream, in the stream's order (which one is not decided, and
        # makes no difference to any value)
        cells = [[r * width + c for c in range(width)] for r in range(len(rows))]
        return _s3_rows(fmt, cells, {}, {}, values, labels, width)
    return None


def _decide(fmt: str, found: Cut, nums: list[float]):
    """The rows the cheapest cuts decide: (per row its seven stream positions, None for a blank and
    UNDECIDED for a cell not decided, or None for a row not decided at all; why a row or cell is not
    read; why a decided row's zeros are not read).

    Every reading the cheapest cuts give a row is a candidate, and a row short of cells has one
    candidate per place of its blanks that keeps its own sum; the column identities of the table (the
    result rows adding up to （七）总计, 本年新收 + 上年结转 = （七）总计 + 结转下年度) choose among them
    (core.solver), and a cell is read where the candidates left agree. Two rows decided on the same
    printed value undo each other.

    A cut that took cells from elsewhere in the stream, passed over values or left rows undecided may
    have given rows their neighbours' values, each row's own sum still holding: its rows are kept only
    where no column identity over them breaks or is left undecided; such a cut that still leaves a full
    row not adding up is not kept at all."""
    rows = S3_ROWS[fmt]
    width = len(S3_COLUMNS)
    index = {r.id: k for k, r in enumerate(rows)}
    col = {c: k for k, c in enumerate(S3_COLUMNS)}
    rules = [i for i in identities(fmt, tuple(r.id for r in rows)) if i.scope[0] == "column"]
    ref = found.readings[0]
    doubt: dict[int, str] = {}
    zeros: dict[int, str] = {}
    many = (
        "cuts of the stream of cells into the template's rows fit it equally well, and give this row "
        "values the column sums do not decide between"
    )

    # the candidates of every row: (values, positions), seven of each, None for a blank
    cands: list[list[tuple[tuple, tuple]]] = []
    for k in range(len(rows)):
        if not found.complete and len(found.seen[k]) > 1:
            cands.append([])
            doubt[k] = f"{len(found.seen[k])} {many}"
            continue
        got: dict[tuple, tuple] = {}
        for rd in found.readings if found.complete else [ref]:
            for v, at in _placed(rd.values[k], rd.cells[k]):
                got.setdefault(v, at)
        cands.append(list(got.items()))
    splits, tiers = _splits(cands), _tiers(fmt)
    keep, note = solver.solve_rows(splits, tiers[:1])
    # each row's readings kept are part of a joint reading that keeps every column identity
    all_hold = not note and all(keep)
    if note:
        keep, _note = solver.solve_rows(splits, tiers)
    cells: list[list | None] = []
    amounts: list[list | None] = []  # what each cell adds to a sum (a blank 0), where the candidates agree
    for k, c in enumerate(cands):
        kept = keep[k]
        left = [c[i] for i in kept] if c and kept is not None else c
        if not left:
            cells.append(None)
            amounts.append(None)
            doubt.setdefault(k, f"{len(c)} {many}" if c else "no cut of the stream gives this row its cells")
            continue
        row, amount = [], []
        for j in range(width):
            vals = {v[j] for v, _a in left}
            row.append(left[0][1][j] if len(vals) == 1 else UNDECIDED)
            adds = {x or 0.0 for x in vals}
            amount.append(adds.pop() if len(adds) == 1 else UNDECIDED)
        if UNDECIDED in row:
            doubt[k] = f"{len(left)} {many}"
        cells.append(row)
        amounts.append(amount)
    # a printed value is one cell: rows decided on the same one undo each other
    used: dict[int, list[int]] = {}
    for k, decided in enumerate(cells):
        for p in decided or ():
            if isinstance(p, int):
                used.setdefault(p, []).append(k)
    for ks in used.values():
        if len(set(ks)) > 1:
            for k in set(ks):
                cells[k] = amounts[k] = None
                doubt[k] = "the column sums leave this row and another the same printed value"

    def value(path):
        amount = amounts[index[path.row]]
        return UNDECIDED if amount is None else amount[col[path.column]]

    def holds(rule) -> bool:
        got = [value(p) for p in rule.stated + rule.summed]
        if UNDECIDED in got:
            # cells the readings do not agree on: the rule vouches for the others only where each
            # reading kept is one that keeps every identity (the cells left undecided are unread)
            return all_hold and all(a is not None for a in amounts)
        n = len(rule.stated)
        return abs(sum(got[:n]) - sum(got[n:])) < 1e-9

    if not ref.plain and any(not is_short and abs(sum(vals[:-1]) - vals[-1]) > 1e-9 for is_short, vals in ref.values):
        # cells taken from elsewhere and still a row that does not add up: the cut is guesswork
        for k in range(len(rows)):
            cells[k] = amounts[k] = None
            doubt[k] = (
                "the stream's cells cut into the template's rows only by taking values from "
                "elsewhere, and some rows still do not add up: the rows cannot be told apart"
            )
    if not ref.plain or not found.complete or any(a is None or UNDECIDED in a for a in amounts):
        vouched: dict[int, bool] = {}
        for rule in rules:
            ok = holds(rule)
            for p in rule.cells:
                vouched[index[p.row]] = vouched.get(index[p.row], True) and ok
        for k in range(len(rows)):
            if cells[k] is not None and not vouched.get(k, False):
                cells[k] = None
                doubt[k] = (
                    "the stream's cells cut into the template's rows only by taking values from "
                    "elsewhere in the stream, passing over some or leaving rows undecided, and the "
                    "column sums cannot vouch for this row's cells"
                )
    # A blank adds 0 to every sum, so no identity tells a row that printed a 0 from one that printed
    # nothing: where a cut nearly as cheap leaves a row short of a cell, its zeros may be that blank.
    # And where a cut leaves a row short and also takes a 0 from elsewhere in the stream, that 0 could
    # as well be the cell of any row printed between it and the row given it, and the blank any of
    # their zeros.
    between: set[int] = set()
    if any(ref.short):
        for v, pos, unit in ref.moved:
            if v != 0:
                continue
            span = [p for p in ref.cells[unit] if p is not None and p != pos]
            lo, hi = min([*span, pos]), max([*span, pos])
            between |= {k for k, at in enumerate(ref.cells) if any(p is not None and lo <= p <= hi for p in at)}
    for k, decided in enumerate(cells):
        if decided is None or ref.short[k]:
            continue
        if k in between:
            zeros[k] = (
                "the stream prints a cell fewer than the table has and a 0 away from its row: a 0 of "
                "this row may be that blank cell"
            )
        elif any(is_short for is_short, _v in found.near[k]):
            zeros[k] = (
                "a cut of the stream nearly as cheap leaves this row a cell short: a 0 of it may "
                "be a cell printed blank"
            )
    return cells, doubt, zeros


def _placed(reading: tuple, at: list[int | None]) -> list[tuple[tuple, tuple]]:
    """A row's reading (short of cells, values) as the seven cells it may fill: (values, positions), None
    for a blank; a short row's blanks in every place that keeps its sum."""
    is_short, vals = reading
    width = len(S3_COLUMNS)
    out = []
    for gaps in combinations(range(width), width - len(vals)) if is_short else [()]:
        it = iter(zip(vals, at))
        pairs = [(None, None) if c in gaps else next(it) for c in range(width)]
        v = tuple(x for x, _p in pairs)
        amounts = [x or 0.0 for x in v]
        if abs(sum(amounts[:-1]) - amounts[-1]) < 1e-9 or not is_short:
            out.append((v, tuple(p for _x, p in pairs)))
    return out


@cache
def _tiers(fmt: str) -> tuple[tuple[solver.Identity, ...], ...]:
    """The column identities of the template's section 三 of ``fmt`` as the solver takes them (all, the
    result sums, the balance), worked out once: every cut a stream is read by is checked against them."""
    return tuple(tuple(tier) for tier in solver.s3_tiers([r.id for r in S3_ROWS[fmt]], fmt))


def _splits(cands: list[list[tuple[tuple, tuple]]]) -> list[solver.RowSplits | None]:
    """Rows' candidate values as the solver takes them."""
    return [
        solver.RowSplits("", solver.S3_SHAPE, [tuple(solver.Piece("", 0, 0, x) for x in v) for v, _a in c], True)
        if c
        else None
        for c in cands
    ]


def _keeps_sums(fmt: str, reading: Reading) -> bool:
    """Whether one cut gives every row values (its blanks placed somewhere) that keep every column
    identity of the table."""
    rows = S3_ROWS[fmt]
    cands = [_placed(reading.values[k], reading.cells[k]) for k in range(len(rows))]
    keep, note = solver.solve_rows(_splits(cands), _tiers(fmt)[:1])
    return not note and all(keep)


def _fits_all(fmt: str, found: Cut) -> bool:
    """Whether some cheapest cut keeps every column identity of the table."""
    return any(_keeps_sums(fmt, rd) for rd in (found.readings if found.complete else found.readings[:1]))


def _deeper(fmt: str, found: Cut) -> Cut | None:
    """Where no cheapest cut keeps the table's column identities: the cuts of the least extra cost
    (up to the search's slack) that do, as a Cut of their own (None when none do, or too many cuts
    are to be told apart)."""
    rows = S3_ROWS[fmt]
    every = _tiers(fmt)[:1]
    assert found.within is not None
    for extra in range(len(found.levels)):
        readings = [sorted(found.levels[extra][k]) for k in range(len(rows))]
        filled = [
            [(rd, v) for rd in readings[k] for v, _at in _placed(rd, [None] * len(rd[1]))] for k in range(len(rows))
        ]
        # the rows one by one first: only the readings some solution over every row's keeps
        keep, note = solver.solve_rows(_splits([[(v, ()) for _rd, v in c] for c in filled]), every)
        if note or not all(keep):
            continue
        allowed: list[set | None] = [{filled[k][i][0] for i in keep[k] or ()} for k in range(len(rows))]
        cuts = found.within(extra, allowed)
        if cuts is None:
            return None
        fitting = [rd for rd in cuts if _keeps_sums(fmt, rd)]
        if fitting:
            # no cost tells a 0 from a blank here: the readings that keep the sums at this cost do
            seen = [{rd.values[k] for rd in fitting} for k in range(len(rows))]
            return Cut((found.cost[0] + extra, found.cost[1]), fitting, True, seen, seen)
    return None


def _loose(items: list[Item], width: int) -> list[bool]:
    """Per value of the stream, whether it stands beside text (a label, the stream's start or end).
    Poppler keeps the order of cells it reads one after the other; a cell it printed away from its
    row (a total aligned to the top of a tall cell) comes between the blocks of other cells, beside
    their labels. A run of values between two texts that is shorter than a row and holds a cell
    printed beside a glyph the layout dropped stands apart whole: the cells a watermark covers are
    printed together beside it, none of them in its row's place."""
    out = []
    for k, it in enumerate(items):
        if not it.is_label:
            out.append(k == 0 or k == len(items) - 1 or items[k - 1].is_label or items[k + 1].is_label or it.cell.apart)
    start = 0
    for k in range(len(items) + 1):
        if k < len(items) and not items[k].is_label:
            continue
        run = items[start:k]
        if run and len(run) < width and any(it.cell.apart for it in run):
            first = run[0].offset
            out[first : first + len(run)] = [True] * len(run)
        start = k + 1
    return out


def _formats(labels: list[Item], values: int) -> list[str]:
    """The tables the labels allow (the 2021 one when a sub-row of its （六） is printed), the one whose
    cells are as many as the values first."""
    if any(r and r.startswith("other.") for r in (_names(it.cell.text, "2021") for it in labels)):
        return ["2021"]
    return sorted(S3_ROWS, key=lambda fmt: abs(len(S3_ROWS[fmt]) * len(S3_COLUMNS) - values))


def _s3_rows(
    fmt: str, cells, doubt: dict[int, str], zeros: dict[int, str], values: list[Item], labels: list[Item], width: int
) -> list[TableRow]:
    rows = S3_ROWS[fmt]
    printed: dict[str, Item] = {}
    for it in labels:
        rid = _names(it.cell.text, fmt)
        if rid and rid not in printed:
            printed[rid] = it
    heads: dict[str, Item] = {}
    for it in labels:
        g = _group_heading(it.cell.text)
        if g and g not in heads:
            heads[g] = it
    # the table's header (the labels before its first value) stays a row of its own, for the core to
    # check the applicant columns it names
    first = values[0].offset if values else 0
    out: list[TableRow] = [TableRow(labels=[it.cell for it in labels if it.offset <= first])]
    for r, (row, at) in enumerate(zip(rows, cells)):
        tr = TableRow()
        first_of_group = row.group is not None and next(x for x in rows if x.group == row.group) is row
        if first_of_group and row.group in heads:
            tr.labels.append(_label(heads[row.group].cell, _heading_text(row.group)))
        if row.id in printed:
            tr.labels.append(_label(printed[row.id].cell, _row_text(row)))
        if at is None:
            tr.values = [_unread(None, doubt[r]) for _ in range(width)]
        else:
            tr.values = [
                _unread(None, doubt[r])
                if p == UNDECIDED
                else Slot(_BLANK, None)
                if p is None
                else _unread(values[p].cell, zeros[r])
                if r in zeros and values[p].reading.value == 0
                else Slot(values[p].reading, values[p].cell)
                for p in at
            ]
        out.append(tr)
    return out


def _label(cell: Cell, text: str) -> Cell:
    """A row's label for the core to match: the template's words, the place and text as printed."""
    return Cell(
        text,
        line=cell.line,
        col=cell.col,
        page=cell.page,
        bbox=cell.bbox,
        printed=cell.printed if cell.printed is not None else cell.text,
    )


def _row_text(row: S3Row) -> str:
    num = row.number
    return (
        f"{num}、" if not num.startswith("(") and not num.isdigit() else f"{num}." if num.isdigit() else num
    ) + row.label


def _heading_text(group: str) -> str:
    g = next(g for g in S3_GROUPS if g.key == group)
    return g.number + g.label


def _all_unread(rows: list[TableRow], why: str) -> list[TableRow]:
    for tr in rows:
        tr.values = [_unread(s.cell, why) if s.reading.kind != BLANK else s for s in tr.values]
    return rows


# --- section 四 ---------------------------------------------------------------------------------------

_S4_WIDTH = len(S4_COLUMNS)


def _review_litigation(items: list[Item], usual: list[TableRow]) -> list[TableRow]:
    """Section 四's fifteen cells. Nothing ties one of its groups to another, and poppler prints the
    groups of its one row as it finds them on the page, so when the stream is not the three groups in
    order, each whole (a sum the report breaks is the report's), every order of the groups is as
    likely as the printed one: a group is read only
    when the cheapest cuts in every order give it the same cells."""
    values = [it for it in items if not it.is_label]
    if any(it.cell.stack is not None for it in values):
        return _wrapped_numbers(items, usual)
    units = [Unit(g, _S4_WIDTH) for g in S4_GROUPS]
    # blanks printed around the table's cells are layout padding (an empty cell of a header row)
    while len(values) > len(units) * _S4_WIDTH and values[0].reading.kind == BLANK:
        values.pop(0)
    while len(values) > len(units) * _S4_WIDTH and values[-1].reading.kind == BLANK:
        values.pop()
    read = [_number(it) for it in values]
    nums = [n for n in read if n is not None]
    if len(nums) < len(read):
        return usual
    if len(values) == len(units) * _S4_WIDTH:
        broken = sum(
            1
            for g in range(len(units))
            if abs(sum(nums[g * _S4_WIDTH : (g + 1) * _S4_WIDTH - 1]) - nums[(g + 1) * _S4_WIDTH - 1]) > 1e-9
        )
        if not broken:
            return usual  # no cut costs less than nothing
        found = cut(nums, units, {})
        if found is None or BROKEN_SUM * broken <= found.cost[0]:
            return usual  # the groups whole and in order are as cheap as any cut
    else:
        found = cut(nums, units, {})
    if found is not None and all(rd.plain for rd in found.readings) and None not in found.agreed():
        return [_s4_row(values, found.agreed())]
    cuts = []
    for order in permutations(range(len(units))):
        c = cut(nums, [units[k] for k in order], {})
        if c is not None:
            cuts.append((c.cost[0], order, c))
    if not cuts:
        return _all_unread(usual, "the cells of section 四 cannot be cut into its groups")
    least = min(cost for cost, _o, _c in cuts)
    readings: list[set] = [set() for _ in units]
    cells: list[list[int | None] | None] = [None] * len(units)
    for cost, order, c in cuts:
        if cost != least:
            continue
        for k, at in zip(order, c.agreed()):
            readings[k].add(None if at is None else tuple(None if p is None else nums[p] for p in at))
            if cells[k] is None:
                cells[k] = at
    return [_s4_row(values, [at if len(r) == 1 else None for at, r in zip(cells, readings)])]


# Section 四 is one row of cells, so a block of lines of values poppler printed one under the other
# (``Cell.stack``) in it is no column read top to bottom: it is one cell whose number was too wide for its
# narrow column and wrapped ("17" over "8" for 178). The pieces of such a block (whole numbers, the first
# not starting with 0) are joined into one number, and section 四 read so; the joined number is kept only
# where its group, as read, adds up (its own sum says the pieces are one number, and in that order). A
# block that is not so stays unread.

_DIGITS = re.compile(r"[0-9]+")


def _wrapped_numbers(items: list[Item], usual: list[TableRow]) -> list[TableRow]:
    """Section 四 read with each stacked block joined into one number (see above)."""
    cells: list[Cell] = []
    joined: set[int] = set()  # ids of the joined cells
    k = 0
    while k < len(items):
        it = items[k]
        if it.is_label or it.cell.stack is None:
            cells.append(it.cell)
            k += 1
            continue
        block = [it]
        while k + len(block) < len(items) and items[k + len(block)].cell.stack == it.cell.stack:
            block.append(items[k + len(block)])
        k += len(block)
        pieces = [b.cell.text.strip() for b in block]
        if len(block) < 2 or not all(_DIGITS.fullmatch(p) for p in pieces) or pieces[0].startswith("0"):
            return usual
        printed = "\n".join(b.cell.printed if b.cell.printed is not None else b.cell.text for b in block)
        cell = dataclass_replace(it.cell, text="".join(pieces), unread=None, stack=None, printed=printed)
        joined.add(id(cell))
        cells.append(cell)
    read_again = items_of(cells)
    rows = _review_litigation(read_again, by_labels(read_again))
    # the fifteen cells as read, in the table's order (the rows of a stream read by its labels too)
    slots = [(tr, at) for tr in rows for at in range(len(tr.values))]
    whole = len(slots) == len(S4_GROUPS) * _S4_WIDTH
    doubt = []
    for k, (tr, at) in enumerate(slots):
        got = tr.values[at].cell
        if got is None or id(got) not in joined:
            continue
        start = k - k % _S4_WIDTH
        group = [row.values[a] for row, a in slots[start : start + _S4_WIDTH]]
        nums = [float(s.reading.value) for s in group if s.reading.kind == NUMBER]  # type: ignore[arg-type]
        if not whole or len(nums) != _S4_WIDTH or abs(sum(nums[:-1]) - nums[-1]) > 1e-9:
            doubt.append((tr, at, got))
    for tr, at, got in doubt:
        tr.values[at] = _unread(
            got,
            f"lines of values printed one under the other ({got.text!r} joined) may be one number "
            "wrapped in its cell, but its group's sum does not say so",
        )
    return rows


def _s4_row(values: list[Item], cells: list[list[int | None] | None]) -> TableRow:
    tr = TableRow()
    for at in cells:
        if at is None:
            why = (
                "section 四's groups are printed out of order and more than one cut of them into the "
                "template's groups fits: this group's cells are uncertain"
            )
            tr.values += [_unread(None, why) for _ in range(_S4_WIDTH)]
        else:
            tr.values += [
                Slot(values[p].reading, values[p].cell)
                if p is not None
                else _unread(None, "the group's total is printed nowhere in the stream")
                for p in at
            ]
    return tr


# --- section 二 ---------------------------------------------------------------------------------------


def _names_s2_row(text: str, fmt: str | None) -> bool:
    """Whether ``text`` names a row of section 二 in ``fmt`` (in either format when None)."""
    names = _s2_names(text)
    return bool(names) if fmt is None else fmt in names


@lru_cache(maxsize=4096)
def _s2_names(text: str) -> Mapping[str, str]:
    """fmt -> the section-二 row a printed label names (read-only: it is shared by every caller)."""
    key = split_numbering(norm(text))[1]
    out: dict[str, str] = {}
    for fmt, specs in S2_ROWS.items():
        best, best_score = None, 0.0
        for spec in specs:
            s = max(similarity(key, norm(label)) for label in spec.labels)
            if s > best_score:
                best, best_score = spec.id, s
        if best is not None and best_score >= BARE_LABEL_MIN:
            out[fmt] = best
    return MappingProxyType(out)


def _active_disclosure(items: list[Item], usual: list[TableRow]) -> list[TableRow]:
    """Section 二: its values are cut into the template's rows, the whole section at once or table by
    table (第二十条第（X）项), when they are exactly as many as the cells, the rows' labels are printed in
    the rows' order and none among another row's values, and each value is of the kind its column
    holds; otherwise the table is read by its labels."""
    fmts = _s2_formats(items)
    for fmt in fmts:
        whole = _s2_cut(items, list(S2_ROWS[fmt]))
        if whole is not None:
            return whole
    best: list[TableRow] | None = None
    best_cut = -1
    for fmt in fmts:
        rows: list[TableRow] = []
        cut_tables = 0
        for item, block in _s2_late_labels(_s2_tables(items), fmt):
            specs = [r for r in S2_ROWS[fmt] if norm(r.item) == item]
            got = _s2_cut(block, specs) if specs else None
            if got is None and specs:
                got = _s2_stacked_column(block, specs, fmt)
            if got is None:
                rows += _s2_by_labels(by_labels(block), fmt, specs)
            else:
                rows += got
                cut_tables += 1
        if cut_tables > best_cut:
            best, best_cut = rows, cut_tables
    return best if best_cut > 0 else _s2_by_labels(usual, None, [])  # type: ignore[return-value]


# Poppler may print the title and row label of a small table of section 二 after its values (the label
# column read after the value columns): the table's column headers and values then come at the end of
# the table before it, and the table itself prints only labels. The values are given back where every
# part of that picture holds: the tables that print no value have one row each and print its label;
# the table before them ends, after its own rows (which are then exactly as many values as its cells),
# with one run per such table, in their order, of that table's column headers (each column once, in
# order) followed by one value per column, each of its column's kind.


def _s2_late_labels(tables: list[tuple[str, list[Item]]], fmt: str) -> list[tuple[str, list[Item]]]:
    """``tables`` (see :func:`_s2_tables`) with the values of tables printed before their labels (see
    above) moved to them."""
    out = [(item, list(block)) for item, block in tables]

    def specs_of(item: str) -> list:
        return [r for r in S2_ROWS[fmt] if norm(r.item) == item]

    for d, (item, donor) in enumerate(out):
        later = []
        for e in range(d + 1, len(out)):
            specs = specs_of(out[e][0])
            block = out[e][1]
            if (
                len(specs) != 1
                or any(not it.is_label for it in block)
                or not any(_s2_names(it.cell.text).get(fmt) == specs[0].id for it in block)
            ):
                break
            later.append((e, specs[0]))
        if not later or not specs_of(item):
            continue
        end, runs = len(donor), []
        for e, spec in reversed(later):
            n = len(spec.columns)
            heads, values = donor[end - 2 * n : end - n], donor[end - n : end]
            if (
                end - 2 * n < 0
                or not all(it.is_label for it in heads)
                or any(
                    similarity(norm(h.cell.text), norm(c.label)) < BARE_LABEL_MIN for h, c in zip(heads, spec.columns)
                )
                or not all(
                    not v.is_label and v.reading.kind != UNREAD and _fits(v.reading, c.kind)
                    for v, c in zip(values, spec.columns)
                )
            ):
                break
            runs.append((e, heads + values))
            end -= 2 * n
        else:
            if _s2_cut(donor[:end], specs_of(item)) is None:
                continue  # the table before is not whole without the runs
            out[d] = (item, donor[:end])
            for e, run in runs:
                out[e] = (out[e][0], out[e][1] + run)
    return out


def _s2_formats(items: list[Item]) -> list[str]:
    """The format whose own words (column headers, rows the other format lacks) the labels print more,
    or both when they print as many of each."""
    text = "".join(norm(it.cell.text) for it in items if it.is_label)
    votes = {fmt: sum(1 for w in words if norm(w) in text) for fmt, words in FORMAT_MARKERS.items()}
    top = max(votes.values())
    return [fmt for fmt in S2_ROWS if votes.get(fmt, 0) == top]


def _s2_tables(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """The stream cut at the titles of the tables of Article 20 ("第二十条第（一）项"), each title with the
    items after it; a title printed again (a table's header repeated after a page break) or out of
    order continues the table before it."""
    order = list(dict.fromkeys(norm(r.item) for fmt in S2_ROWS for r in S2_ROWS["2019"] + S2_ROWS[fmt]))
    out: list[tuple[str, list[Item]]] = [("", [])]
    last = -1
    for it in items:
        key = norm(it.cell.text) if it.is_label else ""
        if key in order and order.index(key) > last:
            last = order.index(key)
            out.append((key, [it]))
            continue
        out[-1][1].append(it)
    return out


def _s2_cut(block: list[Item], specs) -> list[TableRow] | None:
    values = [it for it in block if not it.is_label]
    if len(values) != sum(len(s.columns) for s in specs) or any(v.reading.kind == UNREAD for v in values):
        return None
    at: dict[str, Item] = {}
    for it in block:
        if it.is_label:
            for rid in _s2_names(it.cell.text).values():
                at.setdefault(rid, it)
    if any(spec.id not in at for spec in specs):
        return None
    spans, start = [], 0
    for spec in specs:
        spans.append((start, start + len(spec.columns)))
        start += len(spec.columns)
    rows = []
    last = 0
    for r, (spec, (start, end)) in enumerate(zip(specs, spans)):
        # the rows' labels are printed in the rows' order, and never among another row's values
        # (where a column read as a block of its own puts them)
        o = at[spec.id].offset - values[0].offset
        if (
            o < last
            or any(a < o < b for k, (a, b) in enumerate(spans) if k != r)
            or not all(_fits(v.reading, c.kind) for v, c in zip(values[start:end], spec.columns))
        ):
            return None
        last = o
        rows.append(
            TableRow(
                labels=[_label(at[spec.id].cell, spec.labels[0])],
                values=[Slot(v.reading, v.cell) for v in values[start:end]],
            )
        )
        start = end
    return rows


# Poppler may read one column of a section-二 table as a block of its own (the layout marks it:
# ``Cell.stack``): the other columns come out row by row (a row label, then its values), the column's
# header after the last row, and the column's cells after it, one line each, top to bottom. Such a table
# is read only where every part of that picture holds: the headers of the other columns are printed
# before the first row, in the columns' order; each row is printed whole but for that one column (its
# label naming the table's next row, then one value per other column, none of them stacked); and the
# last things printed are that column's header and a block of exactly one value per row, nothing after
# them. The block's values are then the column's cells in the rows' order. Otherwise a block stays
# unread (which row each of its cells stands on is not shown).


def _s2_stacked_column(block: list[Item], specs, fmt: str) -> list[TableRow] | None:
    """A section-二 table whose one column poppler printed as a block after its rows (see above), or
    None when the stream is not so."""
    columns = specs[0].columns
    width = len(columns)
    if width < 2 or any(s.columns != columns for s in specs):
        return None
    at = [k for k, it in enumerate(block) if not it.is_label and it.cell.stack is not None]
    if (
        len(at) != len(specs)
        or at != list(range(at[0], at[0] + len(at)))
        or at[-1] != len(block) - 1
        or len({block[k].cell.stack for k in at}) != 1
        or at[0] < 1
        or not block[at[0] - 1].is_label
    ):
        return None

    def column(it: Item) -> int | None:
        key = norm(it.cell.text)
        scores = [similarity(key, norm(c.label)) for c in columns]
        best = max(scores)
        return scores.index(best) if best >= BARE_LABEL_MIN and scores.count(best) == 1 else None

    j = column(block[at[0] - 1])
    if j is None:
        return None
    others = [c for c in range(width) if c != j]
    rows = by_labels(block[: at[0] - 1])
    first_value = next((k for k, it in enumerate(block) if not it.is_label), at[0])
    heads = [c for it in block[:first_value] if it.is_label for c in [column(it)] if c is not None]
    if heads != others or any(column(it) is not None for it in block[first_value : at[0] - 1] if it.is_label):
        return None
    if len(rows) != len(specs):
        return None
    out = []
    for spec, tr, k in zip(specs, rows, at):
        if (
            not tr.labels
            or _s2_names(tr.labels[-1].text).get(fmt) != spec.id
            or len(tr.values) != width - 1
            or any(s.cell is None or s.cell.stack is not None for s in tr.values)
        ):
            return None
        cell = dataclass_replace(block[k].cell, unread=None, stack=None)
        values = list(tr.values)
        values.insert(j, Slot(read(cell), cell))
        if not all(v.reading.kind != UNREAD and _fits(v.reading, c.kind) for v, c in zip(values, columns)):
            return None
        out.append(TableRow(labels=[_label(tr.labels[-1], spec.labels[0])], values=values))
    return out


def _fits(reading: CellReading, kind: str) -> bool:
    """Whether a value may stand in a column of ``kind``: a value with a unit or decimals only in an
    amount column, a negative one only in a column that takes a sign."""
    if reading.kind == BLANK:
        return True
    v = reading.value
    if reading.kind == AMOUNT or (isinstance(v, float) and v != int(v)):
        return kind == AMOUNT_KIND
    if isinstance(v, (int, float)) and v < 0:
        return kind == SIGNED
    return True


def _s2_by_labels(usual: list[TableRow], fmt: str | None, specs) -> list[TableRow]:
    """The rows read by their labels, a row's label being the one that names a template row (of
    ``fmt``, or of either format); a row label printed with no values after it takes the values before
    it that no row label stood before. A row whose values are as many as its cells but one of them is
    not of its column's kind is not read.

    A table of ``specs`` that prints fewer values than it has cells, with a row label that does not
    stand right before its values, is not read at all: poppler reads such a table (its blank cells
    print nothing) a column at a time, in an order the text does not show."""
    values = [s for tr in usual for s in tr.values]
    if specs and len(values) < sum(len(sp.columns) for sp in specs):
        named_rows = [tr for tr in usual if tr.labels and any(_names_s2_row(c.text, fmt) for c in tr.labels)]
        if any(not tr.values or len([c for c in tr.labels if _names_s2_row(c.text, fmt)]) > 1 for tr in named_rows):
            why = (
                "the table prints fewer values than it has cells and its row labels do not stand before "
                "their values: which value is whose is uncertain"
            )
            for tr in usual:
                tr.values = [_unread(v.cell, why) if v.cell is not None else v for v in tr.values]
            return usual
    out: list[TableRow] = []
    for tr in usual:
        named = [c for c in tr.labels if _s2_names(c.text)]
        if named and named[-1] is not tr.labels[-1]:
            tr.labels = [c for c in tr.labels if c is not named[-1]] + [named[-1]]
        out.append(tr)
    for k, tr in enumerate(out):
        if k == 0 or tr.values or not tr.labels or not _s2_names(tr.labels[-1].text):
            continue
        prev = out[k - 1]
        if prev.values and not any(_s2_names(c.text) for c in prev.labels):
            tr.values, prev.values = prev.values, []
    for tr in out:
        names = _s2_names(tr.labels[-1].text) if tr.labels else {}
        for f in [fmt] if fmt else list(names):
            spec = next((r for r in S2_ROWS[f] if r.id == names.get(f)), None)
            if (
                spec is not None
                and len(tr.values) == len(spec.columns)
                and not all(_fits(v.reading, c.kind) for v, c in zip(tr.values, spec.columns))
            ):
                tr.values = [
                    _unread(
                        v.cell,
                        f"{v.cell.text.strip()!r} is not of the kind its column "
                        f"holds: the row's values are not in their columns' order",
                    )
                    if v.cell is not None
                    else v
                    for v in tr.values
                ]
                break
    return out
