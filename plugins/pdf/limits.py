"""Bounds on the work a PDF may ask for, checked as the work proceeds, so that a few kilobytes that
inflate to gigabytes, or draw millions of lines, are refused in well under a second instead of running
for minutes. Each bound is far above what a real report needs (a long one: ~30 pages, ~60,000
characters, a few MB of drawing instructions) and is named in the one-line refusal.

Before PDFium or pdfminer sees a byte, :func:`check_streams` measures what the file's streams inflate to
(without inflating most of them: a Flate stream of n bytes cannot inflate past 1032n) and refuses a file
whose content, per page or in all, or whose fonts inflate past their bounds. The backends then count
pages, characters, page objects and rules as they read them (:class:`Budget`).
"""

from __future__ import annotations

import io
import itertools
import re
import zlib
from typing import NoReturn

from core.sdk import UnreadableInput

#: Pages. A long report has ~30; a few hundred is a book, not a report.
MAX_PAGES = 300
#: Characters of the text layer, spaces included. A long report has ~60,000; 400,000 is 200 dense pages.
MAX_CHARS = 400_000
#: Page objects (text runs, paths, images, forms) plus path segments on one page. Word writes one
#: text object per character (a dense page: ~2,000) and one path per cell border; a page with a
#: detailed chart has tens of thousands.
MAX_PAGE_OBJECTS = 200_000
#: Straight ruling lines (every stroke and thin bar) on one page. Word draws each cell border apart:
#: a full page of a 20 x 60 table has ~2,500.
MAX_RULES = 50_000
#: Crossings of horizontal and vertical rules on one page: a table of c columns and r rows has about
#: c x r. A full page of a 20 x 60 table has 1,300.
MAX_CROSSINGS = 100_000
#: Ruled tables on one page: a report page has a handful.
MAX_GRIDS = 200
#: Cells of one ruled grid, counted between every pair of neighbouring rules (before merged cells are
#: joined). A 20 x 60 table has 1,200.
MAX_GRID_CELLS = 100_000
#: Inflated bytes of drawing instructions (page contents, forms, object streams: every stream that is
#: neither an image nor a font), each stream counted once. A long report has 1-5 MB; PDFium parses
#: ~40 MB/s of the worst kind, so this bounds its parse at about a second.
MAX_CONTENT_BYTES = 32 * 2**20
#: Inflated bytes of the content streams of one page (counting a stream each time the page names it).
#: A dense text page has ~50 KB; one with a detailed vector chart a few MB. PDFium keeps ~180 bytes per
#: graphics state saved and not restored, so 4 MB of ``q`` holds ~360 MB at worst.
MAX_PAGE_CONTENT_BYTES = 4 * 2**20
#: Inflated bytes of the content of all pages, a stream counted on every page that draws it.
MAX_DRAWN_BYTES = 64 * 2**20
#: Inflated bytes of embedded font programs. A full Chinese font is ~15 MB; reports embed a few, mostly
#: subsets of a few hundred KB. PDFium holds each font it uses in memory, so this bounds memory too.
MAX_FONT_BYTES = 256 * 2**20
#: Inflated content bytes pdfminer interprets, forms and repeated streams included. pdfminer, the
#: fallback reader (used only when PDFium loses text), interprets ~0.6 MB/s of a report's content but
#: only ~0.1 MB/s of the worst (one text object per glyph, or bare save/restore operators) on a busy
#: machine: this keeps its worst case near five seconds. A report of twenty pages has ~0.5 MB.
MAX_PDFMINER_CONTENT_BYTES = 2**19
#: Characters pdfminer reads (~25-50 us each): a long report and a half, under five seconds.
MAX_PDFMINER_CHARS = 100_000
#: Graphics states saved and not restored (``q`` without ``Q``): the PDF specification's own
#: implementation limit is 28; pdfminer copies the whole state on every save.
MAX_NESTING = 1_000

