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
            "\f正文三\n3\n7\n3\f第 4 页 共 4 页")
    lines = page_lines(text.split("\n"))
    drop = furniture(lines)
    kept = [ln.text.strip() for i, ln in enumerate(lines) if i not in drop and ln.text.strip()]
    # the bare "2" ends page 2 and the last "3" is page 3's number; "0", the first "3" and "7" are data
    assert kept == ["某某县2023年政府信息公开工作年度报告", "正文第一行", "0", "第二页正文", "正文三", "3", "7"]
    assert [ln.page for ln in lines if ln.text.strip() == "第二页正文"] == [2]


def test_a_bare_number_ending_a_page_that_prints_its_number_is_a_cell():
    # page 2 prints "- 2 -"; the "2" after it, its last line, is a table cell (a page is numbered once)
    text = ("某某县2023年政府信息公开工作年度报告\n正文一\n正文二\n正文三\n"
            "\f第二页正文\n- 2 -\n20\n2\n\f某某县2023年政府信息公开工作年度报告\n5")
    lines = page_lines(text.split("\n"))
    kept = [ln.text.strip() for i, ln in enumerate(lines) if i not in furniture(lines) and ln.text.strip()]
    assert kept == ["某某县2023年政府信息公开工作年度报告", "正文一", "正文二", "正文三", "第二页正文", "20", "2", "5"]


def test_section_headings_are_told_from_rows_numbered_like_them():
    assert section_heading("三、收到和处理政府信息公开申请情况") == "applications"
    assert section_heading("四、政府信息公開行政復議、行政訴訟情況") == "review_litigation"
    assert section_heading("四、结转下年度继续办理") is None
    assert section_heading("三、本年度办理结果") is None
    assert section_heading("一、本年新收政府信息公开申请数量") is None


# --- space-aligned: damage of poppler's -layout output -------------------------------------------------

def _table_rows(text: str) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in space_aligned.parse(Source.from_text(text))]


def test_a_number_wrapped_in_a_narrow_cell_is_joined():
    # LibreOffice's narrow columns break a 4-digit count between its digits; the row's other cells,
    # centred, stand on the line between the two pieces
    text = (
        "                          402                               413\n"
        "一、本年新收政府信息公开申请数量              53       0     0    61   4\n"
        "                          7                                 3\n"
        "二、上年结转政府信息公开申请数量          34  0        0     0    0    0    34\n"
    )
    rows = _table_rows(text)
    assert rows[0] == ["一、本年新收政府信息公开申请数量", "4027", "53", "0", "0", "61", "4", "4133"]
    assert rows[1][0].startswith("二、")


def test_values_above_and_below_a_row_that_do_not_pair_are_not_joined():
    # the pieces must start at the same column: otherwise they are cells of rows of their own
    text = (
        "                          402                               413\n"
        "一、本年新收政府信息公开申请数量              53       0     0    61   4\n"
        "                                   7                        3\n"
    )
    assert not any("4027" in r for r in _table_rows(text))


