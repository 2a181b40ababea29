"""The cells read of one report, by field path: what each holds (a value, a printed blank, or nothing the
parser could read) and where it was printed. Placement writes it, once per cell; the checks, the prose
checks and the per-cell status read it; the report's JSON is made from it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from core.fields import FieldPath
from core.frozen import quick_init
from core.layout import Cell

#: A value read from the document.
READ = "read"
#: A cell printed blank (or with a dash): null, never 0.
BLANK = "blank"
#: A cell the document has but the parser could not read with certainty: null, with its reason.
UNREAD = "unread"


@quick_init
@dataclass(frozen=True, slots=True)
class Value:
    state: str
    value: int | float | str | None = None
    #: The cell it was read from (None for a blank the layout did not print at all).
    cell: Cell | None = None
    #: How its place was inferred, when the document does not print it in its own place: "fitted"
    #: (more or fewer values than columns), "position" (a row without its label), "split" (cut out of a
    #: run of digits), "prose" (decided by a number the text states), "displaced" (printed on a line of
    #: its own). None when it was printed in its cell.
    inferred: str | None = None
    #: Why an UNREAD cell could not be read (the candidates included).
    reason: str | None = None

    @property
    def number(self) -> int | float | None:
        """The value as a number (an amount printed with its unit counts by its number)."""
        return self.value if isinstance(self.value, (int, float)) else None


class Sheet:
    """Every cell placed so far, in the order placed."""

    def __init__(self) -> None:
        self._cells: dict[FieldPath, Value] = {}

    def put(self, path: FieldPath, value: Value) -> None:
        self._cells[path] = value

    def get(self, path: FieldPath) -> Value | None:
        return self._cells.get(path)

    def get_many(self, paths: tuple[FieldPath, ...]) -> list[Value | None]:
        """The values at ``paths`` (None where absent), looked up in one pass (every identity of a parse
        asks for up to twenty cells)."""
        return list(map(self._cells.get, paths))

    def has(self, path: FieldPath) -> bool:
        return path in self._cells

    def value(self, path: FieldPath):
        v = self._cells.get(path)
        return None if v is None else v.value

    def unread(self, path: FieldPath) -> bool:
        v = self._cells.get(path)
        return v is not None and v.state == UNREAD

    def infer(self, path: FieldPath, how: str) -> None:
        """Record that a stored value's place was inferred (``how``: see :attr:`Value.inferred`)."""
        v = self._cells[path]
        self._cells[path] = replace(v, inferred=v.inferred or how)

    def rows(self, section: str) -> tuple[str, ...]:
        """The row IDs of ``section`` that have cells, in the order first placed."""
        return tuple(dict.fromkeys(p.row for p in self._cells if p.section == section))

    def items(self) -> Iterator[tuple[FieldPath, Value]]:
        return iter(self._cells.items())

    def __len__(self) -> int:
        return len(self._cells)

    # --- the output contract's shape ------------------------------------------------------------------

    def section(self, section: str) -> dict:
        """Section 二 as {field id: value}; sections 三 and 四 as {row: {column: value}}."""
        out: dict = {}
        for p, v in self._cells.items():
            if p.section != section:
                continue
            if section == "active_disclosure":
                out[p.field] = v.value
            else:
                out.setdefault(p.row, {})[p.column] = v.value
        return out

    def provenance(self) -> dict[str, dict]:
        return {str(p): v.cell.where() for p, v in self._cells.items() if v.cell is not None}