# A Flate (deflate) stream expands at most 1032 times; LZW at most ~2730 times (4096-byte strings from
# 12-bit codes); RunLength 64 times; ASCIIHex halves, ASCII85 keeps four bytes of five.
_GROWTH: dict[str, float] = {
    "FlateDecode": 1032,
    "Fl": 1032,
    "LZWDecode": 2731,
    "LZW": 2731,
    "RunLengthDecode": 64,
    "RL": 64,
    "ASCIIHexDecode": 0.5,
    "AHx": 0.5,
    "ASCII85Decode": 0.8,
    "A85": 0.8,
    "Crypt": 1,
}
# Filters of image data, which neither reader decodes unless it renders the image (we never do).
_IMAGE_FILTERS = {"DCTDecode", "DCT", "JPXDecode", "CCITTFaxDecode", "CCF", "JBIG2Decode"}
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+|\d+\s+\d+\s+R)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_OBJ = re.compile(rb"(\d{1,10})\s+\d{1,5}\s+obj\s*$")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_FORM = re.compile(rb"/Subtype\s*/Form(?![A-Za-z])")
_XOBJECTS = re.compile(rb"/XObject\s*(<<.*?>>|\d+\s+\d+\s+R)", re.DOTALL)
_RESOURCES = re.compile(rb"/Resources\s*(\d+)\s+\d+\s+R")
_NAMED = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*(\d+)\s+\d+\s+R")
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![A-Za-z])")
#: How deep forms drawing forms are followed (PDFium's own limit is deeper; past this, each is priced as
#: the largest form of the file).
_FORM_DEPTH = 8
_CHUNK = 1 << 16


class Exceeded(Exception):
    """A bound reached where the file's name is not at hand; the layout names the file."""

    def __init__(self, what: str, limit: int, unit: str = ""):
        super().__init__(f"{what} is more than any report has (limit {limit:,}{unit})")


class Budget:
    """What one document has used of the bounds, for the checks made while reading it."""

    def __init__(self, name: str):
        self.name = name
        self.chars = 0
        self.max_chars = MAX_CHARS
        self.pdfminer_bytes = 0

    def refuse(self, what: str, limit: float, unit: str = "") -> NoReturn:
        raise UnreadableInput(
            f"{self.name}: {what} is more than any report has (limit {limit:,}{unit})"
            if isinstance(limit, int)
            else f"{self.name}: {what} is more than any report has (limit {limit:g}{unit})"
        )

    def pages(self, n: int) -> None:
        if n > MAX_PAGES:
            self.refuse(f"{n:,} pages", MAX_PAGES)

    def add_chars(self, n: int, page: int) -> None:
        self.chars += n
        if self.chars > self.max_chars:
            self.refuse(f"{self.chars:,} characters by page {page}", self.max_chars)

    def page_objects(self, n: int, page: int) -> None:
        if n > MAX_PAGE_OBJECTS:
            self.refuse(f"{n:,} drawing objects on page {page}", MAX_PAGE_OBJECTS)

    def rules(self, n: int, page: int | None = None) -> None:
        if n > MAX_RULES:
            self.refuse(f"{n:,} ruling lines" + (f" on page {page}" if page else " on a page"), MAX_RULES)

    def pdfminer_content(self, n: int) -> None:
        self.pdfminer_bytes += n
        if self.pdfminer_bytes > MAX_PDFMINER_CONTENT_BYTES:
            self.refuse(
                f"{_mb(self.pdfminer_bytes)} of drawing instructions for pdfminer to interpret",
                MAX_PDFMINER_CONTENT_BYTES / 2**20,
                " MB",
            )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"


# -- the streams of the file ---------------------------------------------------------------------------


class _Stream:
    __slots__ = ("bound", "end", "filters", "head", "kind", "size", "start")

    def __init__(self, start, end, filters, kind, bound, head=None):
        self.start, self.end, self.filters, self.kind, self.bound = start, end, filters, kind, bound
        self.size = None  # inflated size once measured; None while only the bound is known
        self.head = head  # a form's dictionary (its resources name the forms it draws), else None


