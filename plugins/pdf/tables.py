"""Rebuilding table rows from positions: ruled grids from their lines, unruled tables from alignment.

Both produce :class:`core.layout.Row` records of kind TABLE, one per visual row: the label cells (a
wrapped label's lines joined; a group label in a tall merged cell repeated at the start of every row it
spans), then one cell per value column, ``""`` where the cell is empty.
"""

# In the per-character loops a comparison costs a third of a min()/max() call: keep them comparisons.
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from itertools import pairwise

from core.sdk import TABLE, Cell, Row

from . import chars as C
from . import limits as L

#: Rules closer than this (points) are the same line; gaps this small in a rule are drawing slop.
SNAP = 2.0
#: Shortest rule kept (points): shorter strokes are dots, ticks and glyph parts.
MIN_RULE = 4.0
#: Longest piece of a dashed rule (points).
DASH = 10.0


# -- ruled grids -----------------------------------------------------------------------------------------


@dataclass
class Grid:
    """A ruled table on one page: its merged cells, and which characters fell in each."""

    xs: list  # column boundaries, left to right
    ys: list  # row boundaries, top to bottom (descending y)
    cells: list  # [x0, y0, x1, y1, first_band, last_band, chars]
    where: list  # atomic (col, band) -> index in cells
    #: [text, box of the text] per cell, filled by read_cells
    texts: list = field(default_factory=list)
    #: left edge of the first column holding a number: the label zone is left of it
    value_x0: float | None = None

    @property
    def bbox(self):
        return (self.xs[0], self.ys[-1], self.xs[-1], self.ys[0])

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def negys(self) -> list:
        return [-y for y in self.ys]  # ascending, for bisect


def _split_rules(rules: list) -> tuple[list, list]:
    hs, vs = [], []
    for x0, y0, x1, y1 in rules:
        w, h = x1 - x0, y1 - y0
        if w >= h and h <= 3.0:
            hs.append([(y0 + y1) / 2, x0, x1])
        elif h > w and w <= 3.0:
            vs.append([(x0 + x1) / 2, y0, y1])
    return _merge(hs), _merge(vs)


def _merge(segs: list) -> list:
    """Collinear segments (same position within SNAP) joined where they touch, overlap, or continue
    one another as the dashes of a dashed rule do; what is still shorter than MIN_RULE is dropped."""
    if not segs:
        return []
    segs.sort()
    # snap positions: consecutive positions within SNAP form one line
    groups: list = [[segs[0]]]
    for s in segs[1:]:
        if s[0] - groups[-1][-1][0] <= SNAP:
            groups[-1].append(s)
        else:
            groups.append([s])
    out = []
    for g in groups:
        pos = sum(s[0] for s in g) / len(g)
        g.sort(key=_start)
        a, b = g[0][1], g[0][2]
        last = b - a
        for s in g[1:]:
            length = s[2] - s[1]
            dash = last if last < length else length  # dashes: short pieces, gaps no longer than them
            reach = dash if SNAP < dash <= DASH else SNAP
            if s[1] <= b + reach:
                if s[2] > b:
                    b = s[2]
            else:
                if b - a >= MIN_RULE:
                    out.append((pos, a, b))
                a, b = s[1], s[2]
            last = s[2] - s[1]
        if b - a >= MIN_RULE:
            out.append((pos, a, b))
    return out


def _start(seg):
    return seg[1]


