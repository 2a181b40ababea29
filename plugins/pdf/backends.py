"""Reading a PDF's characters and ruling lines with their positions, through pypdfium2 or pdfminer.six.

Both backends produce the same :class:`Page` records: coordinates in PDF points relative to the lower-left
corner of the media box, turned so that the page's text runs left to right (a page whose text is rotated,
by ``/Rotate`` or by a rotated text matrix, comes out upright), character boxes from the font's descent to
one em above it (so the two backends agree on every box), and rules as thin axis-aligned rectangles.
"""
from __future__ import annotations

import ctypes
import io
import logging
import math
import os
import threading
import unicodedata
from dataclasses import dataclass, field

from core.sdk import UnreadableInput

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
    q = int(round(angle / 90.0)) % 4
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
        return "".join(unicodedata.normalize("NFKC", ch) if ("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff")
                       else ch for ch in text)
    return text


def finish_page(number: int, width: float, height: float, raw_chars: list, rules: list, images: int) -> Page:
    """Build a :class:`Page` from raw characters ``(text, x0, y0, x1, y1, size, quadrant)``.

    Turns the page so that most of its text is upright and keeps only the characters that are upright
    then: the rest are watermarks or decoration written at another angle.
    """
    counts = {}
    for ch in raw_chars:
        q = ch[6]
        if q is not None:
            counts[q] = counts.get(q, 0) + 1
    rot = max(counts, key=counts.get) if counts else 0
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
    pairs = list(zip(points, points[1:]))
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

