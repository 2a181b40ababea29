"""The .docx and Word 97 layouts: merged cells (gridSpan, vMerge), paragraph and cell text, corrupt and
mislabelled files, LibreOffice conversion, and whole reports rendered from every seed's expected values."""
from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from pathlib import Path

import pytest
from tests.generators.damage import damaged_copies
from conftest import shared_score

from core import parse as core_parse
from core.errors import UnreadableInput
from core.layout import TABLE, TEXT
from core.source import Source
from zfxxgk_layouts import docx, word97
from tests.generators.render_docx import CONTENT_TYPES, RELS, STYLES, W, render_docx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds" / "expected").glob("*.json"))
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def make_docx(body: str, *, document: str | None = None, extra: dict | None = None) -> bytes:
    if document is None:
        document = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:mc="{MC}">'
                    f"<w:body>{body}</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def p(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t>{r}</w:t></w:r>" for r in runs) + "</w:p>"


def tc(text: str = "", span: int = 1, vmerge: str | None = None, paras: list[str] | None = None) -> str:
    pr = ""
    if span > 1:
        pr += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        pr += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        pr += "<w:vMerge/>"
    body = "".join(p(x) for x in paras) if paras is not None else p(text) if text else "<w:p/>"
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>"


def tr(*cells: str, pr: str = "") -> str:
    return f"<w:tr>{pr}{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(rows) + "</w:tbl>"


def parse(data: bytes, name: str = "r.docx"):
    return docx.parse(Source(data, name=name))


def grid(rows):
    return [[c.text for c in r.cells] for r in rows]


# --- merged cells -----------------------------------------------------------------------------------

def test_gridspan_and_vmerge_expand_like_html():
    body = tbl(
        tr(tc("三、本年度办理结果", vmerge="restart"), tc("（三）不予公开", vmerge="restart"), tc("1.属于国家秘密"),
           tc("5", span=2)),
        tr(tc(vmerge="continue"), tc(vmerge="continue"), tc("2.其他"), tc("0"), tc("7", vmerge="restart")),
        tr(tc(vmerge="continue"), tc("（七）总计", span=2), tc("9"), tc(vmerge="continue")),
    )
    rows = parse(make_docx(body))
    assert all(r.kind == TABLE for r in rows)
    assert grid(rows) == [
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "5", ""],
        ["三、本年度办理结果", "（三）不予公开", "2.其他", "0", "7"],
        ["三、本年度办理结果", "（七）总计", "（七）总计", "9", ""],
    ]
    # every cell knows its table row (1-based ordinal in the document); merged labels keep their origin
    assert [c.line for c in rows[1].cells] == [1, 1, 2, 2, 2]


def test_grid_before_and_legacy_hmerge():
    body = tbl(tr(tc("规章"), tc("1"), tc("2")),
               tr(tc("3"), tc("4"), pr='<w:trPr><w:gridBefore w:val="1"/></w:trPr>'),
               tr(tc("行政许可"), tc("8"), '<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>'))
    assert grid(parse(make_docx(body))) == [["规章", "1", "2"], ["", "3", "4"], ["行政许可", "8", ""]]


def test_cell_paragraphs_and_runs_join_without_separator():
    runs = ('<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>本年</w:t></w:r><w:proofErr w:type="spellStart"/>'
            '<w:r><w:t xml:space="preserve">新 </w:t></w:r><w:hyperlink><w:r><w:t>制作</w:t></w:r></w:hyperlink></w:p>')
    body = tbl(tr(f"<w:tc><w:tcPr/>{runs}{p('数量')}</w:tc>", tc(paras=["6187.4", "万元"]),
                  tc(paras=["12", "34"])))
    assert grid(parse(make_docx(body))) == [["本年新 制作数量", "6187.4万元", "1234"]]  # a number wrapped over two paragraphs is one number


def test_a_full_width_label_is_one_cell():
    body = tbl(tr(tc("第二十条第（一）项", span=4)), tr(tc("规章"), tc("0"), tc("0"), tc("0")))
    assert grid(parse(make_docx(body))) == [["第二十条第（一）项"], ["规章", "0", "0", "0"]]


# --- paragraphs -------------------------------------------------------------------------------------

def test_paragraphs_in_order_with_line_ordinals():
    body = (p("某县人民政府", "2023年政府信息公开工作年度报告")
            + '<w:p><w:r><w:t>一、总体情况</w:t><w:br/><w:t>（一）主动公开</w:t><w:tab/><w:t>x</w:t></w:r></w:p>'
            + "<w:p/>"
            + tbl(tr(tc("规章"), tc("1")))
            + '<w:sdt><w:sdtPr/><w:sdtContent>' + p("二、主动公开政府信息情况") + "</w:sdtContent></w:sdt>"
            + '<w:sectPr/>')
    rows = parse(make_docx(body))
    assert [(r.kind, r.text, r.cells[0].line) for r in rows] == [
        (TEXT, "某县人民政府2023年政府信息公开工作年度报告", 1),
        (TEXT, "一、总体情况", 2), (TEXT, "（一）主动公开 x", 2),
        (TABLE, "规章 1", 4),
        (TEXT, "二、主动公开政府信息情况", 5)]


