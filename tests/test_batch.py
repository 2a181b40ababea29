"""``python -m core batch`` and ``python -m core compare`` on a generated corpus mixed with bad files."""
from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from test_batch_corpus import build_corpus, needs_seeds

pytestmark = needs_seeds

N_REPORTS = 60
KINDS = ("text",) * 14 + ("html", "pdf")
N_BAD = 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("reports"), N_REPORTS, kinds=KINDS, n_bad=N_BAD)


@pytest.fixture(scope="module")
def first_run(corpus, tmp_path_factory):
    """One batch over the corpus with every export; the inputs' bytes before it."""
    before = {p: p.read_bytes() for p in corpus.good + corpus.bad}
    out = tmp_path_factory.mktemp("out") / "dataset.db"
    p = run_cli("batch", corpus.root, "-o", out, "-j", "2", "--format", "csv,xlsx", "-f", "jsonl")
    return p, out, before


def run_cli(*args) -> subprocess.CompletedProcess:
    """``python -m core ARGS`` with text output."""
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=180)


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _parsed_in_parts(out: Path) -> int:
    """Reports the local workers have committed to their part databases so far."""
    from zfxxgk_batch.store import parts_dir

    n = 0
    for part in parts_dir(out).glob("part-*.db"):
        try:
            n += _db(part).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        except sqlite3.Error:
            pass
    return n


def _key(organ: str) -> str:
    from zfxxgk_batch.organs import organ_key

    return organ_key(organ)


# --- the first run ------------------------------------------------------------------------------------

def test_batch_writes_every_good_report_and_records_every_failure(corpus, first_run):
    p, out, before = first_run
    assert p.returncode == 5, p.stderr
    assert p.stderr == "" or "Traceback" not in p.stderr
    assert "\r" not in p.stderr  # no progress bar when stderr is not a terminal
    db = _db(out)
    paths = {r[0] for r in db.execute("SELECT path FROM reports")}
    assert paths == {str(f.resolve()) for f in corpus.good}
    failures = {r[0]: r[1:] for r in db.execute("SELECT path, exit_code, reason, message FROM failures")}
    assert set(failures) == {str(f.resolve()) for f in corpus.bad}
    for code, reason, message in failures.values():
        assert (code, reason) in {(3, "unreadable"), (4, "not_a_report")}
        assert message and "\n" not in message and "Traceback" not in message
    summary = p.stdout
    assert f"{len(corpus.good) + len(corpus.bad)} files: {len(corpus.good)} parsed" in summary
    assert f"{len(corpus.bad)} failed" in summary
    for f in corpus.bad[:5]:
        assert str(f.resolve()) in summary
    # inputs untouched, no temp files left
    assert all(f.read_bytes() == data for f, data in before.items())
    assert not [f for f in out.parent.iterdir() if f.name.endswith(".tmp") or f.name.endswith("-wal")]


def test_the_database_is_browsable(corpus, first_run):
    """What datasette and pandas need: plain tables, a view, indexes on organ and year."""
    _, out, _ = first_run
    db = _db(out)
    objects = {(t, n) for t, n in db.execute("SELECT type, name FROM sqlite_master")}
    for table in ("reports", "values", "checks", "diagnostics", "failures", "cross_checks"):
        assert ("table", table) in objects
    assert ("view", "duplicates") in objects
    indexed = {tuple(r[2] for r in db.execute(f"PRAGMA index_info('{idx[1]}')"))
               for idx in db.execute("PRAGMA index_list('reports')")}
    assert ("organ_key", "year") in indexed and ("year",) in indexed
    # a datasette-style query: one organ's numbers over the years, by stable field ID
    organ = corpus.organ_year[corpus.good[0]][0]
    rows = db.execute('SELECT r.year, v.value FROM reports r JOIN "values" v ON v.report_id = r.id '
                      "WHERE r.organ_key = ? AND v.section = 'applications' AND v.field = 'new_received.total' "
                      "ORDER BY r.year", (_key(organ),)).fetchall()
    assert [y for y, _ in rows] == [2019, 2020, 2021, 2022, 2023, 2024]
    gold = {corpus.organ_year[f][1]: corpus.golds[f] for f in corpus.good if corpus.organ_year[f][0] == organ}
    assert [v for _, v in rows] == [gold[y]["s3"]["new"][6] for y, _ in rows]
    # provenance and printed text are kept; prose is in section "text"
    r = db.execute('SELECT text, provenance FROM "values" WHERE section = \'applications\' '
                   "AND field = 'total.total' LIMIT 1").fetchone()
    assert r[0] is not None and json.loads(r[1])
    assert db.execute("SELECT COUNT(*) FROM \"values\" WHERE section = 'text' AND field = 'overview'").fetchone()[0] \
        == len(corpus.good)
    # checks and diagnostics are stored per report
    stale = str(corpus.stale[0].resolve())
    failed = db.execute("SELECT c.rule FROM checks c JOIN reports r ON r.id = c.report_id WHERE r.path = ? "
                        "AND c.ok = 0", (stale,)).fetchall()
    assert failed
    warned = str(corpus.warned[0].resolve())
    assert db.execute("SELECT d.\"where\" FROM diagnostics d JOIN reports r ON r.id = d.report_id "
                      "WHERE r.path = ? AND d.level = 'warning'", (warned,)).fetchall() \
        == [("applications.granted.total",)]


