"""Reading a PDF's characters and ruling lines with their positions, through pypdfium2 or pdfminer.six.

Both backends produce the same :class:`Page` records: coordinates in PDF points relative to the lower-left
corner of the media box, turned so that the page's text runs left to right (a page whose text is rotated,
by ``/Rotate`` or by a rotated text matrix, comes out upright), character boxes from the font's descent to
one em above it (so the two backends agree on every box), and rules as thin axis-aligned rectangles.
"""

# A broken file or a library's bug must become a one-line refusal or a lost page, never a traceback:
# hence the broad excepts.
from __future__ import annotations

import ctypes
import io
import logging
import math
import os
import struct
import threading
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

from core.sdk import CoreError, UnreadableInput

if TYPE_CHECKING:
    from .limits import Budget

#: PDFium is not thread-safe; every pypdfium2 read in this process takes this lock.
_PDFIUM_LOCK = threading.Lock()
#: Env var forcing one backend (tests compare both).
BACKEND_ENV = "ZFXXGK_PDF_BACKEND"

#: A path thinner than this (points) is a rule in itself; a wider one contributes its straight edges.
RULE_WIDTH = 3.0
#: Characters rotated by more than this (degrees) from a right angle are watermarks or decoration.
SKEW_TOLERANCE = 3.0


@dataclass(slots=True)
class Page:
    """One page as positioned characters and rules.

    ``chars`` are tuples ``(text, x0, y0, x1, y1, size)`` in content order; ``rules`` are
    ``(x0, y0, x1, y1)`` rectangles (a stroked segment has its line width as thickness).
    """

    number: int
    width: float
    height: float
    chars: list = field(default_factory=list)
    rules: list = field(default_factory=list)
    images: int = 0


class PdfPassword(Exception):
    """The PDF needs a password that is not empty."""


class PdfBroken(Exception):
    """The backend cannot open the PDF at all; the message says why, as the user is told."""


class PdfLossy(Exception):
    """The backend read the PDF (``pages``) but knows it lost some of its text."""

    def __init__(self, message: str, pages: list):
        super().__init__(message)
        self.pages = pages


# -- orientation and normalisation shared by both backends ---------------------------------------------


def _quadrant(a: float, b: float) -> int | None:
    """The writing direction of a character matrix as 0/90/180/270 degrees, None when skewed."""
    angle = math.degrees(math.atan2(b, a)) % 360.0
    q = round(angle / 90.0) % 4
    off = abs(angle - q * 90.0)
    off = min(off, 360.0 - off)
    return q * 90 if off <= SKEW_TOLERANCE else None


def _turn(rot: int, w: float, h: float):
    """A function mapping a box in the unrotated page to the page turned ``rot`` degrees clockwise."""
    if rot == 90:
        return lambda x0, y0, x1, y1: (y0, w - x1, y1, w - x0)
    if rot == 180:
        return lambda x0, y0, x1, y1: (w - x1, h - y1, w - x0, h - y0)
    if rot == 270:
        return lambda x0, y0, x1, y1: (h - y1, x0, h - y0, x1)
    return None


# Kangxi radicals and CJK compatibility ideographs print exactly like the unified ideographs some fonts
# map them from (Word does this often); their NFKC form is the character a reader sees.
def _fold(text: str) -> str:
    if any("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" for ch in text):
        return "".join(
            unicodedata.normalize("NFKC", ch) if ("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff") else ch
            for ch in text
        )
    return text


