"""Diagnostics: the one documented list of their codes, the record of one, and the list a parse collects.

Levels (the output contract): ``info`` — a repair that is certain, or a fact worth knowing; ``warning`` —
a value that may be wrong or was not read; ``error`` — a section missing or unreadable. A report whose
numbers are all right and whose checks all pass has no warnings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

INFO, WARNING, ERROR = "info", "warning", "error"

#: Every diagnostic code, with what it means. The README's table lists exactly these (a test says so),
#: and no code outside this list is ever emitted by the built-in layouts or the core.
CODES: dict[str, str] = {
    # reading the file
    "invalid_utf8": "a few bytes were not valid UTF-8 and were replaced (U+FFFD); the rest of the text was read",
    "invalid_bytes": "a web page held byte sequences invalid in its encoding; they were replaced (U+FFFD)",
    "charset_mismatch": "a web page declares one encoding and its bytes are in another; the bytes decide",
    "html_truncated": "a web page nests elements too deeply to read past some point; the rest was not read",
    "converted": "a Word 97/WPS/RTF file was converted to .docx with LibreOffice before reading",
    "pdf_backend": "which PDF reader read the file (and why another was not used)",
    "pdf_text_lost": "the PDF reader knows it lost some text (fonts without a Unicode map)",
    "pdf_scanned_pages": "pages that are images with no text layer were not read",
    # choosing the layout
    "layouts_compared": "several layouts recognise the file; each read it, and the reading the template's "
    "identities confirm most was kept",
    "layout_fallback": "the best-scoring layout found no report; another layout read it",
    "plugin_failed": "a plugin failed (to load, detect or read) or misbehaved (exited, printed, overran); the others "
    "carried on",
    # what the document says about itself
    "script_converted": "traditional characters were converted to simplified for matching (text kept as printed)",
    "year_found": "where the statistics year was read from",
    "format_found": "why the report was read in the 2019 or the 2021 format",
    "format_conflict": "the tables are in one format but the report's year calls for the other",
    "section_missing": "a section heading was not found (error for a table section, info for a prose one)",
    "columns_assumed": "section 三's applicant column headers were not found; the template's order is assumed",
    # placing rows and values
    "table_not_found": "a table section has no row of numbers",
    "row_not_found": "a row of the template was not found in its table",
    "row_not_recognised": "a row with numbers matches no row of its table; its numbers were not used",
    "duplicate_row": "two printed rows map to one template row; the first is kept",
    "row_placed_by_position": "rows printed without labels were placed by their position between labelled rows",
    "row_joined": "lines of values without a label below a row, where no row is missing, were taken as the rest "
    "of its values",
    "values_fitted": "a row printed more or fewer values than it has columns; how they were placed",
    "decided_by_prose": "a number the text states for a cell decided among the splits of a run of glued digits",
    "displaced_value": "a number printed on a line of its own was put back into the blank cell the sums require",
    "value_unconfirmed": "a value whose place was inferred (fitted, by position, split from a run, decided by the "
    "text) that no identity of the template checks",
    "cell_not_read": "a cell the document has could not be read with certainty: null, with the reason",
    # certain repairs of one cell
    "dash_blank": "a cell printed with a dash or 无 was read as blank (null, not 0)",
    "leading_zero": 'a number printed with a leading zero ("00") was read as the number',
    "unit_dropped": 'a count printed with its unit ("5件") was read as the number',
    # the prose
    "prose_contradicts_table": "a number the text states differs from the table cells it restates",
}


@dataclass(frozen=True)
class Diagnostic:
    level: str
    code: str
    where: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


class Notes:
    """The diagnostics of one parse, in the order they were found."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, level: str, code: str, where: str, message: str) -> None:
        self.items.append(Diagnostic(level, code, where, message))

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
