"""Text out of PDFs: ``pdftotext -layout`` (space-aligned) and plain ``pdftotext`` or copy-paste
(line-cells). Every seed's expected values, and invented reports with every row filled differently, are
rendered into both forms with their damage (vertical group labels, wrapped labels with the numbers on
the middle line, page breaks with page numbers, running headers and repeated header rows, displaced
labels) and must parse exactly; what cannot be decided must be warned about, never guessed."""
from __future__ import annotations

import json
import random

import pytest

from conftest import CORPUS, SEEDS, SHARED, load_gold, seed_cases
from core.api import as_source, parse
from core.corpus import compare
from core.detect import detect
from core.source import Source
from zfxxgk_layouts import line_cells, space_aligned
from zfxxgk_layouts._pdftext import furniture, page_lines, section_heading
from tests.generators import S2_2019, S2_2021
from tests.generators.render_pdftext import S3_KEYS_2019, S3_KEYS_2021, render, render_layout, render_plain
from tests.generators.render_text import LAYOUTS
from tests.generators.render_text import render as render_text

GOLDS = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]
FORMS = {"layout": ("space-aligned", {}), "layout-cjk1": ("space-aligned", {"cjk": 1}),
         "plain": ("line-cells", {})}


def _form(name: str) -> str:
    return name.split("-")[0]


def _has_blanks(gold: dict) -> bool:
    return (None in gold.get("s2", {}).values() or any(None in row for row in gold["s3"].values())
            or None in gold.get("s4", []))


def _no_silent_wrong(gold: dict, report) -> None:
    """Every value that differs from the expected one carries a warning at its field or its row."""
    d = report.to_dict()
    warned = [w["where"] for w in d["diagnostics"] if w["level"] in ("warning", "error")]
    for diff in compare(gold, d):
        field = diff.split(":")[0]
        assert any(field == w or field.startswith(w + ".") for w in warned), (diff, warned)


def _parse(text: str, registry, name="<pdftext>"):
    return parse(text, name=name, registry=registry)


# --- the seeds --------------------------------------------------------------------------------------

@pytest.mark.skipif(not GOLDS, reason="../shared/seeds is not beside the project")
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_seed_rendered_from_pdf_parses_exactly(gold_path, form, registry):
    gold = load_gold(gold_path)
    layout, kw = FORMS[form]
    text = render(gold, _form(form), **kw)
    det = detect(as_source(text), registry.layouts())
    assert det.best.name == layout and len(det.tied) == 1, det.scores
    report = _parse(text, registry, f"{gold_path.stem}.{form}")
    assert report.meta["layout"] == layout
    if layout == "line-cells" and _has_blanks(gold):
        # a blank cell prints nothing in plain text: where the row's arithmetic cannot place it, the
        # core must say so
        _no_silent_wrong(gold, report)
        assert report.warnings
        return
    assert compare(gold, report.to_dict()) == []
    assert [d.message for d in report.warnings] == []
    assert report.failed_checks == []


# --- invented reports: every row different, damage in many places --------------------------------------

def synthetic_gold(seed: int, fmt: str = "2021") -> dict:
    """An invented report whose values satisfy every identity, with most cells non-zero and distinct."""
    rnd = random.Random(seed)
    keys = S3_KEYS_2019 if fmt == "2019" else S3_KEYS_2021
    results = keys[keys.index("granted"):keys.index("total")]
    s3: dict[str, list[int]] = {}

    def row(lo=0, hi=40):
        vals = [rnd.randint(lo, hi) if rnd.random() < 0.7 else 0 for _ in range(6)]
        return vals + [sum(vals)]

    for k in results:
        s3[k] = row()
    s3["total"] = [sum(s3[k][c] for k in results) for c in range(7)]
    s3["carry_forward"] = row(0, 9)
    carried = [rnd.randint(0, min(9, s3["total"][c] + s3["carry_forward"][c])) for c in range(6)]
    s3["carried_over"] = carried + [sum(carried)]
    new = [s3["total"][c] + s3["carry_forward"][c] - carried[c] for c in range(6)]
    s3["new"] = new + [sum(new)]
    s2 = {}
    for _heading, item, cols, labels in (S2_2019 if fmt == "2019" else S2_2021):
        for label in labels:
            for _printed, key in cols:
                s2[f"{item}/{label}/{key}"] = rnd.randint(0, 5000)
    if fmt == "2019":
        s2["(九)/政府集中采购/采购总金额"] = f"{rnd.randint(10, 9999)}.{rnd.randint(1, 9)}万元"
        s2["(五)/行政许可/本年增/减"] = -rnd.randint(1, 99)
    s4 = []
    for _g in range(3):
        four = [rnd.randint(0, 30) for _ in range(4)]
        s4 += four + [sum(four)]
    return {"format": fmt, "year": 2020 if fmt == "2019" else 2023, "organ": "青岚县人民政府",
            "script": "simplified", "s2": s2, "s3": {k: s3[k] for k in keys}, "s4": s4}


