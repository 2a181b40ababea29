"""Reading one printed cell as a number, an amount with its unit, a blank, or not a value at all."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万元|元|亿元|万)$")
#: Longest cell read as a number, sign, point and unit included; a longer run of digits is not a value.
_LONGEST_NUMBER = 24
#: Printed in a cell to mean "nothing to report": kept as a blank, never as 0.
_DASHES = {"-", "--", "/", "\\", "无", "空", "—", "——", "－", "/"}

BLANK = "blank"
NUMBER = "number"
AMOUNT = "amount"
LABEL = "label"
#: A value cell the layout could not read with certainty (see ``Cell.unread``).
UNREAD = "unread"


@dataclass(frozen=True, slots=True)
class Reading:
    kind: str                     # BLANK, NUMBER, AMOUNT or LABEL
    value: int | float | None = None
    #: The amount as printed, compacted ("6187.4万元"), for fields kept with their unit.
    printed: str | None = None
    #: (code, message) of a certain repair, reported as an info diagnostic.
    repair: tuple[str, str] | None = None

    @property
    def is_value(self) -> bool:
        return self.kind in (BLANK, NUMBER, AMOUNT, UNREAD)

    @property
    def is_filled(self) -> bool:
        """A printed value (read or not), as opposed to a blank or a label."""
        return self.kind in (NUMBER, AMOUNT, UNREAD)


def _number(s: str) -> int | float:
    f = float(s)
    return int(s) if "." not in s else (int(f) if f == int(f) and s.endswith(".0") else f)


@lru_cache(maxsize=4096)
def read_cell(text: str) -> Reading:
    t = unicodedata.normalize("NFKC", text).strip()
    t = "".join(t.split())
    if not t:
        return Reading(BLANK)
    if t in _DASHES:
        return Reading(BLANK, repair=("dash_blank", f"cell printed as {text.strip()!r} read as blank"))
    t = t.replace(",", "")
    if len(t) > _LONGEST_NUMBER and (_NUMBER.match(t) or _AMOUNT.match(t)):
        # No count or amount of a report is that long (and int() refuses more than 4300 digits).
        return Reading(UNREAD, repair=("cell_not_read", f"a number printed with {len(t)} characters is no "
                                                        f"count or amount of a report"))
    if _NUMBER.match(t):
        digits = t.lstrip("+-")
        repair = None
        if len(digits) > 1 and digits[0] == "0" and "." not in digits:
            repair = ("leading_zero", f"cell printed as {text.strip()!r} read as {int(t)}")
        return Reading(NUMBER, _number(t), repair=repair)
    m = _AMOUNT.match(t)
    if m:
        return Reading(AMOUNT, _number(m.group(1)), printed=t)
    return Reading(LABEL)


def read(cell) -> Reading:
    """The reading of a layout's cell, honouring a layout's own verdict that it is unreadable."""
    if cell.unread is not None:
        return Reading(UNREAD, repair=("cell_not_read", cell.unread))
    return read_cell(cell.text)
