"""Table cells glued together with no separator: the solver (core.glued), the glued-text layout, the real
pages it was written for, and seed reports rendered glued. A cell the arithmetic cannot decide must come
out null with a warning: never a silent wrong number."""
from __future__ import annotations

import time

import pytest

from conftest import CORPUS, SEEDS, SHARED, load_gold, seed_cases
from core.api import as_source, parse
from core.corpus import compare
from core.detect import detect
from core.solver import S3_SHAPE, S4_SHAPE, read_applications, read_review_litigation, read_run, s2_shape, split_run
from core.template import S3_ROWS
from zfxxgk_layouts import glued_text
from tests.generators.render_glued import render
from tests.generators.render_text import LAYOUTS, render as render_text

REAL = SHARED / "real"
PINGTAN = ["pingtan2019-district-concat", "pingtan2023-district-concat"]
GOLDS = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]


def values(cells):
    return [None if c.unread else c.text for c in cells]


# --- the solver -----------------------------------------------------------------------------------

def test_a_row_whose_sum_allows_one_split_is_read():
    assert values(read_run("801000081", S3_SHAPE)) == ["80", "1", "0", "0", "0", "0", "81"]
    assert values(read_run("310000031", S3_SHAPE)) == ["31", "0", "0", "0", "0", "0", "31"]


def test_stray_spaces_end_a_cell():
    for run in ("230 000023", "23 0 00 0 023", " 0 0 00 00 0 ", "0 0 0 0 0 00"):
        cells = read_run(run, S3_SHAPE)
        assert all(c.unread is None for c in cells), run
        assert [int(c.text) for c in cells] in ([23, 0, 0, 0, 0, 0, 23], [0] * 7)
    # the offsets point at each cell's digits in the printed run
    cells = read_run("230 000023", S3_SHAPE)
    assert [c.start for c in cells] == [0, 2, 4, 5, 6, 7, 8]


def test_spaces_and_leading_zeros_decide_section_two():
    assert values(read_run("3 041", s2_shape("2021", "normative_documents"))) == ["3", "0", "41"]
    assert values(read_run("000", s2_shape("2021", "regulations"))) == ["0", "0", "0"]


def test_an_ambiguous_run_is_unread_with_its_candidates():
    cells = read_run("77132470", s2_shape("2021", "normative_documents"))
    assert values(cells) == [None, None, None]
    assert {c.text for c in cells} == {"77132470"}
    why = cells[0].unread
    # 21 ways to cut it into three numbers, and more with a blank cell hidden in it (a blank prints nothing)
    assert "77|132|470" in why and "771|32|470" in why and "45 ways" in why


def test_a_blank_may_hide_in_a_row_with_no_sum():
    # "2424 0": 2|424|0, 24|24|0 … and 2424|blank|0, 2424|0|blank: nothing decides any cell
    cells = read_run("2424 0", s2_shape("2019", "other_services"))
    assert values(cells) == [None, None, None]
    assert "24|24|0" in cells[0].unread and "blank|2424|0" in cells[0].unread and "6 ways" in cells[0].unread
    # a sign starts its cell and counts are never negative: "35-2" is 35|-2 whatever may hide
    assert values(read_run("35-2", s2_shape("2019", "fees"))) == ["35", "-2"]


def test_cells_every_split_agrees_on_are_read():
    # the minus sign starts 本年增/减, so 2648 is 上一年项目数量 in every split
    cells = read_run("2648-18538", s2_shape("2019", "punishment"))
    assert values(cells)[0] == "2648" and values(cells)[1:] == [None, None]


def test_a_negative_change_cuts_before_its_sign():
    cells = read_run("2648-18538", s2_shape("2019", "punishment"))
    assert values(cells) == ["2648", None, None]
    assert cells[1].text == "-18538" and cells[1].start == 4
    assert "-18|538" in cells[1].unread and "-185|38" in cells[1].unread
    assert values(read_run("35-2", s2_shape("2019", "fees"))) == ["35", "-2"]


def test_an_amount_glued_to_a_count():
    cells = read_run("13575394432.52元", s2_shape("2019", "procurement"))
    assert values(cells) == [None, None]
    assert "135|75394432.52元" in cells[0].unread
    # a leading zero leaves one split
    assert values(read_run("0412.56万元", s2_shape("2019", "procurement"))) == ["0", "412.56万元"]
    assert values(read_run("5949.088667", s2_shape("2021", "fees"))) == ["5949.088667"]


