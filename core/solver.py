"""Placing values that do not fit their columns: the core's one way to decide which printed value belongs
in which cell, for every layout.

Pure functions, no I/O. A *run* is the text of one table row's values as printed: digits, stray spaces,
a sign, a decimal point, a unit ("801000081" = 80|1|0|0|0|0|81 when the cells were glued together). The
solver enumerates every way to cut a run into the row's cells, keeps the cuts the template's arithmetic
allows, and reads a cell only when every remaining cut gives it the same value. Rows are tied together by
the column identities of their table (:func:`solve_rows`), which decide among the candidates of rows of
any kind: splits of a run, or the placements of a row that printed fewer values than it has columns. A
cell the arithmetic cannot decide is returned unread, with the candidates as the reason: it is never
guessed.

Rules of a cut:

- a number has no leading zero unless it is "0"; counts are whole, only amount columns carry a decimal
  part or a unit (元, 万元); only columns that may be negative (本年增/减) take a sign, and the sign starts
  its cell (so "2648-18538" cuts before the "-");
- a space printed inside a run ends a cell ("230 000023": 23|0|0|0|0|0|23); if no cut honours the spaces,
  they are ignored (a space typed inside a number);
- a blank cell prints nothing, so in a row with no sum to check (section 二) a blank may hide anywhere
  in the run ("215" for 上一年项目数量 | 本年增/减 | 处理决定数量 may be 2 | blank | 15);
- identities: in a sum group the parts add up to the group's total (section 三: the six applicant columns
  to 总计; section 四: each group of four to its 总计); across the rows of section 三, per column, the
  result rows add up to （七）总计 and 本年新收 + 上年结转 = （七）总计 + 结转下年度. When no cut satisfies an
  identity (the report breaks it), the cuts are taken without it, and the core reports the break.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from core.frozen import quick_init
from core.template import (
    AMOUNT,
    BALANCE,
    COUNT,
    GROUP_SUM,
    RESULTS_SUM,
    ROW_SUM,
    S2_ROWS,
    S3_COLUMNS,
    S3_ROWS,
    S4_FIELDS,
    SIGNED,
    identities,
)

_PATTERN = {
    COUNT: re.compile(r"(?:0|[1-9]\d*)\Z"),
    SIGNED: re.compile(r"(?:0|[+-]?[1-9]\d*)\Z"),
    AMOUNT: re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|亿元|元|万)?\Z"),
}
#: Fullwidth forms folded one character for one character, so that offsets stay those of the run.
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "－": "-",
        "＋": "+",
        "\u3000": " ",
        "\u00a0": " ",
        "—": "-",
        "−": "-",
    }
)

#: Most splits of one row enumerated before the row is given up as undecidable.
ROW_LIMIT = 20000
#: Most steps the enumeration of one row takes before the row is given up as undecidable.
STEP_LIMIT = 200_000
#: Most assignments the search over section 三's rows tries before it gives up (everything ambiguous
#: is then left unread, row by row).
TABLE_BUDGET = 100_000
#: Most steps the splitting of all the runs of one document takes: past it, the runs left are unread
#: (a report's rows split in a few thousand steps; a file of long runs would otherwise cost each row's
#: limit again and again).
DOCUMENT_STEPS = 1_500_000
#: Most digits one cell of each kind holds: no count of a report reaches ten million, an amount in 万元
#: with six decimals has sixteen. A run longer than its row's cells can hold is unread at once.
MOST_DIGITS = {COUNT: 8, SIGNED: 8, AMOUNT: 16}
#: Candidates quoted in a reason.
_QUOTED = 4

_document_steps: contextvars.ContextVar[list[int]] = contextvars.ContextVar("document_steps")


@contextlib.contextmanager
def document_budget() -> Iterator[None]:
    """The steps the runs of one document may take, shared by every row split while it is open."""
    token = _document_steps.set([DOCUMENT_STEPS])
    try:
        yield
    finally:
        _document_steps.reset(token)


@dataclass(frozen=True, slots=True)
class Shape:
    """The cells of one row: the kind of each, and its sum groups ((part indices), total index); parts are
    contiguous and come right before their total."""

    kinds: tuple[str, ...]
    groups: tuple[tuple[tuple[int, ...], int], ...] = ()
    #: A blank cell may be hidden in the run (it prints nothing). Only rows without sum groups allow it:
    #: a group's sum rules a hidden blank out wherever it would shift the digits.
    blanks: bool = False

    @property
    def width(self) -> int:
        return len(self.kinds)


@quick_init
@dataclass(frozen=True, slots=True)
class Piece:
    """One cell of a split: its text as printed and where it starts and ends in the run."""

    text: str
    start: int
    end: int
    value: int | float | str | None  # None: a blank hidden in the run


@quick_init
@dataclass(frozen=True, slots=True)
class CellOut:
    """A cell as the layout should report it: the digits, their offset in the run, and, when the cell
    cannot be read with certainty, the reason (``unread``)."""

    text: str
    start: int
    unread: str | None = None


Split = tuple[Piece, ...]


# --- one run ------------------------------------------------------------------------------------------


class _Run:
    """A run without its spaces, remembering where each character was printed and where spaces cut it."""

    def __init__(self, printed: str, spaces: bool = True):
        folded = printed.translate(_FOLD)
        self.printed = printed
        self.chars: list[str] = []
        self.where: list[int] = []
        cuts: set[int] = set()
        for i, ch in enumerate(folded):
            if ch.isspace():
                if spaces and self.chars:
                    cuts.add(len(self.chars))
                continue
            self.chars.append(ch)
            self.where.append(i)
        self.s = "".join(self.chars)
        self.n = len(self.s)
        cuts.discard(self.n)
        # next_cut[a]: the first cut after position a (a token starting at a may not go past it)
        self.next_cut = [self.n] * (self.n + 1)
        nxt = self.n
        for a in range(self.n - 1, -1, -1):
            if a + 1 in cuts:
                nxt = a + 1
            self.next_cut[a] = nxt
        self._memo: dict[tuple[int, int, str], object] = {}

    def token(self, a: int, b: int, kind: str):
        """The value of s[a:b] read as a cell of ``kind``, or None when it cannot be one."""
        key = (a, b, kind)
        if key in self._memo:
            return self._memo[key]
        out = None
        if 0 <= a < self.n and a < b <= self.next_cut[a]:
            t = self.s[a:b]
            if _PATTERN[kind].match(t):
                out = _value(t)
        self._memo[key] = out
        return out

    def piece(self, a: int, b: int, value) -> Piece:
        if a == b:  # a blank hidden in the run, at the place it would have been printed
            at = self.where[a] if a < self.n else (self.where[-1] + 1 if self.n else 0)
            return Piece("", at, at, None)
        start, end = self.where[a], self.where[b - 1] + 1
        return Piece(self.printed[start:end], start, end, value)


def _value(t: str):
    if t.endswith(("元", "万")):
        return t
    if "." in t:
        return float(t)
    return int(t)


def _number(v) -> int | float:
    """A cell's value as a number in a sum: a blank counts as 0, an amount by its digits."""
    if v is None:
        return 0
    if isinstance(v, str):
        return float(re.sub(r"[^\d.]", "", v) or 0)
    return v


