"""The source beside the cell: where a value was read, shown from the file it was read from.

- Text, Markdown and HTML (provenance ``line``, and ``col`` for text): the lines around it, decoded as
  the parse decoded them, with the printed number highlighted (in a line of a few thousand characters,
  as a scrape with its line breaks collapsed has, a window around it).
- PDF (provenance ``page`` and ``bbox`` in PDF points from the lower-left corner): the page rendered by
  pypdfium2 as a PNG, over which the page shows the cell's box.
- The file itself: whether it is still at ``reports.path`` and still has the bytes that were parsed
  (sha256); when it moved or changed the page says so, and the stored reading is what it shows.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from core.source import MAX_BYTES, Source

#: Lines shown before and after the line a cell was read from.
CONTEXT = 4
#: Characters of a long line shown around the highlighted cell (each side), and of other long lines.
WINDOW = 70
#: PDF page images are rendered at this many pixels per point (216 dpi: sharp when zoomed on a cell).
SCALE = 3.0

_PDFIUM = threading.Lock()
#: The caches below are shared by the server's threads.
_CACHE = threading.Lock()


# --- the file: there, moved, changed ------------------------------------------------------------------

OK, MISSING, CHANGED, UNREADABLE = "ok", "missing", "changed", "unreadable"


@dataclass(frozen=True)
class FileState:
    state: str
    path: str
    message: str = ""
    sha256: str | None = None

    @property
    def readable(self) -> bool:
        return self.state in (OK, CHANGED)


_hashes: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _CACHE:
        known = _hashes.get(key)
    if known is None:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        known = h.hexdigest()
        with _CACHE:
            _hashes[key] = known
    return known


def file_state(path: str, sha256: str) -> FileState:
    """Whether the report's file is still at ``path`` with the bytes that were parsed."""
    p = Path(path)
    try:
        if not p.is_file():
            return FileState(
                MISSING,
                path,
                f"the source file is no longer at {path} (moved or deleted): "
                f"the stored reading is shown, the source cannot be",
            )
        now = sha256_of(p)
    except OSError as e:
        return FileState(UNREADABLE, path, f"the source file {path} cannot be read ({e.strerror or e})")
    if now != sha256:
        return FileState(
            CHANGED,
            path,
            f"the file at {path} has changed since it was parsed (sha256 "
            f"{sha256[:12]}… then, {now[:12]}… now): the stored reading is shown; "
            f"the source below is the file as it is now and may not match it",
            now,
        )
    return FileState(OK, path, "", now)


# --- text, Markdown, HTML ----------------------------------------------------------------------------


@dataclass
class TextLine:
    number: int
    #: (text, highlighted) pieces of the line as shown
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    target: bool = False


@dataclass
class TextView:
    lines: list[TextLine]
    found: bool
    message: str = ""


_texts: OrderedDict[tuple[str, int, int, str], list[str]] = OrderedDict()


def _lines(path: Path, encoding: str | None) -> list[str]:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, encoding or "")
    with _CACHE:
        if key in _texts:
            _texts.move_to_end(key)
            return _texts[key]
    if st.st_size > MAX_BYTES:
        raise ValueError(f"{st.st_size // (1 << 20)} MB: larger than any report")
    data = path.read_bytes()
    text = None
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            text = None
        if text is not None:
            text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text is None:
        text = Source(data, path.name, path).text
    lines = text.split("\n")
    with _CACHE:
        _texts[key] = lines
        while len(_texts) > 8:
            _texts.popitem(last=False)
    return lines


def _occurrences(line: str, printed: str) -> list[int]:
    """Where ``printed`` stands in ``line`` as a cell of its own: not inside a longer number."""
    out: list[int] = []
    if not printed:
        return out
    digit_edge = printed[0].isdigit(), printed[-1].isdigit()
    start = line.find(printed)
    while start >= 0:
        before = line[start - 1] if start else ""
        after = line[start + len(printed) : start + len(printed) + 1]
        if not (
            (digit_edge[0] and (before.isdigit() or before == "."))
            or (digit_edge[1] and (after.isdigit() or after == "."))
        ):
            out.append(start)
        start = line.find(printed, start + 1)
    return out


def _window(line: str, start: int | None, length: int) -> list[tuple[str, bool]]:
    if start is None:
        if len(line) <= 2 * WINDOW + 20:
            return [(line, False)]
        return [(line[: 2 * WINDOW] + " …", False)]
    a, b = max(0, start - WINDOW), min(len(line), start + length + WINDOW)
    pieces = [
        (("… " if a else "") + line[a:start], False),
        (line[start : start + length], True),
        (line[start + length : b] + (" …" if b < len(line) else ""), False),
    ]
    return [p for p in pieces if p[0]]