def test_organs_are_grouped_across_years_and_script(corpus, first_run):
    _, out, _ = first_run
    db = _db(out)
    trad = str(corpus.traditional[0].resolve())
    organ, year = corpus.organ_year[corpus.traditional[0]]
    printed, key = db.execute("SELECT organ, organ_key FROM reports WHERE path = ?", (trad,)).fetchone()
    assert printed != organ and key == _key(organ)  # printed in traditional characters, grouped as one organ
    years = [y for (y,) in db.execute("SELECT year FROM reports WHERE organ_key = ? ORDER BY year", (key,))]
    assert years == [2019, 2020, 2021, 2022, 2023, 2024]


def test_cross_year_breaks_and_duplicates_are_reported(corpus, first_run):
    p, out, _ = first_run
    db = _db(out)
    breaks = {(k, y) for k, y in db.execute("SELECT organ_key, year FROM cross_checks WHERE ok = 0")}
    assert breaks == {(_key(o), y) for o, y in corpus.breaks}
    scopes = {s for (s,) in db.execute("SELECT DISTINCT scope FROM cross_checks WHERE ok = 0")}
    assert scopes == {"column=natural_person", "column=total"}
    rules = {r for (r,) in db.execute("SELECT DISTINCT rule FROM cross_checks")}
    assert rules == {"carried_forward_equals_next_carried_over", "in_force_follows_issued_and_repealed"}
    assert db.execute("SELECT COUNT(*) FROM cross_checks WHERE ok = 1").fetchone()[0] > 100
    dups = db.execute("SELECT organ_key, year, files FROM duplicates").fetchall()
    assert dups == [(_key(o), y, 2) for o, y in corpus.duplicates]
    assert "across years:" in p.stdout and "breaks" in p.stdout
    organ, year = corpus.breaks[0]
    assert f"{year}→{year + 1}" in p.stdout
    assert "duplicates: 1 organ-years" in p.stdout


def test_derived_indicators(first_run):
    _, out, _ = first_run
    db = _db(out)

    def val(rid, section, field):
        r = db.execute('SELECT value FROM "values" WHERE report_id = ? AND section = ? AND field = ?',
                       (rid, section, field)).fetchone()
        return r[0] if r else None

    def ratio(num, den):
        nums = [val(rid, *f) for f in num]
        dens = [val(rid, *f) for f in den]
        if None in nums or None in dens or not sum(dens):
            return None
        return pytest.approx(sum(nums) / sum(dens), abs=1e-6)

    A, R = "applications", "review_litigation"
    rows = db.execute("SELECT id, substantive_disclosure_rate, review_correction_rate, litigation_correction_rate "
                      "FROM reports").fetchall()
    for rid, sub, rev, lit in rows:
        assert sub == ratio([(A, "granted.total"), (A, "partially_granted.total")], [(A, "total.total")])
        assert rev == ratio([(R, "review.corrected")], [(R, "review.total")])
        assert lit == ratio([(R, "litigation_direct.corrected"), (R, "litigation_after_review.corrected")],
                            [(R, "litigation_direct.total"), (R, "litigation_after_review.total")])
    assert any(r[2] is None for r in rows) and any(r[2] is not None for r in rows)


def test_indicator_is_null_for_a_blank_or_zero_denominator():
    from zfxxgk_batch.indicators import indicators

    zero = {"applications": {"granted": {"total": 0}, "partially_granted": {"total": 0}, "total": {"total": 0}}}
    assert indicators(zero)["substantive_disclosure_rate"] is None
    blank = {"applications": {"granted": {"total": None}, "partially_granted": {"total": 1}, "total": {"total": 4}}}
    assert indicators(blank)["substantive_disclosure_rate"] is None
    ok = {"applications": {"granted": {"total": 2}, "partially_granted": {"total": 1}, "total": {"total": 4}},
          "review_litigation": {"review": {"corrected": 1, "total": 3}}}
    got = indicators(ok)
    assert got["substantive_disclosure_rate"] == 0.75 and got["review_correction_rate"] == pytest.approx(1 / 3, 1e-5)
    assert got["litigation_correction_rate"] is None


