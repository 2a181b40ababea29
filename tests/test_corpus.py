"""Every regression case in corpus/: expected values, failed checks, warnings, refusals, detection."""
from __future__ import annotations

import json

import pytest

from conftest import CORPUS, GOLD_LAYOUTS, load_gold, run_cli
from core.api import as_source, parse
from core.corpus import compare
from core.detect import detect
from core.errors import NotAReport

CASES = sorted(p for p in (CORPUS / "expected").glob("*.json"))


def _input(gold_path):
    found = [p for p in (CORPUS / "cases").iterdir() if p.stem == gold_path.stem]
    assert len(found) == 1, f"case {gold_path.stem} needs exactly one input file in corpus/cases"
    return found[0]


def test_the_corpus_is_not_empty():
    assert len(CASES) >= 20


@pytest.mark.parametrize("gold_path", CASES, ids=lambda p: p.stem)
def test_case(gold_path, registry):
    gold = load_gold(gold_path)
    path = _input(gold_path)
    if gold.get("expect") == "refuse":
        with pytest.raises(NotAReport) as exc:
            parse(path, registry=registry)
        assert gold.get("stderr_contains", "") in str(exc.value)
        return
    report = parse(path, registry=registry).to_dict()
    assert compare(gold, report) == []
    if gold.get("organ"):
        assert report["meta"]["organ"] == gold["organ"]
    failed = sorted((c["rule"], c.get("row") or c.get("column") or c.get("group")) for c in report["checks"]
                    if not c["ok"])
    want = sorted((c["rule"], c.get("row") or c.get("column") or c.get("group")) for c in gold.get("failed_checks", []))
    assert failed == want
    warned = {d["code"] for d in report["diagnostics"] if d["level"] in ("warning", "error")}
    assert warned == set(gold.get("warnings", [])), [d for d in report["diagnostics"] if d["level"] != "info"]


@pytest.mark.parametrize("gold_path", [c for c in CASES if load_gold(c).get("layout")], ids=lambda p: p.stem)
def test_case_layout_is_detected_first(gold_path, registry):
    gold = load_gold(gold_path)
    det = detect(as_source(_input(gold_path)), registry.layouts())
    assert det.best.name == GOLD_LAYOUTS.get(gold["layout"], gold["layout"])
    assert len(det.tied) == 1


@pytest.mark.parametrize("gold_path", [c for c in CASES if load_gold(c).get("expect") == "refuse"],
                         ids=lambda p: p.stem)
def test_refusals_through_the_cli(gold_path):
    gold = load_gold(gold_path)
    p = run_cli("parse", _input(gold_path))
    assert p.returncode == gold.get("exit", 4)
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and gold.get("stderr_contains", "") in lines[0]


def test_corpus_add_writes_a_case_and_never_overwrites(tmp_path):
    src = _input(next(c for c in CASES if not load_gold(c).get("expect")))
    p = run_cli("corpus-add", src, "--name", "new-case", "--corpus", tmp_path / "corpus")
    assert p.returncode == 0, p.stderr
    gold = json.loads((tmp_path / "corpus" / "expected" / "new-case.json").read_text(encoding="utf-8"))
    assert gold["s3"] and (tmp_path / "corpus" / "cases" / f"new-case{src.suffix}").exists()
    again = run_cli("corpus-add", src, "--name", "new-case", "--corpus", tmp_path / "corpus")
    assert again.returncode == 2 and b"exists" in again.stderr