def _streams(data: bytes) -> dict:
    """Every stream of the file by object number: where its bytes are, its filters, whether it is an
    image, a font or drawing instructions, and what it can inflate to at most."""
    out: dict = {}
    find, rfind = data.find, data.rfind
    for m in _STREAM.finditer(data):
        s = m.start()
        if data[s - 3 : s] == b"end":
            continue
        head_at = rfind(b"obj", max(0, s - 8192), s)
        if head_at < 0:
            continue
        num = _OBJ.search(data, max(0, head_at - 24), head_at + 3)
        if num is None:
            continue
        d = data[head_at + 3 : s]
        start = m.end()
        length = _LENGTH.search(d)
        end = start + int(length.group(1)) if length else -1
        if not start <= end <= len(data):
            end = find(b"endstream", start)
            if end < 0:
                end = len(data)
        f = _FILTER.search(d)
        if f is None:
            filters = []
        elif f.group(1).endswith(b"R"):
            filters = ["?"]  # an indirect filter list: assume the worst, measure it
        else:
            filters = [n.decode() for n in _NAME.findall(f.group(1))]
        if b"/Image" in d or any(x in _IMAGE_FILTERS for x in filters):
            continue
        kind = (
            "font"
            if (b"/Length1" in d or b"/Length2" in d or b"/Type1C" in d or b"/CIDFontType0C" in d or b"/OpenType" in d)
            else "content"
        )
        inflated: float = end - start
        for x in filters:
            inflated *= _GROWTH.get(x, 1032 * 1032)
        bound = int(inflated) + 1
        out[int(num.group(1))] = _Stream(
            start, end, filters, kind, bound, d if kind == "content" and _FORM.search(d) else None
        )
    return out


def _measure(data: bytes, st: _Stream, limit: int) -> int:
    """What the stream inflates to, counted up to ``limit + 1`` bytes (so never held past that)."""
    if st.size is not None:
        return st.size
    stage = _chunks(memoryview(data)[st.start : st.end])
    for name in st.filters:
        if name in ("FlateDecode", "Fl"):
            stage = _inflate(stage)
        elif name == "?":
            stage = _probe(stage, 0)
        elif name in ("ASCIIHexDecode", "AHx", "ASCII85Decode", "A85", "LZWDecode", "LZW", "RunLengthDecode", "RL"):
            stage = _whole(stage, name, limit)
        else:
            break  # a filter neither reader expands: the bytes stay what they are
    n = 0
    for chunk in stage:
        n += len(chunk)
        if n > limit:
            break
    st.size = n
    return n


def _chunks(mv):
    for k in range(0, len(mv), _CHUNK):
        yield mv[k : k + _CHUNK]


def _inflate(stage):
    d = zlib.decompressobj()
    try:
        for chunk in stage:
            buf = chunk
            while buf:
                out = d.decompress(buf, _CHUNK)
                if out:
                    yield out
                buf = d.unconsumed_tail
            if d.eof:
                return
        yield d.flush()
    except zlib.error:
        return  # corrupt or encrypted: the readers stop where inflating stops too


def _probe(stage, depth: int):
    """Inflate, and inflate again while the result is itself a zlib stream (filters we cannot see)."""
    it = _inflate(stage)
    first = next(it, b"")
    rest = itertools.chain([first], it)
    if depth < 4 and len(first) >= 2 and first[0] & 0x0F == 8 and ((first[0] << 8) | first[1]) % 31 == 0:
        return _probe(rest, depth + 1)
    return rest


def _whole(stage, name: str, limit: int):
    from pdfminer import ascii85, lzw, runlength

    parts, n = [], 0
    for chunk in stage:
        parts.append(bytes(chunk))
        n += len(chunk)
        if n > limit:
            yield b"".join(parts)
            return
    data = b"".join(parts)
    try:
        if name in ("ASCIIHexDecode", "AHx"):
            yield ascii85.asciihexdecode(data)
        elif name in ("ASCII85Decode", "A85"):
            yield ascii85.ascii85decode(data)
        elif name in ("RunLengthDecode", "RL"):
            yield runlength.rldecode(data)
        else:
            yield from lzw.LZWDecoder(io.BytesIO(data)).run()
    # pdfminer's decoders raise anything on a broken filter: decoding stops there, as in the readers
    except Exception:
        return


