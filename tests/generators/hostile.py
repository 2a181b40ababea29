"""Hostile and pathological input files, each made at a chosen size N: the shapes that once made the
parser run for minutes or take gigabytes from a few kilobytes (flate bombs, operator floods, grids of
rules, thousands of boxes, pages sharing one content stream, merged-cell expansion, empty-paragraph
floods). Every maker is ``make(n) -> bytes``; :data:`MAKERS` names them with the file suffix and a size
that is pathological (the tests run each at that size, the benchmark at 1x, 2x, 4x and 8x of a start).

usage: python -m tests.generators.hostile NAME N OUT
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
import zlib

from tests.generators.render_docx import CONTENT_TYPES as _CONTENT_TYPES
from tests.generators.render_docx import RELS as _RELS
from tests.generators.render_docx import W as _W

# -- a minimal PDF writer ----------------------------------------------------------------------------------


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of numbered objects (object k is ``objects[k - 1]``) with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def _stream(data: bytes, layers: int = 1, extra: bytes = b"") -> bytes:
    """A stream object compressed by ``layers`` Flate filters in a chain (0: stored plain)."""
    for _ in range(layers):
        data = zlib.compress(data, 9)
    filters = b"" if layers == 0 else b" /Filter [" + b" /FlateDecode" * layers + b" ]"
    return b"<< /Length %d%s%s >>\nstream\n" % (len(data), filters, extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page(content: bytes, layers: int = 1, size: tuple = (595, 842)) -> bytes:
    """A one-page PDF (A4 unless ``size`` says otherwise) whose page draws ``content`` (Helvetica as /F1)."""
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>" % size,
        _stream(content, layers),
        _FONT,
    ])


def flate_bomb(n: int) -> bytes:
    """A page whose content is ``n`` MB of ``q Q`` (save and restore, drawing nothing) behind two chained
    Flate filters: a file of a few hundred bytes that inflates to ``n`` MB and has no text."""
    return _one_page(b"q Q " * (n * 2**18), layers=2)


def nesting_bomb(n: int) -> bytes:
    """``n`` MB of ``q`` without a matching ``Q``: every save pushes one more graphics state."""
    return _one_page(b"q " * (n * 2**19), layers=2)


def font_bomb(n: int) -> bytes:
    """A page of text in an embedded TrueType font whose program inflates to ``n`` MB (two chained Flate
    filters): PDFium holds about twice a font's size while it loads it."""
    # compressed a megabyte at a time: the program itself is never held
    z = zlib.compressobj(9)
    once = z.compress(b"\x00\x01\x00\x00")
    mb = b"\x00" * 2**20
    once += b"".join(z.compress(mb) for _ in range(n)) + z.flush()
    twice = zlib.compress(once, 9)
    length = 4 + n * 2**20
    font = (b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 65 /LastChar 90 "
            b"/Widths [" + b"500 " * 26 + b"] /FontDescriptor 6 0 R >>")
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F2 5 0 R >> >> "
         b"/Contents 4 0 R >>"),
        _stream(b"BT /F2 12 Tf 72 700 Td (ABC) Tj ET"),
        font,
        (b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
         b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>"),
        b"<< /Length %d /Filter [ /FlateDecode /FlateDecode ] /Length1 %d >>\nstream\n" % (len(twice), length)
        + twice + b"\nendstream",
    ])


def text_flood(n: int) -> bytes:
    """``n`` thousand text objects of one glyph each, stacked on the 5,400 places of one page."""
    ops = b"".join(b"BT /F1 9 Tf %d %d Td (%s) Tj ET\n" % (20 + (k % 60) * 9, 20 + (k // 60) % 90 * 9,
                                                          bytes([65 + k % 26])) for k in range(n * 1000))
    return _one_page(ops)


def value_lines(n: int) -> bytes:
    """``n`` pages of a thousand lines each of a label and five numbers (an endless unruled table)."""
    height = 40 + 12 * 1000
    ops = b"".join(b"BT /F1 9 Tf 30 %d Td (Item%d) Tj 120 0 Td (%d) Tj 60 0 Td (%d) Tj 60 0 Td (%d) Tj "
                   b"60 0 Td (%d) Tj 60 0 Td (%d) Tj ET\n" % (height - 20 - 12 * k, k, k, k + 1, k + 2, k + 3, k + 4)
                   for k in range(1000))
    kids = b" ".join(b"%d 0 R" % (5 + k) for k in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
               _stream(ops), _FONT]
    for _ in range(n):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 %d] " % height +
                       b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>")
    return _pdf(objects)


