"""The types a layout plugin hands to the core: cells with their place in the source, rows of cells,
the document a layout read (rows, notes, meta), and the registration record of a layout."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import PluginError
from core.frozen import quick_init

if TYPE_CHECKING:
    from core.source import Source

#: Version of the plugin interface. Plugins may declare the version they were written for
#: (``LayoutPlugin(api_version=...)``); the host refuses a plugin written for a newer interface.
PLUGIN_API_VERSION = 1


@quick_init
@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as printed, and where it was read.

    Text layouts give ``line``/``col`` (1-based, of the first character); PDF layouts give ``page``
    (1-based) and ``bbox`` (x0, y0, x1, y1 in PDF points). An empty ``text`` is a blank cell.
    """

    text: str
    line: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    #: Set by the core when it rewrites ``text`` (traditional to simplified script): the text as printed.
    printed: str | None = None
    #: Set by a layout that knows a value stands here but cannot read it with certainty (digits glued
    #: together with several possible splits, an unreadable glyph): the reason, shown in the warning.
    #: The core writes null for such a cell and warns; ``text`` keeps what was printed.
    unread: str | None = None
    #: Set by a layout whose text printed this cell in a block of values stacked one line above the other
    #: (poppler's plain text): the block's number, the same for every cell of the block, counting up in
    #: the order printed. With ``unread`` set too, the cell's row is not shown; the core may still place
    #: it where the table's sums leave it one place (core.cellstream).
    stack: int | None = None
    #: Set by a layout that dropped something printed right before or after this cell among the table's
    #: cells (a watermark's glyph): poppler prints the cells a glyph covers beside it, away from their
    #: rows, so the core may take this cell, and the other values of a run shorter than a table row it
    #: stands in, for cells printed away from their rows (core.cellstream).
    apart: bool = False

    def where(self) -> dict:
        """Provenance of this cell in the output contract's shape."""
        out: dict = {}
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [round(v, 1) for v in self.bbox]
        if self.line is not None:
            out["line"] = self.line
        if self.col is not None:
            out["col"] = self.col
        out["text"] = self.text if self.printed is None else self.printed
        return out


#: A row of one table, as the layout shows it.
TABLE = "table"
#: A line or paragraph of prose (headings included).
TEXT = "text"
#: One cell of a table whose row boundaries the layout does not show (one cell per line);
#: the core regroups consecutive ``CELL`` rows into table rows.
CELL = "cell"

#: Text whose line and cell structure was lost (a page scraped with its line breaks collapsed, its table
#: cells glued together or separated by single spaces): the core finds the section headings, the row
#: labels and the values in it by the template. One line of the input per row.
FLOW = "flow"

ROW_KINDS = (TABLE, TEXT, CELL, FLOW)


@quick_init
@dataclass(frozen=True, slots=True)
class Row:
    """A unit of the document in reading order: a table row, a prose line, or a lone table cell."""

    cells: tuple[Cell, ...]
    kind: str = TABLE

    @property
    def text(self) -> str:
        cells = self.cells
        if len(cells) == 1:  # most rows (a line, a lone cell): asked for several times per parse
            return cells[0].text
        return " ".join([c.text for c in cells if c.text])


@dataclass(frozen=True, slots=True)
class Note:
    """Something a layout found about the file that the report should say: a diagnostic of the source.

    :param level: ``"info"`` (a certain repair or a fact, e.g. which PDF reader was used) or
        ``"warning"`` (something may be lost: bytes replaced, a page not read).
    :param code: a diagnostic code from the README's table (``charset_mismatch``, ``pdf_backend`` …).
    """

    level: str
    code: str
    message: str


@dataclass(frozen=True)
class Document:
    """What a layout read of a file: its rows in reading order, notes about the file, and facts for the
    report's ``meta`` (``{"pdf_backend": "pypdfium2 4.30"}``, ``{"encoding": "gb18030"}``).

    ``parse`` may return a plain iterable of rows instead, when it has nothing else to say.
    """

    rows: tuple[Row, ...]
    notes: tuple[Note, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()

    def __init__(self, rows: Iterable[Row], notes: Iterable[Note] = (), meta: dict[str, str] | None = None):
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "notes", tuple(notes))
        object.__setattr__(self, "meta", tuple((meta or {}).items()))


Detector = Callable[["Source"], "float | None"]
Parser = Callable[["Source"], "Document | Iterable[Row]"]

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


@dataclass(frozen=True)
class LayoutPlugin:
    """Registration record of one input layout.

    :param name: short unique name, lowercase letters, digits and ``-`` (shown by ``detect`` and in
        ``meta.layout``).
    :param detect: ``detect(source) -> float | None``: how well the file matches this layout, from 0.0
        to 1.0, or None when the layout does not apply at all. Must be cheap and must not fail.
    :param parse: ``parse(source) -> Document`` (or an iterable of Row): the document in reading order.
    :param description: one line for ``python -m core plugins``.
    :param api_version: the :data:`PLUGIN_API_VERSION` the plugin was written for.
    """

    name: str
    detect: Detector
    parse: Parser
    description: str = ""
    api_version: int = PLUGIN_API_VERSION
    #: Filled in by the host: "built-in" or the distribution that provided the plugin.
    origin: str = field(default="", compare=False)
    version: str = field(default="", compare=False)

    def __post_init__(self):
        name = str(self.name).strip().lower()
        if not _NAME.match(name):
            raise PluginError(f"layout plugin name {self.name!r} must be 2-40 chars of a-z, 0-9 and '-'")
        object.__setattr__(self, "name", name)
        if not callable(self.detect) or not callable(self.parse):
            raise PluginError(f"layout plugin {name!r}: detect and parse must be callables")
        if not isinstance(self.api_version, int) or self.api_version > PLUGIN_API_VERSION:
            raise PluginError(
                f"layout plugin {name!r} needs plugin interface {self.api_version}; "
                f"this version of the core provides {PLUGIN_API_VERSION}"
            )