def finish_page(
    number: int, width: float, height: float, raw_chars: list, rules: list, images: int, rot: int | None = None
) -> Page:
    """Build a :class:`Page` from raw characters ``(text, x0, y0, x1, y1, size, quadrant)``.

    Turns the page so that most of its text is upright (or by ``rot`` when the caller counted already)
    and keeps only the characters that are upright then: the rest are watermarks or decoration written
    at another angle.
    """
    if rot is None:
        counts: dict[int, int] = {}
        for ch in raw_chars:
            q = ch[6]
            if q is not None:
                counts[q] = counts.get(q, 0) + 1
        rot = max(counts, key=counts.__getitem__) if counts else 0
    turn = _turn(rot, width, height)
    if rot in (90, 270):
        width, height = height, width
    chars = []
    for text, x0, y0, x1, y1, size, q in raw_chars:
        if q != rot:
            continue
        if turn is not None:
            x0, y0, x1, y1 = turn(x0, y0, x1, y1)
        if not (0 <= x0 + x1 <= 2 * width and 0 <= y0 + y1 <= 2 * height):
            continue  # off the page: never printed (leftovers of templates, hidden keywords)
        # The box spans one em above the descent: both backends know the descent, not the ascent.
        chars.append((text, x0, y0, x1, y0 + size, size))
    if turn is not None:
        rules = [turn(*r) for r in rules]
    return Page(number, width, height, chars, rules, images)


def _is_white(color) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        return color >= 0.99
    try:
        vals = [float(v) for v in color]
    except (TypeError, ValueError):
        return False
    if len(vals) == 1:
        return vals[0] >= 0.99
    if len(vals) == 3:
        return min(vals) >= 0.99
    if len(vals) == 4:  # CMYK
        return max(vals) <= 0.01
    return False


def _edges(points: list, closed: bool, out: list) -> None:
    """Append the axis-aligned straight segments of a polyline to ``out`` as degenerate rectangles."""
    n = len(points)
    pairs = list(pairwise(points))
    if closed and n > 2:
        pairs.append((points[-1], points[0]))
    for (ax, ay), (bx, by) in pairs:
        if abs(ay - by) < 0.5 and abs(ax - bx) >= 0.5:
            out.append((min(ax, bx), (ay + by) / 2, max(ax, bx), (ay + by) / 2))
        elif abs(ax - bx) < 0.5 and abs(ay - by) >= 0.5:
            out.append(((ax + bx) / 2, min(ay, by), (ax + bx) / 2, max(ay, by)))


def _bad_page_size(w: float, h: float) -> bool:
    return not (w > 1 and h > 1 and math.isfinite(w) and math.isfinite(h))


# -- pypdfium2 -----------------------------------------------------------------------------------------

#: Code points PDFium reports for whitespace, which carries no position we use: gaps are measured from
#: the boxes of the printed characters.
_BLANK = frozenset((0xA0, 0x3000, 0xFEFF, 0x200B, 0xFFFE))


class _Ptr(ctypes.c_void_p):
    """A pointer PDFium returns, kept as a ctypes object so that it goes back to PDFium whole (a bare
    int passed to an untyped argument would be cut to a C int)."""