# --- exports ------------------------------------------------------------------------------------------

def _csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_csv_is_one_wide_file_per_format_with_a_status_twin(corpus, first_run):
    _, out, _ = first_run
    files = [out.with_name(f"dataset.{n}.csv") for n in ("2021", "2021.status", "2019", "2019.status", "long",
                                                          "fields")]
    for f in files:
        assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    wide21, st21, wide19, st19 = (_csv(f) for f in files[:4])
    assert len(wide21) + len(wide19) == len(corpus.good) and wide21 and wide19
    assert {r["format"] for r in wide21} == {"2021"} and {r["format"] for r in wide19} == {"2019"}
    assert {"organ_key", "year", "substantive_disclosure_rate", "applications.new_received.natural_person",
            "applications.other.overdue_fee.total", "applications.other.total", "review_litigation.review.total",
            "active_disclosure.normative_documents.in_force"} <= set(wide21[0])
    assert "active_disclosure.procurement.amount" not in wide21[0]  # the 2019 format's only
    assert {"active_disclosure.procurement.amount", "applications.other.total"} <= set(wide19[0])
    assert "applications.other.overdue_fee.total" not in wide19[0]
    # the template's order: （七）总计 before 四、结转下年度继续办理
    cols = list(wide21[0])
    assert cols.index("applications.total.total") < cols.index("applications.carried_forward.natural_person")
    # the status twin: the same rows and field columns, each cell's status
    assert [r["id"] for r in st21] == [r["id"] for r in wide21]
    assert [c for c in st21[0] if "." in c] == [c for c in wide21[0] if "." in c]
    assert {v for r in st21 + st19 for k, v in r.items() if "." in k} <= {
        "", "confirmed", "unconfirmed", "conflict", "unread", "blank"}
    long_rows = _csv(files[4])
    assert {r["section"] for r in long_rows} == {"active_disclosure", "applications", "review_litigation", "text"}
    assert {"status", "label", "unit"} <= set(long_rows[0])
    fields = _csv(files[5])
    assert len(fields) == 226 and {"path", "row_label", "column_label", "formats", "unit"} <= set(fields[0])
    row = next(f for f in fields if f["path"] == "applications.carried_forward.commercial_enterprise")
    assert (row["row_label"], row["column_label"]) == ("四、结转下年度继续办理", "商业企业")


def test_csv_headed_with_the_chinese_labels(corpus, tmp_path):
    some = corpus.good[:4]
    out = tmp_path / "zh.db"
    p = run_cli("batch", *some, "-o", out, "--format", "csv", "--labels", "zh", "-j", "1")
    assert p.returncode == 0, p.stderr
    for fmt in ("2019", "2021"):
        head = next(csv.reader(io.StringIO(out.with_name(f"zh.{fmt}.csv").read_text(encoding="utf-8-sig"))))
        assert "统计年度" in head and "机关" in head and len(set(head)) == len(head)
        assert "四、结转下年度继续办理 / 商业企业" in head and "（七）总计 / 总计" in head
    head = next(csv.reader(io.StringIO(out.with_name("zh.2019.csv").read_text(encoding="utf-8-sig"))))
    assert "规范性文件 / 本年新制作数量" in head and "行政许可 / 处理决定数量" in head
    p = run_cli("batch", *some, "-o", out, "--format", "csv", "--labels", "fr")
    assert p.returncode == 2 and "--labels" in p.stderr