def _within(data: bytes, streams: list, limit: int) -> int | None:
    """The inflated size of ``streams`` (a stream named twice counts twice) when it is at most
    ``limit``, else None; measures the streams with the largest bounds first and stops as soon as the
    rest cannot matter."""

    def total() -> int:
        return sum(s.bound if s.size is None else s.size for s in streams)

    t = total()
    if t <= limit:
        return t
    for st in sorted(set(streams), key=lambda s: -(s.bound if s.size is None else s.size)):
        if st.size is None:
            _measure(data, st, limit)
            t = total()
            if t <= limit:
                return t
    return None


def check_streams(data: bytes, name: str) -> None:
    """Refuse the file when its streams inflate past the bounds, before any reader inflates them."""
    # An encrypted file's streams do not inflate without its key: they measure as nothing, and only the
    # readers' own counts (pages, characters, objects) bound its work. Looking for /Encrypt instead
    # would let any file skip the measure by mentioning the word.
    streams = _streams(data)
    fonts = [s for s in streams.values() if s.kind == "font"]
    if _within(data, fonts, MAX_FONT_BYTES) is None:
        raise UnreadableInput(
            f"{name}: embedded fonts inflating to more than {MAX_FONT_BYTES // 2**20} MB "
            f"is more than any report has (limit {MAX_FONT_BYTES // 2**20} MB)"
        )
    content = [s for s in streams.values() if s.kind == "content"]
    if _within(data, content, MAX_CONTENT_BYTES) is None:
        raise UnreadableInput(
            f"{name}: drawing instructions inflating to more than "
            f"{MAX_CONTENT_BYTES // 2**20} MB is more than any report has "
            f"(limit {MAX_CONTENT_BYTES // 2**20} MB)"
        )
    pages = _page_contents(data, streams)
    if len(pages) > MAX_PAGES:
        raise UnreadableInput(f"{name}: {len(pages):,} pages is more than any report has (limit {MAX_PAGES:,})")
    drawn = []
    forms = _Drawn(data, streams)
    extra = 0  # bytes of forms drawn, over all pages
    for refs, text in pages:
        page = [streams[r] for r in refs if r in streams]
        size = _within(data, page, MAX_PAGE_CONTENT_BYTES)
        if size is not None:
            with_forms = forms.page(page, text, size)  # the forms it draws, each time it draws them
            extra += with_forms - size
            size = with_forms
        if size is None or size > MAX_PAGE_CONTENT_BYTES:
            raise UnreadableInput(
                f"{name}: a page drawing more than {MAX_PAGE_CONTENT_BYTES // 2**20} MB of "
                f"instructions (forms counted each time they are drawn) is more than any "
                f"report has (limit {MAX_PAGE_CONTENT_BYTES // 2**20} MB per page)"
            )
        drawn.extend(page)
    if extra > MAX_DRAWN_BYTES or _within(data, drawn, MAX_DRAWN_BYTES - extra) is None:
        raise UnreadableInput(
            f"{name}: pages drawing more than {MAX_DRAWN_BYTES // 2**20} MB of instructions "
            f"in all (a stream counted on every page that draws it) is more than any "
            f"report has (limit {MAX_DRAWN_BYTES // 2**20} MB)"
        )


def _page_contents(data: bytes, streams: dict) -> list[tuple[list[int], bytes]]:
    """For each page object written in the file, the object numbers its /Contents names (repeats kept)
    and the page object's text; a page rewritten by an incremental update counts once, as its last
    version."""
    out: dict = {}
    texts = [data]
    if not _PAGE.search(data):
        # Pages kept in compressed object streams (PDF 1.5): read those streams' text.
        for st in streams.values():
            if st.kind == "content" and (st.size is None or st.size < MAX_CONTENT_BYTES):
                raw = b"".join(bytes(c) for c in _inflate(_chunks(memoryview(data)[st.start : st.end])))
                if _PAGE.search(raw):
                    texts.append(raw)
    for text in texts:
        for m in _PAGE.finditer(text):
            lo = text.rfind(b"obj", 0, m.start())
            hi = text.find(b"endobj", m.end())
            obj = text[lo + 3 if lo >= 0 else max(0, m.start() - 4096) : hi if hi >= 0 else m.end() + 4096]
            c = _CONTENTS.search(obj)
            if c is None:
                continue
            refs = [int(r) for r in _REF.findall(c.group(1))]
            if len(refs) == 1 and refs[0] not in streams:
                refs = _array_object(data, refs[0])  # /Contents 12 0 R naming an array of streams
            num = _OBJ.search(text, max(0, lo - 24), lo + 3) if lo >= 0 and text is data else None
            out[int(num.group(1)) if num else (id(text), m.start())] = (refs, obj)
    return list(out.values())


