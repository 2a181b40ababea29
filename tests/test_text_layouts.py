"""Every seed's expected values rendered into every text layout parse exactly, with no warning."""
from __future__ import annotations

import pytest

from conftest import SEEDS, load_gold, seed_cases
from core.api import parse
from core.corpus import compare
from tests.generators.render_text import LAYOUTS, render

GOLDS = [SEEDS / "expected" / f"{p.stem}.json" for p in seed_cases()]
pytestmark = pytest.mark.skipif(not GOLDS, reason="../shared/seeds is not beside the project")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem[:3])
def test_rendered_gold_parses_exactly(gold_path, layout, registry):
    gold = load_gold(gold_path)
    text = render(gold, layout)
    report = parse(text, name=f"{gold_path.stem}.{layout}", registry=registry)
    assert report.meta["layout"] == layout
    assert compare(gold, report.to_dict()) == []
    consistent = all(None not in row for row in gold["s3"].values())
    if consistent:
        assert [d.message for d in report.warnings] == []
        assert report.failed_checks == []