def text_view(path: str, encoding: str | None, where: dict, rank: int = 0) -> TextView:
    """The lines around ``where`` (a provenance: ``line``, maybe ``col``, ``text`` as printed) with the
    printed text highlighted. ``rank``: which of several equal printed texts on a line without ``col``
    is this cell's (for HTML, the cells of one row that print the same number, in column order)."""
    lines = _lines(Path(path), encoding)
    line_no = where.get("line")
    printed = str(where.get("text") or "")
    if not isinstance(line_no, int) or not 1 <= line_no <= len(lines):
        return TextView([], False, f"line {line_no} is not in the file ({len(lines)} lines)")
    target, start, message = line_no, None, ""
    col = where.get("col")
    text = lines[line_no - 1]
    if isinstance(col, int) and printed and text[col - 1 : col - 1 + len(printed)] == printed:
        start = col - 1
    else:
        # no column (HTML), or the text is not at it: the cell's own occurrences on its line, or the next
        # lines of the same element (a <td> whose text starts on the line after its tag)
        for k in range(line_no, min(len(lines), line_no + 3) + 1):
            occ = _occurrences(lines[k - 1], printed)
            if occ:
                target = k
                if isinstance(col, int):
                    start = min(occ, key=lambda o: abs(o - (col - 1)))
                else:
                    start = occ[min(rank, len(occ) - 1)]
                if len(occ) > 1 and not isinstance(col, int):
                    message = f"the line prints {printed!r} {len(occ)} times; the cell's is highlighted by its column"
                break
        else:
            message = (
                f"{printed!r} is not printed where the parse read it (line {line_no}); the file may have changed"
                if printed
                else "the cell was printed blank"
            )
    shown = []
    for n in range(max(1, target - CONTEXT), min(len(lines), target + CONTEXT) + 1):
        here = n == target
        shown.append(TextLine(n, _window(lines[n - 1], start if here else None, len(printed)), here))
    return TextView(shown, start is not None, message)


# --- PDF ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageInfo:
    number: int
    pages: int
    #: the page as shown (rotation applied), in points
    width: float
    height: float
    #: where the media box's lower-left corner is on the shown (crop box) page, in points
    dx: float = 0.0
    dy: float = 0.0

    def box(self, bbox) -> tuple[float, float, float, float]:
        """A provenance ``bbox`` (x0, y0, x1, y1 from the lower-left) as (x, y, w, h) from the top-left."""
        x0, y0, x1, y1 = (float(v) for v in bbox)
        return (x0 - self.dx, self.height - (y1 - self.dy), x1 - x0, y1 - y0)


_pages: OrderedDict[tuple, bytes] = OrderedDict()
_infos: dict[tuple, PageInfo] = {}


def _doc(path: str):
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(path)


def _key(path: str, page: int) -> tuple:
    st = os.stat(path)
    return (path, st.st_size, st.st_mtime_ns, page)


def page_info(path: str, page: int) -> PageInfo:
    key = _key(path, page)
    if key not in _infos:
        with _PDFIUM:
            pdf = _doc(path)
            try:
                n = len(pdf)
                if not 1 <= page <= n:
                    raise ValueError(f"page {page} is not in the file ({n} pages)")
                pg = pdf[page - 1]
                w, h = pg.get_size()
                dx = dy = 0.0
                if pg.get_rotation() == 0:
                    mx0, my0, _mx1, _my1 = pg.get_mediabox()
                    cx0, cy0, _cx1, _cy1 = pg.get_cropbox()
                    dx, dy = cx0 - mx0, cy0 - my0
                _infos[key] = PageInfo(page, n, float(w), float(h), float(dx), float(dy))
            finally:
                pdf.close()
    return _infos[key]


def page_png(path: str, page: int, scale: float = SCALE) -> bytes:
    """Page ``page`` (1-based) of the PDF at ``path`` as a PNG (a few pages are kept in memory)."""
    key = (*_key(path, page), scale)
    with _CACHE:
        if key in _pages:
            _pages.move_to_end(key)
            return _pages[key]
    with _PDFIUM:
        pdf = _doc(path)
        try:
            if not 1 <= page <= len(pdf):
                raise ValueError(f"page {page} is not in the file ({len(pdf)} pages)")
            bitmap = pdf[page - 1].render(scale=scale)
            image = bitmap.to_pil()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False, compress_level=3)
    data = buf.getvalue()
    with _CACHE:
        _pages[key] = data
        while len(_pages) > 12:
            _pages.popitem(last=False)
    return data


def is_pdf(layout: str | None, path: str) -> bool:
    return layout == "pdf" or path.lower().endswith(".pdf")


_NOT_TEXT = re.compile(r"\.(docx?|wps|rtf)$", re.IGNORECASE)


def has_text_view(layout: str | None, path: str) -> bool:
    """Whether the file's provenance lines are lines of the file itself (not of a Word document's XML)."""
    return not is_pdf(layout, path) and layout not in ("docx", "word97") and not _NOT_TEXT.search(path)
