"""The five shared seed reports: every cell exact, no warning, the right layout detected first."""
from __future__ import annotations

import pytest

from conftest import GOLD_LAYOUTS, SEEDS, load_gold, seed_cases
from core.api import as_source, parse
from core.corpus import compare
from core.detect import detect

CASES = seed_cases()
pytestmark = pytest.mark.skipif(not CASES, reason="../shared/seeds is not beside the project")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_seed_parses_exactly(path, registry):
    gold = load_gold(SEEDS / "expected" / f"{path.stem}.json")
    report = parse(path, registry=registry)
    assert compare(gold, report.to_dict()) == []
    assert [d for d in report.warnings] == []
    assert report.failed_checks == []
    assert report.meta["script"] == gold["script"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_seed_layout_detected_first(path, registry):
    gold = load_gold(SEEDS / "expected" / f"{path.stem}.json")
    det = detect(as_source(path), registry.layouts())
    assert det.best.name == GOLD_LAYOUTS[gold["layout"]]
    assert len(det.tied) == 1


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_value_has_provenance(path, registry):
    report = parse(path, registry=registry).to_dict()
    text = path.read_text(encoding="utf-8").split("\n")
    for row, cols in report["applications"].items():
        for col, value in cols.items():
            if value is None:
                continue
            where = report["provenance"][f"applications.{row}.{col}"]
            printed = text[where["line"] - 1]
            assert where["text"] in printed
            assert printed[where["col"] - 1:].startswith(where["text"])


def test_every_identity_is_listed_with_its_cells(registry):
    report = parse(CASES[1], registry=registry).to_dict()
    rules = {c["rule"] for c in report["checks"]}
    assert rules >= {"applicant_columns_sum_to_total", "received_equals_handled_plus_carried",
                     "result_rows_sum_to_total", "review_litigation_group_total"}
    per_rule = {r: [c for c in report["checks"] if c["rule"] == r] for r in rules}
    assert len(per_rule["received_equals_handled_plus_carried"]) == 7
    assert len(per_rule["result_rows_sum_to_total"]) == 7
    assert len(per_rule["review_litigation_group_total"]) == 3
    assert len(per_rule["applicant_columns_sum_to_total"]) == len(report["applications"])
    for c in report["checks"]:
        assert c["cells"] and all(cell.count(".") >= 2 for cell in c["cells"])
