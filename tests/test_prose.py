"""Numbers stated in the prose are checked against the table cells they restate (core/prose.py)."""
from __future__ import annotations

import glob
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED
from core.api import parse
from core.errors import CoreError
from core.diagnostics import Notes
from core.fields import FieldPath
from core.prose import CODE, RULE, find_statements, prose_checks
from core.sheet import BLANK, READ, UNREAD, Sheet, Value
from core.template import S3_ROWS, S4_COLUMNS, S4_GROUPS

CASE = CORPUS / "cases" / "pipe-cells-2021-clean.txt"
# The table of CASE: new 96, carried over 8, granted 57, partially 9, denied 1+2+3+2+3 = 11, unable 17+2 = 19,
# not processed 0, other 0, carried forward 8; review 3/3/3/1 = 10; litigation 5 + 2 = 7 (upheld 0,
# corrected 2, other 2, pending 3).
ORIGINAL = "全年新收政府信息公开申请96件，申请内容主要集中在征地补偿安置、不动产登记资料和建设用地审批等方面，均在法定期限内作出答复。"


def _parse_with(sentence: str, registry):
    text = CASE.read_text(encoding="utf-8")
    assert ORIGINAL in text
    return parse(text.replace(ORIGINAL, sentence), registry=registry)


def _prose(report):
    return [c for c in report.checks if c.rule == RULE]


def _contradictions(report):
    return [d for d in report.diagnostics if d.code == CODE]


def test_agreeing_statements_pass_and_name_their_cells(registry):
    report = _parse_with(
        "2022年共办理政府信息公开申请104件（含上年结转8件），其中予以公开57件，部分公开9件，不予公开11件，"
        "无法提供19件，不予处理0件，结转下一年度继续办理8件。因政府信息公开被申请行政复议10件，其中结果维持3件、"
        "结果纠正3件、其他结果3件、尚未审结1件；提起行政诉讼7件，其中尚未审结3件。", registry)
    checks = _prose(report)
    assert checks and all(c.ok for c in checks), [c.to_dict() for c in checks if not c.ok]
    assert not _contradictions(report)
    by_sentence = {c.sentence: c for c in checks}
    combined = by_sentence["2022年共办理政府信息公开申请104件"]
    assert combined.cells == ["applications.new_received.total", "applications.carried_over.total"]
    assert (combined.expected, combined.found) == (104, 104)
    assert by_sentence["含上年结转8件"].cells == ["applications.carried_over.total"]
    denied = by_sentence["不予公开11件"]
    assert len(denied.cells) == 8 and all(c.startswith("applications.denied.") for c in denied.cells)
    assert by_sentence["其中结果维持3件"].cells == ["review_litigation.review.upheld"]
    assert by_sentence["提起行政诉讼7件"].cells == ["review_litigation.litigation_direct.total",
                                                "review_litigation.litigation_after_review.total"]
    assert by_sentence["其中尚未审结3件"].cells == ["review_litigation.litigation_direct.pending",
                                                "review_litigation.litigation_after_review.pending"]
    assert by_sentence["不予处理0件"].found == 0
    d = report.to_dict()["checks"]
    assert any(c["rule"] == RULE and c["sentence"] == "不予公开11件" for c in d)


def test_a_contradiction_is_a_failed_check_and_a_warning(registry):
    report = _parse_with("全年新收政府信息公开申请98件，予以公开及部分公开66件；全年政府信息公开行政诉讼6宗。",
                         registry)
    failed = {c.sentence: c for c in report.failed_checks if c.rule == RULE}
    assert set(failed) == {"全年新收政府信息公开申请98件", "全年政府信息公开行政诉讼6宗"}
    new = failed["全年新收政府信息公开申请98件"]
    assert (new.expected, new.found, new.cells) == (98, 96, ["applications.new_received.total"])
    both = next(c for c in _prose(report) if c.sentence == "予以公开及部分公开66件")
    assert both.ok and both.cells == ["applications.granted.total", "applications.partially_granted.total"]
    warnings = _contradictions(report)
    assert warnings and all(w.level == "warning" for w in warnings)
    assert "全年新收政府信息公开申请98件" in warnings[0].message
    assert "applications.new_received.total" in warnings[0].message


def test_litigation_is_the_sum_of_both_groups(registry):
    report = _parse_with("行政复议案件11件，行政诉讼案件6件。", registry)
    failed = {c.sentence: c for c in report.failed_checks if c.rule == RULE}
    assert set(failed) == {"行政复议案件11件", "行政诉讼案件6件"}
    assert (failed["行政诉讼案件6件"].expected, failed["行政诉讼案件6件"].found) == (6, 7)
    assert {w.where for w in _contradictions(report)} == {"review_litigation.review.total",
                                                         "review_litigation.litigation_*.total"}


UNMAPPABLE = [
    "全年新收申请较2021年增加12件",                 # a comparison with another year
    "2021年收到政府信息公开申请80件",                # another year
    "去年受理政府信息公开申请70件",
    "申请量同比增长12%",
    "其中网上申请46件，信函申请3件",                 # channels: a subset
    "企业提出申请31件",
    "各部门共收到申请300件",                         # another scope
    "涉及征地补偿的申请42件",
    "收到申请约100件",                               # approximations
    "收到政府信息公开申请50余件",
    "全年主动公开政府信息356条",                     # section 二, not 三
    "因不予公开被申请行政复议3件",                   # a subset of the reviews
    "行政复议、行政诉讼共3件",                       # one number for two cells
    "全年办理申请104件",                             # 办理 without 含上年结转: new or new + carried?
    "予以公开25件及部分公开8件",                     # two statements, one clause
    "累计受理申请1200件",                            # over several years
    "予以公开的比例为59%",
    "收到申请两件",                                  # no digits
    "全区（含各街道）新收申请166件",                 # a bracket qualifying what follows
]


