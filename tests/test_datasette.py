"""``datasette OUT.db -m OUT.metadata.json`` serves the batch database of the seeds and ../shared/real as a
browsable dataset: the test starts datasette on 127.0.0.1 (a free port, stopped at the end) and reads its
pages: the tables with their titles, one report's values filtered by status, and a full-text search of
the prose. Skipped without datasette (``pip install '.[datasette]'``), except under ZFXXGK_REQUIRE_TOOLS=1
(as in CI), where a missing datasette fails."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import SHARED, run_cli, seed_cases

pytestmark = pytest.mark.skipif(not seed_cases(), reason="../shared/seeds is not beside the project")
REQUIRE = os.environ.get("ZFXXGK_REQUIRE_TOOLS") == "1"
START_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    try:
        import datasette  # noqa: F401
    except ImportError:
        if REQUIRE:
            pytest.fail("datasette is not installed (pip install '.[datasette]')")
        pytest.skip("datasette is not installed (pip install '.[datasette]')")
    out = tmp_path_factory.mktemp("ds") / "dataset.db"
    inputs = [*seed_cases(), *(p for p in sorted((SHARED / "real").iterdir())
                               if p.is_file() and p.name != "README.md")]
    p = run_cli("batch", *inputs, "-o", out, "-j", "2")
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    meta = out.with_name("dataset.metadata.json")
    assert meta.exists()
    port = _free_port()
    log = out.with_name("datasette.log")
    with open(log, "wb") as f:  # a file, not a pipe: nothing reads it while the server runs
        proc = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(out), "-m", str(meta),
                                 "-h", "127.0.0.1", "-p", str(port)], stdout=f, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_S
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait(10)
                pytest.fail(f"datasette did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield base, out
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200
        return r.read().decode("utf-8")


def _json(url: str):
    return json.loads(_get(url))


def test_the_tables_page_lists_every_table_and_each_has_its_title(served):
    base, _ = served
    page = _get(f"{base}/dataset")
    for table in ("reports", "values", "fields", "statuses", "prose", "checks", "diagnostics", "failures",
                  "cross_checks", "runs"):
        assert f'href="/dataset/{table}"' in page, table
    assert "labelled_values" in page  # a view
    assert "政府信息公开工作年度报告数据集" in page
    reports = _get(f"{base}/dataset/reports")
    assert "报告 · reports" in reports and "统计年度" in reports  # title, column description
    info = _json(f"{base}/dataset/reports.json?_facet=year&_size=0")
    assert info["facet_results"]["year"]["results"]


def test_one_reports_values_filtered_by_status(served):
    base, out = served
    db = sqlite3.connect(out)
    rid, n = db.execute("SELECT report_id, COUNT(*) FROM \"values\" WHERE status = 'unread' GROUP BY report_id "
                        "ORDER BY 2 DESC LIMIT 1").fetchone()
    rows = _json(f"{base}/dataset/labelled_values.json?report_id={rid}&status=unread&_shape=array&_size=max")
    assert len(rows) == n and {r["status"] for r in rows} == {"unread"}
    assert all(r["value"] is None and r["label"] and r["status_label"] == "未能读取" for r in rows)
    # the same in the values table, and the facets the metadata suggests
    page = _json(f"{base}/dataset/values.json?report_id={rid}&status=unread&_size=0")
    assert page["filtered_table_rows_count"] == n
    facets = _json(f"{base}/dataset/labelled_values.json?_size=0")["facet_results"]
    assert {"status", "year", "format", "layout"} <= set(facets)
    assert {f["value"] for f in facets["status"]["results"]} >= {"confirmed", "unread"}
    # a blank cell is not an unread one
    html = _get(f"{base}/dataset/values?report_id={rid}&status=unread")
    assert "数值 · values" in html


def test_full_text_search_of_the_prose(served):
    base, out = served
    db = sqlite3.connect(out)
    word = "政府信息公开申请"
    want = {r for (r,) in db.execute("SELECT id FROM prose WHERE text LIKE ?", (f"%{word}%",))}
    assert want
    rows = _json(f"{base}/dataset/prose.json?_search={urllib.parse.quote(word)}&_shape=array&_size=max")
    assert {r["id"] for r in rows} == want
    html = _get(f"{base}/dataset/prose?_search={urllib.parse.quote('信息处理费')}")
    assert "信息处理费" in html


def test_metadata_describes_every_column_of_every_table(served):
    _, out = served
    meta = json.loads(Path(out).with_name("dataset.metadata.json").read_text(encoding="utf-8"))
    tables = meta["databases"]["dataset"]["tables"]
    db = sqlite3.connect(out)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE "
                              "'prose_fts%' AND name NOT LIKE 'sqlite_%'"):
        assert name in tables and tables[name]["title"] and tables[name]["description"], name
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{name}")')]
        assert set(tables[name]["columns"]) == set(columns), name
        assert all(tables[name]["columns"].values()), name
    assert tables["reports"]["label_column"] == "organ" and tables["prose"]["fts_table"] == "prose_fts"