def ruling_grid(n: int) -> bytes:
    """An ``n`` x ``n`` grid of stroked ruling lines 8 points apart (on a page as large as it needs), with
    a number in its first cell."""
    side = 40 + 8 * n
    ops = [b"0.2 w"]
    for k in range(n + 1):
        p = 20 + 8 * k
        ops.append(b"%d 20 m %d %d l S 20 %d m %d %d l S" % (p, p, side - 20, p, side - 20, p))
    ops.append(b"BT /F1 4 Tf 22 22 Td (1) Tj ET")
    return _one_page(b"\n".join(ops), size=(side, side))


def boxes(n: int) -> bytes:
    """``n`` small two-cell tables (a box split by a rule, a number in each cell), in rows on one page."""
    cols = max(1, int(n ** 0.5))
    side = 40 + 30 * cols
    ops = [b"0.2 w"]
    for k in range(n):
        x, y = 20 + (k % cols) * 30, 20 + (k // cols) * 30
        ops.append(b"%d %d 24 20 re S %d %d m %d %d l S BT /F1 6 Tf %d %d Td (%d) Tj ET" %
                   (x, y, x + 12, y, x + 12, y + 20, x + 3, y + 8, k % 10))
    return _one_page(b"\n".join(ops), size=(side, side))


def shared_pages(n: int) -> bytes:
    """``n`` pages that all draw one content stream of a few hundred text objects."""
    ops = b"".join(b"BT /F1 9 Tf %d %d Td (%d) Tj ET\n" % (30 + (k % 10) * 50, 800 - (k // 10) * 12, k)
                   for k in range(600))
    kids = b" ".join(b"%d 0 R" % (5 + k) for k in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
        _stream(ops),
        _FONT,
    ]
    for _ in range(n):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>")
    return _pdf(objects)


def form_flood(n: int) -> bytes:
    """A page drawing one form of a hundred text objects ``n`` thousand times (PDFium parses a form's
    content anew each time it is drawn: 100,000 draws took 31 s and 4.7 GB)."""
    form = b"".join(b"BT /F1 9 Tf %d %d Td (%d) Tj ET\n" % (30 + (k % 10) * 50, 800 - (k // 10) * 12, k)
                    for k in range(100))
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> "
         b"/XObject << /X0 6 0 R >> >> /Contents 4 0 R >>"),
        _stream(b"/X0 Do\n" * (n * 1000)),
        _FONT,
        _stream(form, 1, b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"),
    ])


def many_pages(n: int) -> bytes:
    """``n`` pages, each with its own short line of text (a long document, not a bomb)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", _FONT]
    kids = []
    for k in range(n):
        kids.append(b"%d 0 R" % (len(objects) + 1))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects) + 2))
        objects.append(_stream(b"BT /F1 12 Tf 72 700 Td (Page %d of the report) Tj ET" % k))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % n
    return _pdf(objects)


# -- HTML and Word ---------------------------------------------------------------------------------------


def rowspan_flood(n: int) -> bytes:
    """One cell spanning every row (``rowspan=0``) and 256 columns, over ``n`` hundred empty rows."""
    rows = "<tr></tr>" * (n * 100)
    return (f"<html><body><table><tr><td rowspan=0 colspan=256>x</td></tr>{rows}</table></body></html>"
            .encode())


def colspan_flood(n: int) -> bytes:
    """``n`` hundred rows of one cell spanning 256 columns each (labels repeated into every column)."""
    rows = "<tr><td colspan=256>标签</td><td>1</td></tr>" * (n * 100)
    return f"<html><body><table>{rows}</table></body></html>".encode()





def _docx(body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                        f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def vmerge_flood(n: int) -> bytes:
    """A table whose first row starts a vertical merge across 63 columns, and ``n`` thousand rows that
    continue it (the merged cell grows over every row)."""
    start = '<w:tc><w:tcPr><w:gridSpan w:val="63"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>标签' \
            '</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    more = '<w:tc><w:tcPr><w:gridSpan w:val="63"/><w:vMerge/></w:tcPr><w:p/></w:tc>' \
           '<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    rows = f"<w:tr>{start}</w:tr>" + f"<w:tr>{more}</w:tr>" * (n * 1000)
    return _docx(f"<w:tbl>{rows}</w:tbl>")


def paragraph_flood(n: int) -> bytes:
    """``n`` thousand empty paragraphs."""
    return _docx("<w:p/>" * (n * 1000))


#: name -> (maker, file suffix, a size N that is pathological: far past what any report needs)
MAKERS = {
    "flate-bomb": (flate_bomb, ".pdf", 64),
    "nesting-bomb": (nesting_bomb, ".pdf", 16),
    "font-bomb": (font_bomb, ".pdf", 512),
    "text-flood": (text_flood, ".pdf", 400),
    "value-lines": (value_lines, ".pdf", 40),
    "ruling-grid": (ruling_grid, ".pdf", 4000),
    "boxes": (boxes, ".pdf", 16000),
    "shared-pages": (shared_pages, ".pdf", 1000),
    "form-flood": (form_flood, ".pdf", 100),
    "many-pages": (many_pages, ".pdf", 4000),
    "rowspan-flood": (rowspan_flood, ".html", 400),
    "colspan-flood": (colspan_flood, ".html", 800),
    "vmerge-flood": (vmerge_flood, ".docx", 40),
    "paragraph-flood": (paragraph_flood, ".docx", 2000),
}


def glued_runs(n: int) -> bytes:
    """A report scraped with its cells glued together, every run of section 三 ``n`` random digits long."""
    import random
    import re

    from tests.generators.render_glued import random_gold, render

    text = render(random_gold(4))
    rng = random.Random(n)
    a, b = text.find("一、本年新收"), text.find("四、政府信息公开行政复议")
    body = re.sub(r"\d{3,}", lambda _m: "".join(rng.choice("123456789") for _ in range(n)), text[a:b])
    return (text[:a] + body + text[b:]).encode("utf-8")


def repeated_headings(n: int) -> bytes:
    """The six section headings printed ``n`` times over (navigation, a table of contents gone wild)."""
    heads = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
             "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
    return ("某县2023年政府信息公开工作年度报告\n" + "\n".join(heads * n) + "\n").encode("utf-8")


#: Text that is pathological for the reading of text itself: name -> (maker, suffix, size). Such a file
#: may be read (a report with unread cells, or refused as no report): it must end soon either way.
TEXT_MAKERS = {
    "glued-runs-40": (glued_runs, ".txt", 40),
    "glued-runs-200": (glued_runs, ".txt", 200),
    "repeated-headings": (repeated_headings, ".txt", 2000),
}


# The child reports the peak of its own memory after exec (VmHWM): the peak wait4 or getrusage give
# includes the parent's resident memory at the fork, which a test runner has plenty of.
_CHILD = """
import atexit, os, sys
def _peak(fd=int(os.environ.pop("ZFXXGK_PEAK_FD"))):
    try:
        with open("/proc/self/status") as f:
            os.write(fd, next(line.split()[1] for line in f if line.startswith("VmHWM:")).encode())
    except (OSError, StopIteration):
        pass
atexit.register(_peak)
from core.cli import main
raise SystemExit(main())
"""


def run_parse(path, env: dict | None = None, cwd=None) -> tuple[int, str, float, int]:
    """``python -m core parse path`` in a child: its exit code, stderr, wall seconds and peak resident
    bytes (its own, from /proc where there is one; else what wait4 says, an overestimate)."""
    r, w = os.pipe()
    env = {**os.environ, **(env or {}), "ZFXXGK_PEAK_FD": str(w)}
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", _CHILD, "parse", str(path)], cwd=cwd, env=env, pass_fds=(w,),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(w)
    try:
        err = p.stderr.read()
    finally:
        p.stderr.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t
    with os.fdopen(r, "rb") as f:
        reported = f.read()
    peak = int(reported) * 1024 if reported.strip().isdigit() else usage.ru_maxrss * 1024
    return p.returncode, err.decode("utf-8", "replace"), seconds, peak


def main(argv: list[str]) -> None:
    name, n, out = argv[0], int(argv[1]), argv[2]
    with open(out, "wb") as f:
        f.write(MAKERS[name][0](n))


if __name__ == "__main__":
    main(sys.argv[1:])
