"""Text out of PDFs: ``pdftotext -layout`` (space-aligned) and plain ``pdftotext`` or copy-paste
(line-cells): what the text layouts claim, and the helpers they share (page furniture, section headings).

The parses of real pdftotext output (every seed and real gold through render_pdf.py and the LibreOffice-
filled template, vertical group labels, wrapped labels, page breaks with page numbers and running headers,
repeated header rows, displaced labels, blank columns) are in test_real_tools.py, on the output of the
real tools: an imitation of pdftotext used to stand in for it here and was removed."""
from __future__ import annotations

import json

import pytest
from conftest import CORPUS, SEEDS, SHARED, load_gold, seed_cases

from core.source import Source
from zfxxgk_layouts import line_cells, space_aligned
from zfxxgk_layouts._pdftext import furniture, page_lines, section_heading
from tests.generators.render_text import LAYOUTS
from tests.generators.render_text import render as render_text

GOLDS = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]

# --- detection: the new layouts take only their own text ------------------------------------------------

def _text_files():
    files = [p for p in SEEDS.glob("*") if p.is_file()] if SEEDS.is_dir() else []
    files += sorted((CORPUS / "cases").iterdir())
    real = SHARED / "real"
    if real.is_dir():
        files += sorted(p for p in real.iterdir() if p.is_file())
    return files


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: p.name)
def test_other_files_are_not_taken(path):
    source = Source.from_path(path)
    want = json.loads((CORPUS / "expected" / f"{path.stem}.json").read_text(encoding="utf-8")).get("layout") \
        if (CORPUS / "expected" / f"{path.stem}.json").exists() else None
    for plugin in (space_aligned, line_cells):
        if want == plugin.core_layouts()[0].name:
            continue
        assert not plugin.detect(source), (plugin.__name__, path.name)


@pytest.mark.skipif(not GOLDS, reason="../shared/seeds is not beside the project")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_other_text_layouts_are_not_taken(layout):
    for gold_path in GOLDS:
        source = Source.from_text(render_text(load_gold(gold_path), layout))
        assert not space_aligned.detect(source)
        assert not line_cells.detect(source)


def test_detect_does_not_fail_on_odd_input():
    for data in (b"\x00\x01binary", b"%PDF-1.4 ...", b"   \n\n", "一、\f\f\n  0  0  0\n".encode()):
        source = Source(data)
        for plugin in (space_aligned, line_cells):
            score = plugin.detect(source)
            assert score is None or 0.0 <= score <= 1.0


# --- page furniture and headings ------------------------------------------------------------------------

def test_page_numbers_and_running_headers_are_dropped():
    text = ("某某县2023年政府信息公开工作年度报告\n正文第一行\n0\n- 1 -\n"
            "\f某某县2023年政府信息公开工作年度报告\n第二页正文\n2\n"
            "\f第 3 页 共 4 页\n3\n7\n3")
    lines = page_lines(text.split("\n"))
    drop = furniture(lines)
    kept = [ln.text.strip() for i, ln in enumerate(lines) if i not in drop and ln.text.strip()]
    # the bare "2" ends page 2 and the last "3" is page 3's number; "0", the first "3" and "7" are data
    assert kept == ["某某县2023年政府信息公开工作年度报告", "正文第一行", "0", "第二页正文", "3", "7"]
    assert [ln.page for ln in lines if ln.text.strip() == "第二页正文"] == [2]


def test_section_headings_are_told_from_rows_numbered_like_them():
    assert section_heading("三、收到和处理政府信息公开申请情况") == "applications"
    assert section_heading("四、政府信息公開行政復議、行政訴訟情況") == "review_litigation"
    assert section_heading("四、结转下年度继续办理") is None
    assert section_heading("三、本年度办理结果") is None
    assert section_heading("一、本年新收政府信息公开申请数量") is None


# --- plain pdftotext: how poppler's block order is read --------------------------------------------------

