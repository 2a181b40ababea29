"""Render an expected-values JSON as a minimal valid Word .docx (written with zipfile): paragraphs, and
tables whose merged cells use w:gridSpan and w:vMerge the way Word writes them.

Styles:
- ``template``: section 二 as the template's single table; plain runs.
- ``split``: section 二 as one table per item; text cut into several runs with proofing marks and
  bookmarks between them; header cells broken into two paragraphs; the section 三 table inside a
  content control (w:sdt).

usage: python -m tests.generators.render_docx GOLD.json OUT.docx [--style template]
"""
from __future__ import annotations

import argparse
import io
import json
import zipfile
from xml.sax.saxutils import escape

from tests.generators import Block, C, blocks_for

STYLES = ("template", "split")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')


def _runs(text: str, style: str, bold: bool = False) -> str:
    rpr = '<w:rPr><w:rFonts w:ascii="仿宋" w:eastAsia="仿宋"/>' + ("<w:b/>" if bold else "") + \
          '<w:sz w:val="28"/></w:rPr>'
    if style == "split" and len(text) > 3:
        a, b = text[:2], text[2:]
        return (f'<w:r>{rpr}<w:t xml:space="preserve">{escape(a)}</w:t></w:r>'
                f'<w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="0" w:name="_GoBack"/>'
                f'<w:bookmarkEnd w:id="0"/>'
                f'<w:r>{rpr}<w:t>{escape(b)}</w:t></w:r><w:proofErr w:type="spellEnd"/>')
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(text: str, style: str, *, bold: bool = False, center: bool = False, indent: bool = False) -> str:
    ppr = "<w:pPr>" + ('<w:jc w:val="center"/>' if center else "") + \
          ('<w:ind w:firstLineChars="200" w:firstLine="640"/>' if indent else "") + "</w:pPr>"
    return f"<w:p>{ppr}{_runs(text, style, bold) if text else ''}</w:p>"


def _cell(c: C | None, span: int, vmerge: str | None, style: str) -> str:
    pr = '<w:tcPr><w:tcW w:w="800" w:type="dxa"/>'
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    pr += '<w:vAlign w:val="center"/></w:tcPr>'
    text = c.text if c is not None and vmerge != "continue" else ""
    if style == "split" and c is not None and c.header and 6 <= len(text) <= 12:
        mid = len(text) // 2
        body = _para(text[:mid], style, center=True) + _para(text[mid:], style, center=True)
    else:
        body = _para(text, style, center=True)
    return f"<w:tc>{pr}{body}</w:tc>"


def _table(blk: Block, style: str) -> str:
    rows = blk.rows
    width = sum(c.colspan for c in rows[0])
    out = [('<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
            '<w:top w:val="single" w:sz="4"/><w:bottom w:val="single" w:sz="4"/>'
            '<w:insideH w:val="single" w:sz="4"/><w:insideV w:val="single" w:sz="4"/></w:tblBorders></w:tblPr>'),
           "<w:tblGrid>" + '<w:gridCol w:w="800"/>' * width + "</w:tblGrid>"]
    if blk.heading_in_table:
        out.append(f"<w:tr>{_cell(C(blk.text, header=True), width, None, style)}</w:tr>")
    # grid column -> [rows still covered, colspan] of a cell merged downwards
    covered: dict[int, list[int]] = {}
    for row in rows:
        cells = []
        col = 0
        pending = list(row)
        while pending or any(k >= col for k in covered):
            if col in covered:
                left, span = covered[col]
                cells.append(_cell(None, span, "continue", style))
                if left == 1:
                    del covered[col]
                else:
                    covered[col][0] -= 1
                col += span
                continue
            if not pending:
                break
            c = pending.pop(0)
            cells.append(_cell(c, c.colspan, "restart" if c.rowspan > 1 else None, style))
            if c.rowspan > 1:
                covered[col] = [c.rowspan - 1, c.colspan]
            col += c.colspan
        out.append('<w:tr><w:trPr><w:jc w:val="center"/></w:trPr>' + "".join(cells) + "</w:tr>")
    out.append("</w:tbl>")
    table = "".join(out)
    return table


def _block(blk: Block, style: str) -> str:
    if blk.kind == "table":
        return _table(blk, style)
    if blk.kind == "title":
        return _para(blk.text, style, bold=True, center=True)
    if blk.kind == "heading":
        return _para(blk.text, style, bold=True, indent=True)
    return _para(blk.text, style, indent=True)


def render_docx(gold: dict, style: str = "template") -> bytes:
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}")
    blocks = blocks_for(gold, s2_one_table=(style == "template"))
    parts = []
    for blk in blocks:
        xml = _block(blk, style)
        if style == "split" and blk.kind == "table" and len(blk.rows) > 20:
            xml = f'<w:sdt><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent>{xml}</w:sdtContent></w:sdt>'
        parts.append(xml)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}">'
                f'<w:body>{"".join(parts)}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
                f'</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", document)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--style", choices=STYLES, default="template")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    with open(a.out, "wb") as f:
        f.write(render_docx(gold, a.style))


if __name__ == "__main__":
    main()
