"""The layout SDK is the only part of the core a layout imports: the built-in layouts and the example plugin
are held to it, so that a layout cannot come to depend on the core's internals."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

LAYOUT_FILES = sorted((ROOT / "plugins").rglob("*.py")) + sorted(
    p for p in (ROOT / "examples").rglob("zfxxgk_layout_*/*.py") if "build" not in p.parts)


def _core_imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core" or node.module.startswith("core."):
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name == "core" or a.name.startswith("core.")]
    return out


def test_there_are_layouts_to_check():
    assert len(LAYOUT_FILES) > 15


@pytest.mark.parametrize("path", LAYOUT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_layout_imports_only_the_sdk(path):
    wrong = [(line, mod) for line, mod in _core_imports(path) if mod != "core.sdk"]
    assert not wrong, f"{path.relative_to(ROOT)} imports core internals: {wrong}; use core.sdk"


def test_the_sdk_exports_what_it_lists():
    import core.sdk as sdk

    assert all(hasattr(sdk, name) for name in sdk.__all__)


@pytest.mark.parametrize(
    "heading, key",
    [
        ("一、總體情況", "overview"),
        ("二、主動公開政府信息情況", "active_disclosure"),
        ("三、收到和處理政府信息公開申請情況", "applications"),
        ("四、政府信息公開行政複議、行政訴訟情況", "review_litigation"),
        ("五、存在的主要問題及改進情況", "problems"),
        ("六、其他需要報告的事項", "other_matters"),
        ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
    ],
)
def test_section_of_knows_a_heading_in_either_script(heading, key):
    """Layouts see the text as printed: a traditional heading is a heading too (a space-aligned layout that
    missed 四、政府信息公開… took it for a row label and section 四 for its header)."""
    from core.sdk import section_of

    assert section_of(heading) == key
    assert section_of("四、結轉下年度繼續辦理") is None  # a row of section 三, not a heading
