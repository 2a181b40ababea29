"""The safety net for changes to the engine: the whole JSON of every corpus case, seed, real report and
rendered seed is kept in tests/snapshots/, and any difference fails.

A change that alters a snapshot on purpose is a fix: regenerate with
``ZFXXGK_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py`` and explain the difference in the
commit that carries it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.api import parse
from core.errors import CoreError
from conftest import CORPUS, SEEDS, SHARED, load_gold, seed_cases
from tests.generators import render_docx, render_glued, render_html, render_pdf, render_text

SNAPSHOTS = Path(__file__).with_name("snapshots")
REAL = SHARED / "real"
UPDATE = os.environ.get("ZFXXGK_UPDATE_SNAPSHOTS") == "1"


def _files() -> list[tuple[str, object]]:
    cases: list[tuple[str, object]] = []
    for p in sorted((CORPUS / "cases").iterdir()):
        cases.append((f"corpus-{p.stem}", p))
    for p in seed_cases():
        cases.append((f"seed-{p.stem[:3]}", p))
    if REAL.is_dir():
        for p in sorted(REAL.iterdir()):
            if p.is_file() and p.name != "README.md":
                cases.append((f"real-{p.stem}", p))
    return cases


def _rendered() -> list[tuple[str, object]]:
    cases: list[tuple[str, object]] = []
    for p in seed_cases():
        gold = load_gold(SEEDS / "expected" / f"{p.stem}.json")
        sid = p.stem[:3]
        for layout in render_text.LAYOUTS:
            cases.append((f"render-{sid}-text-{layout}", (render_text.render, gold, layout)))
        for style in render_html.STYLES:
            cases.append((f"render-{sid}-html-{style}", (render_html.render_html, gold, style)))
        for style in render_docx.STYLES:
            cases.append((f"render-{sid}-docx-{style}", (render_docx.render_docx, gold, style)))
        for style in render_pdf.STYLES:
            cases.append((f"render-{sid}-pdf-{style}", (render_pdf.render_pdf, gold, style)))
        cases.append((f"render-{sid}-glued", (render_glued.render, gold)))
    return cases


CASES = _files() + _rendered()


def _input(spec) -> tuple[object, str | None]:
    if isinstance(spec, Path):
        return spec, None
    fn, *args = spec
    data = fn(*args)
    return (data.encode("utf-8") if isinstance(data, str) else data), "rendered"


def snapshot_of(name: str, spec) -> dict:
    source, label = _input(spec)
    try:
        out = parse(source, name=label and name).to_dict()
    except CoreError as e:
        return {"error": {"exit_code": e.exit_code, "message": e.message}}
    # A PDF cell's box depends on the fonts the machine has for PDFium's fallback, not on the engine.
    for where in out["provenance"].values():
        where.pop("bbox", None)
    return out


@pytest.mark.parametrize("name,spec", CASES, ids=[c[0] for c in CASES])
def test_snapshot(name, spec):
    got = json.loads(json.dumps(snapshot_of(name, spec), ensure_ascii=False))
    path = SNAPSHOTS / f"{name}.json"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no snapshot {path.name}; write it with ZFXXGK_UPDATE_SNAPSHOTS=1")
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        return
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want, _first_difference(want, got)


def _first_difference(want, got, path: str = "") -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in want or k not in got:
                return f"{path}.{k}: only in {'snapshot' if k in want else 'this run'}"
            if want[k] != got[k]:
                return _first_difference(want[k], got[k], f"{path}.{k}")
    if isinstance(want, list) and isinstance(got, list):
        for i, (a, b) in enumerate(zip(want, got)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
        return f"{path}: {len(want)} items in the snapshot, {len(got)} now"
    return f"{path}: snapshot {json.dumps(want, ensure_ascii=False)[:200]} now {json.dumps(got, ensure_ascii=False)[:200]}"