@pytest.mark.parametrize("seed", range(8))
def test_invented_report_in_layout_form(seed, registry):
    rnd = random.Random(100 + seed)
    fmt = "2019" if seed % 3 == 0 else "2021"
    gold = synthetic_gold(seed, fmt)
    keys = list(gold["s3"])[4:-2]
    between = rnd.sample(keys, 4)
    text = render_layout(gold, cjk=rnd.choice((1, 2)), between=between,
                         break_after=rnd.choice(list(gold["s3"])[3:-2]))
    report = _parse(text, registry)
    assert report.meta["layout"] == "space-aligned"
    assert compare(gold, report.to_dict()) == []
    assert [d.message for d in report.warnings] == []
    assert report.failed_checks == []


@pytest.mark.parametrize("seed", range(12))
def test_invented_report_with_displaced_labels(seed, registry):
    rnd = random.Random(200 + seed)
    fmt = "2019" if seed % 4 == 0 else "2021"
    gold = synthetic_gold(1000 + seed, fmt)
    rows = list(gold["s3"])
    damage = {k: rnd.choice(("after_all", "after_first")) for k in rnd.sample(rows, 4)}
    damage["partial"] = "split"
    text = render_plain(gold, damage=damage, break_after=rnd.choice(rows[3:-2]))
    report = _parse(text, registry)
    assert report.meta["layout"] == "line-cells"
    assert compare(gold, report.to_dict()) == [], damage
    assert [d.message for d in report.warnings] == []
    assert report.failed_checks == []


def test_a_missing_first_label_leaves_the_group_heading_to_the_core(registry):
    gold = synthetic_gold(7)
    # "1.属于国家秘密" is missing and "2.其他…" comes after its numbers: the first seven numbers after
    # the group heading "（三）不予公开" are the group's first row, which the core places by position
    text = render_plain(gold, damage={"denied_1": "drop", "denied_2": "after_all"})
    report = _parse(text, registry)
    assert compare(gold, report.to_dict()) == []
    assert not report.warnings


def test_a_label_that_cannot_be_placed_is_warned_about_not_guessed(registry):
    gold = synthetic_gold(7)
    # "3.危及…" is missing and "4.保护…" comes after its row's numbers: three rows of numbers follow
    # "2.其他…" and which of them "4.保护…" belongs to cannot be told from the shape
    text = render_plain(gold, damage={"denied_3": "drop", "denied_4": "after_all"})
    report = _parse(text, registry)
    assert report.warnings
    _no_silent_wrong(gold, report)
    d = report.to_dict()
    assert all(v is None for v in d["applications"]["denied.prohibited_by_law"].values())
    # rows far from the damage are still read
    assert compare({"s3": {k: gold["s3"][k] for k in ("new", "granted", "total")}}, d) == []


def test_blank_cells_in_plain_text_are_placed_only_by_arithmetic(registry):
    gold = synthetic_gold(3)
    gold["s3"]["granted"][2] = None                       # a blank printed as nothing
    vals = [v or 0 for v in gold["s3"]["granted"][:6]]
    gold["s3"]["granted"][6] = sum(vals)
    total = gold["s3"]["total"]
    total[6] = sum(total[:6])
    report = _parse(render_plain(gold, damage={}), registry)
    _no_silent_wrong(gold, report)


def test_pdftotext_layout_blank_cells_keep_their_column(registry):
    gold = synthetic_gold(5)
    for k in ("granted", "denied_3", "total"):
        gold["s3"][k][4] = None                           # 法律服务机构 blank in three rows
    gold["s3"]["new"][4] = gold["s3"]["carried_over"][4] = gold["s3"]["carry_forward"][4] = None
    for k in gold["s3"]:
        row = gold["s3"][k]
        row[6] = sum(v or 0 for v in row[:6])
    total = [sum((gold["s3"][k][c] or 0) for k in list(gold["s3"])[2:-2]) for c in range(7)]
    gold["s3"]["total"] = [None if c == 4 else total[c] for c in range(7)]
    gold["s3"]["new"] = [None if c == 4 else gold["s3"]["total"][c] + gold["s3"]["carry_forward"][c]
                         - gold["s3"]["carried_over"][c] for c in range(7)]
    gold["s2"]["(一)/规章/本年废止件数"] = None
    report = _parse(render_layout(gold), registry)
    assert compare(gold, report.to_dict()) == []
    assert [d.message for d in report.warnings] == []


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


def test_each_form_is_not_taken_by_the_other():
    gold = synthetic_gold(1)
    assert not line_cells.detect(Source.from_text(render_layout(gold)))
    assert not space_aligned.detect(Source.from_text(render_plain(gold)))


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


def test_provenance_points_at_the_printed_cell(registry):
    gold = synthetic_gold(2)
    text = render_layout(gold)
    report = _parse(text, registry)
    lines = text.split("\n")
    for key in ("applications.total.total", "applications.unable.not_held.natural_person",
                "review_litigation.review.total"):
        where = report.provenance[key]
        line = lines[where["line"] - 1].replace("\f", "")
        assert line[where["col"] - 1:].startswith(where["text"])
