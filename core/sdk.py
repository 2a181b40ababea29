"""The layout SDK: everything a layout plugin may import from the core, in one module.

A layout turns a file into rows of cells in reading order and says what it noticed about the file; the
core does everything else (sections, labels, values, checks). So a layout needs only:

- the types it returns: :class:`Document`, :class:`Row` (of kind ``TABLE``, ``TEXT``, ``CELL`` or
  ``FLOW``), :class:`Cell`, :class:`Note`, and its registration record :class:`LayoutPlugin` with the
  :data:`hookimpl` marker;
- what it reads: the read-only :class:`Source` (``text_lines`` gives its lines, or None when it is not
  text — for ``detect``, which must not raise), and the limit :data:`MAX_BYTES`;
- the errors it may raise: :class:`UnreadableInput` (exit 3), :class:`NotAReport` (exit 4), and
  :class:`UsageError` (exit 2) for a bad setting of its own (an environment variable naming no backend);
- the few judgements every layout must make the same way as the core: what a printed cell is
  (:func:`read_cell`, :func:`is_value`, :func:`is_number`), whether a line is a section heading
  (:func:`section_of`) and whether its section holds a table (:data:`TABLE_SECTIONS`, the keys of
  sections 二, 三 and 四), a label's numbering (:func:`numbering`), text folded for comparison
  (:func:`norm`) or character by character (:func:`fold_text`), and display width (:func:`display_width`).

The built-in layouts import nothing else from the core (a test says so); neither should a plugin.
"""

from __future__ import annotations

from core.cells import (
    AMOUNT,
    BLANK,
    LABEL,
    NUMBER,
    RUN,
    UNREAD,
    CellReading,
    is_number,
    is_value,
    read_cell,
)
from core.errors import CoreError, NotAReport, UnreadableInput, UsageError
from core.hookspecs import hookimpl
from core.layout import (
    CELL,
    FLOW,
    PLUGIN_API_VERSION,
    TABLE,
    TEXT,
    Cell,
    Document,
    LayoutPlugin,
    Note,
    Row,
)
from core.sections import section_of
from core.source import MAX_BYTES, Source
from core.template import TABLE_SECTION_KEYS as TABLE_SECTIONS
from core.text import fold_chars as fold_text
from core.text import norm, split_numbering

__all__ = [
    "AMOUNT",
    "BLANK",
    "CELL",
    "FLOW",
    "LABEL",
    "MAX_BYTES",
    "NUMBER",
    "PLUGIN_API_VERSION",
    "RUN",
    "TABLE",
    "TABLE_SECTIONS",
    "TEXT",
    "UNREAD",
    "Cell",
    "CellReading",
    "CoreError",
    "Document",
    "LayoutPlugin",
    "NotAReport",
    "Note",
    "Row",
    "Source",
    "UnreadableInput",
    "UsageError",
    "display_width",
    "fold_text",
    "hookimpl",
    "is_number",
    "is_value",
    "norm",
    "numbering",
    "read_cell",
    "section_of",
    "split_numbering",
    "text_lines",
]


def text_lines(source: Source) -> tuple[str, ...] | None:
    """The source's lines, or None when it is not text (for ``detect``, which must not raise)."""
    if source.binary:
        return None
    try:
        return source.lines
    except CoreError:
        return None


def numbering(text: str) -> str:
    """The row numbering a label starts with ("(三)", "1", "一"), or "" when it has none."""
    return split_numbering(norm(text))[0]


def display_width(text: str) -> int:
    """Display width: characters beyond ASCII (CJK, fullwidth forms) count 2."""
    return 2 * len(text) - len(text.encode("ascii", "ignore"))