class PdfiumBackend:
    """Characters through PDFium's text page, rules through its page objects (fast, native)."""

    name = "pypdfium2"

    def __init__(self):
        import pypdfium2  # noqa: F401 (ImportError tells the caller the backend is absent)
        import pypdfium2.raw as c
        self.c = c
        self.version = _dist_version("pypdfium2")

    def pages(self, data: bytes) -> list[Page]:
        # PDFium is not thread-safe: one document at a time per process, whoever calls us.
        with _PDFIUM_LOCK:
            return self._pages(data)

    def _pages(self, data: bytes) -> list[Page]:
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
            out = []
            for i in range(len(doc)):
                page = doc[i]
                try:
                    out.append(self._page(page, i + 1))
                finally:
                    page.close()
        finally:
            doc.close()
        if self._lost:
            raise PdfLossy(f"{self._lost} text object(s) with no extent (a font that is neither embedded "
                           f"nor installed); PDFium leaves their characters out", out)
        return out

    def _page(self, page, number: int) -> Page:
        c = self.c
        box = c.FS_RECTF()
        l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        if c.FPDFPage_GetMediaBox(page.raw, l, b, r, t):
            ox, oy, w, h = min(l.value, r.value), min(b.value, t.value), abs(r.value - l.value), abs(t.value - b.value)
        else:
            ox, oy = 0.0, 0.0
            w, h = page.get_size()
        if _bad_page_size(w, h):
            w, h = page.get_size()
        textpage = page.get_textpage()
        try:
            chars = self._chars(textpage.raw, ox, oy)
        finally:
            textpage.close()
        rules: list = []
        images = self._objects(page.raw, None, (1.0, 0.0, 0.0, 1.0, -ox, -oy), rules, 0)
        return finish_page(number, w, h, chars, rules, images)

    def _chars(self, tp, ox: float, oy: float) -> list:
        c = self.c
        n = c.FPDFText_CountChars(tp)
        get_uni = c.FPDFText_GetUnicode
        get_box = c.FPDFText_GetLooseCharBox
        get_size = c.FPDFText_GetFontSize
        get_matrix = c.FPDFText_GetMatrix
        map_error = c.FPDFText_HasUnicodeMapError
        rect = c.FS_RECTF()
        m = c.FS_MATRIX()
        rect_p, m_p = ctypes.byref(rect), ctypes.byref(m)
        out = []
        append = out.append
        pending_high = None
        for i in range(max(n, 0)):
            u = get_uni(tp, i)
            # Whitespace (including PDFium's generated spaces and line ends) carries no position we use:
            # gaps are measured from the boxes of the printed characters.
            if u <= 32 or u in (0xA0, 0x3000, 0xFEFF, 0x200B, 0xFFFE):
                continue
            if 0xD800 <= u < 0xDC00:
                pending_high = u
                continue
            if 0xDC00 <= u < 0xE000:
                if pending_high is None:
                    continue
                text = chr(0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00))
                pending_high = None
            else:
                text = "\ufffd" if map_error(tp, i) == 1 else chr(u)
            if not get_box(tp, i, rect_p) or not get_matrix(tp, i, m_p):
                continue
            a, bb, cc, d = m.a, m.b, m.c, m.d
            if bb == 0.0 and cc == 0.0:  # upright, the usual case: skip the trigonometry
                size = get_size(tp, i) * (d if d > 0 else -d)
                q = 0 if a > 0 else 180
            else:
                size = get_size(tp, i) * math.sqrt(abs(a * d - bb * cc))
                q = _quadrant(a, bb)
            if not size > 0:
                size = abs(rect.top - rect.bottom)
            if "\u2e80" <= text <= "\u2fdf" or "\uf900" <= text <= "\ufaff":
                text = _fold(text)
            append((text, rect.left - ox, rect.bottom - oy, rect.right - ox, rect.top - oy, size, q))
        return out

    def _objects(self, parent, form, ctm, rules: list, depth: int) -> int:
        """Collect the rules of the page (or of a form XObject) into ``rules``; return the image count."""
        c = self.c
        if form is None:
            holder, count, get = parent, c.FPDFPage_CountObjects(parent), c.FPDFPage_GetObject
        else:
            holder, count, get = form, c.FPDFFormObj_CountObjects(form), c.FPDFFormObj_GetObject
        get_type, get_bounds, draw_mode = c.FPDFPageObj_GetType, c.FPDFPageObj_GetBounds, c.FPDFPath_GetDrawMode
        fill_color, stroke_color = c.FPDFPageObj_GetFillColor, c.FPDFPageObj_GetStrokeColor
        TEXT, PATH, IMAGE, FORM = c.FPDF_PAGEOBJ_TEXT, c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM
        images = 0
        fm, stroke = ctypes.c_int(), ctypes.c_int()
        fm_p, stroke_p = ctypes.byref(fm), ctypes.byref(stroke)
        cr, cg, cb, ca = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
        rgba = (ctypes.byref(cr), ctypes.byref(cg), ctypes.byref(cb), ctypes.byref(ca))
        mat = c.FS_MATRIX()
        mat_p = ctypes.byref(mat)
        bl, bb, br, bt = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        box = (ctypes.byref(bl), ctypes.byref(bb), ctypes.byref(br), ctypes.byref(bt))
        a, b, cc, d, e, f = ctm
        plain = b == 0 and cc == 0 and a > 0 and d > 0  # no rotation: boxes stay boxes

        def invisible(color) -> bool:
            return bool(color(obj, *rgba)) and (min(cr.value, cg.value, cb.value) >= 250 or ca.value == 0)

        for k in range(max(count, 0)):
            obj = get(holder, k)
            if not obj:
                continue
            kind = get_type(obj)
            if kind == TEXT:
                # PDFium's text page drops a text object of no width, which is what a font it can
                # neither find embedded nor load from the system gives a one-glyph object (or a line of
                # text running up the page): the file must then be read by the other backend.
                if get_bounds(obj, *box) and br.value - bl.value < 0.01:
                    font = c.FPDFTextObj_GetFont(obj)
                    if font and not c.FPDFFont_GetIsEmbedded(font):
                        self._lost += 1
            elif kind == PATH:
                if not get_bounds(obj, *box) or not draw_mode(obj, fm_p, stroke_p):
                    continue
                filled = fm.value != 0 and not invisible(fill_color)
                stroked = stroke.value != 0 and not invisible(stroke_color)
                if not (filled or stroked):
                    continue
                x0, y0, x1, y1 = bl.value, bb.value, br.value, bt.value
                if x1 - x0 <= RULE_WIDTH or y1 - y0 <= RULE_WIDTH:
                    # a line or a thin bar (most table rules): its box is the rule
                    if plain:
                        rules.append((a * x0 + e, d * y0 + f, a * x1 + e, d * y1 + f))
                    else:
                        p0, p1 = _apply(ctm, x0, y0), _apply(ctm, x1, y1)
                        rules.append((min(p0[0], p1[0]), min(p0[1], p1[1]), max(p0[0], p1[0]), max(p0[1], p1[1])))
                elif c.FPDFPageObj_GetMatrix(obj, mat_p):
                    self._path(obj, _mult((mat.a, mat.b, mat.c, mat.d, mat.e, mat.f), ctm), filled, rules)
            elif kind == IMAGE:
                images += 1
            elif kind == FORM and depth < 8 and c.FPDFPageObj_GetMatrix(obj, mat_p):
                images += self._objects(parent, obj, _mult((mat.a, mat.b, mat.c, mat.d, mat.e, mat.f), ctm),
                                        rules, depth + 1)
        return images

    def _path(self, obj, m, filled: bool, rules: list) -> None:
        c = self.c
        n = c.FPDFPath_CountSegments(obj)
        if n <= 0:
            return
        x, y = ctypes.c_float(), ctypes.c_float()
        polylines: list = []
        current: list = []
        closed = False
        for s in range(n):
            seg = c.FPDFPath_GetPathSegment(obj, s)
            if not seg or not c.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            kind = c.FPDFPathSegment_GetType(seg)
            pt = _apply(m, x.value, y.value)
            if kind == c.FPDF_SEGMENT_MOVETO:
                if current:
                    polylines.append((current, closed))
                current, closed = [pt], False
            elif kind == c.FPDF_SEGMENT_LINETO:
                current.append(pt)
            else:  # a curve ends the straight run it belongs to
                if current:
                    polylines.append((current, closed))
                current, closed = [pt], False
            if c.FPDFPathSegment_GetClose(seg):
                closed = True
        if current:
            polylines.append((current, closed))
        _add_polylines(polylines, filled, rules)


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
    return (a1 * a0 + b1 * c0, a1 * b0 + b1 * d0, c1 * a0 + d1 * c0, c1 * b0 + d1 * d0,
            e1 * a0 + f1 * c0 + e0, e1 * b0 + f1 * d0 + f0)


