"""Small pieces: reading cells, comparing labels, fitting values, finding headings."""
from __future__ import annotations

from dataclasses import replace as dataclass_replace

import pytest

from core.diagnostics import Notes
from core.fields import FieldPath
from core.labels import similarity
from core.placement import S3Matcher, place_active_disclosure, place_applications, place_review_litigation
from core.sheet import Sheet
from core.layout import CELL, TEXT, Cell, Row
from core.sections import split_sections
from core.tables import Slot, fit_values, table_rows
from core.text import looks_traditional, norm, split_numbering, to_simplified
from core.cells import AMOUNT, BLANK, NUMBER, LABEL, read_cell


@pytest.mark.parametrize("text, kind, value, repair", [
    ("0", NUMBER, 0, None), (" 1,234 ", NUMBER, 1234, None), ("００", NUMBER, 0, "leading_zero"),
    ("-18", NUMBER, -18, None), ("3.5", NUMBER, 3.5, None), ("", BLANK, None, None),
    ("—", BLANK, None, "dash_blank"), ("6187.4万元", AMOUNT, 6187.4, None), ("规章", LABEL, None, None),
    ("1.属于国家秘密", LABEL, None, None),
])
def test_read_cell(text, kind, value, repair):
    r = read_cell(text)
    assert (r.kind, r.value, r.repair[0] if r.repair else None) == (kind, value, repair)


def test_norm_folds_width_spaces_and_quotes():
    assert norm("（三）不予 公开") == norm("(三)不予公开")
    assert norm("3.危及“三安全一稳定”") == "3.危及三安全一稳定"
    assert split_numbering(norm("（二）部分公开")) == ("(二)", "部分公开")
    assert split_numbering(norm("四、结转下年度继续办理")) == ("四", "结转下年度继续办理")


def test_similarity_tolerates_truncation_but_not_short_prefixes():
    assert similarity("本年新", "本年新制作数量") > 80
    assert similarity("其他", "其他法律行政法规禁止公开") < similarity("其他", "其他")
    assert similarity("上年结转政府信息公开申请数量", "结转下年度继续办理") < 40


def test_script_detection_and_conversion():
    assert looks_traditional("政府信息公開工作年度報告 申請 處理 總計 結轉 復議 訴訟")
    assert not looks_traditional("政府信息公开工作年度报告 申请 处理 总计 结转")
    assert to_simplified("結轉下年度繼續辦理") == "结转下年度继续办理"


def _slots(*vals):
    return [Slot(read_cell(str(v) if v is not None else ""), Cell(str(v) if v is not None else "")) for v in vals]


def test_fit_keeps_printed_blanks_and_drops_padding():
    fit = fit_values(_slots(None, 3, 4, None, None), 3)
    assert [s.reading.value for s in fit.slots] == [None, 3, 4] and fit.note is None
    fit = fit_values(_slots(1, 2, None, None, None), 3)
    assert [s.reading.value for s in fit.slots] == [1, 2, None]


def test_fit_uses_the_rows_arithmetic_and_refuses_to_guess():
    row_sum = lambda slots: sum((s.reading.value or 0) for s in slots[:6]) == (slots[6].reading.value or 0)
    # eight equal values for seven columns: every placement agrees
    fit = fit_values(_slots(*[0] * 8), 7, row_sum)
    assert [s.reading.value for s in fit.slots] == [0] * 7 and fit.note[0] == "info"
    # six values for seven columns: placements disagree, so unknown cells stay unread
    fit = fit_values(_slots(5, 1, 0, 0, 0, 6), 7, row_sum)
    assert None in fit.slots and fit.note[0] == "warning"


def _row_sum(slots):
    return sum((s.reading.value or 0) for s in slots[:6]) == (slots[6].reading.value or 0)


def _values(fit):
    return [None if s is None else s.reading.value for s in fit.slots]


def _candidates(fit):
    return {tuple(s.reading.value for s in c): how for c, how in zip(fit.pool, fit.hows)}