@pytest.mark.parametrize("sentence", UNMAPPABLE)
def test_unmappable_statements_are_skipped(sentence, registry):
    report = _parse_with(sentence + "。", registry)
    assert not _prose(report), [c.to_dict() for c in _prose(report)]
    assert not _contradictions(report)


class _Case:
    """Table cells (row totals of section 三, every cell of section 四) and prose, for prose_checks alone."""

    def __init__(self, fmt: str, year: int, script: str, totals: dict):
        self.fmt, self.meta, self.text = fmt, {"year": year, "format": fmt, "script": script}, {}
        self.sheet, self.notes, self.checks = Sheet(), Notes(), []
        for row in S3_ROWS[fmt]:
            self._put(FieldPath("applications", row.id, "total"), totals.get(row.id.replace(".", "__"), 0))
        for g in S4_GROUPS:
            for c in S4_COLUMNS:
                self._put(FieldPath("review_litigation", g, c), totals.get(f"{g}__{c}", 0))

    def _put(self, path: FieldPath, v) -> None:
        self.sheet.put(path, Value(BLANK if v is None else READ, v))

    def unread(self, path: str) -> None:
        self.sheet.put(FieldPath.parse(path), Value(UNREAD, reason="could not be placed"))

    @property
    def diagnostics(self):
        return self.notes.items

    def run(self) -> None:
        self.checks = prose_checks(self.sheet, find_statements(self.text, self.meta), self.fmt, self.notes)


def _report(fmt="2021", year=2023, script="simplified", **totals) -> _Case:
    return _Case(fmt, year, script, totals)


def test_traditional_text_and_the_2019_other_row():
    r = _report(fmt="2019", year=2020, script="traditional", new_received=12, other=2)
    r.text["overview"] = "一、總體情況\n2020年，本機關共收到政府信息公開申請12件，其他處理3件。"
    r.run()
    got = {c.sentence: (c.ok, c.cells) for c in r.checks}
    assert got == {"本机关共收到政府信息公开申请12件": (True, ["applications.new_received.total"]),
                   "其他处理3件": (False, ["applications.other.total"])}


def test_hard_line_wraps_are_joined_and_blanks_count_as_zero():
    r = _report(unable__not_held=4, unable__needs_creation=None, unable__unclear_after_correction=1)
    r.text["overview"] = "一、总体情况\n本年度所有政府信息公开申请中，无法提供的\n5 件，均已书面告知。"
    r.run()
    (c,) = r.checks
    assert c.ok and c.found == 5 and c.blank_cells == ["applications.unable.needs_creation.total"]


def test_statements_outside_information_disclosure_are_skipped():
    r = _report(new_received=40, review__total=2)
    r.text["overview"] = ("一、总体情况\n(一)政务服务\n全年受理申请3000件。\n本局全年行政复议案件200件。\n"
                          "(二)依申请公开\n全年收到申请40件。")
    r.run()
    assert [(c.sentence, c.ok) for c in r.checks] == [("全年收到申请40件", True)]   # its heading says 依申请


def test_one_received_count_inside_another_is_skipped():
    r = _report(new_received=100)
    r.text["overview"] = "一、总体情况\n全年收到政府信息公开申请100件，其中受理申请80件。"
    r.run()
    assert not r.checks


def test_a_cell_the_parser_doubts_is_not_held_against_the_prose():
    r = _report(carried_forward=None)
    r.unread("applications.carried_forward.total")
    r.text["overview"] = "一、总体情况\n结转下年度继续办理3件。"
    r.run()
    assert not r.checks and not _contradictions(r)


def test_receiving_counted_with_the_carried_over_applications_is_not_a_contradiction():
    r = _report(new_received=40, carried_over=3)
    r.text["overview"] = "一、总体情况\n全年共受理政府信息公开申请43件。"
    r.run()
    (c,) = r.checks
    assert c.ok and c.cells == ["applications.new_received.total", "applications.carried_over.total"]
    r = _report(new_received=40, carried_over=3)
    r.text["overview"] = "一、总体情况\n全年新收政府信息公开申请43件。"   # 新收 is never the sum
    r.run()
    (c,) = r.checks
    assert not c.ok and (c.expected, c.found) == (43, 40)


def _shared_inputs():
    files = sorted(glob.glob(str(SHARED / "seeds" / "*.txt"))) + sorted(glob.glob(str(CORPUS / "cases" / "*")))
    files += sorted(p for p in glob.glob(str(SHARED / "real" / "*")) if Path(p).is_file() and
                    not p.endswith("README.md"))
    return files


#: Real reports whose prose does contradict their own table, read by hand: file -> the cells named.
TRUE_CONTRADICTIONS = {
    # "…因无法提供相关信息答复2件，其他处理2件…" while its table's （六） rows hold 2 + 2 and （四） 0
    "ptscj2025-dept-concat.txt": ["applications.other.*.total"],
}


@pytest.mark.parametrize("path", _shared_inputs(), ids=lambda p: Path(p).name)
def test_no_false_contradiction_in_seeds_corpus_or_real_reports(path, registry):
    try:
        report = parse(Path(path), registry=registry)
    except CoreError:
        return
    found = [d.where for d in _contradictions(report)]
    assert found == TRUE_CONTRADICTIONS.get(Path(path).name, []), [d.message for d in _contradictions(report)]