def _components(hs: list, vs: list) -> list[tuple[list, list]]:
    """Groups of horizontal and vertical rules that touch each other (one group per table).

    A sweep up the page keeps the vertical rules whose extent (widened by SNAP) covers the current
    height, sorted by position, so each horizontal rule meets exactly the rules it crosses: the work
    grows with the crossings, which are bounded, not with every pair of rules."""
    parent = list(range(len(hs) + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # (height, order, index): at one height a rule starts, then is crossed, then ends (bounds inclusive)
    events = [(y0 - SNAP, 0, k) for k, (_, y0, _) in enumerate(vs)]
    events += [(y, 1, hi) for hi, (y, _, _) in enumerate(hs)]
    events += [(y1 + SNAP, 2, k) for k, (_, _, y1) in enumerate(vs)]
    events.sort()
    active: list = []  # (x, index) of the vertical rules spanning the current height
    crossings = 0
    nh = len(hs)
    for _, what, k in events:
        if what == 0:
            insort(active, (vs[k][0], k))
        elif what == 2:
            del active[bisect_left(active, (vs[k][0], k))]
        else:
            _, x0, x1 = hs[k]
            lo, up = bisect_left(active, (x0 - SNAP, -1)), bisect_right(active, (x1 + SNAP, len(vs)))
            crossings += up - lo
            if crossings > L.MAX_CROSSINGS:
                raise L.Exceeded(f"at least {crossings:,} crossings of ruling lines on a page", L.MAX_CROSSINGS)
            a = find(k)
            for _, v in active[lo:up]:
                b = find(nh + v)
                if a != b:
                    parent[b] = a
    groups: dict = {}
    for i in range(len(hs) + len(vs)):
        groups.setdefault(find(i), ([], []))
        if i < len(hs):
            groups[find(i)][0].append(hs[i])
        else:
            groups[find(i)][1].append(vs[i - len(hs)])
    out = [g for g in groups.values() if g[0] and g[1]]
    if len(out) > L.MAX_GRIDS:
        raise L.Exceeded(f"{len(out):,} ruled tables on a page", L.MAX_GRIDS)
    return out


def _positions(values: list) -> list:
    values = sorted(values)
    out = [values[0]]
    for v in values[1:]:
        if v - out[-1] > SNAP:
            out.append(v)
    return out


def _at(segs: list, positions: list) -> list[tuple[list, list]]:
    """For each grid position, the rules lying there: their starts in order, and the furthest end of
    the rules up to each start (so that whether one covers a span is a bisection, whatever the number
    of pieces a broken rule has)."""
    out: list = [[] for _ in positions]
    for seg in segs:
        k = bisect_left(positions, seg[0] - SNAP)
        while k < len(positions) and positions[k] <= seg[0] + SNAP:
            out[k].append(seg)
            k += 1
    indexed = []
    for there in out:
        there.sort(key=_start)
        starts, reach, far = [], [], float("-inf")
        for _, s0, s1 in there:
            starts.append(s0)
            far = s1 if s1 > far else far
            reach.append(far)
        indexed.append((starts, reach))
    return indexed


def _middle(a: float, b: float) -> tuple[float, float]:
    """The middle of the span a..b that a rule must cover to separate the cells on its two sides."""
    mid = (a + b) / 2
    half = max((b - a) / 2 - SNAP, 0.0) * 0.5
    return mid - half + SNAP, mid + half - SNAP


def grids(rules: list) -> list[Grid]:
    """The ruled tables drawn by ``rules`` (thin rectangles), each as merged cells on a grid."""
    hs, vs = _split_rules(rules)
    out = []
    for ghs, gvs in _components(hs, vs):
        # A table drawn without side (or top/bottom) borders: its outer rules reach past the last
        # crossing line, and the open side is the end of those rules.
        hx0, hx1 = min(h[1] for h in ghs), max(h[2] for h in ghs)
        vy0, vy1 = min(v[1] for v in gvs), max(v[2] for v in gvs)
        vx = [v[0] for v in gvs]
        hy = [h[0] for h in ghs]
        if hx0 < min(vx) - 3 * SNAP:
            gvs.append((hx0, vy0, vy1))
        if hx1 > max(vx) + 3 * SNAP:
            gvs.append((hx1, vy0, vy1))
        if vy0 < min(hy) - 3 * SNAP:
            ghs.append((vy0, hx0, hx1))
        if vy1 > max(hy) + 3 * SNAP:
            ghs.append((vy1, hx0, hx1))
        xs = _positions([v[0] for v in gvs])
        ys = _positions([h[0] for h in ghs])[::-1]
        if len(xs) < 2 or len(ys) < 2:
            continue
        grid = _cells(xs, ys, ghs, gvs)
        if grid is not None:
            out.append(grid)
    # A frame drawn around a page or a text block may hold tables: the frame is layout, not a table.
    # Only a grid whose left edge lies within g's span can be inside g: found by bisection.
    by_x0 = sorted(range(len(out)), key=lambda k: out[k].bbox[0])
    x0s = [out[k].bbox[0] for k in by_x0]
    frames = set()
    for k, g in enumerate(out):
        gb = g.bbox
        for m in by_x0[bisect_left(x0s, gb[0] - SNAP) : bisect_right(x0s, gb[2] + SNAP)]:
            if m != k and _inside(out[m].bbox, gb):
                frames.add(k)
                break
    return [g for k, g in enumerate(out) if k not in frames]


def _inside(inner: tuple, outer: tuple) -> bool:
    return (
        outer[0] - SNAP <= inner[0]
        and inner[2] <= outer[2] + SNAP
        and outer[1] - SNAP <= inner[1]
        and inner[3] <= outer[3] + SNAP
    )


def _cells(xs: list, ys: list, hs: list, vs: list) -> Grid | None:
    ncol, nrow = len(xs) - 1, len(ys) - 1
    if ncol * nrow > L.MAX_GRID_CELLS:
        raise L.Exceeded(f"a ruled grid of {ncol:,} x {nrow:,} cells", L.MAX_GRID_CELLS)
    parent = list(range(ncol * nrow))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    v_at = _at(vs, xs)
    h_at = _at(hs, sorted(ys))[::-1]

    def join(k, m):
        a, b = find(k), find(m)
        if a != b:
            parent[a] = b

    # Two neighbouring cells are one unless a rule covers the middle of the side they share.
    bands = [_middle(ys[j + 1], ys[j]) for j in range(nrow)]
    for i in range(ncol - 1):  # right neighbours: a vertical rule at xs[i+1] over the band
        starts, reach = v_at[i + 1]
        base = i * nrow
        for j, (lo, hi) in enumerate(bands):
            q = bisect_right(starts, lo)
            if not (q and reach[q - 1] >= hi):
                join(base + j, base + j + nrow)
    cols = [_middle(xs[i], xs[i + 1]) for i in range(ncol)]
    for j in range(nrow - 1):  # lower neighbours: a horizontal rule at ys[j+1] over the column
        starts, reach = h_at[j + 1]
        for i, (lo, hi) in enumerate(cols):
            q = bisect_right(starts, lo)
            if not (q and reach[q - 1] >= hi):
                join(i * nrow + j, i * nrow + j + 1)
    index: dict = {}
    spans: list = []  # per cell: first col, last col, first band, last band
    where = [0] * (ncol * nrow)
    for i in range(ncol):
        for j in range(nrow):
            r = find(i * nrow + j)
            k = index.get(r)
            if k is None:
                k = index[r] = len(spans)
                spans.append([i, i, j, j])
            else:
                sp = spans[k]
                if i > sp[1]:
                    sp[1] = i
                if j < sp[2]:
                    sp[2] = j
                if j > sp[3]:
                    sp[3] = j
            where[i * nrow + j] = k
    if len(spans) < 2:
        return None  # a box around a paragraph, not a table
    cells = [[xs[i0], ys[j1 + 1], xs[i1 + 1], ys[j0], j0, j1, []] for i0, i1, j0, j1 in spans]
    return Grid(xs, ys, cells, where)


def assign(grid_list: list[Grid], page_chars: list) -> list:
    """Put each character into the grid cell holding its centre; return the characters in no grid."""
    if not grid_list:
        return page_chars
    free = []
    frames = [(g, g.xs, g.negys, len(g.ys) - 1, g.cells, g.where) for g in grid_list]
    near = _Buckets(frames) if len(frames) > _FEW_GRIDS else None
    for ch in page_chars:
        cx, ncy = (ch[1] + ch[3]) / 2, -(ch[2] + ch[4]) / 2
        for _g, xs, negys, nrow, cells, where in frames if near is None else near.at(cx, ncy):
            if xs[0] <= cx <= xs[-1] and negys[0] <= ncy <= negys[-1]:
                i = bisect_right(xs, cx) - 1
                j = bisect_right(negys, ncy) - 1
                if i > len(xs) - 2:  # on the right or bottom border itself
                    i = len(xs) - 2
                if j > nrow - 1:
                    j = nrow - 1
                cells[where[i * nrow + j]][6].append(ch)
                break
        else:
            free.append(ch)
    return free


#: Up to this many grids on a page, each character is tried against every grid.
_FEW_GRIDS = 8


class _Buckets:
    """Grids filed by the squares of a 32 x 32 division of the area they cover, so that a character is
    tried against the grids near it only (in their order, as :func:`assign` tries them)."""

    N = 32

    def __init__(self, frames: list):
        self.x0 = min(f[1][0] for f in frames)
        self.y0 = min(f[2][0] for f in frames)
        self.w = (max(f[1][-1] for f in frames) - self.x0) / self.N or 1.0
        self.h = (max(f[2][-1] for f in frames) - self.y0) / self.N or 1.0
        self.cells: dict = {}
        for f in frames:
            xs, negys = f[1], f[2]
            for i in range(self._i(xs[0]), self._i(xs[-1]) + 1):
                for j in range(self._j(negys[0]), self._j(negys[-1]) + 1):
                    self.cells.setdefault((i, j), []).append(f)

    def _i(self, x: float) -> int:
        return min(max(int((x - self.x0) / self.w), 0), self.N - 1)

    def _j(self, y: float) -> int:
        return min(max(int((y - self.y0) / self.h), 0), self.N - 1)

    def at(self, x: float, y: float) -> list:
        return self.cells.get((self._i(x), self._j(y)), ())


def _cell_text(chars: list) -> tuple[str, tuple | None, int]:
    """Text of a cell, the box of its text, and how many columns of values it seems to hold."""
    if not chars:
        return "", None, 0
    if len(chars) == 1:
        ch = chars[0]
        return ch[0], (ch[1], ch[2], ch[3], ch[4]), 0
    ls = C.lines(chars)
    texts = [ln.text for ln in ls]
    values = 0
    if any(_TWO_NUMBERS.search(t) for t in texts):
        values = max(sum(1 for ch in C.chunks(ln) if C.is_number(C.join(ch))) for ln in ls)
    return C.join_lines(texts), C.box(chars), values


def _prose(chars: list) -> bool:
    """Whether a cell holds running text: many lines, several of them long (a table's labels wrap to
    a few short lines, a vertical label to many one-character lines)."""
    if len(chars) < 60:
        return False
    ls = C.lines(chars)
    return len(ls) >= 8 and sum(1 for ln in ls if len(ln.chars) >= 15) >= 3


#: Two numbers a space apart in one line of a cell: maybe two columns under one cell.
_TWO_NUMBERS = re.compile(r"\d\s+\S*\d")


def read_cells(grid: Grid) -> bool:
    """Fill ``grid.texts`` with each cell's text and text box; False when the grid is no table: a cell
    holds several separate numbers (rules framing whole rows, such as shading or underlines), or
    paragraphs of prose (a frame around text)."""
    texts: list = []  # as Grid.texts
    for c in grid.cells:
        text, tbox, values = _cell_text(c[6])
        if values > 1 or _prose(c[6]):
            return False
        texts.append([text, tbox])
    grid.texts = texts
    # Label zone: left of the first column holding a number. Group labels repeat only there.
    grid.value_x0 = min((c[0] for c, (t, _) in zip(grid.cells, texts) if C.is_number(t)), default=None)
    return True


def _in_label_zone(grid: Grid, k: int) -> bool:
    return grid.value_x0 is not None and grid.cells[k][2] <= grid.value_x0 + SNAP


def continue_across(above: Grid, below: Grid) -> None:
    """Join a tall label cell cut by a page break: the part at the bottom of ``above`` (the last table
    of a page) and the part at the top of ``below`` (the first table of the next page), when the two
    tables have the same label columns."""
    if above.value_x0 is None or below.value_x0 is None or abs(above.value_x0 - below.value_x0) > 3 * SNAP:
        return
    last = len(above.ys) - 2
    # the rows that go on: the first band holding a number (header rows repeated above it are skipped)
    first = min((d[4] for d, (t, _) in zip(below.cells, below.texts) if C.is_number(t)), default=0)
    for k, c in enumerate(above.cells):
        if c[5] != last or not _in_label_zone(above, k) or not above.texts[k][0]:
            continue
        for m, d in enumerate(below.cells):
            if d[4] != first or abs(d[0] - c[0]) > SNAP or abs(d[2] - c[2]) > SNAP:
                continue
            tall = c[5] > c[4] or d[5] > d[4]
            head, tail = above.texts[k][0], below.texts[m][0]
            if not tall:
                continue
            if not tail:
                below.texts[m][0] = head  # the same merged cell goes on over the next page's rows
            elif not C.MARKER.match(tail):
                joined = C.join_lines([head, tail])  # a label split by the page break
                above.texts[k][0] = below.texts[m][0] = joined


def grid_rows(grid: Grid, page: int) -> list[Row]:
    """The grid's rows (after :func:`read_cells`)."""
    texts = grid.texts
    nb = len(grid.ys) - 1
    starts: list = [[] for _ in range(nb)]
    spans: list = [[] for _ in range(nb)]
    for k, c in enumerate(grid.cells):
        starts[c[4]].append(k)
        for j in range(c[4] + 1, c[5] + 1):
            spans[j].append(k)
    rows = []
    for j in range(nb):
        own = starts[j]
        if not any(texts[k][0] for k in own):
            continue
        labelled = [k for k in own if texts[k][0] and _in_label_zone(grid, k)]
        # blank label cells say nothing and would read as blank values
        members = [k for k in own if texts[k][0] or not _in_label_zone(grid, k)]
        if labelled:
            members += [k for k in spans[j] if texts[k][0] and _in_label_zone(grid, k)]
        members.sort(key=lambda k: grid.cells[k][0])
        cells = []
        for k in members:
            text, tbox = texts[k]
            c = grid.cells[k]
            cells.append(Cell(text, page=page, bbox=tbox or (c[0], c[1], c[2], c[3])))
        rows.append(Row(tuple(cells), TABLE))
    return rows


# -- unruled tables ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Chunk:
    chars: list
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    value: bool

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def make_chunks(line: C.Line) -> list[Chunk]:
    out = []
    for cs in C.chunks(line):
        text = C.join(cs)
        x0, y0, x1, y1 = C.box(cs)
        out.append(Chunk(cs, text, x0, y0, x1, y1, line.size, C.is_value(text)))
    return out


@dataclass(slots=True)
class Block:
    """Label text stacked in one column: a wrapped label, a group label, a vertical label."""

    parts: list
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    has_value_line: bool = False
    used: bool = False
    vertical: bool = False

    @property
    def text(self) -> str:
        return C.join_lines([p.text for p in self.parts]) if not self.vertical else "".join(p.text for p in self.parts)

    def cell(self, page: int) -> Cell:
        return Cell(self.text, page=page, bbox=(self.x0, self.y0, self.x1, self.y1))


def value_line(chs: list[Chunk]) -> bool:
    """A line that carries values: a label then values to the end of the line, or values only; one
    number after a label only when a column gap sets it apart (prose ends with a number too)."""
    first = _first_value(chs)
    if first == len(chs) or not any(C.is_number(c.text) for c in chs[first:]):
        return False
    if len(chs) - first >= 2 or first == 0:
        return True
    return chs[first].x0 - chs[first - 1].x1 >= C.CHUNK_GAP * chs[first].size


def unruled_rows(lines: list[C.Line], page: int, text_left: float) -> list[tuple[int, int, list[Row]]]:
    """Find unruled tables among a page's free lines (top to bottom).

    :returns: ``(first, last, rows)`` for each table found: the index range of lines it used.
    """
    cache: dict = {}

    def chunked(k: int) -> list[Chunk]:
        if k not in cache:
            cache[k] = make_chunks(lines[k])
        return cache[k]

    out = []
    n = len(lines)
    # a value line ends with a value: most prose ends otherwise and is never cut into chunks
    is_val = [_ends_with_value(ln) and value_line(chunked(k)) for k, ln in enumerate(lines)]
    i = 0
    free_from = 0  # lines before this belong to a table already found
    while i < n:
        if not is_val[i]:
            i += 1
            continue
        # extend the run over value lines and label lines that sit in the label zone
        vx0 = _value_x0(chunked(i))
        j = i
        k = i + 1
        while k < n:
            gap = lines[k - 1].y0 - lines[k].y1
            size = lines[k].size
            if gap > 2.5 * size:
                break
            if is_val[k]:
                vx0 = min(vx0, _value_x0(chunked(k)))
                j = k
            elif not _label_only_in_zone(chunked(k), vx0):
                break
            elif k == j + 1 and gap <= size:
                j = k  # the wrapped end of the last row's label
            k += 1
        # label lines right above the first value line are the start of its label, not header
        while (
            i > free_from
            and lines[i - 1].y0 - lines[i].y1 <= 0.8 * lines[i].size
            and _label_only_in_zone(chunked(i - 1), vx0)
        ):
            i -= 1
        # header lines just above the run
        h = i
        size = lines[i].size
        while h > free_from:
            prev = lines[h - 1]
            if (
                prev.y0 - lines[h].y1 > 1.5 * prev.size
                or prev.size > 1.15 * size
                or _is_text_line(chunked(h - 1), vx0, text_left)
            ):
                break
            h -= 1
        rows = _table_rows(
            [chunked(k) for k in range(h, i)], [chunked(k) for k in range(i, j + 1)], is_val[i : j + 1], vx0, page
        )
        out.append((h, j, rows))
        i = free_from = j + 1
    return out


def _ends_with_value(line: C.Line) -> bool:
    last = line.chars[-1][0][-1]
    return last.isdigit() or last in _VALUE_ENDS


_VALUE_ENDS = set("%％元万-—–－/／\\无空")


def _first_value(chs: list[Chunk]) -> int:
    """Index of the chunk where a value line's values start (all chunks from there on are values)."""
    k = len(chs)
    while k > 0 and chs[k - 1].value:
        k -= 1
    return k


def _value_x0(chs: list[Chunk]) -> float:
    return chs[_first_value(chs)].x0


def _label_only_in_zone(chs: list[Chunk], vx0: float) -> bool:
    return all(not c.value for c in chs) and max(c.x1 for c in chs) <= vx0 + chs[0].size


def _is_text_line(chs: list[Chunk], vx0: float, text_left: float) -> bool:
    """Prose or a heading: one chunk from the left margin reaching into the value columns."""
    if len(chs) != 1:
        return False
    c = chs[0]
    return c.x0 <= text_left + 2.5 * c.size and (c.x1 > vx0 - c.size or bool(_HEADING.match(c.text)))


#: A section heading (一、 … 十、); table labels numbered this way sit inside the table, not above it.
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]+[、.．]")


def _table_rows(header: list, body: list, is_val: list, vx0: float, page: int) -> list[Row]:
    rows: list[Row] = []
    for chs in header:
        rows.append(Row(tuple(Cell(c.text, page=page, bbox=(c.x0, c.y0, c.x1, c.y1)) for c in chs), TABLE))
    # value columns: numbers of different rows that overlap horizontally share a column
    cols = _columns([c for chs, v in zip(body, is_val) if v for c in chs if c.value and c.x0 >= vx0 - c.size])
    cols = _header_columns(cols, header, vx0)
    bounds = [(a[1] + b[0]) / 2 for a, b in pairwise(cols)]
    # label blocks: label chunks stacked in one column without a new item starting
    label_chunks = []  # (on a value line, chunk), top to bottom
    for chs, v in zip(body, is_val):
        for c in chs:
            if v and c.value and c.x0 >= vx0 - c.size:
                continue
            label_chunks.append((v, c))
    blocks = _vertical_blocks(label_chunks)
    blocks += _blocks(label_chunks)
    # rows in order: value lines with their labels; label blocks on no value line stand alone
    items: list = []
    for chs, v in zip(body, is_val):
        if not v:
            continue
        vals = [c for c in chs if c.value and c.x0 >= vx0 - c.size]
        cy = sum(c.cy for c in vals) / len(vals)
        size = vals[0].size
        labels = [b for b in blocks if b.y0 - 0.3 * size <= cy <= b.y1 + 0.3 * size]
        for b in labels:
            b.used = True
        labels.sort(key=lambda b: b.x0)
        cells = [b.cell(page) for b in labels]
        slots: list = [None] * len(cols)
        for c in vals:
            slots[_column_of(bounds, c)] = c
        for c in slots:
            if c is None:
                cells.append(Cell(""))
            else:
                cells.append(Cell(c.text, page=page, bbox=(c.x0, c.y0, c.x1, c.y1)))
        items.append((-cy, Row(tuple(cells), TABLE)))
    for b in blocks:
        if not b.used and b.text:
            items.append((-(b.y0 + b.y1) / 2, Row((b.cell(page),), TABLE)))
    items.sort(key=lambda t: t[0])
    return rows + [r for _, r in items]


def _columns(values: list[Chunk]) -> list[tuple[float, float]]:
    return [tuple(c) for c in _columns_spans([(c.x0, c.x1) for c in values])]


def _header_columns(cols: list, header: list[list[Chunk]], vx0: float) -> list[tuple[float, float]]:
    """Add the columns that hold no number in any row (all blank) but have a header of their own.

    Only from a header line with one chunk per column: its chunks over no value column are the blank
    columns, when that makes the count right (a header over several columns spans them)."""
    best: list[Chunk] = []
    for chs in header:
        heads = [c for c in chs if (c.x0 + c.x1) / 2 >= vx0 - c.size]
        if len(heads) > len(best):
            best = heads
    if len(best) <= len(cols):
        return cols
    extra = [(h.x0, h.x1) for h in best if not any(a <= h.x1 and h.x0 <= b for a, b in cols)]
    if len(cols) + len(extra) != len(best):
        return cols
    return [tuple(c) for c in _columns_spans(extra + list(cols))]


def _columns_spans(spans: list) -> list:
    spans = sorted(spans)
    out: list = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _column_of(bounds: list, c: Chunk) -> int:
    """The column a value falls in: ``bounds`` are the middles of the gaps between the columns."""
    return bisect_left(bounds, (c.x0 + c.x1) / 2)


def _vertical_blocks(label_chunks: list) -> list[Block]:
    """Labels written one character per line (a tall group cell): joined top to bottom, and removed
    from ``label_chunks``."""
    singles = [c for _, c in label_chunks if len(c.text) <= 2 and C.wide(c.text[0]) and not c.text.isdigit()]
    out: list[Block] = []
    used: set = set()
    for a, c in enumerate(singles):
        if id(c) in used:
            continue
        run = [c]
        for d in singles[a + 1 :]:
            last = run[-1]
            if id(d) in used or abs((d.x0 + d.x1) / 2 - (last.x0 + last.x1) / 2) > 0.5 * c.size:
                continue
            if last.y0 - d.y1 > 2.5 * c.size:
                break
            run.append(d)
        if len(run) >= 3:
            used.update(id(d) for d in run)
            out.append(
                Block(
                    run,
                    min(d.x0 for d in run),
                    min(d.y0 for d in run),
                    max(d.x1 for d in run),
                    max(d.y1 for d in run),
                    c.size,
                    vertical=True,
                )
            )
    if used:
        label_chunks[:] = [t for t in label_chunks if id(t[1]) not in used]
    return out


def _blocks(label_chunks: list) -> list[Block]:
    """Label chunks stacked in one column, each line right under the last, as one label: a new block
    starts where a numbered item starts, and a block takes the label of one value line at most (a
    label wraps; two rows' labels do not)."""
    out: list[Block] = []
    open_blocks: list[Block] = []
    for on_value_line, c in label_chunks:
        target = None
        if not C.MARKER.match(c.text):
            for b in open_blocks:
                if (
                    abs(b.parts[0].x0 - c.x0) <= c.size
                    and 0 <= b.y0 - c.y1 <= 0.8 * c.size
                    and not (on_value_line and b.has_value_line)
                ):
                    target = b
                    break
        if target is None:
            target = Block([c], c.x0, c.y0, c.x1, c.y1, c.size, on_value_line)
            out.append(target)
            # a new block in a column closes the blocks it overlaps horizontally
            open_blocks = [b for b in open_blocks if b.x1 < c.x0 or b.x0 > c.x1]
            open_blocks.append(target)
        else:
            target.parts.append(c)
            target.x0, target.y0 = min(target.x0, c.x0), min(target.y0, c.y0)
            target.x1, target.y1 = max(target.x1, c.x1), max(target.y1, c.y1)
            target.has_value_line = target.has_value_line or on_value_line
    return out