def test_a_row_that_breaks_its_sum_gets_the_readings_a_converters_damage_explains_as_candidates():
    # "8722" is 87 and 22 glued, 87 the row's 总计 printed among the other columns: a candidate beside
    # the placements as printed, for the table's column sums to decide between (the document may break
    # its own sums)
    fit = fit_values(_slots(0, 0, 2, 8722, 36, 27), 7, _row_sum)
    cands = _candidates(fit)
    assert _values(fit) == [None] * 7 and fit.note[0] == "warning"
    assert (
        cands[(0, 0, 2, 22, 36, 27, 87)]
        == "with 87 and 22 glued as 8722, and 87 printed out of its column's place (column 7)"
    )
    assert sum(1 for how in cands.values() if how) == 1 and len(cands) == 8  # and the 7 places of a blank
    # the lesser damage first: a glued pair that keeps the sum in place is not moved about
    cands = _candidates(fit_values(_slots(1, 2, 3, 4, 5, 621), 7, _row_sum))
    assert [c for c, how in cands.items() if how] == [(1, 2, 3, 4, 5, 6, 21)]
    # no damage of that kind explains the row: nothing more than the placements as printed
    fit = fit_values(_slots(4, 9, 1, 50, 3, 2), 7, _row_sum)
    assert _values(fit) == [None] * 7 and fit.hows is None


def test_a_row_of_as_many_values_as_columns_keeps_its_printed_order_unless_its_sum_breaks():
    fit = fit_values(_slots(13, 13, 0, 32, 121, 37, 26), 7, _row_sum, columns_decide=True)
    assert _candidates(fit) == {
        (13, 13, 0, 32, 121, 37, 26): "",
        (13, 13, 0, 32, 37, 26, 121): "with 121 printed out of its column's place (column 7)",
    }
    fit = fit_values(_slots(1, 2, 3, 4, 5, 6, 21), 7, _row_sum, columns_decide=True)
    assert _values(fit) == [1, 2, 3, 4, 5, 6, 21] and fit.note is None
    # unless the table's column sums cannot decide: read as printed, and the checks report the broken sum
    fit = fit_values(_slots(13, 13, 0, 32, 121, 37, 26), 7, _row_sum)
    assert _values(fit) == [13, 13, 0, 32, 121, 37, 26] and fit.note is None
    # broken and not explained by a misplaced value: as printed, for the checks to report
    fit = fit_values(_slots(1, 2, 3, 4, 5, 6, 20), 7, _row_sum, columns_decide=True)
    assert _values(fit) == [1, 2, 3, 4, 5, 6, 20] and fit.note is None


def test_cells_regroup_into_rows():
    cells = ["(三)不予公开", "1.属于国家秘密", "1", "0", "", "规章", "2"]
    rows = table_rows([Row((Cell(t),), CELL) for t in cells])
    assert [[c.text for c in r.labels] for r in rows] == [["(三)不予公开", "1.属于国家秘密"], ["规章"]]
    assert [len(r.values) for r in rows] == [3, 1]


def test_headings_in_any_numbering_and_not_table_rows():
    texts = ["2023年某县政府信息公开工作年度报告", "申请公开政府信息", "一、总体情况", "正文",
             "## 二、主动公开政府信息情况", "（三）收到和处理政府信息公开申请情况", "四、结转下年度继续办理",
             "四．政府信息公开行政复议、行政诉讼情况", "五 存在的主要问题及改进情况", "**六、其他需要报告的事项**"]
    sections = split_sections([Row((Cell(t),), TEXT) for t in texts])
    assert [r.cells[0].text for r in sections.heading.values()] == [texts[2], texts[4], texts[5], texts[7],
                                                                     texts[8], texts[9]]
    assert [r.cells[0].text for r in sections.rows("applications")] == ["四、结转下年度继续办理"]