def test_xlsx_opens_and_marks_statuses_warnings_and_breaks(corpus, first_run):
    openpyxl = pytest.importorskip("openpyxl")
    from zfxxgk_batch.export import RED, STATUS_FILLS, YELLOW

    _, out, _ = first_run
    wb = openpyxl.load_workbook(out.with_suffix(".xlsx"), read_only=False)
    assert {"legend", "reports", "active_disclosure_2021", "active_disclosure_2019", "applications",
            "review_litigation", "text", "checks", "diagnostics", "cross_year", "duplicates", "failures",
            "fields"} <= set(wb.sheetnames)
    db = _db(out)

    def rid(path):
        return db.execute("SELECT id FROM reports WHERE path = ?", (str(path.resolve()),)).fetchone()[0]

    def cells(sheet, report_id):
        ws = wb[sheet]
        head = [c.value for c in ws[2]]  # row 1: the Chinese labels; row 2: the IDs
        out = {}
        for row in ws.iter_rows(min_row=3):
            if row[0].value != report_id:
                continue
            for h, c in zip(head, row):
                key = f"{row[4].value}.{h}" if sheet == "applications" else h
                out[key] = c
        return out

    def fill(c):
        return c.fill.fgColor.rgb[-6:] if c.fill is not None and c.fill.fill_type == "solid" else None

    stale = cells("applications", rid(corpus.stale[0]))
    assert fill(stale["total.natural_person"]) == RED and fill(stale["granted.natural_person"]) == RED
    assert fill(stale["granted.commercial_enterprise"]) is None  # confirmed
    warned = cells("applications", rid(corpus.warned[0]))
    # the unread cell is yellow, and its comment says why
    assert fill(warned["granted.total"]) == YELLOW and warned["granted.total"].value is None
    assert "cell_not_read" in warned["granted.total"].comment.text
    s2 = cells("active_disclosure_2021", rid(next(f for f in corpus.good if corpus.organ_year[f][1] >= 2021)))
    assert fill(s2["regulations.issued"]) == STATUS_FILLS["unconfirmed"]
    organ, year = corpus.breaks[0]
    nxt = next(f for f, oy in corpus.organ_year.items() if oy == (organ, year + 1))
    broken = cells("applications", rid(nxt))["carried_over.natural_person"]
    assert broken.border.left.style == "medium" and "across years" in broken.comment.text
    assert wb["failures"].max_row == len(corpus.bad) + 2
    assert wb["reports"].auto_filter.ref.startswith("A2:") and wb["reports"]["A1"].value == "编号"
    rates = [c for c in wb["reports"][2] if c.value == "substantive_disclosure_rate"][0].column_letter
    assert wb["reports"][f"{rates}3"].number_format == "0.0%"
    checks = wb["checks"]
    oks = [r[4].value for r in checks.iter_rows(min_row=3)]
    assert True in oks and False in oks  # every check, passing ones too
    assert len(oks) == db.execute("SELECT COUNT(*) FROM checks").fetchone()[0]
    failed = next(r for r in checks.iter_rows(min_row=3) if r[4].value is False)
    assert fill(failed[3]) == RED
    assert wb["text"]["D3"].alignment.wrap_text


def test_jsonl_is_the_parse_output_plus_batch_keys(corpus, first_run):
    _, out, _ = first_run
    lines = out.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(corpus.good)
    doc = json.loads(lines[0])
    assert list(doc)[:9] == ["meta", "active_disclosure", "applications", "review_litigation", "text", "provenance",
                             "status", "checks", "diagnostics"]
    assert set(doc["batch"]) >= {"path", "sha256", "parser_version", "organ_key", "substantive_disclosure_rate"}


def test_parquet_or_a_clear_error(corpus, tmp_path):
    some = corpus.good[:3]
    out = tmp_path / "p.db"
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        p = run_cli("batch", *some, "-o", out, "--format", "parquet")
        assert p.returncode == 2 and "pyarrow" in p.stderr and len(p.stderr.strip().splitlines()) == 1
        assert not out.exists()
        return
    import pyarrow.parquet as pq

    p = run_cli("batch", *some, "-o", out, "--format", "parquet", "-j", "1")
    assert p.returncode == 0, p.stderr
    wide = [pq.read_table(tmp_path / f"p.{fmt}.parquet") for fmt in ("2019", "2021")]
    assert sum(t.num_rows for t in wide) == 3 and all("applications.total.total" in t.column_names for t in wide)
    assert pq.read_table(tmp_path / "p.long.parquet").num_rows > 3 * 150


# --- resuming -----------------------------------------------------------------------------------------