class _Lean:
    """Second handles on the PDFium functions called once per character or page object, without
    argument types: pypdfium2's bindings check typed pointers on every call, which costs more than the
    call itself (five times per character, thousands of characters a page). Every argument passed is
    then a ctypes object or a Python int that is a C int (an index), and results are C ints, doubles
    or :class:`_Ptr`."""

    def __init__(self, c):
        def fn(name, restype):
            # No argtypes: ctypes then makes a plain (not variadic) call with each argument as given.
            address = ctypes.cast(getattr(c, name), ctypes.c_void_p).value
            assert address is not None  # a function the library exports is never at address 0
            return ctypes.CFUNCTYPE(restype)(address)

        self.count_chars = fn("FPDFText_CountChars", ctypes.c_int)
        self.unicode = fn("FPDFText_GetUnicode", ctypes.c_uint)
        self.map_error = fn("FPDFText_HasUnicodeMapError", ctypes.c_int)
        self.box = fn("FPDFText_GetLooseCharBox", ctypes.c_int)
        self.matrix = fn("FPDFText_GetMatrix", ctypes.c_int)
        self.font_size = fn("FPDFText_GetFontSize", ctypes.c_double)
        self.count_objects = fn("FPDFPage_CountObjects", ctypes.c_int)
        self.get_object = fn("FPDFPage_GetObject", _Ptr)
        self.form_count = fn("FPDFFormObj_CountObjects", ctypes.c_int)
        self.form_object = fn("FPDFFormObj_GetObject", _Ptr)
        self.obj_type = fn("FPDFPageObj_GetType", ctypes.c_int)
        self.bounds = fn("FPDFPageObj_GetBounds", ctypes.c_int)
        self.obj_matrix = fn("FPDFPageObj_GetMatrix", ctypes.c_int)
        self.draw_mode = fn("FPDFPath_GetDrawMode", ctypes.c_int)
        self.fill_color = fn("FPDFPageObj_GetFillColor", ctypes.c_int)
        self.stroke_color = fn("FPDFPageObj_GetStrokeColor", ctypes.c_int)
        self.text_font = fn("FPDFTextObj_GetFont", _Ptr)
        self.font_embedded = fn("FPDFFont_GetIsEmbedded", ctypes.c_int)
        self.count_segments = fn("FPDFPath_CountSegments", ctypes.c_int)
        self.get_segment = fn("FPDFPath_GetPathSegment", _Ptr)
        self.segment_point = fn("FPDFPathSegment_GetPoint", ctypes.c_int)
        self.segment_type = fn("FPDFPathSegment_GetType", ctypes.c_int)
        self.segment_close = fn("FPDFPathSegment_GetClose", ctypes.c_int)


class _Out:
    """A buffer PDFium writes numbers into, read back in one call (ctypes indexing costs ~0.1 us a
    number, per character)."""

    __slots__ = ("address", "buf", "ptr", "read")

    def __init__(self, fmt: str):
        st = struct.Struct(fmt)
        self.buf = bytearray(st.size)
        self.address = ctypes.addressof((ctypes.c_char * st.size).from_buffer(self.buf))
        self.ptr = ctypes.c_void_p(self.address)
        self.read = st.unpack_from

    def at(self, k: int) -> ctypes.c_void_p:
        """A pointer to the k-th 4-byte number (for functions that take one pointer per number)."""
        return ctypes.c_void_p(self.address + 4 * k)


_LEAN = None


