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