def test_second_run_does_no_parsing_work_and_force_redoes_it(corpus, first_run, tmp_path):
    _, out, _ = first_run
    db = tmp_path / "again.db"
    db.write_bytes(out.read_bytes())
    stamps = dict(_db(db).execute("SELECT path, parsed_at FROM reports"))
    time.sleep(1.1)
    p = run_cli("batch", corpus.root, "-o", db, "-j", "2")
    assert p.returncode == 5
    total = len(corpus.good) + len(corpus.bad)
    assert f"{total} files: 0 parsed, {total} unchanged (skipped), {len(corpus.bad)} failed (0 this run)" in p.stdout
    assert dict(_db(db).execute("SELECT path, parsed_at FROM reports")) == stamps
    # a changed file is parsed again; the others are not
    changed = corpus.good[5]
    original = changed.read_bytes()
    try:
        changed.write_bytes(original + "\n".encode())
        p = run_cli("batch", corpus.root, "-o", db, "-j", "1")
        assert f"{total} files: 1 parsed, {total - 1} unchanged" in p.stdout
    finally:
        changed.write_bytes(original)
    p = run_cli("batch", corpus.root, "-o", db, "-j", "2", "--force")
    assert f"{len(corpus.good) + 1 - 1} parsed" in p.stdout and f"{len(corpus.bad)} failed" in p.stdout
    assert _db(db).execute("SELECT COUNT(*) FROM reports").fetchone()[0] == len(corpus.good)


