"""Tests of the csv layout plugin, run against the zfxxgk core it plugs into.

They need only zfxxgk importable (installed, or its source tree on sys.path); the CLI tests also need this
plugin installed (``pip install ./examples/zfxxgk-layout-csv``) and are skipped otherwise.
"""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import zfxxgk_layout_csv as plugin
from core.detect import detect
from core.layout import TABLE, TEXT, LayoutPlugin
from core.pipeline import parse_source
from core.registry import Registry
from core.source import Source

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-report.csv"
EXPECTED = json.loads((DATA / "sample-report.expected.json").read_text(encoding="utf-8"))
#: The host project's regression corpus, when the tests run inside the zfxxgk repository.
CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "cases"


@pytest.fixture
def registry():
    """A fresh registry with the built-in layouts and this plugin, whatever else is installed."""
    reg = Registry(external=False)
    assert reg.register(plugin, "csv", "zfxxgk-layout-csv", plugin.__version__)
    return reg


def sample_text() -> str:
    return SAMPLE.read_bytes().decode("utf-8-sig")


def variants() -> dict[str, bytes]:
    """The sample as different spreadsheet programs save it."""
    text = sample_text()
    trimmed = "\r\n".join(re.sub(",+$", "", line) for line in text.split("\r\n"))
    return {
        "utf-8 with BOM, CRLF (Excel)": SAMPLE.read_bytes(),
        "utf-8, LF": text.replace("\r\n", "\n").encode("utf-8"),
        "GBK (Excel on a Chinese Windows)": text.encode("gbk"),
        "trailing empty fields trimmed": trimmed.encode("utf-8"),
    }


def other_layouts() -> dict[str, tuple[str, str]]:
    """The sample's records written in each built-in text layout: (layout that must win, text)."""
    records = list(csv.reader(io.StringIO(sample_text())))
    cells = [[c.replace("\n", "") for c in rec] for rec in records]
    filled = [[c for c in rec if c] for rec in cells]
    pipe_rows = "\n".join(" | ".join(r) + " |" if len(r) > 1 else r[0] for r in filled if r)
    pipe_cells = "\n".join(line for r in filled if r
                           for line in ([f"{c} |" for c in r] if len(r) > 1 else [r[0]]))
    tabs = "\n".join("\t".join(rec).rstrip("\t") if sum(map(bool, rec)) > 1 else rec[0] for rec in cells)
    blank = "\n\n".join(c for r in filled for c in r)
    md = []
    for rec in cells:
        if sum(map(bool, rec)) > 1:
            if not md or not md[-1].startswith("|"):
                md += ["", "| " + " | ".join(rec) + " |", "|" + "---|" * len(rec)]
            else:
                md.append("| " + " | ".join(rec) + " |")
        else:
            md += ["", rec[0]]
    return {"pipe-rows": ("pipe-rows", pipe_rows), "pipe-cells": ("pipe-cells", pipe_cells),
            "tab-rows": ("tab-rows", tabs), "blank-line-cells": ("blank-line-cells", blank),
            "markdown-table": ("markdown-table", "\n".join(md))}


# --- the hook -----------------------------------------------------------------------------------------

def test_hook_core_layouts():
    layouts = plugin.core_layouts()
    assert [p.name for p in layouts] == ["csv"]
    assert all(isinstance(p, LayoutPlugin) for p in layouts)


def test_registered_next_to_the_builtins(registry):
    names = [p.name for p in registry.layouts()]
    assert "csv" in names and "pipe-rows" in names
    assert not registry.failures
    csv_layout = registry.layout("csv")
    assert csv_layout.origin == "zfxxgk-layout-csv"


# --- reading records ----------------------------------------------------------------------------------

def test_records_keep_positions_quotes_and_line_breaks():
    text = 'a,"b, c",,"say ""hi"""\n"结果\n纠正",  x ,\n'
    recs = [r for r in plugin.read_records(text) if any(c.text for c in r)]
    assert [[c.text for c in r] for r in recs] == [["a", "b, c", "", 'say "hi"'], ["结果纠正", "x", ""]]
    first, second = recs
    assert (first[1].line, first[1].col) == (1, 4)          # inside the opening quote
    assert (first[3].line, first[3].col) == (1, 12)
    assert (second[0].line, second[0].col) == (2, 2)        # a field that runs over two lines
    assert (second[1].line, second[1].col) == (3, 7)        # leading spaces skipped


