"""Layout plugin for Word .docx files: the main document part's paragraphs as TEXT rows and its tables as
TABLE rows (merged cells expanded), in document order."""

# A broken file or a library's bug must become a one-line refusal, never a traceback: hence the broad excepts.
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from itertools import islice

from lxml import etree

from core.sdk import (
    MAX_BYTES,
    TEXT,
    Cell,
    LayoutPlugin,
    Row,
    Source,
    UnreadableInput,
    hookimpl,
)

from ._html_grid import (
    MAX_COLUMNS,
    Budget,
    Exceeded,
    Span,
    clean,
    join_pieces,
    table_rows,
)

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DEFAULT_PART = "word/document.xml"
_OFFICE_DOCUMENT = "/officeDocument"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Deeper nesting than this (tables in tables in content controls ...) is not a report; it bounds recursion.
_MAX_DEPTH = 40


def detect(source: Source) -> float:
    try:
        if source.head.startswith(_ZIP):
            return 0.95 if b"word/document" in source.data else 0.0
        # Named .docx but not a zip: claim it weakly so the user hears why it cannot be read.
        if source.name.lower().endswith(".docx") and not source.head.startswith(_OLE2):
            return 0.05
        return 0.0
    except Exception:
        return 0.0


def parse(source: Source) -> list[Row]:
    return parse_bytes(source.data, source.name)


def parse_bytes(data: bytes, name: str) -> list[Row]:
    """Rows of a .docx given as bytes (also used for files converted from Word 97)."""
    try:
        return _parse_bytes(data, name)
    except Exceeded as e:
        raise UnreadableInput(str(e)) from None


def _parse_bytes(data: bytes, name: str) -> list[Row]:
    if not data.startswith(_ZIP):
        if data.startswith(_OLE2):
            raise UnreadableInput(f"{name}: a Word 97 (.doc) file, not a .docx zip")
        raise UnreadableInput(f"{name}: not a zip file, so not a Word .docx document")
    xml = _read_main_part(data, name)
    budget = Budget(name)
    budget.tags(xml)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as e:
        raise UnreadableInput(f"{name}: the document part is not well-formed XML ({e})") from None
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    body = root.find(f"{{{ns}}}body")
    if body is None:
        raise UnreadableInput(f"{name}: no document body in the Word file")
    return _Document(ns, budget).read(body)