def _apply(m, x: float, y: float):
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


# -- pdfminer.six --------------------------------------------------------------------------------------

class PdfminerBackend:
    """Characters and paths through pdfminer.six's interpreter, with a device that keeps only positions."""

    name = "pdfminer"

    def __init__(self):
        import pdfminer  # noqa: F401
        self.version = _dist_version("pdfminer.six")
        # pdfminer logs every oddity of a file at WARNING; unconfigured, Python prints those on stderr.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)

    def pages(self, data: bytes) -> list[Page]:
        from pdfminer.pdfdocument import (
            PDFDocument,
            PDFEncryptionError,
            PDFPasswordIncorrect,
        )
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        try:
            doc = PDFDocument(PDFParser(io.BytesIO(data)), password="")
            pdf_pages = list(PDFPage.create_pages(doc))
        except PDFPasswordIncorrect:
            raise PdfPassword() from None
        except PDFEncryptionError as e:
            raise PdfBroken(f"encrypted by a method pdfminer does not support ({e})") from None
        except Exception as e:  # pdfminer raises many unrelated types on broken files
            raise PdfBroken(f"corrupt PDF ({type(e).__name__}: {e})") from None
        if not pdf_pages:
            raise PdfBroken("corrupt PDF (no pages)")
        rsrc = PDFResourceManager(caching=True)
        device = _recorder(rsrc)
        interp = PDFPageInterpreter(rsrc, device)
        out = []
        for i, pg in enumerate(pdf_pages):
            x0, y0, x1, y1 = pg.mediabox
            w, h = abs(x1 - x0), abs(y1 - y0)
            # Render unrotated: finish_page turns the page by its text, as for PDFium.
            pg.rotate = 0
            device.reset()
            try:
                interp.process_page(pg)
            except Exception:
                # A broken content stream loses the rest of that page, as in a viewer; what was drawn stays.
                pass
            out.append(finish_page(i + 1, w, h, device.chars, device.rules, device.images))
        return out


def _recorder_class():
    from pdfminer.pdfdevice import PDFTextDevice
    from pdfminer.utils import apply_matrix_pt

    class Recorder(PDFTextDevice):
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
            return adv

        def paint_path(self, gstate, stroke, fill, evenodd, path):
            if stroke and _is_white(gstate.scolor):
                stroke = False
            if fill and _is_white(gstate.ncolor):
                fill = False
            if not (stroke or fill):
                return
            ctm = self.ctm
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

    return Recorder


_RECORDER = None


def _recorder(rsrc):
    """A pdfminer device keeping characters and rules (its class is built once, pdfminer imported late)."""
    global _RECORDER
    if _RECORDER is None:
        _RECORDER = _recorder_class()
    dev = _RECORDER(rsrc)
    dev.reset()
    return dev


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
            raise UnreadableInput(f"{BACKEND_ENV}={forced}: {forced} cannot be used ({type(e).__name__}: {e})") from None
    out = []
    for cls in BACKENDS.values():
        try:
            out.append(cls())
        except Exception:  # an optional backend that is absent or broken is skipped
            continue
    return out


def _dist_version(dist: str) -> str:
    try:
        from importlib import metadata
        return metadata.version(dist)
    except Exception:
        return "unknown version"
