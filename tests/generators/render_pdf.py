"""Render an expected-values JSON as a PDF report (reportlab, the built-in CID font STSong-Light), laid
out the way word processors print the template, plus the broken PDFs a parser must refuse.

Styles:
- ``ruled``: stroked cell borders; values centred in their cells; a page break inside section 三 within
  the （四） group, with the three header rows repeated on the new page.
- ``word``: borders drawn as thin filled rectangles (as Word and WPS export them); numbers in Times;
  headings in fake bold (each glyph printed twice); a running header, "- N -" page numbers and a diagonal
  watermark; section 三 cut by a page break inside the （四） group, so its tall label cell is split
  across the pages ("（四）无" / "法提供"), header not repeated.
- ``unruled``: no lines at all; long labels wrap with the numbers vertically centred between their lines;
  the group label written one character per line in a narrow column; section 三 broken with its header
  repeated.
- ``unruled-top``: no lines; numbers level with the first line of their label; no page break in section 三.
- ``rotated``: ``ruled`` drawn turned a quarter (text running upwards on the page), with /Rotate 90 so a
  viewer shows it upright.

Broken files: :func:`scanned_pdf` (an image only), :func:`encrypted_pdf`, :func:`mojibake_pdf` (a text
layer mapped to private-use characters), and truncating or garbling any of these bytes.

usage: python -m tests.generators.render_pdf GOLD.json OUT.pdf [--style ruled]
"""
from __future__ import annotations

import argparse
import io
import json
import zlib
from dataclasses import dataclass, field

from tests.generators import Block, C, blocks_for, organ

STYLES = ("ruled", "word", "unruled", "unruled-top", "rotated")

FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.0, 842.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 72.0, 72.0, 72.0
BODY = 12.0  # prose size
TABLE_SIZE = 9.0
PAD = 3.0


@dataclass
class Style:
    ruled: bool = True
    filled_rules: bool = False
    value_font: str = FONT
    valign: str = "middle"  # of values: "middle" or "top"
    label_valign: str = "middle"
    furniture: bool = False
    watermark: bool = False
    fake_bold: bool = False
    repeat_header: bool = True
    #: page break in section 三 before the row whose label starts with this text
    s3_break_before: str | None = None
    rotated: bool = False
    pdfium_safe: bool = True


PRESETS = {
    "ruled": Style(s3_break_before="3.补正后申请内容仍不明确"),
    "word": Style(filled_rules=True, value_font="Times-Roman", furniture=True, watermark=True, fake_bold=True,
                  repeat_header=False, s3_break_before="2.没有现成信息需要另行制作"),
    "unruled": Style(ruled=False, s3_break_before="（五）不予处理"),
    "unruled-top": Style(ruled=False, valign="top", label_valign="top"),
    "rotated": Style(rotated=True, s3_break_before="（五）不予处理"),
}


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return pdfmetrics