class PdfiumBackend:
    """Characters through PDFium's text page, rules through its page objects (fast, native)."""

    name = "pypdfium2"

    def __init__(self):
        import pypdfium2  # noqa: F401 (ImportError tells the caller the backend is absent)
        import pypdfium2.raw as c

        global _LEAN
        self.c = c
        self.version = _dist_version("pypdfium2")
        if _LEAN is None:
            _LEAN = _Lean(c)
        self.f = _LEAN
        self._bufs = (_Out("2i"), _Out("4I"), _Out("6f"), _Out("4f"))

    def pages(self, data: bytes, budget=None) -> list[Page]:
        # PDFium is not thread-safe: one document at a time per process, whoever calls us.
        with _PDFIUM_LOCK:
            return self._pages(data, budget or _unbounded())

    def _pages(self, data: bytes, budget) -> list[Page]:
        import pypdfium2 as pdfium

        c = self.c
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code == c.FPDF_ERR_PASSWORD:
                raise PdfPassword() from None
            if code == c.FPDF_ERR_SECURITY:
                raise PdfBroken("encrypted by a method PDFium does not support") from None
            raise PdfBroken(f"corrupt PDF ({e})") from None
        self._lost = 0
        try:
            n = len(doc)
            budget.pages(n)
            out = []
            for i in range(n):
                page = c.FPDF_LoadPage(doc.raw, i)
                if not page:
                    raise PdfBroken(f"corrupt PDF (page {i + 1} cannot be loaded)")
                try:
                    out.append(self._page(page, i + 1, budget))
                finally:
                    c.FPDF_ClosePage(page)
        finally:
            doc.close()
        if self._lost:
            raise PdfLossy(
                f"{self._lost} text object(s) with no extent (a font that is neither embedded "
                f"nor installed); PDFium leaves their characters out",
                out,
            )
        return out

    def _page(self, page, number: int, budget) -> Page:
        c = self.c
        left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        if c.FPDFPage_GetMediaBox(page, left, bottom, right, top):
            x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
            ox, oy, w, h = min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)
        else:
            ox, oy = 0.0, 0.0
            w, h = c.FPDF_GetPageWidthF(page), c.FPDF_GetPageHeightF(page)
        if _bad_page_size(w, h):
            w, h = c.FPDF_GetPageWidthF(page), c.FPDF_GetPageHeightF(page)
        pv = ctypes.c_void_p(ctypes.cast(page, ctypes.c_void_p).value)
        rules: list = []
        count = [0]
        # font handle -> whether its program is in the file; per page, as a closed page may free a font
        # and a later one reuse its address
        self._embedded: dict[int | None, bool] = {}
        images = self._objects(pv, None, (1.0, 0.0, 0.0, 1.0, -ox, -oy), rules, 0, count, budget, number)
        budget.rules(len(rules), number)
        textpage = c.FPDFText_LoadPage(page)
        if not textpage:
            return Page(number, w, h, [], rules, images)
        try:
            tv = ctypes.c_void_p(ctypes.cast(textpage, ctypes.c_void_p).value)
            n = self.f.count_chars(tv)
            budget.add_chars(max(n, 0), number)
            (upright, n0), others, order = self._chars(tv, n, ox, oy, w, h)
        finally:
            c.FPDFText_ClosePage(textpage)
        if not others:
            return Page(number, w, h, upright, rules, images)
        # Text at another angle: the page turns to the angle most of its text runs at.
        counts = {q: (n0 if q == 0 else others.count_of(q)) for q in order}
        rot = max(counts, key=counts.__getitem__) if counts else 0
        if rot == 0:
            return Page(number, w, h, upright, rules, images)
        return finish_page(number, w, h, others.chars, rules, images, rot=rot)

    def _chars(self, tv, n: int, ox: float, oy: float, w: float, h: float):
        """The page's characters: those upright as final tuples (see :class:`Page`) with their count
        (off-page ones included), those at other angles as raw tuples, and the angles in the order they
        first appear (a tie between two angles goes to the first, as in :func:`finish_page`)."""
        f = self.f
        get_uni, map_error, get_box, get_matrix, get_size = f.unicode, f.map_error, f.box, f.matrix, f.font_size
        rect = _Out("4f")  # FS_RECTF: left, top, right, bottom
        m = _Out("6f")  # FS_MATRIX: a, b, c, d, e, f
        rp, mp, read_rect, read_m = rect.ptr, m.ptr, rect.read, m.read
        rb, mb = rect.buf, m.buf
        out: list[tuple] = []
        append = out.append
        others = _Others()
        order: list = []
        n0 = 0
        w2, h2 = 2 * w, 2 * h
        pending_high = None
        blank = _BLANK
        q: int | None  # the character's quadrant, None when skewed
        for i in range(max(n, 0)):
            u = get_uni(tv, i)
            if u <= 32 or u in blank:
                continue
            if 0xD800 <= u < 0xE000:
                if u < 0xDC00:
                    pending_high = u
                    continue
                if pending_high is None:
                    continue
                text = chr(0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00))
                pending_high = None
            else:
                text = "\ufffd" if map_error(tv, i) == 1 else chr(u)
            if not get_box(tv, i, rp) or not get_matrix(tv, i, mp):
                continue
            a, bb, cc, d, _, _ = read_m(mb)
            left, top, right, bottom = read_rect(rb)
            if bb == 0.0 and cc == 0.0:  # upright, the usual case: skip the trigonometry
                size = get_size(tv, i) * (d if d > 0 else -d)
                q = 0 if a > 0 else 180
            else:
                size = get_size(tv, i) * math.sqrt(abs(a * d - bb * cc))
                q = _quadrant(a, bb)
            if not size > 0:
                size = abs(top - bottom)
            if "\u2e80" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff":
                text = _fold(text)
            x0, y0, x1, y1 = left - ox, bottom - oy, right - ox, top - oy
            if q == 0:
                if not n0:
                    order.append(0)
                n0 += 1
                # off the page: never printed (leftovers of templates, hidden keywords)
                if 0 <= x0 + x1 <= w2 and 0 <= y0 + y1 <= h2:
                    # The box spans one em above the descent: both backends know the descent, not the ascent.
                    append((text, x0, y0, x1, y0 + size, size))
            else:
                if q is not None and q not in order:
                    order.append(q)
                others.add((text, x0, y0, x1, y1, size, q))
        return (out, n0), others, order

    def _objects(self, parent, form, ctm, rules: list, depth: int, count: list, budget, number: int) -> int:
        """Collect the rules of the page (or of a form XObject) into ``rules``; return the image count."""
        c, f = self.c, self.f
        if form is None:
            holder, n, get = parent, f.count_objects(parent), f.get_object
        else:
            holder, n, get = form, f.form_count(form), f.form_object
        count[0] += max(n, 0)
        budget.page_objects(count[0], number)
        get_type, get_bounds, draw_mode, text_font = f.obj_type, f.bounds, f.draw_mode, f.text_font
        fill_color, stroke_color = f.fill_color, f.stroke_color
        embedded = self._embedded
        TEXT, PATH, IMAGE, FORM = c.FPDF_PAGEOBJ_TEXT, c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM
        images = 0
        # Shared by the calls for forms inside this page: each value is read back before the next call.
        modes, rgba, mat, bx = self._bufs
        fm_p, stroke_p = modes.at(0), modes.at(1)
        rgba_p = tuple(rgba.at(k) for k in range(4))
        mat_p = mat.ptr
        box = tuple(bx.at(k) for k in range(4))
        a, b, cc, d, e, f_ = ctm
        plain = b == 0 and cc == 0 and a > 0 and d > 0  # no rotation: boxes stay boxes

        def invisible(color) -> bool:
            if not color(obj, *rgba_p):
                return False
            r, g, b_, alpha = rgba.read(rgba.buf)
            return min(r, g, b_) >= 250 or alpha == 0

        for k in range(max(n, 0)):
            obj = get(holder, k)
            if not obj:
                continue
            kind = get_type(obj)
            if kind == TEXT:
                # PDFium's text page drops a text object of no width, which is what a font it can
                # neither find embedded nor load from the system gives a one-glyph object (or a line of
                # text running up the page): the file must then be read by the other backend. The
                # font is asked first: whether it is embedded is known once per font.
                font = text_font(obj)
                if font:
                    known = embedded.get(font.value)
                    if known is None:
                        known = embedded[font.value] = bool(f.font_embedded(font))
                    if not known and get_bounds(obj, *box) and _width(bx) < 0.01:
                        self._lost += 1
            elif kind == PATH:
                if not get_bounds(obj, *box) or not draw_mode(obj, fm_p, stroke_p):
                    continue
                fm, st = modes.read(modes.buf)
                filled = fm != 0 and not invisible(fill_color)
                stroked = st != 0 and not invisible(stroke_color)
                if not (filled or stroked):
                    continue
                x0, y0, x1, y1 = bx.read(bx.buf)
                if x1 - x0 <= RULE_WIDTH or y1 - y0 <= RULE_WIDTH:
                    # a line or a thin bar (most table rules): its box is the rule
                    if plain:
                        rules.append((a * x0 + e, d * y0 + f_, a * x1 + e, d * y1 + f_))
                    else:
                        p0, p1 = _apply(ctm, x0, y0), _apply(ctm, x1, y1)
                        rules.append((min(p0[0], p1[0]), min(p0[1], p1[1]), max(p0[0], p1[0]), max(p0[1], p1[1])))
                elif f.obj_matrix(obj, mat_p):
                    self._path(obj, _mult(mat.read(mat.buf), ctm), filled, rules, count, budget, number)
            elif kind == IMAGE:
                images += 1
            elif kind == FORM and depth < 8 and f.obj_matrix(obj, mat_p):
                images += self._objects(
                    parent, obj, _mult(mat.read(mat.buf), ctm), rules, depth + 1, count, budget, number
                )
        return images

    def _path(self, obj, m, filled: bool, rules: list, count: list, budget, number: int) -> None:
        f = self.f
        c = self.c
        n = f.count_segments(obj)
        if n <= 0:
            return
        count[0] += n
        budget.page_objects(count[0], number)
        xy = _Out("2f")
        x_p, y_p = xy.at(0), xy.at(1)
        MOVETO, LINETO = c.FPDF_SEGMENT_MOVETO, c.FPDF_SEGMENT_LINETO
        polylines: list = []
        current: list = []
        closed = False
        for s in range(n):
            seg = f.get_segment(obj, s)
            if not seg or not f.segment_point(seg, x_p, y_p):
                continue
            kind = f.segment_type(seg)
            px, py = xy.read(xy.buf)
            pt = _apply(m, px, py)
            if kind == MOVETO:
                if current:
                    polylines.append((current, closed))
                current, closed = [pt], False
            elif kind == LINETO:
                current.append(pt)
            else:  # a curve ends the straight run it belongs to
                if current:
                    polylines.append((current, closed))
                current, closed = [pt], False
            if f.segment_close(seg):
                closed = True
        if current:
            polylines.append((current, closed))
        _add_polylines(polylines, filled, rules)
        budget.rules(len(rules), number)