@pytest.mark.parametrize("head, organ", [
    ("栖霞湾区人民政府\n2022 年政府信息公开工作年度报告", "栖霞湾区人民政府"),
    ("2021年松岗县统计局政府信息公开工作年度报告", "松岗县统计局"),
    ("北塘镇人民政府2020年度政府信息公开工作年度报告", "北塘镇人民政府"),
    ("蘭亭鄉人民政府政府信息公開工作年度報告", "蘭亭鄉人民政府"),
    ("索引号|001/2023-1|发布机构|云门县林业局|成文日期|2023-01-09", "云门县林业局"),
])
def test_find_organ(head, organ):
    from core.meta import find_organ
    assert find_organ(head) == organ


@pytest.mark.parametrize("head, body, year", [
    ("某局2023年政府信息公开工作年度报告", "", 2023),
    ("", "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。", 2021),
    ("发布日期：2024-01-30 10:00", "2023年，我局坚持……", 2023),
])
def test_find_year(head, body, year):
    from core.meta import find_year
    assert find_year(head, body)[0] == year


def test_a_cell_the_layout_could_not_read_is_null_with_a_warning():
    sheet, notes = Sheet(), Notes()
    cells = [Cell(str(v)) for v in [1, 0, 0, 1] + [0] * 10]
    cells.insert(2, Cell("00", unread="digits '00' could be 0|0 or 00"))
    place_review_litigation(table_rows([Row(tuple(cells), "table")]), sheet, notes)
    assert sheet.section("review_litigation")["review"]["other"] is None
    assert sheet.unread(FieldPath("review_litigation", "review", "other"))
    assert sheet.section("review_litigation")["review"]["total"] == 1
    assert [(d.code, d.where) for d in notes if d.level == "warning"] == [
        ("cell_not_read", "review_litigation.review.other")]


def test_header_words_are_never_row_labels():
    m = S3Matcher("2021")
    assert m.match("其他", 3, None)[0] is None
    assert m.match("总计", 3, None)[0] is None
    assert m.match("3.其他", m.index["other.other"], "other")[0] == "other.other"
    assert m.match("（七）总计", m.index["total"], None)[0] == "total"


def test_a_row_printed_with_every_cell_blank_is_present_and_null():
    rows = [Row((Cell("一、本年新收政府信息公开申请数量"),) + tuple(Cell(v) for v in "1000001"), "table"),
            Row((Cell("（二）部分公开"),) + tuple(Cell("") for _ in range(7)), "table"),
            Row((Cell("规章"), Cell(""), Cell(""), Cell("")), "table")]
    sheet, notes = Sheet(), Notes()
    place_applications(table_rows(rows), "2021", sheet, notes)
    apps = sheet.section("applications")
    assert apps["partially_granted"] == {c: None for c in apps["new_received"]}
    assert not [d for d in notes if d.level == "warning" and "partially_granted" in d.where]
    place_active_disclosure(table_rows(rows), "2021", sheet, notes)
    assert sheet.section("active_disclosure")["regulations.issued"] is None
    assert not [d for d in notes if d.level == "warning" and "regulations" in d.where]


# --- core.cellstream: the wider search, where the least damage does not add up ---------------------------


def test_a_widened_cut_lets_a_row_leave_two_cells_to_be_printed_after_the_next_row():
    from core.cellstream import Unit, cut

    # row a is [2, 3, 5] but prints only its total before row b; its 2 and 3 come after, beside text
    nums = [5.0, 1.0, 1.0, 2.0, 2.0, 3.0]
    loose = [False, False, False, False, True, True]
    units = [Unit("a", 3), Unit("b", 3)]
    narrow = cut(nums, units, {}, 24, loose)
    wide = cut(nums, units, {}, 24, loose, 1, wide=True)
    assert wide is not None and wide.cost[0] == 2  # two cells printed away from their row
    assert narrow is None or narrow.cost[0] > wide.cost[0]
    assert wide.seen[0] == {(False, (2.0, 3.0, 5.0)), (False, (3.0, 2.0, 5.0))}  # the sum cannot say which
    assert wide.seen[1] == {(False, (1.0, 1.0, 2.0))}