def test_deleted_text_and_compatibility_fallbacks_are_left_out():
    body = ('<w:p><w:r><w:t>予以</w:t></w:r><w:del><w:r><w:delText>不予</w:delText><w:t>旧</w:t></w:r></w:del>'
            '<w:ins><w:r><w:t>公开</w:t></w:r></w:ins>'
            f'<mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>甲</w:t></w:r></mc:Choice>'
            f'<mc:Fallback><w:r><w:t>甲</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>')
    assert [r.text for r in parse(make_docx(body))] == ["予以公开甲"]


def test_text_boxes_become_their_own_rows():
    body = ('<w:p><w:r><w:t>正文</w:t></w:r><w:r><w:drawing><w:txbxContent>' + p("框内标题")
            + "</w:txbxContent></w:drawing></w:r></w:p>")
    assert [r.text for r in parse(make_docx(body))] == ["正文", "框内标题"]


def test_a_table_holding_tables_is_page_layout():
    inner = tbl(tr(tc("规章"), tc("2")))
    body = tbl(tr(f"<w:tc><w:tcPr/>{p('二、主动公开政府信息情况')}{inner}<w:p/></w:tc>"))
    rows = parse(make_docx(body))
    assert [(r.kind, r.text) for r in rows] == [(TEXT, "二、主动公开政府信息情况"), (TABLE, "规章 2")]


def test_main_part_found_through_relationships():
    rels = RELS.replace('Target="word/document.xml"', 'Target="/word/document2.xml"')
    document = f'<w:document xmlns:w="{W}"><w:body>{p("正文")}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document2.xml", document)
    assert [r.text for r in docx.parse(Source(buf.getvalue(), name="x.docx"))] == ["正文"]


def test_strict_ooxml_namespace():
    document = ('<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>'
                + p("一、总体情况") + tbl(tr(tc("规章"), tc("1"))) + "</w:body></w:document>")
    assert grid(parse(make_docx("", document=document))) == [["一、总体情况"], ["规章", "1"]]


# --- bad input --------------------------------------------------------------------------------------

def _unreadable(data: bytes, name: str = "report.docx") -> str:
    with pytest.raises(UnreadableInput) as e:
        docx.parse(Source(data, name=name))
    msg = str(e.value)
    assert "\n" not in msg and name in msg
    return msg


