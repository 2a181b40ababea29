"""The batch's exports and ``compare`` with the reviewers' corrections (``zfxxgk_review.corrections``): a
corrected value is the exported value with the status ``corrected``, the checks are evaluated again on it,
a new correction makes a rerun rewrite the exports, a changed file's correction is stale and applied to
nothing; without corrections every export is what it was."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, run_cli

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the project")

HAS_PARQUET = importlib.util.find_spec("pyarrow") is not None
HAS_XLSX = importlib.util.find_spec("openpyxl") is not None
FORMATS = ",".join(["csv", "jsonl", *(["xlsx"] if HAS_XLSX else []), *(["parquet"] if HAS_PARQUET else [])])
#: the seed corrected (2021 format, 2024): its 总计 / 自然人 is read 0, and so is 总计 / 总计
SEED = "003_b3dc6a45f7c80d64.txt"
FIELD = "applications.total.natural_person"
TOTAL = "applications.total.total"
NOTE = "the source prints 5 (page 2)"


def batch(inputs: Path, db: Path, *extra: str) -> tuple[str, dict]:
    summary = db.with_name("summary.json")
    p = subprocess.run(
        [sys.executable, "-m", "core", "batch", str(inputs), "-o", str(db), "-f", FORMATS, "-j", "2",
         "--no-progress", "--summary-json", str(summary), *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout, json.loads(summary.read_text(encoding="utf-8"))


@pytest.fixture
def seeds(tmp_path) -> Path:
    inputs = tmp_path / "reports"
    inputs.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy2(p, inputs / p.name)
    assert (inputs / SEED).is_file()
    return inputs


def report_id(db: Path, name: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM reports WHERE name = ?", (name,)).fetchone()[0]


def correct(db: Path, rid: int, field: str, value, note: str = NOTE):
    from core.fields import FieldPath
    from zfxxgk_review import corrections, dataset
    from zfxxgk_review.corrected import get_value

    conn = sqlite3.connect(db)
    try:
        row, doc = dataset.report(conn, rid), dataset.report_json(conn, rid)
        return corrections.add(
            conn, sha256=row["sha256"], field=field, kind=corrections.CORRECTED,
            parsed_value=get_value(doc, FieldPath.parse(field)), parsed_status=doc["status"][field],
            corrected_value=value, note=note, reviewer="tester", path=row["path"], report_id=rid,
        )
    finally:
        conn.close()


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def wide(out: Path, rid: int, suffix: str = "") -> dict:
    return next(r for r in csv_rows(out / f"out.2021{suffix}.csv") if r["id"] == str(rid))


def long_cell(out: Path, rid: int, path: str) -> dict:
    section, _, fid = path.partition(".")
    rows = csv_rows(out / "out.long.csv")
    return next(r for r in rows if r["report_id"] == str(rid) and r["section"] == section and r["field"] == fid)


def jsonl(out: Path, rid: int, db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        path = conn.execute("SELECT path FROM reports WHERE id = ?", (rid,)).fetchone()[0]
    lines = (out / "out.jsonl").read_text(encoding="utf-8").splitlines()
    return next(doc for doc in map(json.loads, lines) if doc["batch"]["path"] == path)


def xlsx_total_row(out: Path, rid: int):
    import openpyxl

    wb = openpyxl.load_workbook(out / "out.xlsx")
    ws = wb["applications"]
    ids = [c.value for c in ws[2]]  # row 1: the Chinese labels, row 2: the IDs
    for row in ws.iter_rows(min_row=3):
        if row[ids.index("report_id")].value == rid and row[ids.index("row")].value == "total":
            return wb, {ids[i]: c for i, c in enumerate(row)}
    raise AssertionError(f"report {rid} has no row total")


def test_a_correction_is_in_every_export_until_its_file_changes(seeds, tmp_path):
    out = tmp_path / "out"
    db = out / "out.db"
    batch(seeds, db)
    rid = report_id(db, SEED)
    before, before_st = wide(out, rid), wide(out, rid, ".status")
    assert (before[FIELD], before_st[FIELD], before_st[TOTAL], before["failed_checks"]) == ("0", "confirmed",
                                                                                           "confirmed", "0")
    assert "corrected" not in {r["status"] for r in csv_rows(out / "out.long.csv")}

    made = correct(db, rid, FIELD, 5)
    text, summary = batch(seeds, db)
    assert "corrections: 1 kept (the same file contents), 0 stale" in text
    assert summary["corrections"] == {"kept": 1, "stale": []}
    assert str(out / "out.2021.csv") in summary["outputs"]  # the new correction made the run rewrite them

    # wide CSV and its status twin: the value is the reviewer's, its status corrected; the identity over the
    # row 总计 is evaluated again on it (0 ≠ 5): its other cells are in conflict, the report fails checks
    row, st = wide(out, rid), wide(out, rid, ".status")
    assert (row[FIELD], st[FIELD]) == ("5", "corrected")
    assert st[TOTAL] == "conflict" and int(row["failed_checks"]) >= 1
    other = next(r for r in csv_rows(out / "out.2021.status.csv") if r["id"] != str(rid))
    assert "corrected" not in other.values()
    # long CSV
    cell = long_cell(out, rid, FIELD)
    assert (cell["value"], cell["status"], cell["text"]) == ("5", "corrected", "0")  # text: as printed
    assert long_cell(out, rid, TOTAL)["status"] == "conflict"
    # JSONL: the corrected report
    doc = jsonl(out, rid, db)
    assert doc["applications"]["total"]["natural_person"] == 5
    assert doc["status"][FIELD] == "corrected" and doc["meta"]["corrected"] == 1
    assert doc["corrections"][FIELD] == {"kind": "corrected", "parsed": 0, "parsed_status": "confirmed", "value": 5,
                                         "note": NOTE, "reviewer": "tester", "at": made.created_at, "id": made.id}
    assert any(not c["ok"] and FIELD in c["cells"] for c in doc["checks"])
    if HAS_XLSX:
        from zfxxgk_batch.export import STATUS_FILLS

        wb, cells = xlsx_total_row(out, rid)
        c = cells["natural_person"]
        assert c.value == 5 and c.fill.fgColor.rgb[-6:] == STATUS_FILLS["corrected"] == "C6EFCE"
        assert "parsed value 0 (confirmed)" in c.comment.text and NOTE in c.comment.text
        assert cells["total"].fill.fgColor.rgb[-6:] == STATUS_FILLS["conflict"]
        ids = [x.value for x in wb["checks"][2]]
        failed = [r for r in wb["checks"].iter_rows(min_row=3, values_only=True)
                  if r[ids.index("report_id")] == rid and r[ids.index("ok")] is False]
        assert any(FIELD in (r[ids.index("cells")] or "") for r in failed)
        legend = {r[1].value: r for r in wb["legend"].iter_rows(min_row=3)}
        assert legend["corrected"][1].fill.fgColor.rgb[-6:] == "C6EFCE" and "已更正" in legend["corrected"][2].value
    if HAS_PARQUET:
        import pyarrow.parquet as pq

        prow = next(r for r in pq.read_table(out / "out.2021.parquet").to_pylist() if r["id"] == rid)
        pst = next(r for r in pq.read_table(out / "out.2021.status.parquet").to_pylist() if r["id"] == rid)
        assert (prow[FIELD], pst[FIELD], pst[TOTAL]) == (5, "corrected", "conflict")
        plong = [r for r in pq.read_table(out / "out.long.parquet").to_pylist()
                 if r["report_id"] == rid and r["field"] == "total.natural_person"]
        assert [(r["value"], r["status"]) for r in plong] == [(5.0, "corrected")]

    # nothing changed since: the exports are up to date
    text, summary = batch(seeds, db)
    assert str(out / "out.2021.csv") in summary["up_to_date"]

    # the file changes: its correction is stale (listed, kept), applied to nothing
    target = seeds / SEED
    target.write_bytes(target.read_bytes() + b"\n")
    text, summary = batch(seeds, db)
    assert "corrections: 0 kept (the same file contents), 1 stale" in text
    assert f"stale: {target} changed" in text and f"{FIELD} = 5" in text
    [stale] = summary["corrections"]["stale"]
    assert (stale["state"], stale["field"], stale["path"], stale["correction_id"]) == ("changed", FIELD, str(target),
                                                                                       made.id)
    rid = report_id(db, SEED)
    row, st = wide(out, rid), wide(out, rid, ".status")
    assert (row[FIELD], st[FIELD], st[TOTAL], row["failed_checks"]) == ("0", "confirmed", "confirmed", "0")
    assert long_cell(out, rid, FIELD)["status"] == "confirmed"
    doc = jsonl(out, rid, db)
    assert "corrections" not in doc and doc["status"][FIELD] == "confirmed"
    if HAS_XLSX:
        _wb, cells = xlsx_total_row(out, rid)
        assert cells["natural_person"].value == 0 and cells["natural_person"].comment is None


def test_compare_with_the_dataset_marks_the_corrected_values(seeds, tmp_path):
    db = tmp_path / "out" / "out.db"
    batch(seeds, db)
    a, b = seeds / "001_bfb1f788e4caebeb.txt", seeds / "002_9a8304ec5e0937a6.txt"  # 2020, then 2021
    cell = "applications.carried_forward.natural_person"
    plain = json.loads(run_cli("compare", b, a, "--json").stdout)
    row = next(r for r in plain["fields"] if r["field"] == cell)
    assert isinstance(row["a"], int) and row["a"] != 1234 and "a_corrected" not in row

    correct(db, report_id(db, a.name), cell, 1234)
    p = run_cli("compare", b, a, "--json", "--db", db)
    assert p.returncode == 0, p.stderr
    cmp = json.loads(p.stdout)
    assert cmp["swapped"]
    row = next(r for r in cmp["fields"] if r["field"] == cell)
    assert (row["a"], row["a_corrected"], row["b_corrected"], row["change"]) == (1234, True, False, row["b"] - 1234)
    assert not any(r["b_corrected"] or (r["a_corrected"] and r["field"] != cell) for r in cmp["fields"])
    check = next(c for c in cmp["identities"] if c["rule"] == "carried_forward_equals_next_carried_over"
                 and c["scope"] == "column=natural_person")
    assert check["found"] == 1234 and not check["ok"] and check["corrected_cells"] == [f"2020:{cell}"]
    text = run_cli("compare", a, b, "--db", db).stdout.decode("utf-8")
    assert "1234*" in text and "* corrected by a reviewer (--db): 1 value is the reviewer's" in text
    assert f"(corrected: 2020:{cell})" in text

    # a database that is missing, not SQLite or not a batch's: one line, the usage exit code
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.close()
    for bad, says in ((tmp_path / "missing.db", "no such database"), (a, "not a SQLite database"),
                      (empty, "not a batch database")):
        p = run_cli("compare", a, b, "--db", bad)
        err = p.stderr.decode("utf-8")
        assert p.returncode == 2 and p.stdout == b""
        assert err.count("\n") == 1 and err.startswith(f"error: --db {bad}: {says}"), err


def said_corrections(summary: str) -> bool:
    return any(line.startswith("corrections:") for line in summary.splitlines())


def export_files(out: Path) -> dict[str, bytes]:
    """Every export's bytes (an XLSX by its parts, without its creation time)."""
    got = {}
    for p in sorted(out.iterdir()):
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                got |= {f"{p.name}/{n}": z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
        elif p.suffix != ".db" and p.name != "summary.json" and not p.name.startswith("."):
            got[p.name] = p.read_bytes()
    return got


def test_without_corrections_the_exports_are_the_same_bytes(seeds, tmp_path):
    from zfxxgk_batch import corrections as batch_corrections
    from zfxxgk_review import corrections

    out = tmp_path / "out"
    db = out / "out.db"
    text, _summary = batch(seeds, db)
    assert not said_corrections(text)
    before = export_files(out)
    assert {"out.2021.csv", "out.2021.status.csv", "out.long.csv", "out.jsonl"} <= set(before)
    conn = sqlite3.connect(db)
    assert not corrections.has_table(conn) and batch_corrections.load(conn) is None
    corrections.ensure(conn)  # the review opened the dataset: an empty table
    conn.commit()
    assert corrections.has_table(conn) and batch_corrections.load(conn) is None
    conn.close()
    text, summary = batch(seeds, db)  # the stamp is the same: nothing to rewrite
    assert not said_corrections(text) and summary["corrections"] == {"kept": 0, "stale": []}
    assert str(out / "out.2021.csv") in summary["up_to_date"]
    for p in out.iterdir():
        if p.suffix != ".db" and p.name != "summary.json":
            p.unlink()
    batch(seeds, db)  # written again beside the empty table
    after = export_files(out)
    assert after.keys() == before.keys()
    assert [k for k in before if before[k] != after[k]] == []


def test_the_batch_works_without_the_review_package(seeds, tmp_path):
    """zfxxgk_review cannot be imported: the exports are written without the corrections; Flask missing
    does not matter (the corrections need none of it)."""
    db = tmp_path / "out" / "out.db"
    batch(seeds, db)
    correct(db, report_id(db, SEED), FIELD, 5)
    script = (
        "import sqlite3, sys\n"
        "sys.modules[sys.argv[2]] = None\n"
        "from zfxxgk_batch import corrections, runner\n"
        "conn = sqlite3.connect(sys.argv[1])\n"
        "fix = corrections.load(conn)\n"
        "print(len(fix or ()), repr(runner._corrections_stamp(conn)))\n"
    )
    for missing, expect in (("zfxxgk_review", "0 ''"), ("flask", "1 ' corrections 1'")):
        p = subprocess.run([sys.executable, "-c", script, str(db), missing], capture_output=True, text=True,
                           cwd=ROOT, timeout=60)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == expect


@pytest.mark.skipif(not HAS_XLSX, reason="openpyxl is not installed")
def test_checks_across_years_are_evaluated_again_on_the_corrected_values(tmp_path):
    """A correction of a cell a check across years reads changes that check in the exports (the XLSX
    cross_year sheet, the orange border of the cell); the batch's own cross_checks table keeps the parse."""
    import openpyxl
    from test_batch_corpus import build_corpus

    corpus = build_corpus(tmp_path / "reports", 4, kinds=("text",), n_bad=0, plant=False)
    out = tmp_path / "out"
    db = out / "out.db"
    batch(corpus.root, db)
    conn = sqlite3.connect(db)
    try:
        rule = "carried_forward_equals_next_carried_over"
        scope = "column=natural_person"
        rid, year, ok = conn.execute(
            "SELECT report_id, year, ok FROM cross_checks WHERE rule = ? AND scope = ? ORDER BY year LIMIT 1",
            (rule, scope),
        ).fetchone()
        parsed = conn.execute(
            'SELECT value FROM "values" WHERE report_id = ? AND section = ? AND field = ?',
            (rid, "applications", "carried_forward.natural_person"),
        ).fetchone()[0]
    finally:
        conn.close()
    assert ok == 1 and parsed is not None  # the generated years agree

    def sheet_row(wb):
        ws = wb["cross_year"]
        ids = [c.value for c in ws[2]]
        for r in ws.iter_rows(min_row=3):
            v = {ids[i]: c for i, c in enumerate(r)}
            if (v["rule"].value, v["scope"].value, v["report_id"].value) == (rule, scope, rid):
                return v
        raise AssertionError("no such check across years in the sheet")

    assert sheet_row(openpyxl.load_workbook(out / "out.xlsx"))["ok"].value is True
    correct(db, rid, "applications.carried_forward.natural_person", parsed + 3)
    batch(corpus.root, db)

    wb = openpyxl.load_workbook(out / "out.xlsx")
    row = sheet_row(wb)
    assert row["ok"].value is False and row["expected"].value != row["found"].value
    assert row["ok"].fill.fgColor.rgb.endswith("F4B183")  # orange: a break across years
    with sqlite3.connect(db) as conn:  # the parse is kept
        stored = conn.execute(
            "SELECT ok FROM cross_checks WHERE rule = ? AND scope = ? AND report_id = ?", (rule, scope, rid)
        ).fetchone()[0]
    assert stored == 1
    # the corrected cell, in the applications sheet, is marked as part of a break across years
    ws = wb["applications"]
    ids = [c.value for c in ws[2]]
    cell = next(
        r[ids.index("natural_person")]
        for r in ws.iter_rows(min_row=3)
        if r[ids.index("report_id")].value == rid and r[ids.index("row")].value == "carried_forward"
    )
    assert cell.value == parsed + 3
    assert cell.border.left.color is not None and cell.border.left.style is not None
    assert "across years" in (cell.comment.text if cell.comment else "")
