"""Fill the official blank template (``../shared/domain/template-2021.docx``, the national 2021 template as
offices receive it) with an expected-values JSON (the gold format of ../shared/seeds/expected/README.md),
the way an office fills it in Word or WPS: title with the organ and year, the （文字描述） placeholders
replaced by prose, every table cell typed into the template's own cells (a blank gold value left empty).

Only the template's XML is edited (zipfile + lxml); nothing is drawn from scratch. For a 2019-format gold
the tables are turned into their 2019 form by editing the template's rows: section 二's items get the
2019 columns and rows (cloned from the template's own heading, header and value rows, merged cells made
with ``w:gridSpan`` as the template does), and section 三's （六）其他处理 becomes one row (cloned from the
（七）总计 row). A 2021-format gold whose （六） is one row (key ``other``) gets the same single row.

Styles (see :data:`STYLES`), each a combination of :class:`Style` parameters:

- ``onepage``: section 三 starts on a new page (``w:pageBreakBefore`` on its heading) and fits on it;
  no running header or footer; values typed in 10 pt.
- ``split``: prose long enough that section 三 starts low on a page and is cut by the page boundary
  about its （三）/（四） rows; its header rows are not repeated; no running header or footer.
- ``split-repeat``: as ``split``, with ``w:tblHeader`` on the header rows of sections 三 and 四, so the
  three header rows of section 三 are printed again at the top of the next page; a running header with
  the organ's name and a footer "- N -".
- ``split-late``: less prose, so that section 三 is cut lower down (about its （五）…（七） rows); header
  rows not repeated; the organ's name in the header and a footer "第 N 页"; values left in the template's
  own 12 pt, in which numbers of four digits wrap inside section 三's narrow columns (and three digits
  inside section 四's), as they do in reports typed into the template unchanged.

The result is a .docx (bytes); tests/generators/real_tools.py exports it through LibreOffice to PDF,
HTML and .doc exactly as offices do (``soffice --headless --convert-to pdf``).

usage: python -m tests.generators.render_template GOLD.json OUT.docx [--style split]
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests.generators import S2_2019, S2_2021, fmt

TEMPLATE = Path(__file__).resolve().parents[2].parent / "shared" / "domain" / "template-2021.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(frozen=True)
class Style:
    #: paragraphs of extra prose in section 一 (and 二) that push section 三 down the page
    extra_prose: int = 0
    #: section 三's heading starts a new page
    s3_new_page: bool = False
    #: ``w:tblHeader`` on the header rows of sections 三 and 四 (repeated on each page the table covers)
    repeat_header: bool = False
    #: running header with the organ's name
    header: bool = False
    #: footer page numbers: None, "dash" ("- N -") or "page" ("第 N 页")
    footer: str | None = None
    #: size of the typed values in half points; None keeps the template's value cells' own 12 pt, in which
    #: four-digit numbers wrap inside the narrow section 三 columns and three digits inside section 四's
    value_half_points: int | None = 20


STYLES: dict[str, Style] = {
    "onepage": Style(s3_new_page=True),
    "split": Style(extra_prose=5),
    "split-repeat": Style(extra_prose=5, repeat_header=True, header=True, footer="dash"),
    "split-late": Style(extra_prose=2, header=True, footer="page", value_half_points=None),
}

# --- the gold's rows, in the template's order --------------------------------------------------------------

S3_ROWS_2021 = (["new", "carried_over", "granted", "partial"] + [f"denied_{i}" for i in range(1, 9)]
                + [f"unable_{i}" for i in range(1, 4)] + [f"rejected_{i}" for i in range(1, 6)]
                + [f"other_{i}" for i in range(1, 4)] + ["total", "carry_forward"])


def organ(gold: dict) -> str:
    return gold.get("organ") or "XX县人民政府"


def is_2019(gold: dict) -> bool:
    return str(gold.get("format")) == "2019"


# --- invented prose ----------------------------------------------------------------------------------------

def prose(gold: dict, style: Style) -> dict[str, list[str]]:
    """Plain, neutral prose for the three text sections (and a short lead before the tables of 二).
    Sub-headings of section 一 are paragraphs of their own, as offices type them."""
    year, who = gold["year"], organ(gold)
    s3 = gold.get("s3") or {}
    received = fmt((s3.get("new") or [None] * 7)[6]) or "0"
    overview = [
        (f"{year}年，{who}深入贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作，"
         f"持续推进决策、执行、管理、服务、结果公开，不断提升政务公开质量和实效。现将本年度政府信息公开工作情况报告如下。"),
        "（一）主动公开",
        ("全年通过政府门户网站主动公开各类政府信息，及时发布政策文件、政策解读、人事信息和财政预决算信息。"
         "对涉及群众切身利益的重要政策，同步做好解读，回应社会关切。"),
        "（二）依申请公开",
        (f"进一步规范依申请公开的受理、审查、答复流程，全年共收到政府信息公开申请{received}件，"
         "均在法定期限内予以答复。"),
        "（三）政府信息管理",
        "严格执行信息发布审查制度，落实“先审后发”要求，对已公开的规范性文件进行清理并标注有效性。",
        "（四）政府信息公开平台建设",
        ("优化政府网站信息公开专栏，及时更新机构职能、法定主动公开内容、政策文件等栏目，"
         "提升网站的可用性和便民性。"),
        "（五）监督保障",
        "将政务公开工作纳入年度考核内容，组织开展业务培训，加强对下级单位的指导和检查。",
    ]
    filler = [
        ("围绕优化营商环境、乡村振兴、民生保障等重点领域，细化公开清单，做到应公开尽公开。"
         "对群众关注度高的教育、医疗、养老、就业等事项，设置专题专栏集中发布，便于查阅。"),
        ("加强政策解读，采取图文解读、政策问答、新闻发布会等形式解读重要政策，"
         "重要政策文件与解读材料同步起草、同步审签、同步发布。"),
        ("畅通政民互动渠道，认真办理网民留言，及时回应社会关切，对共性问题汇总分析，"
         "在网站公布常见问题解答，提高回应的针对性。"),
        ("推进基层政务公开标准化规范化，梳理基层政务公开事项目录，统一公开标准和公开方式，"
         "在政务服务大厅设置政府信息查阅点。"),
        ("规范公文公开属性认定，在公文起草时明确公开属性，对不予公开的说明理由，"
         "定期对不予公开的文件进行复核。"),
        ("完善政府信息公开工作机构设置，明确专人负责，建立健全信息发布协调机制，"
         "确保发布的信息准确一致。"),
    ]
    extra = [filler[i % len(filler)] for i in range(style.extra_prose)]
    lead_2 = extra[len(extra) // 2:]
    overview += extra[:len(extra) // 2]
    problems = [
        ("本年度政府信息公开工作取得一定成效，但仍存在一些不足：一是政策解读形式比较单一，"
         "图解、视频等解读方式运用较少；二是基层公开工作人员变动较大，业务水平有待提高。"),
        "下一步，将丰富政策解读形式，加强业务培训和督促检查，进一步提升政务公开工作水平。",
    ]
    other = [
        f"依据《政府信息公开信息处理费管理办法》，本机关{year}年度未收取信息处理费。",
        "本年度无其他需要报告的事项。",
    ]
    return {"overview": overview, "s2_lead": lead_2, "problems": problems, "other_matters": other}


# --- XML helpers -------------------------------------------------------------------------------------------

def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def _w(tag: str, **attrs) -> etree._Element:
    el = etree.Element(W + tag)
    for k, v in attrs.items():
        el.set(W + k, str(v))
    return el


def _set_paragraph_text(p, text: str) -> None:
    """Replace a paragraph's runs by one run carrying ``text``, in the format of its first run (or of its
    paragraph mark when it has none)."""
    runs = p.findall(W + "r")
    rpr = None
    if runs and runs[0].find(W + "rPr") is not None:
        rpr = copy.deepcopy(runs[0].find(W + "rPr"))
    else:
        ppr = p.find(W + "pPr")
        mark = ppr.find(W + "rPr") if ppr is not None else None
        if mark is not None:
            rpr = copy.deepcopy(mark)
    for child in list(p):
        if child.tag != W + "pPr":
            p.remove(child)
    if text == "":
        return
    r = _w("r")
    if rpr is not None:
        r.append(rpr)
    t = _w("t")
    t.text = text
    if text != text.strip():
        t.set(XML_SPACE, "preserve")
    r.append(t)
    p.append(r)


def _set_cell_text(tc, text: str, half_points: int | None = None) -> None:
    """The cell's first paragraph holds ``text`` (in ``half_points`` when given, else in the cell's own
    format); other paragraphs of the cell go."""
    ps = tc.findall(W + "p")
    for extra in ps[1:]:
        tc.remove(extra)
    _set_paragraph_text(ps[0], text)
    if half_points and text:
        rpr = ps[0].find(W + "r/" + W + "rPr")
        if rpr is None:
            rpr = _w("rPr")
            ps[0].find(W + "r").insert(0, rpr)
        for tag in ("sz", "szCs"):
            el = rpr.find(W + tag)
            if el is None:
                el = _w(tag)
                rpr.append(el)
            el.set(W + "val", str(half_points))


def _value(tc, v, style: Style) -> None:
    """Type a gold value into a value cell (a blank gold value leaves the cell empty)."""
    _set_cell_text(tc, fmt(v), style.value_half_points)


def _cells(tr) -> list:
    return tr.findall(W + "tc")


def _span(tc) -> int:
    pr = tc.find(W + "tcPr")
    g = pr.find(W + "gridSpan") if pr is not None else None
    return int(g.get(W + "val")) if g is not None else 1


def _set_span(tc, n: int, width: int) -> None:
    pr = tc.find(W + "tcPr")
    tcw = pr.find(W + "tcW")
    if tcw is not None:
        tcw.set(W + "w", str(width))
    g = pr.find(W + "gridSpan")
    if n == 1:
        if g is not None:
            pr.remove(g)
        return
    if g is None:
        g = _w("gridSpan")
        tcw.addnext(g) if tcw is not None else pr.insert(0, g)
    g.set(W + "val", str(n))


def _width(tc) -> int:
    tcw = tc.find(W + "tcPr/" + W + "tcW")
    return int(tcw.get(W + "w")) if tcw is not None else 0


def _merge_tail(tr, keep: int) -> None:
    """Keep the first ``keep`` cells of a row; the last kept one spans the columns of the removed ones."""
    cells = _cells(tr)
    if keep >= len(cells):
        return
    last = cells[keep - 1]
    span = sum(_span(c) for c in cells[keep - 1:])
    width = sum(_width(c) for c in cells[keep - 1:])
    for c in cells[keep:]:
        tr.remove(c)
    _set_span(last, span, width)


def _set_tbl_header(tr) -> None:
    trpr = tr.find(W + "trPr")
    if trpr is None:
        trpr = _w("trPr")
        prex = tr.find(W + "tblPrEx")
        (prex.addnext(trpr) if prex is not None else tr.insert(0, trpr))
    if trpr.find(W + "tblHeader") is None:
        trpr.append(_w("tblHeader"))


# --- the tables --------------------------------------------------------------------------------------------

def _fill_s2(tbl, gold: dict, style: Style) -> None:
    """Section 二: the template's one 4-column table. Each item is a heading row, a header row and one
    row per line of the item. A 2021 gold is typed into the template's rows; a 2019 gold gets its items
    built from the template's first item's rows (heading, header, value row), cells merged as needed."""
    rows = tbl.findall(W + "tr")
    proto_heading, proto_header, proto_value = rows[0], rows[1], rows[2]
    s2 = gold.get("s2") or {}
    if not is_2019(gold):
        # the template is the 2021 form: type the values into its own rows
        it = iter(rows)
        for heading, item, cols, labels in S2_2021:
            assert _text(next(it)).strip() == heading
            next(it)  # header row
            for label in labels:
                tr = next(it)
                cells = _cells(tr)
                assert _text(cells[0]).strip() == label, (_text(cells[0]), label)
                for c, (_printed, key) in zip(cells[1:], cols):
                    _value(c, s2.get(f"{item}/{label}/{key}"), style)
        return
    for tr in rows:
        tbl.remove(tr)
    for heading, item, cols, labels in S2_2019:
        tr = copy.deepcopy(proto_heading)
        _set_cell_text(_cells(tr)[0], heading)
        tbl.append(tr)
        tr = copy.deepcopy(proto_header)
        _merge_tail(tr, len(cols) + 1)
        cells = _cells(tr)
        _set_cell_text(cells[0], "信息内容")
        for c, (printed, _key) in zip(cells[1:], cols):
            _set_cell_text(c, printed)
        tbl.append(tr)
        for label in labels:
            tr = copy.deepcopy(proto_value)
            _merge_tail(tr, len(cols) + 1)
            cells = _cells(tr)
            _set_cell_text(cells[0], label)
            for c, (_printed, key) in zip(cells[1:], cols):
                _value(c, s2.get(f"{item}/{label}/{key}"), style)
            tbl.append(tr)


def _s3_keys(gold: dict) -> list[str]:
    s3 = gold.get("s3") or {}
    if "other" in s3 or is_2019(gold):
        i = S3_ROWS_2021.index("other_1")
        return S3_ROWS_2021[:i] + ["other"] + S3_ROWS_2021[i + 3:]
    return list(S3_ROWS_2021)


def _fill_s3(tbl, gold: dict, style: Style) -> None:
    rows = tbl.findall(W + "tr")
    header, body = rows[:3], rows[3:]
    keys = _s3_keys(gold)
    if "other" in keys:
        # （六）其他处理 as one row: the （七）总计 row (group cell continued, a label over two columns,
        # seven values) cloned in place of the three （六） rows
        i = S3_ROWS_2021.index("other_1")
        one = copy.deepcopy(body[i + 3])
        _set_cell_text(_cells(one)[1], "（六）其他处理")
        body[i].addprevious(one)
        for tr in body[i:i + 3]:
            tbl.remove(tr)
        body = body[:i] + [one] + body[i + 3:]
    assert len(body) == len(keys), (len(body), keys)
    s3 = gold.get("s3") or {}
    for tr, key in zip(body, keys):
        values = s3.get(key) or [None] * 7
        for tc, v in zip(_cells(tr)[-7:], values):
            _value(tc, v, style)
    if style.repeat_header:
        for tr in header:
            _set_tbl_header(tr)


def _fill_s4(tbl, gold: dict, style: Style) -> None:
    rows = tbl.findall(W + "tr")
    values = gold.get("s4") or [None] * 15
    for tc, v in zip(_cells(rows[3]), values):
        _value(tc, v, style)
    if style.repeat_header:
        for tr in rows[:3]:
            _set_tbl_header(tr)


# --- running header and footer -----------------------------------------------------------------------------

def _part(root_tag: str, paragraphs: list[etree._Element]) -> bytes:
    root = etree.Element(W + root_tag, nsmap={"w": W_NS, "r": R_NS})
    for p in paragraphs:
        root.append(p)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _furniture_run(text: str) -> etree._Element:
    r = _w("r")
    rpr = _w("rPr")
    rpr.append(_w("rFonts", ascii="宋体", hAnsi="宋体", eastAsia="宋体", hint="eastAsia"))
    rpr.append(_w("sz", val=18))
    r.append(rpr)
    t = _w("t")
    t.text = text
    t.set(XML_SPACE, "preserve")
    r.append(t)
    return r


def _centered_paragraph() -> etree._Element:
    p = _w("p")
    ppr = _w("pPr")
    ppr.append(_w("jc", val="center"))
    p.append(ppr)
    return p


def header_xml(text: str) -> bytes:
    p = _centered_paragraph()
    p.append(_furniture_run(text))
    return _part("hdr", [p])


def footer_xml(kind: str) -> bytes:
    before, after = {"dash": ("- ", " -"), "page": ("第 ", " 页")}[kind]
    p = _centered_paragraph()
    p.append(_furniture_run(before))
    fld = _w("fldSimple", instr=" PAGE ")
    fld.append(_furniture_run("1"))
    p.append(fld)
    p.append(_furniture_run(after))
    return _part("ftr", [p])


def _add_parts(files: dict[str, bytes], sect, gold: dict, style: Style) -> None:
    """Header/footer parts, their relationships and content types, and the section's references."""
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    types = etree.fromstring(files["[Content_Types].xml"])
    refs = []
    for kind, name, data in (("header", "header1.xml", header_xml(organ(gold)) if style.header else None),
                             ("footer", "footer1.xml", footer_xml(style.footer) if style.footer else None)):
        if data is None:
            continue
        rid = f"rIdZf{kind.capitalize()}"
        files[f"word/{name}"] = data
        rel = etree.SubElement(rels, f"{{{PKG_RELS}}}Relationship")
        rel.set("Id", rid)
        rel.set("Type", f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}")
        rel.set("Target", name)
        ov = etree.SubElement(types, f"{{{CT_NS}}}Override")
        ov.set("PartName", f"/word/{name}")
        ov.set("ContentType", f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
        ref = _w(f"{kind}Reference", type="default")
        ref.set(f"{{{R_NS}}}id", rid)
        refs.append(ref)
    for ref in reversed(refs):  # references come first in w:sectPr
        sect.insert(0, ref)
    files["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                          standalone=True)
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the document ------------------------------------------------------------------------------------------

HEADING_KEYS = {"一、总体情况": "overview", "五、存在的主要问题及改进情况": "problems",
                "六、其他需要报告的事项": "other_matters"}


def _fill_body(body, gold: dict, style: Style) -> None:
    text = prose(gold, style)
    children = list(body)
    tables = [el for el in children if el.tag == W + "tbl"]
    assert len(tables) == 3, "the template has three tables"
    current = None
    for el in children:
        if el.tag != W + "p":
            continue
        t = _text(el).strip()
        if t == "政府信息公开工作年度报告格式模板":
            _set_paragraph_text(el, f"{organ(gold)}{gold['year']}年政府信息公开工作年度报告")
        elif t in HEADING_KEYS:
            current = HEADING_KEYS[t]
        elif t == "二、主动公开政府信息情况":
            current = "s2_lead"
            _insert_after(el, text["s2_lead"], model=_next_placeholder_model(children))
            current = None
        elif t == "三、收到和处理政府信息公开申请情况":
            current = None
            if style.s3_new_page:
                ppr = el.find(W + "pPr")
                after = [c for c in ppr if c.tag in (W + "pStyle", W + "keepNext", W + "keepLines")]
                (after[-1].addnext(_w("pageBreakBefore")) if after else ppr.insert(0, _w("pageBreakBefore")))
        elif t.startswith("（文字描述") and current:
            _replace_with(el, text[current])
            current = None
    _fill_s2(tables[0], gold, style)
    _fill_s3(tables[1], gold, style)
    _fill_s4(tables[2], gold, style)


def _next_placeholder_model(children):
    for el in children:
        if el.tag == W + "p" and _text(el).strip().startswith("（文字描述"):
            return el
    raise AssertionError("no （文字描述） paragraph in the template")


def _clone_text(model, text: str):
    p = copy.deepcopy(model)
    _set_paragraph_text(p, text)
    return p


def _replace_with(placeholder, paragraphs: list[str]) -> None:
    prev = placeholder
    for s in paragraphs:
        p = _clone_text(placeholder, s)
        prev.addnext(p)
        prev = p
    placeholder.getparent().remove(placeholder)


def _insert_after(anchor, paragraphs: list[str], model) -> None:
    prev = anchor
    for s in paragraphs:
        p = _clone_text(model, s)
        prev.addnext(p)
        prev = p


def _neutral_core(xml: bytes, gold: dict) -> bytes:
    """The document properties of the office that filled it in, not of the template's author."""
    root = etree.fromstring(xml)
    for el in root:
        name = etree.QName(el).localname
        if name in ("creator", "lastModifiedBy"):
            el.text = organ(gold)
        elif name == "title":
            el.text = f"{organ(gold)}{gold['year']}年政府信息公开工作年度报告"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _to_traditional(files: dict[str, bytes]) -> None:
    import opencc
    conv = opencc.OpenCC("s2t").convert
    for name in list(files):
        if name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
            root = etree.fromstring(files[name])
            for t in root.iter(W + "t"):
                if t.text:
                    t.text = conv(t.text)
            files[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def render_template(gold: dict, style: str | Style = "onepage", template: Path | None = None) -> bytes:
    """The template filled with the gold's values, as .docx bytes (deterministic: same input, same bytes).
    ``style`` is a name in :data:`STYLES` or a :class:`Style`."""
    if isinstance(style, Style):
        st = style
    elif style in STYLES:
        st = STYLES[style]
    else:
        raise ValueError(f"style must be one of {tuple(STYLES)} or a Style")
    src = Path(template or TEMPLATE)
    with zipfile.ZipFile(src) as z:
        names = z.namelist()
        files = {n: z.read(n) for n in names}
    root = etree.fromstring(files["word/document.xml"])
    body = root.find(W + "body")
    _fill_body(body, gold, st)
    sect = body.find(W + "sectPr")
    if st.header or st.footer:
        _add_parts(files, sect, gold, st)
    files["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if "docProps/core.xml" in files:
        files["docProps/core.xml"] = _neutral_core(files["docProps/core.xml"], gold)
    if gold.get("script") == "traditional":
        _to_traditional(files)
    order = names + [n for n in files if n not in names]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in order:
            info = zipfile.ZipInfo(n, date_time=(2012, 7, 2, 9, 52, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[n])
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--style", choices=tuple(STYLES), default="onepage")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    with open(a.out, "wb") as f:
        f.write(render_template(gold, a.style))


if __name__ == "__main__":
    main()
