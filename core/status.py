"""How sure the report is of each cell, from what the document's own arithmetic says about it.

- ``confirmed``: read, and a passing identity of the template (勾稽关系) includes it;
- ``unconfirmed``: read, and no identity could check it (section 二 has none; a rule over a cell nobody
  could read is not evaluated);
- ``conflict``: read, and a failed identity includes it — the document breaks a rule over this cell;
- ``unread``: the document has the cell but it could not be read with certainty (null, with the reason
  and the candidates in a ``cell_not_read`` warning);
- ``blank``: printed blank (null, never 0).

Only the template's identities confirm: a number the prose states is evidence that may decide a cell,
never proof of it (it cannot confirm what it decided). A value whose place was inferred — fitted to its
columns, placed by its position, split from a run of glued digits, decided by the prose, put back from a
line of its own — and that no identity confirms is a warning naming the cell: the reading is plausible,
not checked.
"""

from __future__ import annotations

from core.checks import Check
from core.diagnostics import WARNING, Notes
from core.fields import FieldPath
from core.sheet import BLANK as PRINTED_BLANK
from core.sheet import UNREAD as NOT_READ
from core.sheet import Sheet

CONFIRMED, UNCONFIRMED, CONFLICT, UNREAD, BLANK = "confirmed", "unconfirmed", "conflict", "unread", "blank"
STATUSES = (CONFIRMED, UNCONFIRMED, CONFLICT, UNREAD, BLANK)
#: The rules that are prose checks, not identities of the template.
_NOT_IDENTITIES = frozenset({"prose_matches_table"})

_HOW = {
    "fitted": "fitted to its columns",
    "position": "placed by its row's position",
    "split": "split from a run of glued digits",
    "prose": "decided by a number the text states",
    "displaced": "put back from a line of its own",
}


def cell_status(sheet: Sheet, checks: list[Check], notes: Notes) -> dict[str, str]:
    """The status of every cell the document has, by field path; a warning for each inferred value that
    no identity confirms."""
    passing: set[str] = set()
    failing: set[str] = set()
    for c in checks:
        if c.rule in _NOT_IDENTITIES:
            continue
        (passing if c.ok else failing).update(c.cells)
    out: dict[str, str] = {}
    for path, v in sheet.items():
        key = str(path)
        if v.state == NOT_READ:
            out[key] = UNREAD
        elif v.state == PRINTED_BLANK:
            out[key] = BLANK
        elif key in failing:
            out[key] = CONFLICT
        elif key in passing:
            out[key] = CONFIRMED
        else:
            out[key] = UNCONFIRMED
            if v.inferred:
                notes.add(WARNING, "value_unconfirmed", key, _why(path, v.inferred))
    return out


def _why(path: FieldPath, how: str) -> str:
    return f"{_HOW.get(how, how)}, and no identity of the template checks it"
