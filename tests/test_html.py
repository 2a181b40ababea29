"""The HTML layout: merged-cell grids, cell text, encodings, page chrome, bad input, and whole reports
rendered from every seed's expected values in each CMS style and encoding."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from tests.generators.damage import damaged_copies
from conftest import shared_score

from core import parse as core_parse
from core.errors import UnreadableInput
from core.layout import TABLE, TEXT
from core.source import Source
from zfxxgk_layouts import html
from zfxxgk_layouts._html_decode import declared_charset
from zfxxgk_layouts._html_grid import Span, expand, is_label
from tests.generators.render_html import STYLES, render_html

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds" / "expected").glob("*.json"))


def rows_of(page: str | bytes, name: str = "page.html"):
    data = page.encode("utf-8") if isinstance(page, str) else page
    doc = html.parse(Source(data, name=name))
    return list(doc.rows), Said(doc)


class Said:
    """What the layout says about the file: ``notes`` as (level, code, message), ``encoding``."""

    def __init__(self, doc):
        self.notes = [(n.level, n.code, n.message) for n in doc.notes]
        self.encoding = dict(doc.meta).get("encoding")


def texts(rows, kind=None):
    return [[c.text for c in r.cells] for r in rows if kind is None or r.kind == kind]


# --- grid expansion ---------------------------------------------------------------------------------

def test_labels_repeat_across_merges_values_only_first():
    grid = expand([
        [Span("三、本年度办理结果", rowspan=3), Span("（三）不予公开", rowspan=2), Span("1.属于国家秘密"), Span("5", colspan=2)],
        [Span("2.其他"), Span("0"), Span("1", rowspan=2)],
        [Span("（七）总计", colspan=2), Span("7")],
    ])
    assert [[c.text for c in r] for r in grid] == [
        ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "5", ""],
        ["三、本年度办理结果", "（三）不予公开", "2.其他", "0", "1"],
        ["三、本年度办理结果", "（七）总计", "（七）总计", "7", ""],
    ]


def test_covered_columns_after_the_last_written_cell_are_filled():
    grid = expand([[Span("a"), Span("b"), Span("总计", rowspan=2)], [Span("c")]])
    assert [[c.text for c in r] for r in grid] == [["a", "b", "总计"], ["c", "", "总计"]]


def test_a_label_across_the_whole_row_is_one_cell():
    grid = expand([[Span("第二十条第（一）项", colspan=4)], [Span("信息内容"), Span("x"), Span("y"), Span("z")]])
    assert [c.text for c in grid[0]] == ["第二十条第（一）项"]
    # but a merged number stays where it was printed
    assert [c.text for c in expand([[Span("12", colspan=3)]])[0]] == ["12", "", ""]


def test_is_label():
    for value in ("", "0", "12", "6187.4万元", "1,234", "３", "-", "—", "/", "无"):
        assert not is_label(value), value
    for label in ("规章", "总计", "1.属于国家秘密", "（七）总计", "本年增/减"):
        assert is_label(label), label


def test_absurd_spans_are_bounded():
    page = ('<table><tr><td colspan="100000">x</td><td rowspan="0">y</td></tr><tr><td>1</td></tr>'
            '<tr><td colspan="abc">2</td></tr></table>')
    rows, _ = rows_of(page)
    assert all(len(r.cells) <= 256 for r in rows)
    assert texts(rows)[2][0] == "2"


# --- cell text --------------------------------------------------------------------------------------

def test_cell_text_normalised():
    page = """<table>
      <tr><th>本年新<br/>制作数量</th><th><p>法律服务</p>
      <p>机构</p></th><td>&nbsp;</td><td>\u3000 </td><td><span style="x"> 1</span><span>2 </span></td>
      <td>不予
         公开</td><td>6187.4<br>万元</td><td>12<br>34</td></tr></table>"""
    rows, _ = rows_of(page)
    assert texts(rows, TABLE) == [["本年新制作数量", "法律服务机构", "", "", "12", "不予公开", "6187.4万元", "1234"]]  # a number wrapped over two lines is one number


def test_cell_line_numbers_are_source_lines():
    page = "<html><body>\n<p>一、总体情况</p>\n<table>\n<tr><td>规章</td>\n<td>5</td></tr></table></body></html>"
    rows, _ = rows_of(page)
    assert [(c.text, c.line) for r in rows for c in r.cells] == [("一、总体情况", 2), ("规章", 4), ("5", 5)]


def test_br_splits_prose_lines():
    rows, _ = rows_of("<div>一、总体情况<br>\n（一）主动公开<span>情况</span></div><p>正文</p>")
    assert [(r.kind, r.text, r.cells[0].line) for r in rows] == [
        (TEXT, "一、总体情况", 1), (TEXT, "（一）主动公开情况", 2), (TEXT, "正文", 2)]


# --- encodings --------------------------------------------------------------------------------------

BODY = "<html><head>{meta}<title>年度报告</title></head><body><p>总体情况</p></body></html>"


@pytest.mark.parametrize("encoding,meta,note", [
    ("utf-8", '<meta charset="utf-8">', None),
    ("utf-8", "", None),
    ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', None),
    ("gbk", "", None),
    ("gb18030", '<meta charset="GBK">', None),
    ("utf-8", '<meta charset="gbk">', "declared gbk, bytes are utf-8"),
    ("gbk", "<meta charset='utf-8'>", "declared utf-8, bytes are gb18030"),
    ("utf-8", '<meta charset="iso-8859-1">', "declared iso-8859-1, bytes are utf-8"),
])
def test_encoding_decided_from_bytes(encoding, meta, note):
    rows, src = rows_of(BODY.format(meta=meta).encode(encoding))
    assert texts(rows) == [["年度报告"], ["总体情况"]]
    notes = [n for n in src.notes if n[1] == "charset_mismatch"]
    assert notes == ([("info", "charset_mismatch", note)] if note else [])


def test_bom_wins_and_mismatch_is_noted():
    rows, src = rows_of(b"\xef\xbb\xbf" + BODY.format(meta='<meta charset="gb2312">').encode("utf-8"))
    assert texts(rows)[1] == ["总体情况"]
    assert ("info", "charset_mismatch", "declared gb2312, bytes are utf-8") in src.notes
    rows, src = rows_of(b"\xff\xfe" + BODY.format(meta="").encode("utf-16-le"))
    assert texts(rows)[1] == ["总体情况"] and src.encoding == "utf-16"


def test_ascii_page_never_mismatches():
    _, src = rows_of(b'<html><head><meta charset="gbk"></head><body><p>2023</p></body></html>')
    assert src.notes == []


def test_declared_charset_forms():
    assert declared_charset(b'<meta http-equiv="content-type" content="text/html;charset=GB2312" />') == "gb2312"
    assert declared_charset(b"<meta charset=utf-8>") == "utf-8"
    assert declared_charset(b'<?xml version="1.0" encoding="GBK"?><html>') == "gbk"
    assert declared_charset(b"<html><body>charset=gbk</body>") is None


def test_undecodable_bytes_are_unreadable():
    junk = bytes(range(128, 256)) * 64
    with pytest.raises(UnreadableInput):
        html.parse(Source(b"<html><body>" + junk + b"</body></html>", name="junk.html"))


def test_a_few_bad_bytes_are_replaced_with_a_warning():
    page = ("<html><body><p>" + "政府信息公开" * 300 + "</p>").encode("utf-8") + b"\xff\xfe\xfd" + b"</body></html>"
    rows, src = rows_of(page)
    assert rows[0].text.startswith("政府信息公开")
    assert [n[:2] for n in src.notes] == [("warning", "invalid_bytes")]


# --- page chrome ------------------------------------------------------------------------------------

def test_chrome_is_skipped_and_metadata_is_prose():
    page = """<!DOCTYPE html><html><head><title>报告_门户网站</title>
    <script>document.write("<table><tr><td>9</td></tr></table>")</script><style>td{color:red}</style></head>
    <body><nav><a>首页</a></nav><div class="top-nav"><ul><li>政务公开</li></ul></div>
    <div id="breadcrumb">当前位置：首页</div>
    <table class="info"><tr><td>索引号：</td><td>001/2024-1</td><td>发布机构：</td><td>某县人民政府</td></tr>
      <tr><td>成文日期：</td><td>2024-01-10</td></tr></table>
    <div class="article"><p>一、总体情况</p><table><tr><td>规章</td><td>1</td></tr></table></div>
    <div class="bdsharebuttonbox">分享到：<a>微信</a></div><div style="display:none">隐藏</div>
    <div class="footer">主办：某县人民政府办公室</div><noscript>请启用脚本</noscript>
    <select><option>友情链接</option></select></body></html>"""
    rows, _ = rows_of(page)
    assert [(r.kind, [c.text for c in r.cells]) for r in rows] == [
        (TEXT, ["报告_门户网站"]),
        (TEXT, ["索引号： 001/2024-1 发布机构： 某县人民政府"]),
        (TEXT, ["成文日期： 2024-01-10"]),
        (TEXT, ["一、总体情况"]),
        (TABLE, ["规章", "1"]),
    ]


def test_long_content_with_a_chrome_like_class_is_kept():
    prose = "政府信息公开工作取得新进展。" * 200
    rows, _ = rows_of(f'<div class="main-nav-content"><p>{prose}</p><table><tr><td>规章</td><td>1</td></tr></table></div>')
    assert rows[0].text == prose and texts(rows, TABLE) == [["规章", "1"]]


def test_a_report_table_inside_a_chrome_like_wrapper_is_kept():
    rows_html = "".join(f"<tr><td>{i}.行</td>" + "<td>0</td>" * 7 + "</tr>" for i in range(6))
    rows, _ = rows_of(f'<div class="share-content"><table>{rows_html}</table></div>')
    assert len(texts(rows, TABLE)) == 6


def test_preformatted_text_keeps_its_lines():
    rows, _ = rows_of("<body><p>标题</p>\n<pre>\n一、总体情况\n规章 | 0 | 1\n\n  二、主动公开 </pre></body>")
    assert [(r.kind, r.text, r.cells[0].line) for r in rows] == [
        (TEXT, "标题", 1), (TEXT, "一、总体情况", 3), (TEXT, "规章 | 0 | 1", 4), (TEXT, "二、主动公开", 6)]


def test_innermost_tables_are_the_data():
    page = """<table width="100%"><tr><td>导航</td></tr><tr><td>
      <table><tr><td><p>二、主动公开政府信息情况</p>
        <table border="1"><tr><td>规章</td><td>3</td></tr></table>
        <p>三、收到和处理政府信息公开申请情况</p></td></tr></table>
    </td></tr></table>"""
    rows, _ = rows_of(page)
    assert [(r.kind, r.text) for r in rows] == [
        (TEXT, "导航"), (TEXT, "二、主动公开政府信息情况"), (TABLE, "规章 3"), (TEXT, "三、收到和处理政府信息公开申请情况")]


def test_a_table_holding_prose_is_read_as_prose():
    prose = "本年度，我县认真贯彻落实《中华人民共和国政府信息公开条例》。" * 12
    rows, _ = rows_of(f"<table><tr><td><p>一、总体情况</p><p>{prose}</p></td></tr></table>")
    assert texts(rows) == [["一、总体情况"], [prose]]
    assert all(r.kind == TEXT for r in rows)


def test_caption_is_a_text_row_before_the_table():
    rows, _ = rows_of("<table><caption>四、行政复议</caption><tr><td>0</td></tr></table>")
    assert [(r.kind, r.text) for r in rows] == [(TEXT, "四、行政复议"), (TABLE, "0")]


def test_entities_are_not_resolved_and_nothing_is_fetched():
    page = ('<!DOCTYPE html SYSTEM "http://127.0.0.1:9/x.dtd" [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<html><body><p>a&xxe;b</p><img src="http://127.0.0.1:9/x.png"><iframe src="file:///etc/passwd">'
            '</iframe><p>&amp;&nbsp;c</p></body></html>')
    rows, _ = rows_of(page)
    assert "root:" not in " ".join(r.text for r in rows)
    assert rows[-1].text == "& c"


# --- detect and bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("data,low,high", [
    (b"<!DOCTYPE html><html><body></body></html>", 0.95, 1.0),
    (b"\xef\xbb\xbf\n  <html><head>", 0.95, 1.0),
    (b"<!-- saved from url=(0030)http://www.example.gov.cn/ -->\n<html>", 0.9, 1.0),
    (b"<div><table><tr><td>1</td></tr></table></div>", 0.9, 1.0),
    (b"# Report\n\n<table><tr><td>1</td></tr></table>", 0.9, 0.9),
    (b"Report saved by hand\n<BODY><p>x", 0.9, 0.9),
    ("一、总体情况<br>规章 0".encode(), 0.3, 0.3),
    (b"%PDF-1.7\n<html><table>", 0.0, 0.0),
    (b"PK\x03\x04\x14\x00<html>", 0.0, 0.0),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1<html>", 0.0, 0.0),
    ("一、总体情况\n规章 | 0 | 0\n".encode(), 0.0, 0.0),
])
def test_detect(data, low, high):
    assert low <= (html.detect(Source(data, name="x.html")) or 0.0) <= high


def test_detect_never_raises():
    class Broken:
        name = "x"

        @property
        def head(self):
            raise OSError("gone")
    assert html.detect(Broken()) == 0.0


@pytest.mark.parametrize("data", [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", b"PK\x03\x04rest", b"<html>\x00\x00\x00</html>"])
def test_binary_data_named_html_is_unreadable(data):
    with pytest.raises(UnreadableInput) as e:
        html.parse(Source(data, name="report.html"))
    assert "\n" not in str(e.value) and "report.html" in str(e.value)


def test_empty_document_is_unreadable():
    with pytest.raises(UnreadableInput):
        html.parse(Source(b"<!-- nothing -->", name="e.html"))


# --- speed ------------------------------------------------------------------------------------------

@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
def test_a_100kb_page_parses_in_milliseconds():
    gold = json.loads(SEEDS[0].read_text(encoding="utf-8"))
    page = render_html(gold, "word")
    page = page.replace(b"</body>", b"<p>" + "政务公开".encode() * 4000 + b"</p></body>")
    assert len(page) > 100_000
    best = min(_timed(lambda: html.parse(Source(page, name="p.html"))) for _ in range(5))
    assert best < 0.05, f"{best * 1000:.1f} ms"


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# --- whole reports ----------------------------------------------------------------------------------





VARIANTS = [(style, "utf-8", "same", False) for style in STYLES] + [
    ("cms", "gbk", "same", False), ("layout", "gbk", None, False), ("word", "utf-8", None, False),
    ("cms", "utf-8", "gbk", True), ("layout", "gbk", "utf-8", False)]


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_reports_render_and_parse_exactly(seed, tmp_path):
    score, parse = shared_score(), core_parse
    gold = json.loads(seed.read_text(encoding="utf-8"))
    for style, encoding, declare, bom in VARIANTS:
        data = render_html(gold, style, encoding, declare, bom)
        path = tmp_path / f"{seed.stem}.{style}.{encoding}.html"
        path.write_bytes(data)
        out = parse(path).to_dict()
        variant = f"{style}/{encoding}/declared {declare}"
        assert out["meta"]["layout"] == "html", variant
        _cells, wrong, _flagged, _kinds = score.compare(gold, out)
        assert not wrong, f"{variant}: {wrong[:5]}"
        bad = [d for d in out["diagnostics"] if d.get("level") in ("warning", "error")]
        assert not bad, f"{variant}: {bad}"
        mismatch = [d for d in out["diagnostics"] if d.get("code") == "charset_mismatch"]
        assert bool(mismatch) == (declare not in ("same", None)), f"{variant}: {out['diagnostics']}"


def test_deep_nesting_is_read_or_reported():
    def page(depth):
        return ("<p>a</p><table><tr><td>" + "<font>" * depth + "x" + "</font>" * depth
                + "</td><td>1</td></tr></table><p>z</p>")
    rows, src = rows_of(page(400))  # past libxml2's default limit of 256
    assert texts(rows) == [["a"], ["x", "1"], ["z"]] and src.notes == []
    rows, src = rows_of(page(5000))
    assert [n[:2] for n in src.notes] == [("warning", "html_truncated")]


@pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")
def test_damaged_pages_fail_only_with_unreadable_input():
    gold = json.loads(SEEDS[-1].read_text(encoding="utf-8"))
    bases = [render_html(gold, style, enc) for style in STYLES for enc in ("utf-8", "gbk")]
    for data in damaged_copies(bases, 150, seed=3, max_flips=40):
        src = Source(bytes(data), name="d.html")
        assert 0.0 <= (html.detect(src) or 0.0) <= 1.0
        try:
            html.parse(src)
        except UnreadableInput as e:
            assert "\n" not in str(e)


def test_section_four_with_header_and_data_spans_out_of_step_is_read(registry):
    """A saved page whose 行政复议/行政诉讼 header spans and data cells disagree (a data cell spanning two
    columns): the one row printing fifteen values is read, the grid's empty cells are no blanks."""
    from core.api import parse
    values = [2, 1, 0, 0, 3, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0]
    cells = "".join(f'<td colspan="2">{v}</td>' if i in (3, 9) else f"<td>{v}</td>" for i, v in enumerate(values))
    page = ("<html><body><p>某县2023年政府信息公开工作年度报告</p><p>一、总体情况</p><p>本年度工作有序开展。</p>"
            "<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>一、本年新收政府信息公开申请数量</td>"
            + "<td>0</td>" * 7 + "</tr></table><p>四、政府信息公开行政复议、行政诉讼情况</p><table>"
            '<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>'
            + "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 3 + "</tr>"
            + f"<tr>{cells}</tr></table><p>五、存在的主要问题及改进情况</p><p>无。</p></body></html>")
    report = parse(page.encode("utf-8"), name="p.html", registry=registry)
    got = [report.review_litigation[g][c] for g in ("review", "litigation_direct", "litigation_after_review")
           for c in ("upheld", "corrected", "other", "pending", "total")]
    assert got == values