def _read_main_part(data: bytes, name: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _main_part_name(zf)
            try:
                info = zf.getinfo(part)
            except KeyError:
                raise UnreadableInput(f"{name}: a zip without a Word document part ({part})") from None
            if info.file_size > MAX_BYTES:
                raise UnreadableInput(
                    f"{name}: the document part is {info.file_size // 2**20} MB unpacked, larger than any report"
                )
            with zf.open(info) as f:
                # The size in the zip directory can lie; never unpack more than the limit.
                xml = f.read(MAX_BYTES + 1)
            if len(xml) > MAX_BYTES:
                raise UnreadableInput(f"{name}: the document part unpacks to more than {MAX_BYTES // 2**20} MB")
            return xml
    except UnreadableInput:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise UnreadableInput(f"{name}: truncated or corrupt zip archive ({e})") from None
    except (NotImplementedError, RuntimeError) as e:  # unsupported compression, encryption
        raise UnreadableInput(f"{name}: the zip cannot be unpacked ({e})") from None


def _main_part_name(zf: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (word/document.xml almost always)."""
    try:
        rels = zf.read("_rels/.rels")
        root = etree.fromstring(rels, parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError):
        return _DEFAULT_PART
    for rel in root:
        if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            target = posixpath.normpath(rel.get("Target").lstrip("/"))
            if target in zf.namelist():
                return target
    return _DEFAULT_PART


class _Document:
    """Walks the body once; ``line`` counts paragraphs and table rows in document order."""

    def __init__(self, ns: str, budget: Budget):
        self.budget = budget
        w = f"{{{ns}}}"
        self.w = w
        self.P, self.TBL, self.TR, self.TC = w + "p", w + "tbl", w + "tr", w + "tc"
        self.T, self.TAB, self.BR, self.CR = w + "t", w + "tab", w + "br", w + "cr"
        self.SDT, self.SDT_CONTENT = w + "sdt", w + "sdtContent"
        self.TXBX = w + "txbxContent"
        self.TCPR, self.TRPR = w + "tcPr", w + "trPr"
        self.GRID_SPAN, self.GRID_BEFORE, self.VMERGE, self.HMERGE = (
            w + "gridSpan",
            w + "gridBefore",
            w + "vMerge",
            w + "hMerge",
        )
        self.VAL = w + "val"
        self.MERGES = (self.GRID_SPAN, self.GRID_BEFORE, self.VMERGE, self.HMERGE)
        self.FALLBACK = f"{{{_MC}}}Fallback"
        # Containers whose children are read as if they stood in place of the container.
        self.TRANSPARENT = {
            w + "customXml",
            w + "ins",
            w + "moveTo",
            w + "smartTag",
            w + "sdtContent",
            f"{{{_MC}}}AlternateContent",
            f"{{{_MC}}}Choice",
        }
        self.SKIPPED = {w + "del", w + "moveFrom", self.FALLBACK}
        self.TEXTUAL = (self.T, self.TAB, self.BR, self.CR, self.TXBX, *self.SKIPPED)
        self.line = 0
        self.rows: list[Row] = []

    def read(self, body) -> list[Row]:
        self._blocks(body, 0)
        return self.rows

    def _blocks(self, container, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        for child in container:
            tag = child.tag
            if tag == self.P:
                self._paragraph(child, depth)
            elif tag == self.TBL:
                self._table(child, depth)
            elif tag == self.SDT:
                content = child.find(self.SDT_CONTENT)
                if content is not None:
                    self._blocks(content, depth + 1)
            elif tag in self.TRANSPARENT:
                self._blocks(child, depth + 1)

    # -- paragraphs ------------------------------------------------------------------------------------
    def _lines(self, p, boxes: list | None) -> list[str]:
        """The paragraph's text split at line breaks; text boxes anchored in it go to ``boxes``."""
        lines: list[list[str]] = [[]]
        # Fast path: lxml filters the tags in C, so run properties never become Python objects.
        hits = list(p.iter(self.TEXTUAL))
        if any(h.tag in self.SKIPPED or h.tag == self.TXBX for h in hits):
            self._collect(p, lines, boxes)
        else:
            for h in hits:
                if h.tag == self.T:
                    if h.text:
                        lines[-1].append(h.text)
                elif h.tag == self.TAB:
                    lines[-1].append(" ")
                else:
                    lines.append([])
        return ["".join(parts) for parts in lines]

    def _collect(self, el, lines: list[list[str]], boxes: list | None) -> None:
        # Recursion, not iterwalk: runs are shallow, and an iterwalk per paragraph costs more than it.
        for child in el:
            tag = child.tag
            if tag == self.T:
                if child.text:
                    lines[-1].append(child.text)
            elif tag == self.TAB:
                lines[-1].append(" ")
            elif tag == self.BR or tag == self.CR:
                lines.append([])
            elif tag == self.TXBX:
                if boxes is not None:
                    boxes.append(child)
            elif tag not in self.SKIPPED and len(child):
                self._collect(child, lines, boxes)

    def _paragraph(self, p, depth: int) -> None:
        # Empty paragraphs make no rows but cost a walk each: they count as rows against the bound.
        self.budget.add_rows()
        self.line += 1
        line = self.line
        boxes: list = []
        for text in self._lines(p, boxes):
            text = clean(text)
            if text:
                self.rows.append(Row((Cell(text, line=line),), TEXT))
        for box in boxes:
            self._blocks(box, depth + 1)

    # -- tables ----------------------------------------------------------------------------------------
    def _table(self, tbl, depth: int) -> None:
        trs = list(self._children(tbl, self.TR))
        if next(islice(tbl.iter(self.TBL), 1, None), None) is not None:  # iter() yields tbl itself first
            # A table holding tables lays out the page: read its cells as the blocks they contain.
            for tr in trs:
                for tc in self._children(tr, self.TC):
                    self._blocks(tc, depth + 1)
            return
        spans: list[list[Span]] = []
        # grid column -> the span a vertical merge started there
        open_merge: dict[int, Span] = {}
        for tr in trs:
            self.budget.add_rows()
            self.line += 1
            line = self.line
            row: list[Span] = []
            col = 0
            before = min(max(0, _int(self._props(tr, self.TRPR).get(self.GRID_BEFORE), 0)), MAX_COLUMNS)
            if before:
                row.append(Span("", line, None, 1, before))
                col += before
            for tc in self._children(tr, self.TC):
                props = self._props(tc, self.TCPR)
                span = min(max(1, _int(props.get(self.GRID_SPAN), 1)), MAX_COLUMNS)
                vmerge = props.get(self.VMERGE)
                if vmerge is not None:
                    vmerge = "restart" if vmerge == "restart" else "continue"
                hmerge = props.get(self.HMERGE)
                if hmerge is not None and hmerge != "restart" and row:
                    row[-1].colspan += span  # legacy horizontal merge: part of the cell to the left
                    col += span
                    continue
                origin = open_merge.get(col)
                if vmerge == "continue" and origin is not None and origin.colspan == span:
                    origin.rowspan += 1
                    col += span
                    continue
                cell = Span(self._cell_text(tc), line, None, 1, span)
                row.append(cell)
                for c in range(col, col + span):
                    open_merge.pop(c, None)
                if vmerge == "restart":
                    open_merge[col] = cell
                col += span
            spans.append(row)
        self.rows.extend(table_rows(spans, self.budget))

    def _cell_text(self, tc) -> str:
        # One C-level pass over the cell's text nodes; paragraphs and breaks start new pieces.
        pieces: list[list[str]] = [[]]
        for el in tc.iter(self.P, *self.TEXTUAL):
            tag = el.tag
            if tag == self.T:
                if el.text:
                    pieces[-1].append(el.text)
            elif tag == self.TAB:
                pieces[-1].append(" ")
            elif tag == self.P or tag == self.BR or tag == self.CR:
                pieces.append([])
            elif tag in self.SKIPPED:  # deleted or fallback text inside: take the careful path
                slow: list[str] = []
                self._cell_paragraphs(tc, slow, 0)
                return join_pieces(slow)
        return join_pieces("".join(p) for p in pieces)

    def _cell_paragraphs(self, el, pieces: list[str], depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        for child in el:
            if child.tag == self.P:
                pieces.extend(self._lines(child, None))
            elif child.tag not in self.SKIPPED and child.tag != self.TCPR and len(child):
                self._cell_paragraphs(child, pieces, depth + 1)

    def _children(self, el, tag):
        """Direct children with ``tag``, looking through content controls and custom XML wrappers."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (self.SDT, self.w + "customXml"):
                inner = child.find(self.SDT_CONTENT) if child.tag == self.SDT else child
                if inner is not None:
                    yield from self._children(inner, tag)

    def _props(self, el, pr_tag: str) -> dict:
        """The merge properties of a cell or row, tag -> w:val ("" when it has none)."""
        # The property block is the first child by the schema; lxml's find() costs more than the cell.
        if not len(el) or el[0].tag != pr_tag:
            return {}
        return {c.tag: c.get(self.VAL, "") for c in el[0].iterchildren(self.MERGES)}


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="docx", detect=detect, parse=parse, description="Word .docx documents (paragraphs and tables)"
        )
    ]