def _width(bx: _Out) -> float:
    x0, _, x1, _ = bx.read(bx.buf)
    return x1 - x0


class _Others:
    """Characters written at an angle other than upright, as raw tuples, with a count per angle."""

    __slots__ = ("chars", "counts")

    def __init__(self):
        self.chars: list = []
        self.counts: dict = {}

    def add(self, ch) -> None:
        self.chars.append(ch)
        q = ch[6]
        self.counts[q] = self.counts.get(q, 0) + 1

    def count_of(self, q) -> int:
        return self.counts.get(q, 0)

    def __bool__(self) -> bool:
        return bool(self.chars)


def _unbounded():
    from .limits import Budget

    return Budget("<pdf>")


def _add_polylines(polylines: list, filled: bool, rules: list) -> None:
    for pts, closed in polylines:
        if len(pts) < 2:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if filled and (x1 - x0 <= RULE_WIDTH or y1 - y0 <= RULE_WIDTH):
            # A thin filled rectangle is how Word and WPS draw a table border.
            if x1 - x0 >= 0.5 or y1 - y0 >= 0.5:
                rules.append((x0, y0, x1, y1))
            continue
        _edges(pts, closed or filled, rules)


def _mult(m1, m0):
    """The matrix product m1 × m0 (apply m1 first, then m0), in PDF's 6-number form."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a1 * a0 + b1 * c0,
        a1 * b0 + b1 * d0,
        c1 * a0 + d1 * c0,
        c1 * b0 + d1 * d0,
        e1 * a0 + f1 * c0 + e0,
        e1 * b0 + f1 * d0 + f0,
    )


def _apply(m, x: float, y: float):
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


# -- pdfminer.six --------------------------------------------------------------------------------------


class PdfminerBackend:
    """Characters and paths through pdfminer.six's interpreter, with a device that keeps only positions."""

    name = "pdfminer"

    def __init__(self):
        import pdfminer  # noqa: F401 (ImportError tells the caller the backend is absent)

        self.version = _dist_version("pdfminer.six")
        # pdfminer logs every oddity of a file at WARNING; unconfigured, Python prints those on stderr.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)

    def pages(self, data: bytes, budget=None) -> list[Page]:
        from pdfminer.pdfdocument import (
            PDFDocument,
            PDFEncryptionError,
            PDFPasswordIncorrect,
        )
        from pdfminer.pdfinterp import PDFResourceManager
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        from .limits import MAX_PDFMINER_CHARS

        budget = budget or _unbounded()
        budget.max_chars = min(budget.max_chars, MAX_PDFMINER_CHARS)
        try:
            doc = PDFDocument(PDFParser(io.BytesIO(data)), password="")
            pdf_pages = []
            for pg in PDFPage.create_pages(doc):
                pdf_pages.append(pg)
                budget.pages(len(pdf_pages))  # counted as they are found: a page tree can be endless
        except CoreError:
            raise
        except PDFPasswordIncorrect:
            raise PdfPassword() from None
        except PDFEncryptionError as e:
            raise PdfBroken(f"encrypted by a method pdfminer does not support ({e})") from None
        except Exception as e:  # pdfminer raises many unrelated types on broken files
            raise PdfBroken(f"corrupt PDF ({type(e).__name__}: {e})") from None
        if not pdf_pages:
            raise PdfBroken("corrupt PDF (no pages)")
        rsrc = PDFResourceManager(caching=True)
        interpreter_class, recorder_class = _pdfminer_classes()
        device = recorder_class(rsrc)
        device.budget = budget
        device.reset()
        interp = interpreter_class(rsrc, device)
        out = []
        for i, pg in enumerate(pdf_pages):
            x0, y0, x1, y1 = pg.mediabox
            w, h = abs(x1 - x0), abs(y1 - y0)
            # Render unrotated: finish_page turns the page by its text, as for PDFium.
            pg.rotate = 0
            device.reset()
            device.page = i + 1
            try:
                interp.process_page(pg)
            except CoreError:
                raise  # a bound reached: the file is refused, not read in part
            except Exception:
                # A broken content stream loses the rest of that page, as in a viewer; what was drawn stays.
                pass
            out.append(finish_page(i + 1, w, h, device.chars, device.rules, device.images))
        return out


