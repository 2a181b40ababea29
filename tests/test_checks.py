"""Broken identities are reported with the cells involved and the printed values kept, never repaired."""
from __future__ import annotations

import copy

import pytest

from conftest import SEEDS, load_gold, seed_cases
from core.api import parse
from core.corpus import compare
from tests.generators.render_text import render

pytestmark = pytest.mark.skipif(not seed_cases(), reason="../shared/seeds is not beside the project")


@pytest.fixture
def gold():
    return load_gold(SEEDS / "expected" / "001_bfb1f788e4caebeb.json")


def _failed(report):
    return [(c.rule, c.scope) for c in report.failed_checks]


def test_a_stale_total_is_reported_not_fixed(gold, registry):
    g = copy.deepcopy(gold)
    g["s3"]["total"][0] = 80   # the result rows add up to 79
    g["s3"]["total"][6] = 80
    report = parse(render(g, "pipe-rows"), registry=registry)
    assert compare(g, report.to_dict()) == []           # the printed 80 is kept
    assert sorted(_failed(report), key=str) == sorted([
        ("received_equals_handled_plus_carried", {"column": "natural_person"}),
        ("received_equals_handled_plus_carried", {"column": "total"}),
        ("result_rows_sum_to_total", {"column": "natural_person"}),
        ("result_rows_sum_to_total", {"column": "total"}),
    ], key=str)
    check = next(c for c in report.failed_checks
                 if c.rule == "result_rows_sum_to_total" and c.scope == {"column": "natural_person"})
    assert (check.expected, check.found) == (80, 79)
    assert "applications.total.natural_person" in check.cells
    assert "applications.granted.natural_person" in check.cells


def test_a_blank_total_column_fails_the_row_rule(gold, registry):
    g = copy.deepcopy(gold)
    for key in ("granted", "partial"):
        g["s3"][key][6] = None
    report = parse(render(g, "tab-rows"), registry=registry)
    assert compare(g, report.to_dict()) == []
    rows = {c.scope.get("row") for c in report.failed_checks if c.rule == "applicant_columns_sum_to_total"}
    assert rows == {"granted", "partially_granted"}
    check = next(c for c in report.failed_checks if c.scope.get("row") == "granted")
    assert check.blank_cells == ["applications.granted.total"]


def test_a_zero_review_total_beside_nonzero_cells(gold, registry):
    g = copy.deepcopy(gold)
    g["s4"][0:5] = [2, 1, 0, 0, 0]
    report = parse(render(g, "pipe-cells"), registry=registry)
    assert compare(g, report.to_dict()) == []
    assert _failed(report) == [("review_litigation_group_total", {"group": "review"})]


def test_consistent_reports_list_every_check_as_passing(gold, registry):
    report = parse(render(gold, "markdown-table"), registry=registry)
    assert report.checks and all(c.ok for c in report.checks)
