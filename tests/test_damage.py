"""Kinds of damage converters do to Markdown, made fresh from every seed's expected values: rows whose
labels float elsewhere, section numbering restarted, a number printed outside its blank cell."""
from __future__ import annotations

import re

import pytest

from conftest import SEEDS, load_gold, seed_cases
from core.api import parse
from core.corpus import compare
from core.text import to_simplified
from tests.generators.render_text import render

GOLDS = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]
pytestmark = pytest.mark.skipif(not GOLDS, reason="../shared/seeds is not beside the project")

ORPHANED = ("2.其他法律行政法规禁止公开", "（二）部分公开", "5.属于三类内部事务信息", "2.重复申请", "3.要求提供公开出版物")


def _orphan(text: str, labels=ORPHANED) -> str:
    """Blank the label cell of these rows and print the label as a loose line after the table."""
    lines, loose = [], []
    for line in text.split("\n"):
        for lab in labels:
            if line.startswith("|") and lab in to_simplified(line):
                cells = line.split("|")
                i = next(k for k, c in enumerate(cells) if lab in to_simplified(c))
                loose.append(cells[i].strip())
                cells[i] = "  "
                line = "|".join(cells)
        lines.append(line)
        if to_simplified(line).startswith("## 四"):
            lines[-1:-1] = loose
    return "\n".join(lines)


def _consistent(gold):
    return all(None not in row for row in gold["s3"].values())


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_rows_whose_labels_float_elsewhere(gold_path, registry):
    gold = load_gold(gold_path)
    report = parse(_orphan(render(gold, "markdown-table")), registry=registry)
    assert compare(gold, report.to_dict()) == []
    if _consistent(gold):
        assert report.warnings == []
    assert any(d.code == "row_placed_by_position" for d in report.diagnostics)


def test_two_orphans_for_one_place_are_not_guessed(registry):
    gold = load_gold(GOLDS[1])
    text = _orphan(render(gold, "markdown-table"), ("2.其他法律行政法规禁止公开", "3.危及"))
    # drop the labelled row 3 entirely: two orphans now stand where the template has one missing row
    text = "\n".join(line for line in text.split("\n") if "4.保护第三方合法权益" not in line)
    report = parse(text, registry=registry).to_dict()
    apps = report["applications"]
    assert all(v is None for v in apps["denied.prohibited_by_law"].values())
    assert any(d["code"] == "row_placed_by_position" and d["level"] == "warning" for d in report["diagnostics"])


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_numbering_restarted_after_sections_of_its_own(gold_path, registry):
    gold = load_gold(gold_path)
    text = render(gold, "pipe-rows")
    own = "二、工作机制\n本机关设立政务公开领导小组。\n三、平台建设\n网站栏目持续优化。\n"
    for old, new in (("二、主动公开政府信息情况", own + "一、主动公开政府信息情况"),
                     ("三、收到和处理政府信息公开申请情况", "二、收到和处理政府信息公开申请情况"),
                     ("四、政府信息公开行政复议、行政诉讼情况", "三、政府信息公开行政复议、行政诉讼情况")):
        text = text.replace(old, new, 1)
    report = parse(text, registry=registry)
    assert compare(gold, report.to_dict()) == []
    assert not [d for d in report.diagnostics if d.code == "section_missing"]


def test_a_number_printed_outside_its_blank_cell(registry):
    gold = load_gold(GOLDS[1])
    text = render(gold, "markdown-table")
    total = gold["s3"]["carry_forward"][6]
    lines = text.split("\n")
    i = next(k for k, line in enumerate(lines) if "四、结转下年度继续办理" in line)
    lines[i] = re.sub(r"\|\s*\d+\s*\|\s*$", "|  |", lines[i])
    lines.insert(i - 1, str(total))
    report = parse("\n".join(lines), registry=registry)
    assert compare(gold, report.to_dict()) == []
    assert [d.code for d in report.diagnostics if d.where == "applications.carried_forward.total"] == ["displaced_value"]


def test_a_report_cut_off_inside_section_three(registry):
    gold = load_gold(GOLDS[3])
    text = render(gold, "tab-rows")
    cut = text[:text.index("（五）不予处理")]
    report = parse(cut, registry=registry).to_dict()
    apps = report["applications"]
    assert apps["granted"]["total"] == gold["s3"]["granted"][6]
    assert "total" not in apps
    codes = {(d["level"], d["code"]) for d in report["diagnostics"]}
    assert ("error", "section_missing") in codes and ("warning", "row_not_found") in codes


@pytest.mark.parametrize("heading", ["三、收到和处里政府信息公开申请情况", "三．收到和处理政府信息公开申情况",
                                     "（三）收到和处理政府信息公开申请情况", "3、收到和处理政府信息公开申请情况"])
def test_section_headings_with_typos_or_other_numbering(heading, registry):
    gold = load_gold(GOLDS[1])
    text = render(gold, "pipe-rows").replace("三、收到和处理政府信息公开申请情况", heading, 1)
    report = parse(text, registry=registry)
    assert compare(gold, report.to_dict()) == []