def test_rows_printed_column_by_column_are_put_back_row_by_row():
    # poppler made a block of each column of three one-line rows and printed the blocks one after
    # another; in the second column the middle value went to a block of its own (a gap of two rows)
    labels = ["6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
    lines = ["           5.属于三类内部事务信息     31         0    34      2            25   17    109", ""]
    for lab in labels:
        lines += ["           " + lab, ""]
    lines.pop()
    cols = [(28, ["21", "0", "33"]), (35, ["34", None, "34"]), (44, ["12", "27", "38"]),
            (52, ["27", "12", "19"]), (65, ["3", "0", "36"]), (70, ["17", "0", "0"]),
            (77, ["114", "39", "160"])]
    for at, vals in cols:
        if None in vals:
            lines += [" " * at + vals[0], "", "", "", " " * at + vals[2], " " * (at + 4) + "0"]
            continue
        for v in vals:
            lines += [" " * at + v, ""]
        lines.pop()
    lines.append("           1.本机关不掌握相关政府信息    32         0    35      3            23   12    105")
    rows = _table_rows("\n".join(lines) + "\n")
    got = {r[0]: r[1:] for r in rows if r and r[0] in labels}
    assert got == {
        labels[0]: ["21", "34", "12", "27", "3", "17", "114"],
        labels[1]: ["0", "0", "27", "12", "0", "0", "39"],
        labels[2]: ["33", "34", "38", "19", "36", "0", "160"],
    }


def test_a_transposed_run_with_a_value_missing_is_left_as_printed():
    # one value short of a full column: which row lacks it is not decided, so nothing is moved
    lines = ["           5.属于三类内部事务信息     31         0    34      2            25   17    109", "",
             "           6.属于四类过程性信息", "", "           7.属于行政执法案卷", ""]
    for at, vals in [(28, ["21", "0"]), (35, ["34"]), (44, ["12", "27"])]:
        for v in vals:
            lines += [" " * at + v, ""]
    rows = _table_rows("\n".join(lines) + "\n")
    assert ["6.属于四类过程性信息"] in rows
    assert [len(r) for r in rows if len(r) > 2] == [8]  # only row 5 has its values


def test_the_glyphs_of_a_diagonal_watermark_are_dropped():
    # "公开发布样稿" drawn large and turned on every page: one glyph a line, the columns moving left as
    # the lines go down, alone, beside a row's values or glued to a value it overlaps ("样2", "发7")
    page1 = [
        "                   青岚县人民政府政府信息公开工作年度报告",
        "                                         稿",
        "",
        "                                        样",
        "                            布",
        "     一、总体情况",
        "                        发",
        "     2023年，青岚县人民政府通过政府网站主动公开政府信息1268条。",
        "               开",
        "              公",
    ]
    page2 = [
        "                                                                        稿",
        "                 3.其他                    0          0",
        "                                                              样2        22        36        27          87",
        "",
        "    （七）总计                               277",
        "                                               布   310        289       305    275          204        1660",
        "",
        "四、结转下年度继续办理",
        "",
        "                                        发7          6          7         9        0          0          29",
        "",
        "                             开",
        "                            公",
    ]
    text = "\n".join(page1) + "\n\f" + "\n".join(page2) + "\n"
    rows = _table_rows(text)
    assert not any(c[:1] in "稿样布发开公" for r in rows for c in r)
    assert ["3.其他", "0", "0", "2", "22", "36", "27", "87"] in rows
    assert ["四、结转下年度继续办理", "7", "6", "7", "9", "0", "0", "29"] in rows


def test_lone_characters_of_one_page_are_not_a_watermark():
    # a group label printed down the side of the table, a character a line in one column, is kept
    text = "".join(f"{ch}          {i}.某某事项   {i}   0   {i}\n" for i, ch in enumerate("三本年度办理结果", 1))
    rows = _table_rows(text)
    assert any("三本年度办理结果" in c for r in rows for c in r)


def test_a_row_label_spanning_both_label_columns_takes_the_values_below_it():
    # "（七）总计" stands left of the row labels, in the group labels' column; one value is level
    # with it and the rest on the line below
    text = (
        "                 3.其他                    0          0        2        22        36        27          87\n"
        "\n"
        "    （七）总计                               277\n"
        "                                                    310        289       305    275          204        1660\n"
    )
    rows = _table_rows(text)
    assert ["277", "310", "289", "305", "275", "204", "1660"] in [r[-7:] for r in rows]


def test_a_watermark_is_found_past_a_group_labels_character_and_after_a_heading():
    # page 2: a group label's last character ("开" of （三）不予公开) lies below the watermark's, making
    # the page's longest chain one longer; page 3: the last glyph one space after a heading
    page1 = ["     一、总体情况", "                                         稿", "                                        样",
             "                            布", "                        发", "               开", "              公"]
    page2 = [
        "                                                          稿",
        "一、本年新收政府信息公开申请数量           27     26      38     27    22     26    166",
        "                                                  样",
        "                                  布",
        "                           发",
        "               开",
        "              公",
        "    （三）不予公 1.属于国家秘密         0          4           37      1           0           38           80",
        "    开",
    ]
    page3 = ["                                                                     稿",
             "                                                           样",
             "                                            布",
             "                                     发",
             "                      开",
             "      五、存在的主要问题及改进情况 公",
             "      一是政策解读形式比较单一。"]
    text = "\n\f".join("\n".join(p) for p in (page1, page2, page3)) + "\n"
    rows = _table_rows(text)
    assert not any(c in "稿样布发" for r in rows for c in r)
    assert ["五、存在的主要问题及改进情况"] in rows
    assert any(c.startswith("（三）不予公开") or c == "开" for r in rows for c in r)  # the group's kept


def test_transposed_rows_of_unequal_height():
    # the first label wrapped (its end printed above it), so the labels are three lines apart while
    # each column's two values are two lines apart
    text = "\n".join([
        "           1.属于国家秘密        0          0          0      0           0        0          0",
        "",
        "",
        "           公开",
        "           2.其他法律行政法规禁止",
        "",
        "",
        "           3.危及“三安全一稳定”",
        "                           4", "", "                           1",
        "                                      0", "", "                                      5",
        "                                                 2", "", "                                                 0",
        "                                                        0", "", "                                                        0",
        "                                                                    3", "", "                                                                    1",
        "                                                                             0", "", "                                                                             0",
        "                                                                                        9", "", "                                                                                        7",
    ]) + "\n"
    rows = _table_rows(text)
    assert ["3.危及“三安全一稳定”", "1", "5", "0", "0", "1", "0", "7"] in rows
    assert any(r[0].startswith("2.其他法律行政法规禁止") and r[1:] == ["4", "0", "2", "0", "3", "0", "9"] for r in rows)


def _transposed(col2: list[str]) -> str:
    """Three rows printed column by column; the second column as given (lines, "" for an empty one)."""
    lines = ["           5.属于三类内部事务信息     0      20       30      0            0     0     50", "",
             "           6.属于四类过程性信息", "", "           7.属于行政执法案卷", "", "           8.属于行政查询事项"]
    cols = [(28, ["25", "15", "23"]), None, (44, ["37", "0", "5"]), (52, ["0", "22", "32"]),
            (65, ["0", "0", "0"]), (70, ["12", "29", "34"]), (76, ["100", "66", "94"])]
    for col in cols:
        if col is None:
            lines += col2
            continue
        at, vals = col
        for v in vals:
            lines += [" " * at + v, ""]
        lines.pop()
    return "\n".join(lines) + "\n"


def test_transposed_blocks_that_fit_two_ways_are_told_by_the_row_totals():
    # "26" and the block "0"/"0" of the second column could fill its rows either way: only one makes
    # each row's 总计 the sum of its cells
    rows = _table_rows(_transposed(["                                   26", "",
                                    "                                       0", "",
                                    "                                       0"]))
    got = {r[0]: r[1:] for r in rows if r[0][:2] in ("6.", "7.", "8.")}
    assert got["6.属于四类过程性信息"] == ["25", "26", "37", "0", "0", "12", "100"]
    assert got["8.属于行政查询事项"] == ["23", "0", "5", "32", "0", "34", "94"]


def test_transposed_blocks_the_totals_do_not_tell_apart_are_left_as_printed():
    # both ways of the second column fit no row total: nothing is moved
    rows = _table_rows(_transposed(["                                   9", "",
                                    "                                       0", "",
                                    "                                       0"]))
    assert ["6.属于四类过程性信息"] in rows


def test_a_blank_cell_is_placed_by_the_full_rows_around_it():
    text = (
        "          2.其他法律行政法规禁止公开  39         8    0       13           0    10    70\n"
        "\n"
        "          3.危及“三安全一稳定”    12     40       12      0                 23    87\n"
        "\n"
        " （三）不予公 4.保护第三方合法权益       9      21       38      38           0    22    128\n"
    )
    rows = _table_rows(text)
    assert ["3.危及“三安全一稳定”", "12", "40", "12", "0", "", "23", "87"] in rows


def test_a_short_row_whose_values_fall_between_the_columns_is_left_as_printed():
    # "23" lies between two columns of the rows around it: which cell is blank is not decided here
    text = (
        "          2.其他法律行政法规禁止公开  39         8    0       13           0    10    70\n"
        "          3.危及“三安全一稳定”    12     40       12      0              23      87\n"
        " （三）不予公 4.保护第三方合法权益       9      21       38      38           0    22    128\n"
    )
    rows = _table_rows(text)
    assert ["3.危及“三安全一稳定”", "12", "40", "12", "0", "23", "87"] in rows


def test_no_blank_is_made_while_values_without_a_label_lie_near():
    # the row's missing value may be the one printed on a line of its own below it
    text = (
        "          2.其他法律行政法规禁止公开  39         8    0       13           0    10    70\n"
        "          3.危及“三安全一稳定”    12     40       12      0                 23    87\n"
        "                                               5          6\n"
        " （三）不予公 4.保护第三方合法权益       9      21       38      38           0    22    128\n"
    )
    rows = _table_rows(text)
    assert not any("" in r for r in rows)


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


def test_plain_text_drops_the_glyphs_of_a_watermark_found_once_on_every_page():
    # real poppler shape (word-style PDF, plain pdftotext): each glyph of "公开发布样稿" a line of its own
    # starting a block, between paragraphs or among the cells, not always in the watermark's order; a
    # label's last character printed alone below the label ("开" of （三）不予公开) is no glyph
    page1 = "一、总体情况\n\n稿\n\n全年共收到申请4件。\n\n样\n\n布\n\n（二）依申请公开\n\n发\n\n开\n公\n\n"
    page2 = (
        "三、收到和处理政府信息公开申请情况\n\n1.属于国家秘密\n\n0\n\n发\n\n0\n\n"
        "（三）不予公 4.保护第三方合法权益\n开\n5.属于三类内部事务信息\n\n开\n公\n\n稿\n\n样\n\n布\n0\n\n"
    )
    page3 = "四、政府信息公开行政复议、行政诉讼情况\n\n0\n\n开\n公\n\n发\n\n样\n\n布\n\n稿\n\n0\n"
    rows = line_cells.parse(Source.from_text(page1 + "\f" + page2 + "\f" + page3))
    texts = [r.cells[0].text for r in rows]
    assert texts.count("开") == 1 and "（三）不予公" in texts[texts.index("开") - 1]
    assert not any(t in {"稿", "样", "布", "发", "公"} for t in texts)
    assert texts.count("0") == 5


def test_plain_text_keeps_lone_characters_not_found_on_most_pages():
    # a group label printed a character a line on one page only is no watermark
    text = "三、收到和处理政府信息公开申请情况\n\n本\n\n年\n\n度\n\n1\n\n2\n\n\f结果\n\n3\n\n4\n\n\f结果\n\n5\n"
    texts = [r.cells[0].text for r in line_cells.parse(Source.from_text(text))]
    assert ["本", "年", "度"] == [t for t in texts if t in "本年度"]