def test_a_docx_that_is_not_a_zip():
    assert "not a zip" in _unreadable("一、总体情况\n".encode())
    assert "Word 97" in _unreadable(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


@pytest.mark.parametrize("cut", [30, 200, 0.5, -30])
def test_truncated_zip(cut):
    data = make_docx(p("正文") * 200)
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    _unreadable(data[:n])


def test_corrupt_member_and_missing_part_and_bad_xml():
    data = bytearray(make_docx(p("正文" * 500)))
    i = data.find(b"word/document.xml") + len("word/document.xml") + 20
    data[i:i + 40] = b"\x00" * 40
    _unreadable(bytes(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<x/>")
    assert "without a Word document part" in _unreadable(buf.getvalue())
    _unreadable(make_docx("", document="<w:document><w:body><w:p>"))
    _unreadable(make_docx("", document=f'<w:document xmlns:w="{W}"/>'))


def test_external_entities_are_not_resolved():
    document = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>a&xxe;b</w:t></w:r></w:p></w:body></w:document>')
    try:
        rows = parse(make_docx("", document=document))
    except UnreadableInput:
        return
    assert "root:" not in " ".join(r.text for r in rows)


def test_unpacked_size_is_bounded(monkeypatch):
    monkeypatch.setattr(docx, "MAX_BYTES", 1000)
    assert "larger than any report" in _unreadable(make_docx(p("正文") * 200))


@pytest.mark.parametrize("data,name,score", [
    (None, "r.docx", 0.95),
    (b"PK\x03\x04" + b"\0" * 40 + b"xl/workbook.xml", "r.xlsx", 0.0),
    ("一、总体情况".encode(), "r.docx", 0.05),
    ("一、总体情况".encode(), "r.txt", 0.0),
    (b"%PDF-1.5", "r.pdf", 0.0),
])
def test_detect(data, name, score):
    data = make_docx(p("x")) if data is None else data
    assert docx.detect(Source(data, name=name)) == score


# --- Word 97 ----------------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000 + "WordDocument".encode("utf-16-le") + b"\0" * 100


def test_word97_detect():
    assert word97.detect(Source(OLE2, name="a.doc")) == 0.95
    assert word97.detect(Source(OLE2[:1000], name="a.xls")) == 0.6
    assert word97.detect(Source(b"{\\rtf1\\ansi hello}", name="a.doc")) == 0.9
    assert word97.detect(Source(make_docx(p("x")), name="a.doc")) == 0.0
    assert word97.detect(Source("文本".encode(), name="a.wps")) == 0.0


def test_word97_without_libreoffice(monkeypatch):
    monkeypatch.setattr(word97, "_converter", lambda: None)
    with pytest.raises(UnreadableInput) as e:
        word97.parse(Source(OLE2, name="report.doc"))
    assert str(e.value) == ("report.doc: Word 97 (.doc/.wps) files are not read directly; convert with: "
                            "soffice --headless --convert-to docx FILE")


def _fake_soffice(tmp_path, monkeypatch, script: str) -> None:
    exe = tmp_path / "bin" / "soffice"
    exe.parent.mkdir()
    exe.write_text(f"#!{sys.executable}\n{script}")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(exe.parent))


def test_word97_converted_with_soffice(tmp_path, monkeypatch):
    converted = tmp_path / "converted.docx"
    converted.write_bytes(make_docx(p("一、总体情况") + tbl(tr(tc("规章"), tc("1")))))
    _fake_soffice(tmp_path, monkeypatch, f"""import sys, shutil, pathlib
args = sys.argv[1:]
assert "--headless" in args and args[args.index("--convert-to") + 1] == "docx"
out = pathlib.Path(args[args.index("--outdir") + 1])
shutil.copy({str(converted)!r}, out / (pathlib.Path(args[-1]).stem + ".docx"))
""")
    src = Source(OLE2, name="report.wps")
    doc = word97.parse(src)
    assert grid(doc.rows) == [["一、总体情况"], ["规章", "1"]]
    assert doc.notes and (doc.notes[-1].level, doc.notes[-1].code) == ("info", "converted")


def test_word97_conversion_failure_and_timeout(tmp_path, monkeypatch):
    _fake_soffice(tmp_path, monkeypatch, "import sys, time\ntime.sleep(float(sys.argv[0] and 0 or 30))\n")
    monkeypatch.setattr(word97, "TIMEOUT", 0.5)
    t = time.perf_counter()
    with pytest.raises(UnreadableInput) as e:
        word97.parse(Source(OLE2, name="slow.doc"))
    assert "longer than" in str(e.value) and time.perf_counter() - t < 5
    (tmp_path / "bin" / "soffice").write_text(f"#!{sys.executable}\nimport sys\nsys.exit(1)\n")
    with pytest.raises(UnreadableInput) as e:
        word97.parse(Source(OLE2, name="bad.doc"))
    assert "could not convert" in str(e.value)


def test_word97_refuses_what_is_not_ole2():
    with pytest.raises(UnreadableInput):
        word97.parse(Source("文本".encode(), name="a.doc"))


# --- whole reports ----------------------------------------------------------------------------------

def test_render_docx_is_a_valid_package():
    gold = {"format": "2021", "year": 2023, "s3": {}, "s2": {}}
    with zipfile.ZipFile(io.BytesIO(render_docx(gold))) as zf:
        assert zf.testzip() is None
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(zf.namelist())






@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_reports_render_and_parse_exactly(seed, tmp_path):
    score, parse_report = shared_score(), core_parse
    gold = json.loads(seed.read_text(encoding="utf-8"))
    for style in STYLES:
        path = tmp_path / f"{seed.stem}.{style}.docx"
        path.write_bytes(render_docx(gold, style))
        out = parse_report(path).to_dict()
        assert out["meta"]["layout"] == "docx", style
        _cells, wrong, _flagged, _kinds = score.compare(gold, out)
        assert not wrong, f"{style}: {wrong[:5]}"
        bad = [d for d in out["diagnostics"] if d.get("level") in ("warning", "error")]
        assert not bad, f"{style}: {bad}"


def test_absurd_spans_are_bounded():
    body = tbl(tr(tc("a", span=10**9), tc("1")),
               '<w:tr><w:trPr><w:gridBefore w:val="999999999"/></w:trPr>' + tc("2") + "</w:tr>")
    t = time.perf_counter()
    rows = parse(make_docx(body))
    assert time.perf_counter() - t < 1 and all(len(r.cells) <= 256 for r in rows)


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
def test_damaged_files_fail_only_with_unreadable_input():
    gold = json.loads(SEEDS[-1].read_text(encoding="utf-8"))
    bases = [render_docx(gold, style) for style in STYLES]
    for data in damaged_copies(bases, 150, seed=7, max_flips=12):
        for plugin in (docx, word97):
            src = Source(bytes(data), name="d.docx")
            assert 0.0 <= (plugin.detect(src) or 0.0) <= 1.0
            try:
                plugin.parse(src)
            except UnreadableInput as e:
                assert "\n" not in str(e)