_PDFMINER_CLASSES: tuple | None = None


def _pdfminer_classes():
    """pdfminer's interpreter, counting what it interprets against the budget, and the device it draws
    on, keeping characters and rules (built once, pdfminer imported late)."""
    global _PDFMINER_CLASSES
    if _PDFMINER_CLASSES is not None:
        return _PDFMINER_CLASSES
    from pdfminer.pdfdevice import PDFTextDevice
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import list_value, stream_value
    from pdfminer.utils import apply_matrix_pt

    from .limits import MAX_NESTING

    class Recorder(PDFTextDevice):
        """A device keeping characters and rules, counting them against ``budget`` as page ``page``."""

        budget: Budget
        page = 0

        def reset(self):
            self.chars: list = []
            self.rules: list = []
            self.images = 0

        def render_image(self, name, stream):
            self.images += 1

        def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate):
            try:
                text = font.to_unichr(cid)
            except Exception:  # PDFUnicodeNotDefined, or a broken font program
                text = "\ufffd"
            textwidth = font.char_width(cid)
            adv = textwidth * fontsize * scaling
            if text and not text.isspace():
                a, b, c, d, e, f = matrix
                if font.is_vertical():
                    vx, vy = font.char_disp(cid)
                    vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
                    vy = (1000 - vy) * fontsize * 0.001
                    box = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
                else:
                    descent = font.get_descent() * fontsize
                    box = (0, descent + rise, adv, descent + rise + fontsize)
                xs, ys = [], []
                for px, py in ((box[0], box[1]), (box[2], box[3]), (box[0], box[3]), (box[2], box[1])):
                    xs.append(a * px + c * py + e)
                    ys.append(b * px + d * py + f)
                size = fontsize * math.sqrt(abs(a * d - b * c))
                self.chars.append((_fold(text), min(xs), min(ys), max(xs), max(ys), size, _quadrant(a, b)))
                self.budget.add_chars(1, self.page)
            return adv

        def paint_path(self, gstate, stroke, fill, evenodd, path):
            if stroke and _is_white(gstate.scolor):
                stroke = False
            if fill and _is_white(gstate.ncolor):
                fill = False
            if not (stroke or fill):
                return
            ctm = self.ctm
            assert ctm is not None  # the interpreter sets the CTM before it paints (pdfminer asserts it too)
            polylines: list = []
            current: list = []
            closed = False
            for seg in path:
                op = seg[0]
                if op == "m":
                    if current:
                        polylines.append((current, closed))
                    current, closed = [apply_matrix_pt(ctm, seg[1:3])], False
                elif op == "l":
                    current.append(apply_matrix_pt(ctm, seg[1:3]))
                elif op == "h":
                    closed = True
                elif len(seg) >= 3:  # a curve ends the straight run it belongs to
                    if current:
                        polylines.append((current, closed))
                    current, closed = [apply_matrix_pt(ctm, seg[-2:])], False
            if current:
                polylines.append((current, closed))
            _add_polylines(polylines, fill, self.rules)
            self.budget.rules(len(self.rules), self.page)

    class Interpreter(PDFPageInterpreter):
        device: Recorder  # always one of ours, for its budget and page

        def render_contents(self, resources, streams, ctm=(1, 0, 0, 1, 0, 0)):
            # Page contents and every form drawn (each time it is drawn): measured before pdfminer
            # parses them, whose speed is what the bound is about.
            n = 0
            try:
                for s in list_value(streams):
                    n += len(stream_value(s).get_data())
            except CoreError:
                raise
            except Exception:
                pass  # pdfminer reports a broken stream its own way
            self.device.budget.pdfminer_content(n)
            return super().render_contents(resources, streams, ctm=ctm)

        def do_q(self):
            if len(self.gstack) >= MAX_NESTING:
                self.device.budget.refuse(
                    f"graphics states saved {len(self.gstack) + 1:,} deep on page {self.device.page}", MAX_NESTING
                )
            return super().do_q()

    _PDFMINER_CLASSES = (Interpreter, Recorder)
    return _PDFMINER_CLASSES