def test_too_few_digits_leave_the_row_unread():
    cells = read_run("00", s3_shape := S3_SHAPE)
    assert values(cells) == [None] * 7 and s3_shape.groups
    assert "2 digits cannot be cut into 7 cells" in cells[0].unread
    # in section 二 two digits for three cells leave a blank somewhere: which cell is blank is unknown
    cells = read_run("00", s2_shape("2021", "regulations"))
    assert values(cells) == [None, None, None] and "0|0|blank" in cells[0].unread


def test_section_four_groups_decide_fifteen_cells():
    assert values(read_review_litigation("110024001510102")) == list("110024001510102")
    cells = read_review_litigation("0001212" + "10001" + "00000")
    assert [int(c.text) for c in cells] == [0, 0, 0, 12, 12, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    # 0|6|0|66|72 or 0|60|6|6|72: both add up, so the three middle cells are unread
    cells = read_review_litigation("0606672" + "0" * 10)
    assert values(cells)[0] == "0" and values(cells)[1:4] == [None, None, None] and values(cells)[4] == "72"
    assert "6|0|66 or 60|6|6" in cells[1].unread
    assert values(cells)[5:] == ["0"] * 10


def _table(rows: dict[str, str], fmt: str = "2021"):
    runs = [(r.id, rows.get(r.id, "0000000")) for r in S3_ROWS[fmt]]
    return dict(zip([rid for rid, _ in runs], read_applications(runs, fmt)))


def test_column_sums_decide_a_row_its_own_sum_does_not():
    # 111000012 is 11|1|0|0|0|0|12, 1|11|0|0|0|0|12 or 1|1|10|0|0|0|12, and 131000014 is
    # 13|1|0|0|0|0|14 or 1|3|10|0|0|0|14; only 11|1 and 13|1 add up down the columns (with 2000002 below)
    assert len(split_run("111000012", S3_SHAPE).splits) == 3
    assert len(split_run("131000014", S3_SHAPE).splits) == 2
    out = _table({"new_received": "131000014", "granted": "111000012", "unable.not_held": "2000002",
                  "total": "131000014"})
    assert values(out["granted"]) == ["11", "1", "0", "0", "0", "0", "12"]
    assert values(out["new_received"]) == ["13", "1", "0", "0", "0", "0", "14"]
    assert values(out["total"]) == ["13", "1", "0", "0", "0", "0", "14"]


def test_a_split_the_columns_cannot_decide_stays_unread():
    # the same two readings in new_received, one result row and the total: both add up everywhere
    out = _table({"new_received": "544000049", "granted": "544000049", "total": "544000049"})
    for rid in ("new_received", "granted", "total"):
        v = values(out[rid])
        assert v[0] == "5" and v[1:3] == [None, None] and v[3:] == ["0", "0", "0", "49"], (rid, v)
    assert "4|40" in out["granted"][1].unread and "44|0" in out["granted"][1].unread


def test_a_broken_identity_reads_the_printed_values_when_the_split_is_unique():
    # a stale total (24 instead of 23): the length alone decides; the core's checks report the break
    out = _table({"new_received": "230000023", "granted": "230000023", "total": "240000024"})
    assert values(out["total"]) == ["24", "0", "0", "0", "0", "0", "24"]


def test_pathological_runs_give_up_quickly():
    t = time.perf_counter()
    rs = split_run("1" * 40, S3_SHAPE)
    cells = read_run("9" * 30 + "1", S4_SHAPE)
    assert time.perf_counter() - t < 2.0
    assert rs.splits is None and all(c.unread for c in cells)


def test_a_whole_report_is_solved_fast():
    rows = {r.id: "0000000" for r in S3_ROWS["2021"]}
    rows.update({"new_received": "801000081", "granted": "220000022", "partially_granted": "191000020",
                 "unable.not_held": "310000031", "total": "801000081", "denied.third_party_rights": "1000001",
                 "denied.process_information": "1000001", "denied.enforcement_case_file": "1000001",
                 "denied.administrative_query": "2000002", "not_processed.duplicate": "1000001",
                 "other.overdue_correction": "1000001", "other.other": "1000001"})
    runs = [(r.id, rows[r.id]) for r in S3_ROWS["2021"]]
    best = 1.0
    for _ in range(3):
        t = time.perf_counter()
        out = read_applications(runs, "2021")
        read_review_litigation("110024001510102")
        for run, rid in (("000", "regulations"), ("77132470", "normative_documents")):
            read_run(run, s2_shape("2021", rid))
        best = min(best, time.perf_counter() - t)
    assert values(out[3]) == ["19", "1", "0", "0", "0", "0", "20"]
    assert best < 0.02


# --- detection ------------------------------------------------------------------------------------

def _other_files():
    files = [p for p in (CORPUS / "cases").iterdir() if not p.name.startswith("glued-")]
    files += list(seed_cases())
    if REAL.is_dir():
        # the real scrapes named "-concat" and "-spaced" lost their structure: they are this layout's
        files += [p for p in REAL.iterdir() if p.is_file() and not p.stem.endswith(("-concat", "-spaced"))]
    return files


@pytest.mark.parametrize("path", _other_files(), ids=lambda p: p.name)
def test_detect_does_not_claim_other_layouts(path):
    assert not glued_text.detect(as_source(path))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_detect_scores_zero_on_the_other_text_layouts(gold_path, layout):
    assert glued_text.detect(as_source(render_text(load_gold(gold_path), layout))) == 0.0


def test_detect_is_safe_on_binary_and_empty_input():
    assert glued_text.detect(as_source(b"\x00\x01\x02" * 100)) is None
    assert glued_text.detect(as_source(b"%PDF-1.4\n")) in (None, 0.0)


# --- the real pages -------------------------------------------------------------------------------

def _warned(report: dict) -> set[str]:
    return {d["where"] for d in report["diagnostics"] if d["level"] in ("warning", "error")
            and d["code"] == "cell_not_read"}


def _no_silent_error(gold: dict, report: dict) -> list[str]:
    """Differences that are not a null with a cell_not_read warning on that very cell."""
    warned = _warned(report)
    return [d for d in compare(gold, report) if not (d.endswith(" got None") and d.split(":")[0] in warned)]


@pytest.mark.parametrize("case", PINGTAN)
def test_real_glued_pages(case, registry):
    path, gold_path = REAL / f"{case}.txt", REAL / "expected" / f"{case}.json"
    if not path.exists() or not gold_path.exists():
        pytest.skip("../shared/real is not beside the project")
    gold = load_gold(gold_path)
    det = detect(as_source(path), registry.layouts())
    assert det.best.name == "glued-text" and len(det.tied) == 1
    report = parse(path, registry=registry).to_dict()
    assert report["meta"]["format"] == gold["format"] and report["meta"]["year"] == gold["year"]
    assert _no_silent_error(gold, report) == []
    # sections 三 and 四 are determined by the text: every cell exact, none unread
    diffs = compare(gold, report)
    assert not [d for d in diffs if not d.startswith("active_disclosure.")]
    assert not [w for w in _warned(report) if not w.startswith("active_disclosure.")]
    assert not [c for c in report["checks"] if not c["ok"]]
    # the section-二 cells the text determines are read: 规章 000, single-column rows, the fee
    s2 = report["active_disclosure"]
    if gold["format"] == "2021":
        assert s2["licensing.decisions"] == 2629 and s2["fees.amount"] == 5949.088667
        assert [s2[f"regulations.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    else:
        assert [s2[f"regulations.{c}"] for c in ("made", "published", "total_public")] == [0, 0, 0]
    # provenance points at the printed digits
    lines = path.read_text(encoding="utf-8").split("\n")
    for field, where in report["provenance"].items():
        if field.startswith(("applications.", "review_litigation.")):
            line = lines[where["line"] - 1]
            assert line[where["col"] - 1:].startswith(where["text"]), field


# --- seeds rendered glued -------------------------------------------------------------------------

@pytest.mark.parametrize("spaces", [None, 7])
@pytest.mark.parametrize("one_line", [True, False], ids=["one-line", "rows"])
@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_seeds_rendered_glued(gold_path, one_line, spaces, registry):
    gold = load_gold(gold_path)
    text = render(gold, one_line=one_line, spaces=spaces)
    report = parse(text, name=f"{gold_path.stem}.glued.txt", registry=registry).to_dict()
    assert report["meta"]["layout"] == "glued-text"
    assert report["meta"]["format"] == str(gold["format"])
    assert _no_silent_error(gold, report) == []
    complete = all(None not in row for row in gold["s3"].values()) and None not in gold.get("s4", [])
    if complete:
        # with no blank cell, sections 三 and 四 are determined by their arithmetic
        assert not [d for d in compare(gold, report) if not d.startswith("active_disclosure.")]
        assert not [c for c in report["checks"] if not c["ok"]]
    other = {d["code"] for d in report["diagnostics"] if d["level"] in ("warning", "error")}
    assert other <= {"cell_not_read", "value_unconfirmed"}
    # a value split from a run that no identity checks is said to be so; sections 三 and 四 have identities
    assert all(d["where"].startswith("active_disclosure.") for d in report["diagnostics"]
               if d["code"] == "value_unconfirmed")


def test_the_renderer_glues_cells_and_numbering():
    if not GOLDS:
        pytest.skip("no seeds")
    gold = load_gold(GOLDS[0])
    text = render(gold)
    body = text.split("\n")[3]
    assert "|" not in body and "\t" not in body
    assert "一、本年新收政府信息公开申请数量" + "".join(str(v) for v in gold["s3"]["new"]) in body
    assert "2.其他法律行政法规禁止公开" in body


# --- the layout on its own ------------------------------------------------------------------------

def test_headings_inside_a_line_cut_the_prose_and_the_tables(registry):
    text = ("某某县2022年政府信息公开工作年度报告\n一、总体情况全年公开信息35条。二、主动公开政府信息情况"
            "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件2 010"
            "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量3000003")
    assert [r.kind for r in glued_text.parse(as_source(text))] == ["flow", "flow"]
    report = parse(text, registry=registry, layout="glued-text")
    assert report.text["overview"] == "一、总体情况\n全年公开信息35条。"
    assert [report.active_disclosure[f"normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] \
        == [2, 0, 10]
    assert report.applications["new_received"]["total"] == 3
    line2 = text.split("\n")[1]
    for c in ("issued", "repealed", "in_force"):
        where = report.provenance[f"active_disclosure.normative_documents.{c}"]
        assert where["line"] == 2 and line2[where["col"] - 1:].startswith(where["text"])


def test_the_corpus_has_glued_cases():
    names = {p.stem for p in (CORPUS / "expected").glob("glued-*.json")}
    assert len(names) >= 2
    for n in names:
        assert load_gold(CORPUS / "expected" / f"{n}.json")["layout"] == "glued-text"


# --- invented reports with random numbers ----------------------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_random_reports_rendered_glued_are_never_silently_wrong(seed, registry):
    from tests.generators.render_glued import random_gold

    gold = random_gold(seed)
    text = render(gold, one_line=seed % 2 == 0, spaces=seed if seed % 3 == 0 else None)
    report = parse(text, name=f"random-{seed}.txt", registry=registry).to_dict()
    assert report["meta"]["layout"] == "glued-text"
    assert _no_silent_error(gold, report) == []
    assert {d["code"] for d in report["diagnostics"] if d["level"] in ("warning", "error")} <= {
        "cell_not_read", "value_unconfirmed"}
    # most of sections 三 and 四 is determined by the arithmetic
    unread = [w for w in _warned(report) if not w.startswith("active_disclosure.")]
    assert len(unread) <= 8


# --- every expected-values file collapsed onto one line, cells one space apart -------------------------

def _collapsible():
    golds = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]
    golds += sorted((CORPUS / "expected").glob("*.json"))
    return [g for g in golds if "s3" in load_gold(g)]


@pytest.mark.parametrize("gold_path", _collapsible(), ids=lambda p: p.stem)
def test_every_report_collapsed_to_single_spaces_is_read(gold_path, registry):
    """The collapsed-scrape rendering of every seed and corpus case: every number right, and every cell
    right when no cell is blank (a blank prints nothing there, so where it stood is read or unread by
    the arithmetic, never guessed)."""
    gold = load_gold(gold_path)
    report = parse(render(gold, sep=" "), name=f"{gold_path.stem}.spaced.txt", registry=registry).to_dict()
    assert report["meta"]["layout"] == "glued-text"
    diffs = compare(gold, report)
    # "want None got 'missing'": a row printed with no value at all, which collapsed text cannot show
    wrong = [d for d in diffs if not d.endswith("got None") and not d.endswith("want None got 'missing'")]
    assert wrong == [] or _rows_the_renderer_drops(gold, wrong), wrong
    blanks = any(None in row for row in gold["s3"].values()) or None in gold.get("s4", []) or \
        None in gold.get("s2", {}).values()
    if not blanks:
        assert diffs == [] or _rows_the_renderer_drops(gold, diffs), diffs


def _rows_the_renderer_drops(gold, wrong) -> bool:
    # the generators print a 2021-format report's （六） as its sub-rows: a gold with the one row `other`
    # renders without it
    return gold.get("format") == "2021" and "other" in gold["s3"] and all(".other." in w for w in wrong)
