"""The text layouts of web pages (browser-copy, html-source-text), each rule tried on what real headless
Chromium gives of small pages written to show it: innerText (a copy of the page) and textContent (the
source's text). Whole reports made so are in tests/test_real_tools.py and corpus/."""

from __future__ import annotations

import pytest

from core.sdk import TABLE, Source
from zfxxgk_layouts import browser_copy, html_source_text
from tests.generators import real_tools


@pytest.fixture(scope="module")
def chromium_text():
    real_tools.need("chromium")

    def text(body: str, prop: str = "innerText") -> str:
        page = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
        try:
            return real_tools.browser_text([page], prop)[0]
        except real_tools.ToolMissing as e:
            real_tools.missing(e)
            raise

    return text


def _source(text: str) -> Source:
    return Source.from_text(text, name="page.txt")


def _rows(text: str) -> list[list[str]]:
    """Every row the layout gives: a table row as its cells' texts, a line of prose as ["TEXT", text]."""
    return [
        [c.text for c in r.cells] if r.kind == TABLE else ["TEXT", r.cells[0].text]
        for r in browser_copy.parse(_source(text))
    ]


def _p(*cells: str) -> str:
    return "<tr>" + "".join(f"<td><p>{c}</p></td>" if c else "<td><p><br></p></td>" for c in cells) + "</tr>"


def test_paragraph_cells_give_their_rows_and_blank_cells(chromium_text):
    body = "<table>" + _p("规章", "12", "", "30") + _p("", "4", "5", "") + _p("行政规范性文件", "7", "8", "9") + "</table>"
    assert _rows(chromium_text(body)) == [
        ["规章", "12", "", "30"],
        ["", "4", "5", ""],
        ["行政规范性文件", "7", "8", "9"],
    ]


def test_a_cell_of_several_paragraphs_is_one_cell(chromium_text):
    body = (
        "<table>"
        "<tr><td><p>信息内容</p></td><td><p>本年制</p><p>发件数</p></td><td><p>本年废</p><p>止件数</p></td></tr>"
        "<tr><td><p>行政规</p><p>范性文件</p></td><td><p>3</p></td><td><p>1</p></td></tr>"
        "</table>"
    )
    assert _rows(chromium_text(body)) == [["信息内容", "本年制发件数", "本年废止件数"], ["行政规范性文件", "3", "1"]]


def test_prose_and_headings_close_after_a_table_are_not_its_cells(chromium_text):
    # Word-pasted pages: the paragraphs after a table come as close as a cell's own paragraphs
    body = (
        "<p>二、主动公开政府信息情况</p><table>" + _p("行政许可", "4486") + _p("行政处罚", "2816") + "</table>"
        "<p>三、收到和处理政府信息公开申请情况</p><table>" + _p("（本列数据的勾稽关系为：第一项加第二项之和）", "申请人情况")
        + _p("自然人", "总计") + "</table><p>全年共收到申请15件，均按期答复。</p>"
    )
    assert _rows(chromium_text(body)) == [
        ["TEXT", "二、主动公开政府信息情况"],
        ["行政许可", "4486"],
        ["行政处罚", "2816"],
        ["TEXT", "三、收到和处理政府信息公开申请情况"],
        ["（本列数据的勾稽关系为：第一项加第二项之和）", "申请人情况"],
        ["自然人", "总计"],
        ["TEXT", "全年共收到申请15件，均按期答复。"],
    ]


def test_a_table_of_plain_cells_keeps_one_row_a_line(chromium_text):
    body = (
        "<table><tr><td>索引号：</td><td>001/2025-01</td></tr><tr><td>发布机构：</td><td>某某县民政局</td></tr>"
        "<tr><td>发布日期：</td><td>2025-01-25</td></tr></table><p>某某县民政局2024年政府信息公开工作年度报告</p>"
        "<table>" + _p("行政许可", "6") + _p("行政强制", "2") + "</table>"
    )
    assert _rows(chromium_text(body)) == [
        ["索引号：", "001/2025-01"],
        ["发布机构：", "某某县民政局"],
        ["发布日期：", "2025-01-25"],
        ["TEXT", "某某县民政局2024年政府信息公开工作年度报告"],
        ["行政许可", "6"],
        ["行政强制", "2"],
    ]


def test_each_cell_says_the_line_it_starts_on(chromium_text):
    text = chromium_text("<table>" + _p("行政许可", "4486") + _p("行政处罚", "2816") + "</table>")
    lines = text.split("\n")
    for row in browser_copy.parse(_source(text)):
        for cell in row.cells:
            assert lines[cell.line - 1].strip() == cell.text


def test_a_copy_of_a_page_is_told_from_its_source_text(chromium_text):
    rows = "".join(_p(f"第{k}行", str(k), str(2 * k), str(3 * k)) for k in range(1, 30))
    page = f"<div>\n  <table>\n    {rows}\n  </table>\n</div>"
    copy, source_text = chromium_text(page), chromium_text(page.replace("<td>", "\n      <td>"), "textContent")
    assert browser_copy.detect(_source(copy)) > 0.5
    assert html_source_text.detect(_source(copy)) == 0.0
    assert html_source_text.detect(_source(source_text)) > 0.5
    assert browser_copy.detect(_source(source_text)) < html_source_text.detect(_source(source_text))
    cells = [r.cells[0].text for r in html_source_text.parse(_source(source_text))]
    assert cells[:4] == ["第1行", "1", "2", "3"]


def test_text_without_tables_is_not_claimed():
    assert browser_copy.detect(_source("一、总体情况\n\n\t\n\n本年度未收到申请。\n")) == 0.0
    assert html_source_text.detect(_source("一、总体情况\n\n本年度未收到申请。\n")) == 0.0
