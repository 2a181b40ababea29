"""The command line: output contract, one-line errors and distinct exit codes."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from conftest import ROOT, seed_cases

SEEDS = seed_cases()
needs_seeds = pytest.mark.skipif(not SEEDS, reason="../shared/seeds is not beside the project")

MINIMAL_2016 = "某某县2016年政府信息公开工作年度报告\n一、概述\n2016年，我县主动公开政府信息1200条。\n二、主动公开政府信息情况\n全年公开文件35件。\n"
NOTICE = ("关于做好2024年政务公开工作的通知\n各乡镇人民政府：\n为深入推进政府信息公开工作，现就有关事项通知如下。\n"
          "一、提高认识\n二、加强政策解读\n三、做好依申请公开\n")


def _one_line_error(p, code):
    assert p.returncode == code, p.stderr
    err = p.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "Traceback" not in p.stderr.decode()
    assert p.stdout == b""
    return err[0]


@needs_seeds
def test_parse_prints_the_contract(cli):
    p = cli("parse", SEEDS[0])
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert list(out) == ["meta", "active_disclosure", "applications", "review_litigation", "text",
                         "provenance", "status", "checks", "diagnostics"]
    # every cell the document has says how sure the parse is of it
    cells = [f"applications.{r}.{c}" for r, cols in out["applications"].items() for c in cols]
    assert set(cells) <= set(out["status"]) and set(out["status"].values()) <= {
        "confirmed", "unconfirmed", "conflict", "unread", "blank"}
    assert {"source", "layout", "layout_scores", "format", "year", "organ", "script"} <= set(out["meta"])
    assert set(out["text"]) == {"overview", "problems", "other_matters"}


@needs_seeds
def test_parse_from_stdin_and_to_a_file(cli, tmp_path):
    data = SEEDS[1].read_bytes()
    p = cli("parse", "-", stdin=data)
    assert p.returncode == 0 and json.loads(p.stdout)["meta"]["source"] == "<stdin>"
    out = tmp_path / "sub" / "r.json"
    p = cli("parse", SEEDS[1], "--out", out)
    assert p.returncode == 0 and p.stdout == b""
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]["format"] == "2019"
    assert not [f for f in out.parent.iterdir() if f.name.endswith(".tmp")]


def test_out_never_overwrites_the_input(cli, tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(MINIMAL_2016, encoding="utf-8")
    _one_line_error(cli("parse", f, "--out", f), 2)
    assert f.read_text(encoding="utf-8") == MINIMAL_2016


@pytest.mark.parametrize("content, code, words", [
    (None, 3, "no such file"),
    (b"", 3, "empty"),
    (b"   \n\n", 3, "empty"),
    (bytes(range(256)) * 40, 3, "binary"),
    (b"\x00\x01\x02 report \x00", 3, "binary"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> trunc", 3, "pdf"),
    (b"PK\x03\x04 not really a zip", 3, ""),
    (MINIMAL_2016.encode(), 4, "2016"),
    (NOTICE.encode(), 4, "annual report"),
])
def test_bad_input_is_one_line_and_a_distinct_code(cli, tmp_path, content, code, words):
    f = tmp_path / "input.txt"
    if content is not None:
        f.write_bytes(content)
    line = _one_line_error(cli("parse", f), code)
    assert words.lower() in line.lower()


def test_a_directory_is_unreadable(cli, tmp_path):
    assert "directory" in _one_line_error(cli("parse", tmp_path), 3)


@pytest.mark.parametrize("args", [(), ("parse",), ("frobnicate",), ("parse", "x", "--bogus"),
                                  ("parse", "x", "--layout", "no-such-layout")])
def test_usage_errors_exit_2(cli, tmp_path, args):
    if "x" in args:
        (tmp_path / "x").write_text(MINIMAL_2016, encoding="utf-8")
    p = cli(*args, cwd=tmp_path) if args and "x" in args else cli(*args)
    _one_line_error(p, 2)


@needs_seeds
def test_detect_lists_every_layout_best_first(cli):
    p = cli("detect", "--json", SEEDS[3])
    out = json.loads(p.stdout)
    scores = [r["score"] for r in out["ranking"]]
    assert scores == sorted(scores, reverse=True)
    assert out["best"] == "tab-rows" and out["tie"] == []
    text = cli("detect", SEEDS[3]).stdout.decode()
    assert "best: tab-rows" in text


def test_plugins_lists_origins_and_versions(cli):
    p = cli("plugins", "--json")
    out = json.loads(p.stdout)
    builtins = [x for x in out["layouts"] if x["origin"] == "built-in"]
    assert {"pipe-cells", "pipe-rows", "tab-rows", "blank-line-cells", "markdown-table"} <= {x["name"] for x in builtins}
    assert all(x["version"] for x in builtins)


# --- --out writes only regular files, never over its input -----------------------------------------------

def test_bad_out_targets_are_one_line_usage_errors(cli, tmp_path):
    seed = SEEDS[0]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    a_file = tmp_path / "file.json"
    a_file.write_text("keep")
    for target, words in ((fifo, "not a regular file"), ("/dev/full", "not a regular file"),
                          (tmp_path, "is a directory"), (a_file / "under.json", "not a directory")):
        p = cli("parse", seed, "--out", target)
        err = p.stderr.decode()
        assert p.returncode == 2 and len(err.strip().splitlines()) == 1 and words in err, (target, err)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and a_file.read_text() == "keep"


def test_out_never_overwrites_the_file_standard_input_reads(tmp_path):
    target = tmp_path / "report.txt"
    target.write_bytes(SEEDS[0].read_bytes())
    with open(target, "rb") as stdin:
        p = subprocess.run([sys.executable, "-m", "core", "parse", "-", "--out", str(target)], stdin=stdin,
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 2 and "input" in p.stderr
    assert target.read_bytes() == SEEDS[0].read_bytes()


def test_out_is_created_with_the_users_umask(tmp_path):
    out = tmp_path / "r.json"
    p = subprocess.run(["sh", "-c", f"umask 022 && {sys.executable} -m core parse {SEEDS[0]} --out {out}"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644


# --- --version, the console script, typos ---------------------------------------------------------------

@pytest.mark.parametrize("args", [("--version",), ("parse", "--version"), ("detect", "--version"),
                                  ("plugins", "--version"), ("corpus-add", "--version"), ("batch", "--version"),
                                  ("compare", "--version")])
def test_version_on_every_command(cli, args):
    p = cli(*args)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().startswith("zfxxgk ") and p.stderr == b""


def test_the_console_script_is_the_same_command_named_as_it_is_run(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("zfxxgk")
    if not script.exists():
        pytest.skip("the zfxxgk console script is not installed beside this Python")
    p = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("zfxxgk ")
    p = subprocess.run([str(script), "pasre", "x"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith("error: zfxxgk: ") and "did you mean 'parse'?" in p.stderr
    p = subprocess.run([str(script)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "zfxxgk: a command is needed" in p.stderr


@pytest.mark.parametrize("args, hint", [
    (("pares", "x"), "did you mean 'parse'?"),
    (("bacth", "x", "-o", "y.db"), "did you mean 'batch'?"),
    (("parse", "x", "--fromat", "table"), "did you mean --format?"),
    (("parse", "x", "--format", "tabel"), "did you mean 'table'?"),
    (("batch", "x", "-o", "y.db", "--lables", "zh"), "did you mean --labels?"),
    (("detect", "x", "--jsno"), "did you mean --json?"),
])
def test_a_typo_gets_the_nearest_suggested(cli, args, hint):
    line = _one_line_error(cli(*args), 2)
    assert hint in line and line.startswith("error: python -m core")


@needs_seeds
def test_parse_format_table_to_stdout_and_json_stays_the_default(cli):
    p = cli("parse", SEEDS[1], "--format", "table", env={"COLUMNS": "100"})
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "三、收到和处理政府信息公开申请情况" in text and "四、结转下年度继续办理" in text
    import unicodedata

    def width(line: str) -> int:  # a Chinese character takes two columns
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    assert max(width(line) for line in text.splitlines()) <= 100
    assert json.loads(cli("parse", SEEDS[1]).stdout)["meta"]["format"] == "2019"
