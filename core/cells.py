"""The one reader of a printed table cell: a number, an amount with its unit, a printed blank, several
numbers run together, or text (a label, a word where a number was expected).

Every layout and every stage of the core asks this module what a cell is, so they cannot disagree. The
disputed cases, as the corpus and the real reports decide them:

- ``""``, ``-``, ``—``, ``——``, ``/``, ``\\``, ``×``, ``无``, ``空`` (and runs of dashes): a blank printed
  to say "nothing to report" — blank, never 0 (info ``dash_blank``);
- ``00``, ``007``: the number, with the typo said (info ``leading_zero``);
- ``1,234`` and fullwidth digits: the number;
- ``+3``, ``-2``, ``−2``: a signed number (the 2019 format's 本年增/减 column takes a sign);
- ``6187.4万元``, ``251000元``: an amount, kept with its unit where the template prints one;
- ``5件``, ``3项``: the count, its unit dropped (info ``unit_dropped``);
- ``12%``, ``51.85%``: words — no cell of the template holds a rate, so a rate in a cell is not its value;
- ``8 0 1``: several numbers in one cell (RUN), for the core to place under its columns;
- a number of more than 24 characters: unreadable — no count of a report is that long.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.frozen import quick_init

BLANK = "blank"
NUMBER = "number"
AMOUNT = "amount"
#: Several numbers printed in one cell, separated by spaces ("8 0 1 0 0 0 9").
RUN = "run"
#: Not a value: words — a label, or words printed where a number was expected.
LABEL = "label"
#: A value cell the layout could not read with certainty (see ``Cell.unread``).
UNREAD = "unread"

_MINUS = str.maketrans({"−": "-", "－": "-", "﹣": "-", "＋": "+"})
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_AMOUNT = re.compile(r"([+-]?\d+(?:\.\d+)?)(万元|亿元|元|万)")
_COUNT_UNIT = re.compile(r"(\d+)(件|个|项|条|次|宗|起)")
_RUN = re.compile(r"\d+(?: +\d+)+")
_PLACEHOLDER = re.compile(r"[-—–/\\×]+|无|空")
#: Longest cell read as a number, sign, point and unit included; a longer run of digits is not a value.
LONGEST_NUMBER = 24


@quick_init
@dataclass(frozen=True, slots=True)
class CellReading:
    kind: str
    value: int | float | None = None
    #: The amount as printed, compacted ("6187.4万元"), for fields kept with their unit.
    printed: str | None = None
    #: (code, message) of a certain repair, reported as an info diagnostic; for UNREAD, the reason.
    repair: tuple[str, str] | None = None

    @property
    def is_value(self) -> bool:
        """A value cell: a number, an amount, a run, a printed blank, or a value that could not be read."""
        return self.kind != LABEL

    @property
    def is_filled(self) -> bool:
        """A printed value (read or not), as opposed to a blank or words."""
        return self.kind in (NUMBER, AMOUNT, RUN, UNREAD)


_BLANK = CellReading(BLANK)
_LABEL = CellReading(LABEL)


def _number(s: str) -> int | float:
    if "." not in s:
        return int(s)
    f = float(s)
    return int(f) if f == int(f) and s.endswith(".0") else f


@lru_cache(maxsize=8192)
def read_cell(text: str) -> CellReading:
    """What one printed cell is (see the module's list of cases)."""
    t = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if not t:
        return _BLANK
    if _RUN.fullmatch(t):
        return CellReading(RUN)
    t = "".join(t.split())
    if _PLACEHOLDER.fullmatch(t):
        return CellReading(BLANK, repair=("dash_blank", f"cell printed as {text.strip()!r} read as blank"))
    if _THOUSANDS.fullmatch(t):
        t = t.replace(",", "")
    if len(t) > LONGEST_NUMBER and (_NUMBER.fullmatch(t) or _AMOUNT.fullmatch(t)):
        # No count or amount of a report is that long (and int() refuses more than 4300 digits).
        return CellReading(
            UNREAD,
            repair=("cell_not_read", f"a number printed with {len(t)} characters is no count or amount of a report"),
        )
    if _NUMBER.fullmatch(t):
        digits = t.lstrip("+-")
        repair = None
        if len(digits) > 1 and digits[0] == "0" and "." not in digits:
            repair = ("leading_zero", f"cell printed as {text.strip()!r} read as {int(t)}")
        return CellReading(NUMBER, _number(t), repair=repair)
    m = _AMOUNT.fullmatch(t)
    if m:
        return CellReading(AMOUNT, _number(m.group(1)), printed=t)
    m = _COUNT_UNIT.fullmatch(t)
    if m:
        return CellReading(
            NUMBER,
            int(m.group(1)),
            repair=("unit_dropped", f"cell printed as {text.strip()!r} read as {int(m.group(1))}"),
        )
    return _LABEL


def read(cell) -> CellReading:
    """The reading of a layout's cell, honouring a layout's own verdict that it is unreadable."""
    if cell.unread is not None:
        return CellReading(UNREAD, repair=("cell_not_read", cell.unread))
    return read_cell(cell.text)


def is_value(text: str) -> bool:
    """True when a printed cell holds a value (a number, an amount, several numbers, a printed blank)."""
    return read_cell(text).kind != LABEL


def is_number(text: str) -> bool:
    """True when a printed cell holds a number or an amount (not a blank, not words)."""
    return read_cell(text).kind in (NUMBER, AMOUNT)
