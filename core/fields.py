"""The one typed form of a dotted field path (``applications.denied.state_secret.natural_person``), used
wherever a path is read or written: values, provenance, checks, diagnostics, exports."""

from __future__ import annotations

from typing import NamedTuple

#: The sections whose cells are numbers, in template order.
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")


class FieldPath(NamedTuple):
    """One cell of the template: its section, its row (a stable row ID, which may hold a dot:
    ``denied.state_secret``) and its column. A named tuple: it is hashed for every cell of every
    identity of every parse.

    For section 二 the stable field ID is ``row.column`` (``regulations.issued``); for section 三 the row
    ID and a column of the applicants (``total.natural_person``); for section 四 a group and a column
    (``review.upheld``).
    """

    section: str
    row: str
    column: str

    def __str__(self) -> str:
        return f"{self.section}.{self.row}.{self.column}"

    @property
    def field(self) -> str:
        """The stable field ID within its section (``regulations.issued``)."""
        return f"{self.row}.{self.column}"

    @property
    def row_path(self) -> str:
        """The dotted path of the cell's row (``applications.denied.state_secret``), as warnings name it."""
        return f"{self.section}.{self.row}"

    @classmethod
    def parse(cls, path: str) -> FieldPath:
        """The path of ``"applications.total.natural_person"``; raises ValueError for anything else."""
        section, _, rest = path.partition(".")
        row, _, column = rest.rpartition(".")
        if section not in TABLE_SECTIONS or not row or not column:
            raise ValueError(f"not a field path: {path!r}")
        return cls(section, row, column)

    def within(self, where: str) -> bool:
        """True when a diagnostic's ``where`` (a cell, its row, its section, or ``row.*`` patterns are not
        used) names this cell: it is the cell or one of its prefixes."""
        text = str(self)
        return text == where or text.startswith(where + ".")