class _TooMany(Exception):
    pass


def _enumerate(run: _Run, shape: Shape, use_groups: bool, limit: int) -> list[Split]:
    """Every split of the run into the shape's cells (honouring its sum groups when ``use_groups``).

    Memoised over (cell, position): each sub-problem is solved once, and a sum group's parts are searched
    only once its total is fixed, with each part bounded by what is left of the total.
    """
    kinds = shape.kinds
    width = len(kinds)
    group_at = {parts[0]: (parts, total) for parts, total in shape.groups} if use_groups else {}
    steps = [0]
    memo_cells: dict[tuple[int, int], list[tuple]] = {}
    memo_parts: dict[tuple[int, int, int, object], list[tuple]] = {}

    left = _document_steps.get([DOCUMENT_STEPS])

    def step(found: int = 0):
        steps[0] += 1 + found
        left[0] -= 1
        if steps[0] > STEP_LIMIT or found > limit or left[0] < 0:
            raise _TooMany

    def cells(col: int, pos: int) -> list[tuple]:
        key = (col, pos)
        if key in memo_cells:
            return memo_cells[key]
        step()
        out: list[tuple] = []
        left = width - col
        if col == width:
            if pos == run.n:
                out.append(())
        elif run.n - pos >= left or (shape.blanks and pos <= run.n):
            if col in group_at:
                parts, total = group_at[col]
                k = len(parts)
                after = width - total - 1
                ends = [run.n] if after == 0 else range(pos + k + 1, run.n - after + 1)
                for e in ends:
                    rest = cells(total + 1, e)
                    if not rest:
                        continue
                    # each part is at most the total, so the parts take at most k times the total's
                    # length: t - pos <= k * (e - t)
                    for t in range(max(pos + k, e - 24), min(e - 1, (pos + k * e) // (k + 1)) + 1):
                        tv = run.token(t, e, kinds[total])
                        if tv is None:
                            continue
                        for ps in parts_of(pos, t, parts, _number(tv)):
                            for r in rest:
                                out.append((*ps, (t, e, tv), *r))
                            step(len(out))
            else:
                kind = kinds[col]
                if shape.blanks:
                    for r in cells(col + 1, pos):
                        out.append(((pos, pos, None), *r))
                    step(len(out))
                reserve = 0 if shape.blanks else left - 1
                for b in range(pos + 1, min(run.next_cut[pos], run.n - reserve) + 1):
                    v = run.token(pos, b, kind)
                    if v is None:
                        continue
                    for r in cells(col + 1, b):
                        out.append(((pos, b, v), *r))
                    step(len(out))
        memo_cells[key] = out
        return out

    memo_range: dict[tuple[int, int, int, str], tuple[float, float] | None] = {}

    def sum_range(a: int, t: int, k: int, kind: str) -> tuple[float, float] | None:
        """Least and greatest sum of ``k`` cells tiling [a, t) (None when they cannot tile it)."""
        key = (a, t, k, kind)
        if key in memo_range:
            return memo_range[key]
        step()
        out = None
        if k == 1:
            v = run.token(a, t, kind)
            out = None if v is None else (_number(v), _number(v))
        elif t - a >= k:
            lo, hi = float("inf"), float("-inf")
            for b in range(a + 1, min(run.next_cut[a], t - (k - 1)) + 1):
                v = run.token(a, b, kind)
                if v is None:
                    continue
                rest = sum_range(b, t, k - 1, kind)
                if rest is not None:
                    lo, hi = min(lo, _number(v) + rest[0]), max(hi, _number(v) + rest[1])
            out = (lo, hi) if lo <= hi else None
        memo_range[key] = out
        return out

    def parts_of(pos: int, t: int, parts: tuple[int, ...], remaining) -> list[tuple]:
        key = (pos, t, len(parts), remaining)
        if key in memo_parts:
            return memo_parts[key]
        step()
        out: list[tuple] = []
        kind = kinds[parts[0]]
        k = len(parts)
        bounds = sum_range(pos, t, k, kind)
        if bounds is not None and bounds[0] <= remaining <= bounds[1]:
            if k == 1:
                v = run.token(pos, t, kind)
                out.append(((pos, t, v),))
            else:
                for b in range(pos + 1, min(run.next_cut[pos], t - (k - 1)) + 1):
                    v = run.token(pos, b, kind)
                    if v is None:
                        continue
                    if _number(v) > remaining:
                        if kind == COUNT:
                            break  # longer tokens only grow
                        continue
                    for r in parts_of(b, t, parts[1:], remaining - _number(v)):
                        out.append(((pos, b, v), *r))
                    step(len(out))
        memo_parts[key] = out
        return out

    return [tuple(run.piece(a, b, v) for a, b, v in spans) for spans in cells(0, 0)]


@dataclass
class RowSplits:
    """The splits of one run: ``splits`` (None when there were too many to list), whether they honour the
    row's own identities (``checked``), and why there are none when there are none."""

    run: str
    shape: Shape
    splits: list[Split] | None
    checked: bool
    note: str = ""


def split_run(run: str, shape: Shape, limit: int = ROW_LIMIT) -> RowSplits:
    """Every split of ``run`` into the row's cells that honours its printed spaces and the row's
    identities. Failing that, the splits that give up one or the other: a space typed inside a number
    and a sum the report breaks are both possible, so the splits of both are kept (``checked`` False
    when some of them break the row's identities), and the cells they disagree on stay unread."""
    digits = sum(ch.isdigit() for ch in run.translate(_FOLD))
    most = sum(MOST_DIGITS[k] for k in shape.kinds)
    if digits > most:
        return RowSplits(run, shape, None, False, f"{digits} digits are more than {shape.width} cells of a report hold")
    if _document_steps.get([DOCUMENT_STEPS])[0] < 0:
        return RowSplits(run, shape, None, False, "the document's runs took every step they are allowed")
    spaced = _Run(run, True)
    plain = _Run(run, False) if any(c.isspace() for c in run.translate(_FOLD).strip()) else None
    try:
        if shape.groups:
            found = _enumerate(spaced, shape, True, limit)
            if found:
                return RowSplits(run, shape, found, True)
            unspaced = _enumerate(plain, shape, True, limit) if plain else []
            broken = _enumerate(spaced, shape, False, limit)
            if unspaced and broken:
                return RowSplits(
                    run,
                    shape,
                    _union(unspaced, broken),
                    False,
                    "either a space is printed inside a number or the row's sum is broken",
                )
            if unspaced:
                return RowSplits(run, shape, unspaced, True, "the spaces printed in it cut no possible split")
            if broken:
                return RowSplits(run, shape, broken, False, "no split adds up")
        else:
            found = _enumerate(spaced, shape, False, limit)
            if found:
                return RowSplits(run, shape, found, True)
        if plain:
            found = _enumerate(plain, shape, False, limit)
            if found:
                return RowSplits(run, shape, found, not shape.groups, "the spaces printed in it cut no possible split")
    except _TooMany:
        return RowSplits(run, shape, None, False, "too many ways to split it")
    digits = sum(ch.isdigit() for ch in run.translate(_FOLD))
    return RowSplits(run, shape, [], False, f"{digits} digits cannot be cut into {shape.width} cells")


def _union(*lists: list[Split]) -> list[Split]:
    seen, out = set(), []
    for splits in lists:
        for sp in splits:
            key = tuple((p.start, p.end) for p in sp)
            if key not in seen:
                seen.add(key)
                out.append(sp)
    return out


def _show(split: Sequence[Piece], cols: Sequence[int] | None = None) -> str:
    cols = range(len(split)) if cols is None else cols
    return "|".join("blank" if split[c].value is None else str(split[c].value) for c in cols)


def cells_of(rs: RowSplits, keep: Sequence[int] | None = None, context: str = "") -> list[CellOut]:
    """The row's cells from the splits still possible (``keep``: their indices; default all): a cell
    every split gives the same value is read, the others are unread with the candidate splits."""
    width = rs.shape.width
    run = rs.run
    first = len(run) - len(run.lstrip())
    whole = run.strip()
    if rs.splits is None or not rs.splits:
        why = f"{whole!r}: {rs.note}; the cells cannot be read"
        return [CellOut(whole, first, why) for _ in range(width)]
    splits = rs.splits if keep is None else [rs.splits[i] for i in keep]
    agreed = [len({s[c].value for s in splits}) == 1 for c in range(width)]
    out: list[CellOut | None] = [None] * width
    for c in range(width):
        if agreed[c]:
            p = splits[0][c]
            out[c] = CellOut(p.text.strip() if p.text.strip() else p.text, p.start)
    c = 0
    while c < width:
        if agreed[c]:
            c += 1
            continue
        block = [c]
        while c + 1 < width and not agreed[c + 1]:
            c += 1
            block.append(c)
        c += 1
        start = min(s[block[0]].start for s in splits)
        end = max(s[block[-1]].end for s in splits)
        text = run[start:end].strip()
        start += len(run[start:end]) - len(run[start:end].lstrip())
        # Even splits first ("77|132|470" before "7|7|132470"): the likelier readings lead the list.
        counts = [c for c in block if rs.shape.kinds[c] != AMOUNT] or block
        ordered = sorted(
            splits,
            key=lambda sp: (max(len(sp[c].text.strip()) for c in counts), [len(sp[c].text.strip()) for c in counts]),
        )
        shown = list(dict.fromkeys(_show(s, block) for s in ordered))
        cands = " or ".join(shown[:_QUOTED]) + (f" or … ({len(shown)} ways)" if len(shown) > _QUOTED else "")
        why = f"{text!r} splits as {cands}"
        if rs.note:
            why += f" ({rs.note})"
        why += context or (
            "; the row's arithmetic allows each" if rs.checked and rs.shape.groups else "; nothing in the row decides"
        )
        for col in block:
            out[col] = CellOut(text, start, why)
    return out  # type: ignore[return-value]


def read_run(run: str, shape: Shape) -> list[CellOut]:
    """One row on its own (section 二, section 四): its splits, then its cells."""
    return cells_of(split_run(run, shape))


# --- section 三: rows tied by the column identities ------------------------------------------------

Identity = tuple[tuple[int, int, int], ...]  # ((row index, column, coefficient), ...): sum == 0


def solve_rows(
    rows: Sequence[RowSplits | None], tiers: Sequence[Sequence[Identity]], budget: int = TABLE_BUDGET
) -> tuple[list[list[int] | None], str]:
    """Which splits of each row survive the identities across rows.

    ``tiers`` are sets of identities tried in turn (all of them, then fewer) until one has a solution.
    Returns, per row, the indices of the splits that appear in some solution (None for a row that is
    absent or could not be listed) and a note on what decided. Identities touching such a row are dropped.
    """
    usable = [r is not None and bool(r.splits) for r in rows]
    own: list[list[int] | None] = [
        list(range(len(r.splits or ()))) if r is not None and u else None for r, u in zip(rows, usable)
    ]
    for tier in tiers:
        ids = [i for i in tier if all(usable[r] for r, _c, _k in i)]
        if not ids:
            continue
        result = _search(rows, usable, ids, budget)
        if result is None:
            return own, "too many combinations to decide from the column sums"
        if any(result):
            return [sorted(result[i]) if usable[i] else None for i in range(len(rows))], ""
    return own, "the column sums fit no split"


def _search(rows, usable, ids: list[Identity], budget: int) -> list[set[int]] | None:
    """Per row, the splits found in some choice of one split a row that keeps every identity ``ids``
    (None when more than ``budget`` choices are to be tried). A choice is abandoned as soon as an
    identity can no longer hold whatever the rows not yet chosen give."""
    involved = sorted({r for i in ids for r, _c, _k in i})
    order = _order(involved, ids, {r: len(rows[r].splits) for r in involved})
    pos = {r: k for k, r in enumerate(order)}
    values = [[tuple(_number(p.value) for p in s) for s in rows[r].splits] for r in order]
    seen: list[set[int]] = [set() for _ in order]
    chosen: list[int] = [0] * len(order)
    nodes = 0
    # per depth, the identities the row chosen there takes part in, with its terms (column, coefficient);
    # per identity and depth, the least and the most the rows chosen after it can add
    touch: list[list[tuple[int, list[tuple[int, int]]]]] = [[] for _ in order]
    low: list[list[float]] = []
    high: list[list[float]] = []
    for n, ident in enumerate(ids):
        terms: dict[int, list[tuple[int, int]]] = {}
        for r, c, coef in ident:
            terms.setdefault(pos[r], []).append((c, coef))
        for k, ts in terms.items():
            touch[k].append((n, ts))
        lo, hi = [0.0] * (len(order) + 1), [0.0] * (len(order) + 1)
        for k in range(len(order) - 1, -1, -1):
            adds = [sum(coef * v[c] for c, coef in terms[k]) for v in values[k]] if k in terms else [0.0]
            lo[k], hi[k] = lo[k + 1] + min(adds), hi[k + 1] + max(adds)
        low.append(lo)
        high.append(hi)
    partial = [0.0] * len(ids)

    def ok(k: int) -> bool:
        for n, _ts in touch[k]:
            if partial[n] + low[n][k + 1] > 1e-9 or partial[n] + high[n][k + 1] < -1e-9:
                return False
        return True

    def take(k: int, sign: int) -> None:
        v = values[k][chosen[k]]
        for n, ts in touch[k]:
            partial[n] += sign * sum(coef * v[c] for c, coef in ts)

    def complete() -> bool:
        return all(len(seen[k]) == len(values[k]) for k in range(len(order)))

    def go(k: int) -> bool:
        nonlocal nodes
        if k == len(order):
            for j in range(len(order)):
                seen[j].add(chosen[j])
            return complete()
        for i in range(len(values[k])):
            nodes += 1
            if nodes > budget:
                raise _TooMany
            chosen[k] = i
            take(k, 1)
            found = ok(k) and go(k + 1)
            take(k, -1)
            if found:
                return True
        return False

    try:
        go(0)
    except _TooMany:
        return None
    if not seen or not seen[0]:
        return [set() for _ in rows]
    out: list[set[int]] = [
        set(range(len(r.splits))) if usable[i] and i not in pos else set() for i, r in enumerate(rows)
    ]
    for r in involved:
        out[r] = seen[pos[r]]
    return [sorted(s) for s in out]  # type: ignore[misc]


def _order(involved: list[int], ids: list[Identity], splits: dict[int, int]) -> list[int]:
    """The order the search takes the rows in: a row whose choice completes an identity (its other rows
    taken) first, then the row most identities share (a 总计 row: once chosen, every identity through it
    bounds the rest), then the row of fewest splits, so that the choices an identity refuses are cut
    off early."""
    rows_of = [{r for r, _c, _k in ident} for ident in ids]
    shared = {r: sum(r in rs for rs in rows_of) for r in involved}
    order: list[int] = []
    left = set(involved)
    while left:
        taken = set(order)
        r = min(
            left,
            key=lambda r: (not any(r in rs and rs - taken <= {r} for rs in rows_of), -shared[r], splits[r], r),
        )
        order.append(r)
        left.discard(r)
    return order


def _shape_of(rule: str, columns: Sequence[str]) -> Shape:
    """The shape of a row of ``columns`` whose sum groups are the template identities ``rule``."""
    index = {c: i for i, c in enumerate(columns)}
    groups = []
    for ident in identities("2021", ("new_received",)):
        if ident.rule == rule:
            parts = tuple(index[_col(p)] for p in ident.summed)
            groups.append((parts, index[_col(ident.stated[0])]))
    return Shape((COUNT,) * len(columns), tuple(dict.fromkeys(groups)))


def _col(path) -> str:
    return path.column if path.section == "applications" else f"{path.row}.{path.column}"


S3_SHAPE = _shape_of(ROW_SUM, S3_COLUMNS)
S4_SHAPE = _shape_of(GROUP_SUM, [f"{g}.{c}" for g, c in S4_FIELDS])


def s3_tiers(row_ids: Sequence[str | None], fmt: str) -> list[list[Identity]]:
    """The column identities of section 三 (the template's) over the rows given (by stable id, None for a
    row that is not one of the template's): all of them, then the result sums alone, then the balance
    alone. A rule over a row that is not there is left out."""
    at = {rid: i for i, rid in enumerate(row_ids) if rid is not None}
    col = {c: i for i, c in enumerate(S3_COLUMNS)}
    by_rule: dict[str, list[Identity]] = {RESULTS_SUM: [], BALANCE: []}
    for ident in identities(fmt, tuple(rid for rid in row_ids if rid is not None)):
        if ident.rule not in by_rule or not all(p.row in at for p in ident.cells):
            continue
        by_rule[ident.rule].append(
            tuple((at[p.row], col[p.column], 1) for p in ident.stated)
            + tuple((at[p.row], col[p.column], -1) for p in ident.summed)
        )
    sums, balance = by_rule[RESULTS_SUM], by_rule[BALANCE]
    return [sums + balance, sums, balance]


def read_applications(runs: Sequence[tuple[str | None, str]], fmt: str) -> list[list[CellOut]]:
    """Section 三: ``runs`` are (stable row id or None, printed run) in document order; returns each
    row's seven cells."""
    rows = [split_run(run, S3_SHAPE) for _rid, run in runs]
    ids = [rid if rid in {r.id for r in S3_ROWS[fmt]} else None for rid, _run in runs]
    keep, note = solve_rows(rows, s3_tiers(ids, fmt))
    out = []
    for rs, k in zip(rows, keep):
        many = rs.splits is not None and len(rs.splits) > 1 and (k is None or len(k) > 1)
        context = ""
        if many:
            context = f"; {note}" if note else "; the row and column sums allow each"
        out.append(cells_of(rs, k, context))
    return out


def read_review_litigation(run: str) -> list[CellOut]:
    """Section 四's fifteen cells from one run."""
    return read_run(run, S4_SHAPE)


def s2_shape(fmt: str, row_id: str) -> Shape:
    """The kinds of one section-二 row's cells (本年增/减 signed; amounts with decimals and units); no sum
    ties them, so a blank may hide anywhere."""
    spec = next(r for r in S2_ROWS[fmt] if r.id == row_id)
    return Shape(tuple(c.kind for c in spec.columns), blanks=True)