def test_a_widened_cut_takes_away_only_values_printed_beside_text():
    from core.cellstream import Unit, cut

    nums = [5.0, 1.0, 1.0, 2.0, 2.0, 3.0]
    inside = [False, False, False, False, False, False]  # the 2 and 3 stand among other cells
    wide = cut(nums, [Unit("a", 3), Unit("b", 3)], {}, 24, inside, 1, wide=True)
    assert wide is None or all(rd.values[0] != (False, (2.0, 3.0, 5.0)) for rd in wide.readings)


def test_a_short_run_of_values_beside_a_dropped_glyph_stands_apart_whole():
    from core.cellstream import _loose, items_of

    # a row's label and cells, a label, then 3 values (the first right after a dropped watermark glyph)
    # and the next label: fewer than a row's 7, so none of them is printed in its row's place, the
    # middle one included
    cells = [Cell("1.属于国家秘密"), *(Cell(str(v)) for v in range(1, 8)), Cell("5.属于三类内部事务信息"),
             Cell("37", apart=True), Cell("39"), Cell("26"), Cell("（四）无法提供")]
    loose = _loose(items_of(cells), 7)
    assert loose[7:] == [True, True, True]
    assert loose[:7] == [True, False, False, False, False, False, True]  # a row in place: its ends only
    # without the glyph, a short run keeps the rule of its ends
    plain = _loose(items_of([dataclass_replace(c, apart=False) for c in cells]), 7)
    assert plain[7:] == [True, False, True]


def test_the_solver_takes_rows_in_the_order_that_cuts_refused_choices_off_early():
    from core.solver import _order

    # identity 0 over rows 0, 1, 2; identity 1 over rows 2, 3
    ids = [((0, 0, 1), (1, 0, 1), (2, 0, -1)), ((2, 0, 1), (3, 0, -1))]
    # row 2 (in both identities) first, though it has the most splits; then row 3, which completes
    # identity 1, before rows 0 and 1 (fewer splits first)
    assert _order([0, 1, 2, 3], ids, {0: 4, 1: 2, 2: 30, 3: 24}) == [2, 3, 1, 0]


def test_the_solver_finds_every_kept_split_where_its_bounds_cut_the_search_short():
    from core.solver import Piece, RowSplits, S3_SHAPE, solve_rows

    # three rows a + b = t in each of two columns; each row's splits move its value between the columns
    def row(*splits):
        return RowSplits("", S3_SHAPE, [tuple(Piece("", 0, 0, x) for x in s) for s in splits], True)

    rows = [row((2, 0), (0, 2)), row((3, 0), (0, 3)), row((5, 0), (0, 5), (2, 3))]
    ids = [((0, c, 1), (1, c, 1), (2, c, -1)) for c in (0, 1)]
    keep, note = solve_rows(rows, [ids])
    assert note == ""
    assert keep == [[0, 1], [0, 1], [0, 1, 2]]


def test_a_stream_whose_own_column_sums_break_is_never_rearranged_to_fit():
    from pathlib import Path

    from core.api import parse

    # the corpus case with 予以公开's 自然人 and 总计 both 10 more: its row still adds up, the column sums
    # do not, and no cut of the stream, however damaged, makes them hold: its cells are read as printed
    # or not at all, never moved until the sums agree
    text = (Path(__file__).parent.parent / "corpus/cases/line-cells-2021-template-split.txt").read_text()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "（一）予以公开" in line)
    values = [i for i in range(at + 1, len(lines)) if lines[i].strip()][:7]
    assert [lines[i].strip() for i in values] == ["9", "3", "34", "37", "32", "5", "120"]
    lines[values[0]], lines[values[6]] = "19", "130"
    report = parse("\n".join(lines), name="broken.txt").to_dict()
    printed = dict(zip(report["applications"]["granted"], [19, 3, 34, 37, 32, 5, 130]))
    for column, value in report["applications"]["granted"].items():
        assert value in (None, printed[column])
        assert report["status"][f"applications.granted.{column}"] in ("unread", "conflict")