def _array_object(data: bytes, num: int) -> list[int]:
    m = re.search(rb"(?<!\d)%d\s+\d+\s+obj\s*(\[[^\]]*\])" % num, data)
    return [int(r) for r in _REF.findall(m.group(1))] if m else []


def _object_text(data: bytes, num: int) -> bytes:
    m = re.search(rb"(?<!\d)%d\s+\d+\s+obj\b" % num, data)
    if m is None:
        return b""
    end = data.find(b"endobj", m.end())
    return data[m.end() : end if end >= 0 else m.end() + 4096]


def _xobjects(data: bytes, text: bytes) -> dict | None:
    """The XObjects a page or form dictionary names (name -> object number), or None when they cannot
    be told from its text (inherited, or behind references this reading does not follow)."""
    m = _XOBJECTS.search(text)
    if m is None:
        r = _RESOURCES.search(text)
        if r is None:
            return None
        m = _XOBJECTS.search(_object_text(data, int(r.group(1))))
        if m is None:
            return {}
    names = m.group(1)
    if not names.startswith(b"<<"):
        ref = _REF.match(names)
        assert ref is not None  # _XOBJECTS matched a dictionary or a reference
        names = _object_text(data, int(ref.group(1)))
    return {k: int(v) for k, v in _NAMED.findall(names)}


class _Drawn:
    """What drawing a page costs PDFium in content bytes: its own streams, and every form it draws
    counted each time it is drawn (PDFium parses a form's content anew for each ``Do``), forms within
    forms included."""

    def __init__(self, data: bytes, streams: dict):
        self.data, self.streams = data, streams
        self.forms = {k: s for k, s in streams.items() if s.head is not None}
        self.cost: dict = {}
        self.worst = 0

    def _content(self, st: _Stream) -> bytes:
        parts, n = [], 0
        for chunk in self._stage(st):
            parts.append(bytes(chunk))
            n += len(chunk)
            if n > MAX_PAGE_CONTENT_BYTES:
                break
        return b"".join(parts)

    def _stage(self, st: _Stream):
        stage = _chunks(memoryview(self.data)[st.start : st.end])
        for name in st.filters:
            if name in ("FlateDecode", "Fl", "?"):
                stage = _inflate(stage) if name != "?" else _probe(stage, 0)
            else:
                return iter(())  # rare chains: the size bound alone covers them
        return stage

    def draws(self, st: _Stream) -> list[bytes]:
        """The names the stream's content draws with ``Do``."""
        return _DO.findall(self._content(st)) if self.forms else []

    def form(self, num: int, depth: int) -> int:
        if num in self.cost:
            return self.cost[num]
        st = self.forms.get(num)
        if st is None:
            return 0  # an image, or nothing: no content to parse
        self.cost[num] = 0  # a form drawing itself: PDFium stops the loop
        total = _measure(self.data, st, MAX_PAGE_CONTENT_BYTES)
        names = self.draws(st)
        if names:
            if depth >= _FORM_DEPTH:
                total += len(names) * self.worst_form()
            else:
                known = _xobjects(self.data, st.head) or {}
                for name in names:
                    child = known.get(name)
                    total += self.form(child, depth + 1) if child is not None else self.worst_form()
                    if total > MAX_PAGE_CONTENT_BYTES:
                        break
        self.cost[num] = total
        return total

    def worst_form(self) -> int:
        if not self.worst:
            self.worst = max(_measure(self.data, s, MAX_PAGE_CONTENT_BYTES) for s in self.forms.values())
        return self.worst

    def page(self, page: list, text: bytes, size: int) -> int:
        if not self.forms:
            return size
        known = _xobjects(self.data, text)
        for st in page:
            for name in self.draws(st):
                num = None if known is None else known.get(name)
                size += self.form(num, 1) if num is not None else (0 if known is not None else self.worst_form())
                if size > MAX_PAGE_CONTENT_BYTES:
                    return size
        return size