# -- choosing ------------------------------------------------------------------------------------------

BACKENDS = {"pypdfium2": PdfiumBackend, "pdfminer": PdfminerBackend}


def available(forced: str | None = None) -> list:
    """The backends to try, fastest first; ``forced`` (or the env var) names a single one."""
    forced = (forced or os.environ.get(BACKEND_ENV, "")).strip().lower()
    if forced:
        if forced not in BACKENDS:
            from core.sdk import UsageError

            raise UsageError(f"{BACKEND_ENV}={forced!r}: expected one of {', '.join(BACKENDS)}")
        try:
            return [BACKENDS[forced]()]
        except Exception as e:  # not installed, or its native library does not load here
            raise UnreadableInput(
                f"{BACKEND_ENV}={forced}: {forced} cannot be used ({type(e).__name__}: {e})"
            ) from None
    out = []
    for cls in BACKENDS.values():
        try:
            out.append(cls())
        except Exception:  # an optional backend that is absent or broken is skipped
            continue
    return out


_VERSIONS: dict = {}


def _dist_version(dist: str) -> str:
    # Reading a distribution's metadata parses its METADATA file (milliseconds): once per process.
    if dist not in _VERSIONS:
        try:
            from importlib import metadata

            _VERSIONS[dist] = metadata.version(dist)
        except Exception:
            _VERSIONS[dist] = "unknown version"
    return _VERSIONS[dist]
