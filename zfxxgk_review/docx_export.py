"""The year-over-year comparison as a Word document (.docx), the form offices circulate: the reports
compared, each section's fields with every year's value (changed cells shaded, corrected values marked
"更正", values a failed check reads marked "✗"), the checks across years, and the prose sections'
sentences added and removed. Written with python-docx; CJK text in 宋体 (SimSun)."""

from __future__ import annotations

import io

from zfxxgk_review.labels import SECTION_TITLES
from zfxxgk_review.yoy import Comparison, change

CHANGED_FILL = "FFF2CC"  # light yellow: the value differs from the year before
CORRECTED_FILL = "DDEBF7"  # light blue: a reviewer's value
CONFLICT_FILL = "F8CBAD"  # light red: read by a failed identity
STATUS_WORDS = {
    "confirmed": "",
    "unconfirmed": "未核",
    "conflict": "✗",
    "unread": "未读",
    "blank": "",
    "corrected": "更正",
}


def _fmt(v, present: bool = True) -> str:
    if not present:
        return "—"
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _cjk(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = "SimSun"
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(9)


def _cell_text(cell, text: str, bold: bool = False) -> None:
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold


def comparison_docx(cmp: Comparison) -> bytes:
    """The comparison as the bytes of a .docx file."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    doc = Document()
    _cjk(doc)
    section = doc.sections[0]
    if len(cmp.columns) > 3:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.6))
    years = [str(c.year) for c in cmp.columns]
    doc.add_heading(
        f"{cmp.organ or '（机关名称未识别）'} 政府信息公开工作年度报告 逐年对比 "
        f"{years[0] if years else ''}–{years[-1] if years else ''}",
        level=1,
    )
    doc.add_paragraph(
        "数值取自逐项核对过的解析结果（勾稽关系已校验）；审核人员的更正以“更正”标出，与上一年不同的数值以黄色底纹标出，"
        "被未通过的勾稽关系读取的数值以“✗”标出。"
    )
    t = doc.add_table(rows=1, cols=6)
    t.style = "Table Grid"
    for cell, text in zip(t.rows[0].cells, ("年度", "文件", "格式", "版式", "更正", "未通过的校验")):
        _cell_text(cell, text, bold=True)
    for c in cmp.columns:
        failed = sum(1 for x in c.report.get("checks") or () if not x.get("ok"))
        row = t.add_row().cells
        for cell, text in zip(
            row,
            (
                str(c.year),
                str(c.row.get("path") or ""),
                f"{c.row.get('format')} 格式",
                str(c.row.get("layout") or ""),
                str(len(c.report.get("corrections") or {})),
                str(failed),
            ),
        ):
            _cell_text(cell, text)
    for key, title in SECTION_TITLES.items():
        rows = [f for f in cmp.fields if f.path.startswith(key + ".")]
        if not rows:
            continue
        doc.add_heading(title, level=2)
        t = doc.add_table(rows=1, cols=1 + len(cmp.columns) + (1 if len(cmp.columns) > 1 else 0))
        t.style = "Table Grid"
        head = ["项目", *years] + (["变化"] if len(cmp.columns) > 1 else [])
        for cell, text in zip(t.rows[0].cells, head):
            _cell_text(cell, text, bold=True)
        for f in rows:
            cells = t.add_row().cells
            _cell_text(cells[0], f.label)
            for i, (v, status, present) in enumerate(f.cells):
                word = STATUS_WORDS.get(status or "", "")
                _cell_text(cells[1 + i], _fmt(v, present) + (f" {word}" if word and present else ""))
                if status == "corrected":
                    _shade(cells[1 + i], CORRECTED_FILL)
                elif status == "conflict":
                    _shade(cells[1 + i], CONFLICT_FILL)
                elif i and f.changed[i - 1]:
                    _shade(cells[1 + i], CHANGED_FILL)
            if len(cmp.columns) > 1:
                d = change(f.cells[-2][0], f.cells[-1][0])
                _cell_text(cells[-1], "" if d is None else (("+" if d > 0 else "") + _fmt(d)))
    doc.add_heading("跨年度勾稽关系", level=2)
    any_pair = False
    for pair in cmp.pairs:
        if not pair.consecutive:
            doc.add_paragraph(f"{pair.a.year} 与 {pair.b.year} 不是相邻年度，未校验跨年度勾稽关系。")
            continue
        any_pair = True
        t = doc.add_table(rows=1, cols=5)
        t.style = "Table Grid"
        for cell, text in zip(
            t.rows[0].cells, ("规则", "范围", f"由 {pair.a.year} 推算", f"{pair.b.year} 填报", "结果")
        ):
            _cell_text(cell, text, bold=True)
        for check in pair.checks:
            cells = t.add_row().cells
            for cell, text in zip(
                cells,
                (
                    _RULES.get(check["rule"], check["rule"]),
                    check["scope"],
                    _fmt(check["found"]),
                    _fmt(check["expected"]),
                    "通过" if check["ok"] else "不符",
                ),
            ):
                _cell_text(cell, text)
            if not check["ok"]:
                _shade(cells[4], CONFLICT_FILL)
            if check["corrected_cells"]:
                _shade(cells[0], CORRECTED_FILL)
    if not any_pair and not cmp.pairs:
        doc.add_paragraph("只有一份报告，无跨年度校验。")
    doc.add_heading("文字部分的变化", level=2)
    for pair in cmp.pairs:
        for p in pair.prose.values():
            doc.add_heading(f"{p['title']}（{pair.a.year} → {pair.b.year}，相似度 {p['ratio']:.2f}）", level=3)
            for s in p["added"]:
                doc.add_paragraph(f"＋ {s}")
            for s in p["removed"]:
                doc.add_paragraph(f"－ {s}")
            if not p["added"] and not p["removed"]:
                doc.add_paragraph("无增删的句子。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


_RULES = {
    "carried_forward_equals_next_carried_over": "上年结转 = 上一年度结转下年度继续办理",
    "in_force_follows_issued_and_repealed": "现行有效件数 = 上一年现行有效 + 本年制发 − 本年废止",
}