def test_parse_rows(registry):
    rows = plugin.parse(Source.from_path(SAMPLE))
    assert rows[0].kind == TEXT and rows[0].text.startswith("岚汀市岚西区卫生健康局2023年")
    table = [r for r in rows if r.kind == TABLE]
    assert table and all(len(r.cells) == 15 for r in table)  # blank cells keep their column
    assert all(r.cells[0].line is not None for r in rows)


# --- detection ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(variants()))
def test_detect_wins_on_csv(registry, name):
    det = detect(Source(variants()[name], name="sample.csv"), registry.layouts())
    assert det.best is not None and det.best.name == "csv"
    assert [p.name for p in det.tied] == ["csv"]             # no tie with a built-in layout
    assert det.scores["csv"] >= 0.5


@pytest.mark.parametrize("name", list(other_layouts()))
def test_detect_loses_on_builtin_layouts(registry, name):
    winner, text = other_layouts()[name]
    det = detect(Source.from_text(text, name=f"sample.{name}"), registry.layouts())
    assert det.scores.get("csv") == 0.0
    assert det.best is not None and det.best.name == winner


@pytest.mark.skipif(not CORPUS.is_dir(), reason="not inside the zfxxgk repository")
def test_detect_is_zero_on_the_corpus():
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert files
    for f in files:
        assert plugin.detect(Source.from_path(f)) in (0.0, None), f.name


@pytest.mark.parametrize("data", [
    b"\x00\x01\x02binary\x00" * 50,
    b'"an unbalanced quote, then prose\n' * 30,
    "一、总体情况\n本年度,我局,主动公开,信息\n".encode() * 3,
    b"\xff\xfe\xfd not text at all \x81",
])
def test_detect_never_raises(data):
    score = plugin.detect(Source(data, name="odd"))
    assert score is None or 0.0 <= score <= 1.0
    assert not score


# --- values -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(variants()))
def test_parse_gives_the_expected_values(registry, name):
    report = parse_source(Source(variants()[name], name="sample.csv"), registry=registry).to_dict()
    for key, want in EXPECTED["meta"].items():
        assert report["meta"][key] == want, key
    for section in ("active_disclosure", "applications", "review_litigation"):
        assert report[section] == EXPECTED[section], section
    assert [c for c in report["checks"] if not c["ok"]] == []
    assert report["applications"]["not_processed.publication"]["social_welfare_org"] is None  # a blank cell
    prov = report["provenance"]["applications.new_received.total"]
    assert prov["line"] > 1 and prov["text"] == str(EXPECTED["applications"]["new_received"]["total"])


# --- the command line, once the plugin is installed ---------------------------------------------------

def _installed() -> bool:
    try:
        metadata.distribution("zfxxgk-layout-csv")
    except metadata.PackageNotFoundError:
        return False
    return any(ep.name == "csv" for ep in metadata.entry_points(group="zfxxgk.layouts"))


needs_install = pytest.mark.skipif(not _installed(), reason="zfxxgk-layout-csv is not installed")


def _core(*args, env=None):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, env=env)


@needs_install
def test_cli_plugins_lists_csv():
    p = _core("plugins", "--json")
    assert p.returncode == 0, p.stderr
    layouts = {x["name"]: x for x in json.loads(p.stdout)["layouts"]}
    assert layouts["csv"]["origin"] == "zfxxgk-layout-csv"


@needs_install
def test_cli_detect_ranks_csv_first():
    p = _core("detect", "--json", str(SAMPLE))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["best"] == "csv" and out["tie"] == []
    assert out["ranking"][0]["layout"] == "csv"


@needs_install
def test_cli_without_plugins(tmp_path):
    import os
    env = dict(os.environ, CORE_LOAD_PLUGINS="")
    p = _core("plugins", "--json", env=env)
    assert "csv" not in {x["name"] for x in json.loads(p.stdout)["layouts"]}
    p = _core("--no-plugins", "plugins", "--json")
    assert "csv" not in {x["name"] for x in json.loads(p.stdout)["layouts"]}