def _width(text: str, font: str, size: float) -> float:
    return _fonts().stringWidth(text, font, size)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than ``width``, between any two characters (as CJK text breaks),
    keeping runs of digits whole."""
    lines, cur = [], ""
    tokens: list[str] = []
    for ch in text:
        if tokens and ch.isascii() and ch.isalnum() and tokens[-1][-1:].isascii() and tokens[-1][-1:].isalnum():
            tokens[-1] += ch
        else:
            tokens.append(ch)
    for tok in tokens:
        if cur and _width(cur + tok, font, size) > width:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur or not lines:
        lines.append(cur)
    return lines


# -- table layout ------------------------------------------------------------------------------------------

@dataclass
class Placed:
    cell: C
    row: int
    col: int
    lines: list = field(default_factory=list)


def _place(rows: list[list[C]]) -> tuple[list[Placed], int]:
    """Cells on the grid they occupy (the HTML table model)."""
    taken: set = set()
    out = []
    ncols = 0
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            out.append(Placed(cell, r, col))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, col + dc))
            col += cell.colspan
            ncols = max(ncols, col)
    return out, ncols


def _column_widths(cells: list[Placed], ncols: int, total: float) -> list[float]:
    value_cols = {p.col for p in cells if not p.cell.header and p.cell.colspan == 1}
    label_cols = [c for c in range(ncols) if c not in value_cols]
    if not label_cols:
        return [total / ncols] * ncols
    vw = min(80.0, total * 0.6 / max(len(value_cols), 1))
    rest = total - vw * len(value_cols)
    weights = {}
    for c in label_cols:
        w = 1.5
        for p in cells:
            if p.col == c and p.cell.colspan == 1:
                if p.cell.rowspan <= 3:
                    w = max(w, min(len(p.cell.text), 12))
                elif p.cell.rowspan < 10:
                    w = max(w, 4)  # a group label: a few characters a line
        weights[c] = w
    s = sum(weights.values())
    return [vw if c in value_cols else rest * weights[c] / s for c in range(ncols)]


def _font_of(cell: C, style: Style) -> str:
    return FONT if cell.header or not cell.text.isascii() else style.value_font


def layout_table(rows: list[list[C]], style: Style, total: float):
    cells, ncols = _place(rows)
    widths = _column_widths(cells, ncols, total)
    xs = [0.0]
    for w in widths:
        xs.append(xs[-1] + w)
    leading = TABLE_SIZE * 1.25
    heights = [0.0] * len(rows)
    for p in cells:
        w = xs[p.col + p.cell.colspan] - xs[p.col] - 2 * PAD
        p.lines = wrap(p.cell.text, _font_of(p.cell, style), TABLE_SIZE, w) if p.cell.text else []
        if p.cell.rowspan == 1:
            heights[p.row] = max(heights[p.row], max(len(p.lines), 1) * leading + 2 * PAD + 4)
    for p in cells:
        if p.cell.rowspan > 1:
            need = len(p.lines) * leading + 2 * PAD
            have = sum(heights[p.row:p.row + p.cell.rowspan])
            if need > have:
                heights[p.row + p.cell.rowspan - 1] += need - have
    return cells, xs, heights


# -- drawing -----------------------------------------------------------------------------------------------

class Writer:
    """Draws blocks top to bottom, starting new pages as needed."""

    def __init__(self, style: Style, gold: dict):
        from reportlab.pdfgen import canvas
        _fonts()
        self.buf = io.BytesIO()
        # with /Rotate 90 reportlab writes the media box turned: (PAGE_H, PAGE_W), shown upright
        self.c = canvas.Canvas(self.buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
        self.style = style
        self.gold = gold
        self.page = 0
        self.y = 0.0
        self.new_page()

    # pages
    def new_page(self):
        if self.page:
            self._end_page()
        self.page += 1
        if self.style.rotated:
            # drawn a quarter turn anticlockwise; /Rotate 90 shows it upright
            self.c.setPageRotation(90)
            self.c.translate(PAGE_H, 0)
            self.c.rotate(90)
        self.y = PAGE_H - MARGIN_TOP
        if self.style.furniture:
            self.c.setFont(FONT, 9)
            self.c.drawCentredString(PAGE_W / 2, PAGE_H - 40, f"{organ(self.gold)}政府信息公开工作年度报告")
        if self.style.watermark:
            self.c.saveState()
            self.c.setFillGray(0.85)
            self.c.setFont(FONT, 48)
            self.c.translate(PAGE_W / 2, PAGE_H / 2)
            self.c.rotate(35)
            self.c.drawCentredString(0, 0, "公开发布样稿")
            self.c.restoreState()

    def _end_page(self):
        self.c.setFont("Times-Roman" if self.style.furniture else FONT, 11)
        self.c.drawCentredString(PAGE_W / 2, 40, f"- {self.page} -")
        self.c.showPage()

    def room(self, h: float) -> bool:
        return self.y - h >= MARGIN_BOTTOM

    def finish(self) -> bytes:
        self._end_page()
        self.c.save()
        return self.buf.getvalue()

    # text
    def text_line(self, x: float, y: float, s: str, font: str, size: float, char_space: float = 0.0,
                  bold: bool = False):
        if len(s) == 1 and self.style.pdfium_safe:
            # PDFium, on a machine with no Chinese font, drops a one-glyph text object in a font that is
            # not embedded (the plugin notices and reads such files with pdfminer instead); a trailing
            # space keeps the generated files readable by both backends, so they can be compared.
            s += " "
        for dx in ((0.0, 0.35) if bold else (0.0,)):
            t = self.c.beginText(x + dx, y)
            t.setFont(font, size)
            if char_space:
                t.setCharSpace(char_space)
            t.textOut(s)
            self.c.drawText(t)

    def paragraph(self, text: str, size: float = BODY, indent: bool = True, bold: bool = False,
                  center: bool = False):
        width = PAGE_W - 2 * MARGIN_X
        first = 2 * size if indent else 0.0
        lines = wrap(text, FONT, size, width - first)
        if len(lines) > 1:
            lines = lines[:1] + wrap("".join(lines[1:]), FONT, size, width)
        leading = size * 1.6
        for i, ln in enumerate(lines):
            if not self.room(leading):
                self.new_page()
            self.y -= leading
            x0 = MARGIN_X + (first if i == 0 else 0.0)
            if center:
                x0 = (PAGE_W - _width(ln, FONT, size)) / 2
            cs = 0.0
            if i < len(lines) - 1 and not center and len(ln) > 1:
                # justified, as Word sets Chinese text: the space left over spread between characters
                cs = (MARGIN_X + width - x0 - _width(ln, FONT, size)) / (len(ln) - 1)
            self.text_line(x0, self.y, ln, FONT, size, cs, bold)
        self.y -= size * 0.4

    # tables
    def rule(self, x0, y0, x1, y1):
        if self.style.filled_rules:
            self.c.setFillGray(0.0)
            if abs(y1 - y0) < 0.01:
                self.c.rect(x0 - 0.25, y0 - 0.25, x1 - x0 + 0.5, 0.5, stroke=0, fill=1)
            else:
                self.c.rect(x0 - 0.25, y0 - 0.25, 0.5, y1 - y0 + 0.5, stroke=0, fill=1)
        else:
            self.c.setLineWidth(0.5)
            self.c.line(x0, y0, x1, y1)

    def table(self, rows: list[list[C]], break_before: str | None = None):
        """Draw a table; rows that do not fit go to the next page (the header rows repeated there when
        the style says so); ``break_before`` forces a page break before the row with that label."""
        style = self.style
        cells, xs, heights = layout_table(rows, style, PAGE_W - 2 * MARGIN_X)
        n = len(rows)
        header_rows = 0
        while header_rows < min(n, 3) and all(c.header for c in rows[header_rows]):
            header_rows += 1
        pos: list = [None] * n  # (page, top y) of each row
        self.y -= 4
        for r in range(n):
            forced = break_before is not None and r >= header_rows and any(
                p.row == r and p.cell.header and p.cell.text.startswith(break_before) for p in cells)
            if r > 0 and (forced or not self.room(heights[r])):
                break_before = None
                self._draw(cells, xs, heights, pos, header_rows)
                self.new_page()
                self.y -= 4
                if style.repeat_header and r >= header_rows:
                    again: list = [None] * n
                    for k in range(header_rows):
                        again[k] = (self.page, self.y)
                        self.y -= heights[k]
                    self._draw([p for p in cells if p.row < header_rows], xs, heights, again, header_rows)
            pos[r] = (self.page, self.y)
            self.y -= heights[r]
        self._draw(cells, xs, heights, pos, header_rows)
        self.y -= 10

    def _draw(self, cells: list[Placed], xs: list, heights: list, pos: list, header_rows: int):
        """Draw the parts of cells whose rows are on the current page."""
        style = self.style
        leading = TABLE_SIZE * 1.25
        for p in cells:
            span = range(p.row, p.row + p.cell.rowspan)
            here = [k for k in span if pos[k] is not None and pos[k][0] == self.page]
            if not here:
                continue
            x0, x1 = MARGIN_X + xs[p.col], MARGIN_X + xs[p.col + p.cell.colspan]
            top = pos[here[0]][1]
            bottom = pos[here[-1]][1] - heights[here[-1]]
            if style.ruled:
                self.rule(x0, top, x1, top)
                self.rule(x0, bottom, x1, bottom)
                self.rule(x0, bottom, x0, top)
                self.rule(x1, bottom, x1, top)
            if not p.lines:
                continue
            label = p.cell.header and p.row >= header_rows
            tall = p.cell.rowspan > 1
            if not p.cell.header:
                valign = style.valign
            elif label and not tall:
                valign = style.label_valign
            else:
                valign = "middle"
            # the text is laid out over the whole cell, each line drawn where its row landed (a tall
            # cell cut by a page break prints its first lines on one page and the rest on the next)
            total_h = sum(heights[k] for k in span)
            block_h = len(p.lines) * leading
            off = PAD + 2 if valign == "top" else (total_h - block_h) / 2
            font = _font_of(p.cell, style)
            shift = 0.0
            for i, ln in enumerate(p.lines):
                v = off + i * leading + shift  # top of the line, below the top of the cell
                acc, k = 0.0, p.row
                while k < p.row + p.cell.rowspan - 1 and acc + heights[k] <= v:
                    acc += heights[k]
                    k += 1
                end = acc + heights[k]
                if v + leading > end and k + 1 < p.row + p.cell.rowspan and pos[k] is not None \
                        and (pos[k + 1] is None or pos[k + 1][0] != pos[k][0]):
                    # a line that would cross the page break goes to the next page, as Word sets it
                    shift += end - v
                    v, acc, k = end, end, k + 1
                if k not in here:
                    continue
                y = pos[k][1] - (v - acc) - leading / 2 - TABLE_SIZE * 0.35
                w = _width(ln, font, TABLE_SIZE)
                x = x0 + PAD if label and x1 - x0 > 3 * TABLE_SIZE else (x0 + x1 - w) / 2
                self.text_line(x, y, ln, font, TABLE_SIZE)


def render_pdf(gold: dict, style: str = "ruled") -> bytes:
    """The report as PDF bytes."""
    if style not in PRESETS:
        raise ValueError(f"style must be one of {STYLES}")
    st = PRESETS[style]
    blocks = blocks_for(gold, s2_one_table=(style != "unruled"))
    w = Writer(st, gold)
    s3_done = False
    for blk in blocks:
        _draw_block(w, blk, st, s3_done)
        if blk.kind == "table" and any(c.text.startswith("（本列数据") for c in blk.rows[0]):
            s3_done = True
    return w.finish()


def _draw_block(w: Writer, blk: Block, st: Style, s3_done: bool) -> None:
    if blk.kind == "title":
        w.paragraph(blk.text, size=18, indent=False, center=True, bold=st.fake_bold)
    elif blk.kind == "heading":
        if not w.room(80):
            w.new_page()  # a heading is kept with what follows it
        w.paragraph(blk.text, size=14, indent=True, bold=st.fake_bold)
    elif blk.kind == "subheading":
        w.paragraph(blk.text, size=BODY, indent=True, bold=st.fake_bold)
    elif blk.kind == "para":
        w.paragraph(blk.text)
    elif blk.kind == "table":
        if blk.heading_in_table:
            w.paragraph(blk.text, size=14, indent=True)
        is_s3 = any(c.text.startswith("（本列数据") for c in blk.rows[0])
        w.table(blk.rows, break_before=st.s3_break_before if is_s3 else None)


# -- broken PDFs -------------------------------------------------------------------------------------------

def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are images only (a scan with no text layer)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    for _ in range(pages):
        img = Image.new("L", (420, 594), 255)
        d = ImageDraw.Draw(img)
        for k in range(40, 560, 18):  # lines of "text" as a scanner sees them
            d.rectangle((40, k, 380 - (k * 7) % 90, k + 8), fill=40)
        d.rectangle((40, 300, 380, 460), outline=0)
        c.drawImage(ImageReader(img), 0, 0, PAGE_W, PAGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf(gold: dict, user_password: str = "secret") -> bytes:
    """The ``ruled`` report encrypted; an empty user password opens without asking (owner password only)."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas
    enc = StandardEncryption(user_password, ownerPassword="owner-only", canPrint=1, canCopy=0)
    orig = canvas.Canvas.__init__

    def init(self, *a, **kw):
        kw["encrypt"] = enc
        orig(self, *a, **kw)
    canvas.Canvas.__init__ = init
    try:
        return render_pdf(gold, "ruled")
    finally:
        canvas.Canvas.__init__ = orig


def mojibake_pdf() -> bytes:
    """A page whose text layer maps every glyph to private-use code points (a broken ToUnicode CMap)."""
    codes = bytes(range(0x41, 0x41 + 24))
    bfchars = "\n".join(f"<{b:02X}> <{0xE000 + i:04X}>" for i, b in enumerate(codes))
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Broken def "
            "1 begincodespacerange <00> <FF> endcodespacerange "
            f"{len(codes)} beginbfchar\n{bfchars}\nendbfchar endcmap CMapName currentdict /CMap defineresource pop "
            "end end").encode()
    text = codes.decode("latin-1")
    content = "".join(f"BT /F1 12 Tf 72 {760 - 20 * k} Td ({text}) Tj ET\n" for k in range(20)).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
         b"/Contents 4 0 R >>"),
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        _stream(cmap),
    ]
    return _pdf(objs)


def _stream(data: bytes) -> bytes:
    z = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream"


def _pdf(objs: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--style", choices=STYLES, default="ruled")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    with open(a.out, "wb") as f:
        f.write(render_pdf(gold, a.style))


if __name__ == "__main__":
    main()