def _plain(*blocks: str) -> str:
    """Text in plain pdftotext's shape: blocks of lines, a blank line between blocks."""
    return "\n\n".join(blocks) + "\n"


def _s2(text: str) -> dict:
    from core.api import parse

    return parse(text, layout="line-cells").to_dict()


def test_a_section_2_column_printed_as_a_block_after_its_rows():
    # real poppler shape (the official template of 2021): the third column's header after the rows,
    # its two cells one block, top to bottom
    head = _plain("某某县人民政府2023年政府信息公开工作年度报告", "一、总体情况",
                  "本年度，某某县人民政府认真贯彻落实《中华人民共和国政府信息公开\n"
                  "条例》，坚持以公开为常态、不公开为例外，围绕县委县政府中心工作，\n"
                  "不断加大政府信息公开力度，全面推进决策、执行、管理、服务、结果\n公开。",
                  "二、主动公开政府信息情况")
    table = _plain("第二十条第（一）项\n信息内容", "本年制发件数", "本年废止件数", "规章", "3", "1",
                   "行政规范性文件", "5", "0", "现行有效件数", "12\n40")
    tail = _plain("第二十条第（五）项\n信息内容", "行政许可", "本年处理决定数量", "170",
                  "四、政府信息公开行政复议、行政诉讼情况", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                  "五、存在的主要问题及改进情况", "一是公开质量有待提高。")
    data = _s2(head + "\n" + table + "\n" + tail)
    s2 = data["active_disclosure"]
    assert [s2[f"regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [3, 1, 12]
    assert [s2[f"normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == [5, 0, 40]
    # a block under a header printed before the rows (a column read both ways) is not that column
    table = _plain("第二十条第（一）项\n信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "规章", "3", "1",
                   "行政规范性文件", "5", "0", "现行有效件数", "12\n40")
    s2 = _s2(head + "\n" + table + "\n" + tail)["active_disclosure"]
    assert s2["regulations.in_force"] is None and s2["normative_documents.in_force"] is None


def _report(*section_4: str) -> dict:
    head = _plain("某某县人民政府2023年政府信息公开工作年度报告", "一、总体情况",
                  "本年度，某某县人民政府认真贯彻落实《中华人民共和国政府信息公开\n"
                  "条例》，坚持以公开为常态、不公开为例外，围绕县委县政府中心工作，\n"
                  "不断加大政府信息公开力度，全面推进决策、执行、管理、服务、结果\n公开。",
                  "二、主动公开政府信息情况", "第二十条第（五）项\n信息内容", "行政许可", "本年处理决定数量", "170")
    tail = _plain("五、存在的主要问题及改进情况", "一是公开质量有待提高。")
    return _s2(head + "\n" + _plain("四、政府信息公开行政复议、行政诉讼情况", *section_4) + "\n" + tail)


def test_a_number_wrapped_in_its_narrow_section_4_cell():
    # real poppler shape (the official template, numbers of three digits): "17" over "8" in one block
    header = ("行政复议", "行政诉讼", "结果\n结果\n其他\n尚未\n维持\n纠正\n结果\n审结")
    s4 = _report(*header, "52", "30", "12\n6", "7", "未经复议直接起诉\n总计", "21\n5",
                 "结果\n结果\n其他\n尚未\n维持\n纠正\n结果\n审结", "3", "1", "0", "2", "复议后起诉\n总计", "6",
                 "结果\n结果\n其他\n尚未\n维持\n纠正\n结果\n审结", "0", "1", "1", "0", "2")["review_litigation"]
    assert s4["review"] == {"upheld": 52, "corrected": 30, "other": 126, "pending": 7, "total": 215}
    assert s4["litigation_direct"]["total"] == 6 and s4["litigation_after_review"]["total"] == 2
    # joined, "12" and "6" would break the group's sum: the pieces stay unread, never a guess
    data = _report(*header, "52", "30", "12\n6", "7", "未经复议直接起诉\n总计", "21\n4",
                   "结果\n结果\n其他\n尚未\n维持\n纠正\n结果\n审结", "3", "1", "0", "2", "复议后起诉\n总计", "6",
                   "结果\n结果\n其他\n尚未\n维持\n纠正\n结果\n审结", "0", "1", "1", "0", "2")
    review = data["review_litigation"]["review"]
    assert review["other"] is None and review["total"] is None
    assert any(d["code"] == "cell_not_read" and d["where"] == "review_litigation.review.other"
               for d in data["diagnostics"])


def test_a_tall_cell_printed_after_the_page_s_last_line_ends_at_the_page_break():
    # real poppler shape: section 四's last total ("总计" over "0") printed after the page's footer, and a
    # short line of section 六 at the top of the next page
    text = ("四、政府信息公开行政复议、行政诉讼情况\n\n复议后起诉\n\n0\n\n0\n\n0\n\n0\n\n"
            "五、存在的主要问题及改进情况\n本年度政府信息公开工作取得一定成效，但仍存在一些不足：一是政策解\n"
            "读形式比较单一，图解、视频等解读方式运用较少；二是基层公开工作人员变\n动较大。\n"
            "下一步，将丰富政策解读形式，加强业务培训和督促检查，进一步提升政\n务公开工作水平。\n"
            "六、其他需要报告的事项\n依据《政府信息公开信息处理费管理办法》，本机关未收取信\n息处理费。\n"
            "第4页\n\n总计\n\n3\n\n\f本年度无其他需要报告的事项。\n\n第5页\n")
    rows = line_cells.parse(Source.from_text(text))
    texts = [(r.kind, r.cells[0].text) for r in rows]
    five = texts.index(("text", "五、存在的主要问题及改进情况"))
    # the page's last cells are read right after the table's, before 五; the next page's line stays in 六
    assert texts[five - 2 : five] == [("cell", "总计"), ("cell", "3")]
    assert texts[-1] == ("text", "本年度无其他需要报告的事项。")


def test_small_section_2_tables_whose_titles_and_labels_follow_their_values():
    # real poppler shape (a 2019 report): the values of (八) and (九), each after its column headers, at
    # the end of (六); their titles and row labels after them all
    head = _plain("某某县人民政府2019年政府信息公开工作年度报告", "一、总体情况",
                  "本年度，某某县人民政府认真贯彻落实《中华人民共和国政府信息公开\n"
                  "条例》，坚持以公开为常态、不公开为例外，围绕县委县政府中心工作，\n"
                  "不断加大政府信息公开力度，全面推进决策、执行、管理、服务、结果\n公开。",
                  "二、主动公开政府信息情况")
    six = ("第二十条第（六）项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
           "行政处罚", "35", "12", "47", "行政强制", "4", "0", "4")
    late = ("上一年项目数量", "本年增/减", "9", "3", "采购项目数量", "采购总金额", "12", "530.5万元",
            "第二十条第（八）项", "信息内容", "行政事业性收费", "第二十条第（九）项", "信息内容", "政府集中采购")
    tail = _plain("四、政府信息公开行政复议、行政诉讼情况", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
                  "五、存在的主要问题及改进情况", "一是公开质量有待提高。")
    s2 = _s2(head + "\n" + _plain(*six, *late) + "\n" + tail)["active_disclosure"]
    assert (s2["fees.previous_items"], s2["fees.change"]) == (9, 3)
    assert (s2["procurement.projects"], s2["procurement.amount"]) == (12, "530.5万元")
    assert (s2["coercion.previous_items"], s2["coercion.decisions"]) == (4, 4)
    # a run whose value is not of its column's kind (an amount among counts) is not moved: unread
    late = ("上一年项目数量", "本年增/减", "9", "530.5万元", "采购项目数量", "采购总金额", "12", "3", *late[8:])
    s2 = _s2(head + "\n" + _plain(*six, *late) + "\n" + tail)["active_disclosure"]
    assert s2.get("fees.previous_items") is None and s2.get("fees.change") is None