def test_interrupt_keeps_what_was_written_and_the_next_run_finishes(tmp_path):
    corpus = build_corpus(tmp_path / "in", 36, kinds=("pdf",), n_bad=0, plant=False)
    out = tmp_path / "out.db"
    proc = subprocess.Popen([sys.executable, "-m", "core", "batch", str(corpus.root), "-o", str(out), "-j", "1"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None and not _parsed_in_parts(out):
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = _db(out).execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    if proc.returncode == 0 or kept == len(corpus.good):
        pytest.skip("the batch had parsed every file before it could be interrupted")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stdout
    assert 0 < kept < len(corpus.good)
    assert _db(out).execute('SELECT COUNT(DISTINCT report_id) FROM "values"').fetchone()[0] == kept
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp") or f.name.endswith(".parts")]
    p = run_cli("batch", corpus.root, "-o", out, "-j", "2")
    assert p.returncode == 0, p.stderr
    assert f"{len(corpus.good) - kept} parsed, {kept} unchanged" in p.stdout


# --- inputs and outputs -------------------------------------------------------------------------------

def test_inputs_as_globs_files_and_directories(corpus, tmp_path):
    out = tmp_path / "g.db"
    organ_dir = corpus.good[0].parent
    pattern = str(corpus.root / "organ000[12]" / "*.*")
    p = run_cli("batch", pattern, corpus.good[0], organ_dir, "-o", out, "-j", "1")
    assert p.returncode == 0, p.stdout + p.stderr
    db = _db(out)
    paths = {Path(r[0]) for r in db.execute("SELECT path FROM reports")}
    expected = {f.resolve() for f in corpus.good if f.parent.name in ("organ0000", "organ0001", "organ0002")}
    assert paths == expected
    assert db.execute("SELECT COUNT(*) FROM failures").fetchone()[0] == 0


def test_a_missing_input_is_a_usage_error_and_stores_nothing(corpus, tmp_path):
    out = tmp_path / "m.db"
    for missing in ([tmp_path / "missing.txt"], [str(tmp_path / "none-*.txt")], [corpus.good[0], tmp_path / "gone"]):
        p = run_cli("batch", *missing, "-o", out, "-j", "1")
        assert p.returncode == 2, p.stdout + p.stderr
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
        assert ("no such file" in p.stderr) or ("no file matches" in p.stderr)
        assert not out.exists() and p.stdout == ""


def test_outputs_never_go_among_the_inputs(corpus, tmp_path):
    """-o refuses a folder, a path inside an input folder, an input itself, a report's name; one line, exit 2,
    nothing written."""
    d = tmp_path / "dir"
    d.mkdir()
    for f in corpus.good[:3]:
        (d / f.name).write_bytes(f.read_bytes())
    (d / "r.csv").write_text("an input, not an output")
    before = {f: f.read_bytes() for f in d.iterdir()}
    victim = d / corpus.good[0].name
    refused = [
        ((d,), d / "out.db", "inside the input folder"),
        ((d,), d / "r", "inside the input folder"),                 # would write d/r.csv, an input
        ((d,), d / "file.txt", "looks like a report"),
        ((victim,), victim, "looks like a report"),
        ((victim,), tmp_path, "is a folder"),
        ((str(d / "*.csv"),), d / "r.csv", "input"),
        ((str(d / "*"),), d / "x.db", "matches the input pattern"),
    ]
    for inputs, out, why in refused:
        p = run_cli("batch", *inputs, "-o", out, "--format", "csv")
        assert p.returncode == 2, (inputs, out, p.stdout + p.stderr)
        assert why in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert {f: f.read_bytes() for f in d.iterdir()} == before
    assert not (tmp_path / "dir.db").exists()
    # beside the input folder is fine, and a hidden file in it is never read
    (d / ".hidden.txt").write_text("x")
    for _ in range(2):
        p = run_cli("batch", d, "-o", tmp_path / "out.db", "--format", "csv,jsonl", "-j", "1")
        assert "4 files" in p.stdout and p.returncode == 5, p.stdout + p.stderr  # r.csv is no report
    # a file that is not a batch database is refused, never overwritten
    notdb = tmp_path / "notes.db"
    notdb.write_text("my notes")
    p = run_cli("batch", victim, "-o", notdb)
    assert p.returncode == 2 and "refusing" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert notdb.read_text() == "my notes"
    p = run_cli("batch", tmp_path / "empty-dir-does-not-exist", "-o", tmp_path / "x.db", "--format", "nope")
    assert p.returncode == 2 and "--format nope" in p.stderr


def test_cli_stays_light():
    code = ("import sys, core.cli, core.registry; core.cli.build_parser(core.registry.default_registry()); "
            "heavy = [m for m in ('sqlite3', 'zfxxgk_batch.runner', 'openpyxl', 'distributed', 'core.pipeline', 'rich') "
            "if m in sys.modules]; print(heavy)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "[]", p.stdout + p.stderr


# --- engines ------------------------------------------------------------------------------------------

def test_dask_engine_on_a_local_cluster_writes_the_same_dataset(corpus, first_run, tmp_path):
    distributed = pytest.importorskip("distributed")
    from zfxxgk_batch.runner import run_batch

    _, local_out, _ = first_run
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=":0") as cl:
        summary = run_batch([str(corpus.root)], tmp_path / "dask.db", engine="dask", scheduler=cl.scheduler_address,
                            progress=False, formats=["sqlite"])
    assert summary.engine == "dask" and summary.workers == 2
    assert summary.parsed == len(corpus.good) and len(summary.failed) == len(corpus.bad)
    q = ('SELECT r.path, v.section, v.field, v.value FROM "values" v JOIN reports r ON r.id = v.report_id '
         "ORDER BY 1, 2, 3")
    assert _db(tmp_path / "dask.db").execute(q).fetchall() == _db(local_out).execute(q).fetchall()
    q = "SELECT path, exit_code, reason, message FROM failures ORDER BY path"
    assert _db(tmp_path / "dask.db").execute(q).fetchall() == _db(local_out).execute(q).fetchall()
    q = "SELECT organ_key, year, scope, ok FROM cross_checks ORDER BY 1, 2, 3, 4"
    assert _db(tmp_path / "dask.db").execute(q).fetchall() == _db(local_out).execute(q).fetchall()


def test_a_worker_that_dies_costs_one_file():
    """drive() parses the files of a lost chunk again one at a time, and records the one that kills it."""
    from zfxxgk_batch.engine import Engine, drive
    from zfxxgk_batch.worker import Task

    class Dying(Engine):
        workers = 2

        def __init__(self):
            self.jobs = {}

        def submit(self, chunk):
            h = object()
            self.jobs[h] = chunk
            return h

        def wait(self, handles, timeout):
            return list(handles)

        def result(self, h):
            chunk = self.jobs.pop(h)
            if any(t.path.endswith("killer.txt") for t in chunk):
                raise RuntimeError("worker died")
            return [{"path": t.path, "ok": True} for t in chunk]

    tasks = [Task(f"/r/{i}.txt", f"/r/{i}.txt", b"x", "s") for i in range(10)]
    tasks.append(Task("/r/killer.txt", "/r/killer.txt", b"x", "s"))
    chunks = [tasks[i:i + 4] for i in range(0, len(tasks), 4)]
    got = []
    assert drive(Dying(), chunks, got.extend, lambda: False)
    by_path = {r["path"]: r for r in got}
    assert len(got) == len(tasks) == len(by_path)
    assert by_path["/r/killer.txt"]["ok"] is False and by_path["/r/killer.txt"]["reason"] == "crashed"
    assert all(r["ok"] for p, r in by_path.items() if p != "/r/killer.txt")


def test_progress_bar_only_on_a_terminal():
    from zfxxgk_batch.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = Progress(10, stream=tty)
    for i in range(10):
        bar.update(done=1, failed=1 if i == 3 else 0, force=True)
    bar.close()
    shown = tty.getvalue()
    assert "10/10 files" in shown and "/s" in shown and "1 failed" in shown and "ETA" in shown
    pipe = io.StringIO()
    bar = Progress(10, stream=pipe)
    bar.update(done=5, force=True)
    bar.close()
    assert pipe.getvalue() == ""


def test_organ_key_normalisation():
    from zfxxgk_batch.organs import organ_key

    assert organ_key("遂昌縣") == organ_key("遂昌县") == "遂昌县"
    assert organ_key("某某市人民政府") == organ_key("某某市政府") == organ_key(" 某某市 人民政府 ")
    assert organ_key("关于某某县2023年度") == "某某县"
    assert organ_key("某某县人民政府办公室") != organ_key("某某县人民政府")
    assert organ_key("某某市教育局（本级）") == "某某市教育局(本级)"
    assert organ_key(None) is None and organ_key("") is None


# --- compare ------------------------------------------------------------------------------------------

def test_compare_prints_fields_changes_identities_and_prose(corpus):
    organ, year = corpus.breaks[0]
    files = {oy[1]: f for f, oy in corpus.organ_year.items() if oy[0] == organ and "mirror" not in str(f)}
    a, b = files[year], files[year + 1]
    p = run_cli("compare", b, a)  # given newest first: shown oldest first
    assert p.returncode == 0, p.stderr
    text = p.stdout
    assert "older report is shown as A" in text
    assert "applications.carried_over.natural_person" in text and "review_litigation.review.total" in text
    assert "FAIL carried_forward_equals_next_carried_over column=natural_person" in text
    assert "ok   in_force_follows_issued_and_repealed row=normative_documents" in text
    assert "substantive_disclosure_rate" in text and "prose:" in text and "similarity" in text
    p = run_cli("compare", a, b, "--json")
    cmp = json.loads(p.stdout)
    assert cmp["same_organ"] and cmp["consecutive_years"] and not cmp["swapped"]
    ga, gb = corpus.golds[a], corpus.golds[b]
    row = next(r for r in cmp["fields"] if r["field"] == "applications.new_received.natural_person")
    assert (row["a"], row["b"], row["change"]) == (ga["s3"]["new"][0], gb["s3"]["new"][0],
                                                   gb["s3"]["new"][0] - ga["s3"]["new"][0])
    broken = [c for c in cmp["identities"] if not c["ok"]]
    assert {c["scope"] for c in broken} == {"column=natural_person", "column=total"}
    assert broken[0]["expected"] - broken[0]["found"] == 2
    assert set(cmp["text"]) == {"overview", "problems", "other_matters"}
    assert all(0 <= t["ratio"] <= 1 for t in cmp["text"].values())
    changed = run_cli("compare", a, b, "--changed-only").stdout
    assert len(changed.splitlines()) < len(text.splitlines())


def test_compare_reads_parse_json_and_says_when_years_are_not_consecutive(corpus, tmp_path):
    organ = corpus.organ_year[corpus.good[0]][0]
    files = {oy[1]: f for f, oy in corpus.organ_year.items() if oy[0] == organ}
    j = tmp_path / "2019.json"
    assert run_cli("parse", files[2019], "--out", j).returncode == 0
    p = run_cli("compare", j, files[2022])
    assert p.returncode == 0, p.stderr
    assert "not on consecutive years (2019, 2022)" in p.stdout
    assert "—" in p.stdout  # fields only one format has
    p = run_cli("compare", j, tmp_path / "missing.txt")
    assert p.returncode == 3 and len(p.stderr.strip().splitlines()) == 1


def test_parts_left_by_a_killed_run_are_merged_by_the_next(corpus, tmp_path):
    """Local workers write part databases; a run killed before merging them loses none of their reports."""
    from zfxxgk_batch.store import parts_dir

    files = [f for f in corpus.good if f.parent.name == "organ0000"]
    first = tmp_path / "first.db"
    assert run_cli("batch", *files, "-o", first, "-j", "1").returncode == 0
    assert not parts_dir(first).exists()
    out = tmp_path / "second.db"
    parts_dir(out).mkdir()
    (parts_dir(out) / "part-123-abcdef.db").write_bytes(first.read_bytes())  # as a killed run leaves it
    p = run_cli("batch", *files, "-o", out, "-j", "1")
    assert p.returncode == 0, p.stderr
    assert f"recovered {len(files)} reports" in p.stdout and f"0 parsed, {len(files)} unchanged" in p.stdout
    assert not parts_dir(out).exists()
    q = 'SELECT r.path, v.section, v.field, v.value FROM "values" v JOIN reports r ON r.id = v.report_id ORDER BY 1, 2, 3'
    assert _db(out).execute(q).fetchall() == _db(first).execute(q).fetchall()


def test_xlsx_fill_is_the_status_and_a_warning_is_a_comment(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from zfxxgk_batch import export, store
    from zfxxgk_batch.worker import Versions

    conn = store.connect(tmp_path / "h.db")
    result = {"path": "/r.txt", "sha256": "s", "size": 1, "ok": True, "info": {"format": "2021"}, "json": b"{}",
              "values": [("applications", "granted.total", None, "3x", None, "unread"),
                         ("applications", "granted.natural_person", 2, "2", None, "conflict"),
                         ("applications", "granted.other_org", None, "", None, "blank")],
              "checks": [("applicant_columns_sum_to_total", 0, "row=granted",
                          '["applications.granted.total","applications.granted.natural_person"]', 3, 2, None, None)],
              "diagnostics": [("warning", "cell_not_read", "applications.granted.total", "text '3x'")]}
    store.write_report(conn, result, Versions("zfxxgk test"), None, replace=False)
    conn.commit()
    export.export_xlsx(conn, tmp_path / "h.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["applications"]
    head = [c.value for c in ws[2]]
    row = {h: c for h, c in zip(head, next(ws.iter_rows(min_row=3)))}
    assert row["total"].fill.fgColor.rgb[-6:] == export.STATUS_FILLS["unread"]
    assert "cell_not_read: text '3x'" in row["total"].comment.text
    assert row["natural_person"].fill.fgColor.rgb[-6:] == export.RED and row["natural_person"].comment is None
    assert row["other_org"].fill.fgColor.rgb[-6:] == export.STATUS_FILLS["blank"]
    assert row["commercial_enterprise"].value is None and row["commercial_enterprise"].fill.fill_type is None


def test_summary_table_lists_reports_with_the_most_to_look_at_first(corpus, tmp_path):
    files = [corpus.stale[0], *corpus.good[:3], corpus.bad[0]]
    p = run_cli("batch", *files, "-o", tmp_path / "s.db", "-j", "1", "--summary")
    assert p.returncode == 5, p.stderr
    table = p.stdout[p.stdout.index("报告 reports in the database"):]
    rows = [line for line in table.splitlines() if line.startswith("│") and line[1:].strip()[:1].isdigit()]
    assert len(rows) >= 4
    stale_id = _db(tmp_path / "s.db").execute("SELECT id FROM reports WHERE path = ?",
                                             (str(corpus.stale[0].resolve()),)).fetchone()[0]
    assert rows[0].split("│")[1].strip() == str(stale_id)  # its failed checks put it first
    assert "失败 files not parsed (1)" in table and corpus.bad[0].name in table
    assert "cells: ✓ confirmed, ~ unconfirmed, ! conflict, ? unread, · blank" in table


def test_a_schema_2_database_gets_statuses_and_parses_its_files_again(tmp_path):
    from zfxxgk_batch import store

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    reports = store.SCHEMA[store.SCHEMA.index("CREATE TABLE IF NOT EXISTS reports"):]
    old.executescript(reports[:reports.index(");") + 2])  # the same in schema 2
    old.executescript("""
        CREATE TABLE batch_meta (key TEXT PRIMARY KEY, value TEXT);
        INSERT INTO batch_meta VALUES ('schema_version', '2'), ('generation', '3');
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL,
                           pid INTEGER, parsed INTEGER, failed INTEGER, unchanged INTEGER);
        INSERT INTO reports (id, path, sha256, parser_version, parsed_at, core_version)
            VALUES (1, '/r.txt', 's', 'zfxxgk 0.1.0', 'now', 'zfxxgk 0.1.0');
        CREATE TABLE "values" (report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
                               section TEXT NOT NULL, field TEXT NOT NULL, value, text TEXT, provenance TEXT,
                               PRIMARY KEY (report_id, section, field)) WITHOUT ROWID;
        INSERT INTO "values" VALUES (1, 'applications', 'total.total', 3, '3', NULL);
    """)
    old.commit()
    old.close()
    conn = store.connect(path)
    assert "status" in {r[1] for r in conn.execute('PRAGMA table_info("values")')}
    assert conn.execute("SELECT core_version FROM reports").fetchone() == (None,)  # parsed again next run
    assert store.get_meta(conn, "schema_version") == store.SCHEMA_VERSION
    assert {r[0] for r in conn.execute("SELECT status FROM statuses")} == {
        "confirmed", "unconfirmed", "conflict", "unread", "blank", "corrected"}
    assert store.has_fts(conn)
    store.close(conn)
