"""Shared fixtures: where the shared reports are, a fresh plugin registry, and a CLI runner."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
CORPUS = ROOT / "corpus"

#: gold "layout" names of the shared seeds -> our layout plugin names
GOLD_LAYOUTS = {"pipe-cells": "pipe-cells", "pipe-rows": "pipe-rows", "markdown-tsv": "tab-rows",
                "one-cell-per-line": "blank-line-cells"}


def seed_cases():
    if not (SEEDS / "expected").is_dir():
        return []
    return sorted(p for p in SEEDS.iterdir() if p.is_file() and (SEEDS / "expected" / f"{p.stem}.json").exists())


def shared_score():
    """../shared/tools/score.py as a module (its compare() is the judge of a parse), or skip."""
    import importlib.util

    path = SHARED / "tools" / "score.py"
    if not path.exists():
        pytest.skip("../shared/tools/score.py is not beside the project")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def registry():
    """A fresh registry with only the built-in layouts, so tests never see what else is installed."""
    from core.registry import Registry

    return Registry(external=False)


def run_cli(*args, stdin: bytes | None = None, env: dict | None = None, cwd: Path = ROOT):
    """Run ``python -m core ARGS`` and return the completed process (text stdout/stderr)."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], input=stdin, capture_output=True,
                          cwd=cwd, env=e, timeout=120)


@pytest.fixture
def cli():
    return run_cli
