"""The reviewers' corrections (``python -m core review``: table ``corrections``) as the exports apply them.

:func:`load` reads them once per export. It gives None, and every export is written exactly as it is
without a review, when the database has no ``corrections`` table, when no correction in force applies to
a cell of a report the database holds, or when ``zfxxgk_review`` cannot be imported. Otherwise it gives
:class:`Corrections`: for each report a correction applies to, the report with its corrections applied,
its checks and the status of every cell evaluated again (``zfxxgk_review.corrected.corrected_report``),
made into the rows the batch stores for a report (``zfxxgk_batch.worker.rows_of``), so that an export reads
a corrected report the way it reads a parsed one:

- a corrected cell holds the reviewer's value and the status ``corrected`` (a confirmation too: the
  reviewer decided the value at the source); the other cells keep their value, with their status
  evaluated again (a conflict the correction resolves becomes ``confirmed``);
- the report's indicators, ``failed_checks`` and ``warnings`` are the corrected report's, and so are its
  checks and diagnostics (a ``value_unconfirmed`` or ``cell_not_read`` warning about a corrected cell is
  answered);
- ``text`` and ``provenance`` keep what the document prints.

The batch's own tables are never changed: they keep the parse, and ``corrections`` keeps what reviewers
decided.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from zfxxgk_batch.indicators import INDICATORS

#: The status of a value a reviewer decided (``zfxxgk_review.corrected.CORRECTED_STATUS``).
CORRECTED = "corrected"
#: The columns of ``reports`` a correction can change.
DERIVED = frozenset({*INDICATORS, "failed_checks", "warnings"})


@dataclass
class Fixed:
    """One report with its corrections applied."""

    #: the report as the output contract's dict, corrections applied (``corrected_report``)
    doc: dict
    #: the ``reports`` columns of the corrected report (``worker.rows_of``); :data:`DERIVED` are used
    info: dict
    #: (section, field) -> (value, status) of every cell of sections 二, 三 and 四
    cells: dict[tuple[str, str], tuple]
    #: (section, field) of the cells a reviewer decided
    corrected: set[tuple[str, str]]
    #: as the ``checks`` table's rows: (rule, ok, scope, cells, expected, found, blank_cells, sentence)
    checks: list[tuple]
    #: as the ``diagnostics`` table's rows: (level, code, where, message)
    diagnostics: list[tuple]
    #: field path -> what the reviewer decided (``doc["corrections"]``)
    fixes: dict[str, dict] = field(default_factory=dict)


@dataclass
class Corrections:
    """The corrected reports of a database, by report id."""

    reports: dict[int, Fixed]

    def __contains__(self, rid: object) -> bool:
        return rid in self.reports

    def __len__(self) -> int:
        return len(self.reports)

    def report_row(self, row: tuple, columns: tuple[str, ...]) -> tuple:
        """A row of ``reports`` (``columns``, the id first) with a corrected report's indicators and counts."""
        fixed = self.reports.get(row[0])
        if fixed is None:
            return row
        return tuple(fixed.info[c] if c in DERIVED else v for c, v in zip(columns, row))

    def cells(self, rid: int, got: dict) -> dict:
        """``got`` ((section, field) -> (value, status) as stored) with a corrected report's values and
        statuses."""
        if rid not in self.reports:
            return got
        return {k: self.cell(rid, k[0], k[1], v, st) for k, (v, st) in got.items()}

    def cell(self, rid: int, section: str, fid: str, value, status) -> tuple:
        """(value, status) of one stored cell, corrected."""
        fixed = self.reports.get(rid)
        if fixed is None or (section, fid) not in fixed.cells:
            return value, status
        v, st = fixed.cells[(section, fid)]
        return (v if (section, fid) in fixed.corrected else value), st

    def note(self, rid: int, path: str) -> list[str]:
        """What a corrected cell's comment says: the parsed value and status, who decided and when, and
        the reviewer's note; empty for a cell no reviewer decided."""
        fixed = self.reports.get(rid)
        fix = fixed.fixes.get(path) if fixed is not None else None
        if fix is None:
            return []
        what = "已核实 confirmed at the source" if fix.get("kind") == "confirmed" else "已更正 corrected"
        by = " by " + fix["reviewer"] if fix.get("reviewer") else ""
        at = f" ({fix['at']})" if fix.get("at") else ""
        out = [
            f"{what}{by}{at}: parsed value {shown(fix.get('parsed'))} ({fix.get('parsed_status') or 'no status'}), "
            f"now {shown(fix.get('value'))}"
        ]
        if fix.get("note"):
            out.append(f"note: {fix['note']}")
        return out

    def replace(self, rows: Iterable[tuple], make: Callable[[int, Fixed], Iterable[tuple]]) -> Iterator[tuple]:
        """``rows`` (in report id order, the id first) with each corrected report's rows replaced by
        ``make(rid, fixed)``, where its id puts them (also for a report that had no rows)."""
        todo = sorted(self.reports)
        i = 0
        for rid, group in itertools.groupby(rows, key=lambda r: r[0]):
            while i < len(todo) and todo[i] < rid:
                yield from make(todo[i], self.reports[todo[i]])
                i += 1
            if i < len(todo) and todo[i] == rid:
                yield from make(rid, self.reports[rid])
                i += 1
                continue
            yield from group
        for rid in todo[i:]:
            yield from make(rid, self.reports[rid])


def shown(v) -> str:
    """A value in a comment: blank for None."""
    if v is None:
        return "blank"
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def fixed_of(doc: dict) -> Fixed:
    """A corrected report (``corrected_report``) as the rows the exports read."""
    from zfxxgk_batch.worker import rows_of

    rows = rows_of(doc)
    fixes = dict(doc.get("corrections") or {})
    cells = {(s, f): (v, st) for s, f, v, _text, _where, st in rows["values"] if s != "text"}
    corrected = set()
    for path in fixes:
        section, _, fid = path.partition(".")
        corrected.add((section, fid))
    return Fixed(doc, rows["info"], cells, corrected, rows["checks"], rows["diagnostics"], fixes)


def load(conn: sqlite3.Connection) -> Corrections | None:
    """The corrected reports of the database (see the module docstring); None when there are none."""
    try:
        from zfxxgk_review import corrections
    except ImportError:  # the review is not installed: nothing to apply
        return None
    if not corrections.has_table(conn):
        return None
    try:
        from zfxxgk_review.corrected import corrected_report
        from zfxxgk_review.export import value_overrides
    except ImportError:
        return None

    reports: dict[int, Fixed] = {}
    for rid in sorted(value_overrides(conn)):
        doc = corrected_report(conn, rid)
        if doc is not None and doc.get("corrections"):  # a correction of a cell the report has
            reports[rid] = fixed_of(doc)
    return Corrections(reports) if reports else None
