"""The review app's parts without a browser: corrections (kept, applied, stale), checks evaluated again,
the source beside a cell, year over year, exports, and the app's routes through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT
from review_dataset import HUAIAN, PTHZS, available, build, run_batch

pytest.importorskip("flask")
pytestmark = pytest.mark.skipif(not available(), reason="../shared/seeds and ../shared/real are not beside the project")

REVIEW_TOTAL = "review_litigation.review.total"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return build(tmp_path_factory.mktemp("review"))


@pytest.fixture
def db(data, tmp_path):
    """A fresh copy of the dataset (and its inputs stay where the reports say they are)."""
    copy = tmp_path / "dataset.db"
    shutil.copy2(data.db, copy)
    conn = sqlite3.connect(copy)
    yield conn
    conn.close()


def _rid(conn, name: str) -> int:
    return conn.execute("SELECT id FROM reports WHERE path LIKE ?", (f"%{name}",)).fetchone()[0]


def _correct(conn, rid: int, field: str, value, note: str = "checked at the source"):
    from core.fields import FieldPath
    from zfxxgk_review import corrections, dataset
    from zfxxgk_review.corrected import get_value

    row = dataset.report(conn, rid)
    doc = dataset.report_json(conn, rid)
    return corrections.add(conn, sha256=row["sha256"], field=field, kind=corrections.CORRECTED,
                           parsed_value=get_value(doc, FieldPath.parse(field)), parsed_status=doc["status"][field],
                           corrected_value=value, note=note, reviewer="tester", path=row["path"], report_id=rid)


# --- corrections and checks ---------------------------------------------------------------------------------

def test_checks_and_statuses_evaluated_again_are_the_stored_ones(db):
    """Without corrections, the core's identities over a Sheet rebuilt from the JSON give back exactly the
    checks and the status of every cell the parse stored, for every report of the dataset."""
    from core.diagnostics import Notes
    from core.status import cell_status
    from zfxxgk_review import corrected, dataset

    n = 0
    for row in dataset.reports(db):
        doc = dataset.report_json(db, row["id"])
        sheet = corrected.sheet_of(doc)
        checks = corrected.evaluate_checks(doc, sheet)
        assert checks == doc["checks"], row["path"]
        assert cell_status(sheet, corrected._checks_as_objects(checks), Notes()) == doc["status"], row["path"]
        n += 1
    assert n >= 20


def test_a_correction_fixes_the_check_it_breaks_and_is_marked_corrected(db):
    from zfxxgk_review.corrected import corrected_report

    rid = _rid(db, PTHZS)
    before = corrected_report(db, rid)
    assert before["status"][REVIEW_TOTAL] == "conflict"
    failed = [c for c in before["checks"] if not c["ok"]]
    assert [c["rule"] for c in failed] == ["review_litigation_group_total"]
    _correct(db, rid, REVIEW_TOTAL, 1, "总计 should be 1: 结果维持 is 1")
    after = corrected_report(db, rid)
    assert after["review_litigation"]["review"]["total"] == 1
    assert after["status"][REVIEW_TOTAL] == "corrected"
    assert all(c["ok"] for c in after["checks"] if REVIEW_TOTAL in c["cells"])
    assert not [c for c in after["checks"] if not c["ok"]]
    # the other cells of the rule are confirmed now; the parsed value and the printed text are kept
    assert after["status"]["review_litigation.review.upheld"] == "confirmed"
    assert after["corrections"][REVIEW_TOTAL]["parsed"] == 0
    assert after["provenance"][REVIEW_TOTAL]["text"] == "0"
    assert after["meta"]["corrected"] == 1
    # the stored JSON is untouched
    from zfxxgk_review.dataset import report_json
    assert report_json(db, rid)["review_litigation"]["review"]["total"] == 0


def test_the_latest_row_decides_and_a_withdrawal_restores_the_parse(db):
    from zfxxgk_review import corrections
    from zfxxgk_review.corrected import corrected_report

    rid = _rid(db, PTHZS)
    sha = db.execute("SELECT sha256 FROM reports WHERE id = ?", (rid,)).fetchone()[0]
    _correct(db, rid, REVIEW_TOTAL, 5)
    _correct(db, rid, REVIEW_TOTAL, 1)
    assert corrected_report(db, rid)["review_litigation"]["review"]["total"] == 1
    corrections.add(db, sha256=sha, field=REVIEW_TOTAL, kind=corrections.WITHDRAWN, parsed_value=0,
                    parsed_status="conflict", note="wrong cell")
    doc = corrected_report(db, rid)
    assert doc["review_litigation"]["review"]["total"] == 0 and doc["status"][REVIEW_TOTAL] == "conflict"
    assert [h.kind for h in corrections.history(db, sha, REVIEW_TOTAL)] == ["corrected", "corrected", "withdrawn"]


def test_a_confirmation_keeps_the_value_and_a_blank_is_null(db):
    from zfxxgk_review import corrections
    from zfxxgk_review.corrected import corrected_report

    rid = _rid(db, PTHZS)
    sha = db.execute("SELECT sha256 FROM reports WHERE id = ?", (rid,)).fetchone()[0]
    corrections.add(db, sha256=sha, field="active_disclosure.regulations.issued", kind=corrections.CONFIRMED,
                    parsed_value=0, parsed_status="unconfirmed")
    _correct(db, rid, "active_disclosure.licensing.decisions", None)
    doc = corrected_report(db, rid)
    assert doc["active_disclosure"]["regulations.issued"] == 0
    assert doc["status"]["active_disclosure.regulations.issued"] == "corrected"
    assert doc["corrections"]["active_disclosure.regulations.issued"]["kind"] == "confirmed"
    assert doc["active_disclosure"]["licensing.decisions"] is None
    with pytest.raises(corrections.InvalidCorrection):
        corrections.add(db, sha256=sha, field=REVIEW_TOTAL, kind=corrections.CONFIRMED, parsed_value=None,
                        parsed_status="unread")


@pytest.mark.parametrize("fmt,field,text,value", [
    ("2021", "applications.total.total", " 12 ", 12),
    ("2021", "applications.total.total", "１２", 12),
    ("2021", "applications.total.total", "1,234", 1234),
    ("2021", "applications.total.total", "blank", None),
    ("2021", "applications.total.total", "空", None),
    ("2019", "active_disclosure.licensing.change", "-3", -3),
    ("2021", "active_disclosure.fees.amount", "3.5", 3.5),
    ("2021", "active_disclosure.fees.amount", "12", 12),
    ("2019", "active_disclosure.procurement.amount", "6187.4万元", "6187.4万元"),
])
def test_typed_values_become_the_cells_kind(fmt, field, text, value):
    from zfxxgk_review.corrections import parse_value

    got = parse_value(fmt, field, text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize("fmt,field,text", [
    ("2021", "applications.total.total", ""), ("2021", "applications.total.total", "-1"),
    ("2021", "applications.total.total", "1.5"), ("2021", "applications.total.total", "abc"),
    ("2021", "active_disclosure.fees.amount", "x"), ("2021", "nowhere.x", "1"),
])
def test_values_a_cell_cannot_hold_are_refused(fmt, field, text):
    from zfxxgk_review.corrections import InvalidCorrection, parse_value

    with pytest.raises(InvalidCorrection):
        parse_value(fmt, field, text)


# --- batch re-runs --------------------------------------------------------------------------------------------

def test_a_batch_rerun_keeps_every_correction_and_a_changed_file_s_are_stale(data, tmp_path):
    from zfxxgk_review import corrections
    from zfxxgk_review.corrected import corrected_report

    inputs = tmp_path / "reports"
    shutil.copytree(data.inputs, inputs)
    db_path = tmp_path / "dataset.db"
    assert run_batch(inputs, db_path).returncode in (0, 5)
    conn = sqlite3.connect(db_path)
    pthzs = _rid(conn, PTHZS)
    _correct(conn, pthzs, REVIEW_TOTAL, 1)
    changed = data.generated[0].relative_to(data.inputs)
    other = _rid(conn, str(changed))
    _correct(conn, other, "applications.new_received.natural_person", 99)
    conn.commit()
    conn.close()
    # the same files again, then everything parsed again: every correction still applies
    for extra in ((), ("--force",)):
        p = run_batch(inputs, db_path, *extra)
        assert p.returncode in (0, 5), p.stdout + p.stderr
        conn = sqlite3.connect(db_path)
        states = corrections.states(conn)
        assert [s.state for s in states] == ["kept", "kept"]
        assert corrected_report(conn, _rid(conn, PTHZS))["status"][REVIEW_TOTAL] == "corrected"
        conn.close()
    # one file changes: its correction is stale (kept, applied to nothing), the other is kept
    target = inputs / changed
    target.write_bytes(target.read_bytes() + b"\n" if target.suffix != ".pdf" else target.read_bytes() + b"%\n")
    assert run_batch(inputs, db_path).returncode in (0, 5)
    conn = sqlite3.connect(db_path)
    states = {s.correction.field: s for s in corrections.states(conn)}
    assert states[REVIEW_TOTAL].state == "kept"
    stale = states["applications.new_received.natural_person"]
    assert stale.state == "changed" and stale.now_report_id == _rid(conn, str(changed))
    doc = corrected_report(conn, stale.now_report_id)
    assert doc["corrections"] == {}
    lines = corrections.batch_summary_lines(conn)
    assert lines[0].startswith("corrections: 1 kept (the same file contents), 1 stale")
    assert str(changed) in lines[1] and "changed" in lines[1]
    conn.close()
    # the command line lists it too
    p = subprocess.run([sys.executable, "-m", "core", "review", str(db_path), "--stale"], capture_output=True,
                       text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0 and "1 kept, 1 stale" in p.stdout and str(changed) in p.stdout


def test_a_moved_file_keeps_its_corrections_and_a_removed_one_s_are_gone(data, tmp_path):
    from zfxxgk_review import corrections

    inputs = tmp_path / "reports"
    shutil.copytree(data.inputs, inputs)
    db_path = tmp_path / "dataset.db"
    run_batch(inputs, db_path)
    conn = sqlite3.connect(db_path)
    _correct(conn, _rid(conn, PTHZS), REVIEW_TOTAL, 1)
    conn.commit()
    conn.close()
    (inputs / "real" / PTHZS).rename(inputs / "seeds" / PTHZS)
    run_batch(inputs, db_path, "--prune")
    conn = sqlite3.connect(db_path)
    assert [s.state for s in corrections.states(conn)] == ["kept"]
    conn.close()
    (inputs / "seeds" / PTHZS).unlink()
    run_batch(inputs, db_path, "--prune")
    conn = sqlite3.connect(db_path)
    assert [s.state for s in corrections.states(conn)] == ["gone"]
    conn.close()


# --- source beside the cell ------------------------------------------------------------------------------------

def test_text_source_highlights_the_printed_number_at_its_column(db):
    from zfxxgk_review import dataset, source

    rid = _rid(db, PTHZS)
    row, doc = dataset.report(db, rid), dataset.report_json(db, rid)
    where = doc["provenance"][REVIEW_TOTAL]
    view = source.text_view(row["path"], doc["meta"].get("encoding"), where)
    target = [ln for ln in view.lines if ln.target]
    assert view.found and len(target) == 1 and target[0].number == where["line"]
    hit = [t for t, h in target[0].pieces if h]
    assert hit == [where["text"]]
    # the whole report is one line: a window around the cell, not 10,000 characters
    assert sum(len(t) for t, _h in target[0].pieces) < 2 * source.WINDOW + 20


def test_html_source_finds_the_cell_on_its_line(db):
    from zfxxgk_review import dataset, source
    from zfxxgk_review.views import _rank

    rid = db.execute("SELECT id FROM reports WHERE layout = 'html' ORDER BY id").fetchone()[0]
    row, doc = dataset.report(db, rid), dataset.report_json(db, rid)
    cell = "applications.new_received.total"
    where = doc["provenance"][cell]
    view = source.text_view(row["path"], doc["meta"].get("encoding"), where, _rank(doc, cell, where))
    assert view.found
    target = next(ln for ln in view.lines if ln.target)
    assert [t for t, h in target.pieces if h] == [where["text"]]


def test_pdf_page_renders_and_the_box_is_on_the_page(db):
    from zfxxgk_review import dataset, source

    rid = _rid(db, HUAIAN)
    row, doc = dataset.report(db, rid), dataset.report_json(db, rid)
    where = doc["provenance"]["applications.total.total"]
    info = source.page_info(row["path"], where["page"])
    x, y, w, h = info.box(where["bbox"])
    assert 0 <= x < x + w <= info.width and 0 <= y < y + h <= info.height
    png = source.page_png(row["path"], where["page"])
    assert png.startswith(b"\x89PNG")
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    assert abs(img.width / source.SCALE - info.width) < 2 and abs(img.height / source.SCALE - info.height) < 2
    # the box holds ink: the printed number is there in the rendered page
    crop = img.convert("L").crop(tuple(int(v * source.SCALE) for v in (x, y, x + w, y + h)))
    assert crop.getextrema()[0] < 128


def test_a_moved_or_changed_file_is_said_so(db, tmp_path):
    from zfxxgk_review import source

    f = tmp_path / "r.txt"
    f.write_text("abc")
    sha = source.sha256_of(f)
    assert source.file_state(str(f), sha).state == "ok"
    f.write_text("abcd")
    st = source.file_state(str(f), sha)
    assert st.state == "changed" and "has changed" in st.message
    f.unlink()
    st = source.file_state(str(f), sha)
    assert st.state == "missing" and "no longer at" in st.message


# --- year over year and exports --------------------------------------------------------------------------------

def test_year_over_year_matches_the_batch_s_cross_checks_and_uses_corrections(db):
    from zfxxgk_review import dataset, yoy

    organs = dataset.organs(db)
    assert organs
    key = max(organs, key=lambda o: o[2])[0]
    cmp = yoy.organ_comparison(db, key)
    assert len(cmp.columns) >= 3 and [c.year for c in cmp.columns] == sorted(c.year for c in cmp.columns)
    for pair in cmp.pairs:
        stored = {(r[0], r[1]): bool(r[2]) for r in db.execute(
            "SELECT rule, scope, ok FROM cross_checks WHERE report_id = ? AND next_report_id = ?",
            (pair.a.row["id"], pair.b.row["id"]))}
        assert {(c["rule"], c["scope"]): c["ok"] for c in pair.checks} == stored
        assert pair.prose
    # a correction in the later year breaks its carried-over identity and shows as corrected
    pair = cmp.pairs[0]
    cell = "applications.carried_over.natural_person"
    old = pair.b.report["applications"]["carried_over"]["natural_person"]
    _correct(db, pair.b.row["id"], cell, (old or 0) + 5)
    cmp2 = yoy.organ_comparison(db, key)
    check = next(c for c in cmp2.pairs[0].checks if c["scope"] == "column=natural_person")
    assert not check["ok"] and check["corrected_cells"] == [f"{pair.b.year}:{cell}"]
    row = next(f for f in cmp2.fields if f.path == cell)
    assert row.cells[1][1] == "corrected" and row.changed[0]


def test_comparison_exports_as_docx_and_csv(db):
    import docx

    from zfxxgk_review import dataset, yoy
    from zfxxgk_review.docx_export import comparison_docx
    from zfxxgk_review.export import COMPARE_COLUMNS, comparison_csv

    key = max(dataset.organs(db), key=lambda o: o[2])[0]
    cmp = yoy.organ_comparison(db, key)
    _correct(db, cmp.columns[1].row["id"], "applications.granted.natural_person", 777)
    cmp = yoy.organ_comparison(db, key)
    d = docx.Document(io.BytesIO(comparison_docx(cmp)))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "逐年对比" in text and "跨年度勾稽关系" in text
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "777 更正" in cells
    assert any("上年结转" in c for c in cells)
    rows = list(csv.reader(io.StringIO(comparison_csv(cmp).decode("utf-8-sig"))))
    assert tuple(rows[0]) == COMPARE_COLUMNS
    kinds = {r[0] for r in rows[1:]}
    assert {"field", "cross_check"} <= kinds
    fixed = [r for r in rows if r[4] == "granted.natural_person" and r[7] == "777"]
    assert fixed and fixed[0][10] == "corrected"


def test_values_export_and_overrides_carry_the_corrections(db):
    from zfxxgk_review.export import value_overrides, values_csv

    rid = _rid(db, PTHZS)
    _correct(db, rid, REVIEW_TOTAL, 1, "总计")
    rows = list(csv.DictReader(io.StringIO(values_csv(db).decode("utf-8-sig"))))
    mine = [r for r in rows if r["report_id"] == str(rid) and r["section"] == "review_litigation"
            and r["field"] == "review.total"]
    assert mine == [{**mine[0], "value": "1", "status": "corrected", "parsed_value": "0", "parsed_status": "conflict",
                     "correction": "corrected", "note": "总计"}]
    assert mine[0]["label"] == "行政复议 · 总计"
    assert len({r["report_id"] for r in rows}) == db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
    over = value_overrides(db)
    assert over[rid][("review_litigation", "review.total")]["value"] == 1
    assert over[rid][("review_litigation", "review.total")]["status"] == "corrected"


# --- the app ------------------------------------------------------------------------------------------------------

@pytest.fixture
def client(db):
    from zfxxgk_review.app import create_app

    path = db.execute("PRAGMA database_list").fetchone()[2]
    app = create_app(path)
    return app, app.test_client()


def test_reports_page_lists_counts_filters_and_failures(client, db):
    _app, c = client
    r = c.get("/")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert PTHZS in page and "Failures" in page and "empty.txt" in page
    r = c.get("/?doubt=conflict&sort=conflict&desc=1")
    page = r.get_data(as_text=True)
    assert PTHZS in page and HUAIAN not in page
    r = c.get("/?organ=平潭&year=2024")
    page = r.get_data(as_text=True)
    assert PTHZS in page and "pingtan2019" not in page


def test_report_page_shows_tables_checks_and_the_cell_s_source(client, db):
    _app, c = client
    rid = _rid(db, PTHZS)
    page = c.get(f"/report/{rid}?cell={REVIEW_TOTAL}").get_data(as_text=True)
    assert "三、收到和处理政府信息公开申请情况" in page and "（七）总计" in page and "行政复议" in page
    assert 'id="source-hit">0</mark>' in page and "review_litigation_group_total" in page
    assert 'id="next-doubt"' in page
    page = c.get(f"/report/{_rid(db, HUAIAN)}?cell=applications.total.total").get_data(as_text=True)
    assert 'id="pdf-box"' in page and "/page/" in page


def test_posting_a_correction_needs_the_token_and_a_loopback_host(client, db):
    app, c = client
    rid = _rid(db, PTHZS)
    form = {"field": REVIEW_TOTAL, "value": "1", "note": "n", "action": "correct"}
    assert c.post(f"/report/{rid}/correct", data=form).status_code == 403
    assert c.get("/", headers={"Host": "evil.example:8765"}).status_code == 403
    r = c.post(f"/report/{rid}/correct", data={**form, "value": "x", "token": app.config["TOKEN"]})
    assert r.status_code == 400 and "not a whole number" in r.get_data(as_text=True)
    r = c.post(f"/report/{rid}/correct", data={**form, "token": app.config["TOKEN"]})
    assert r.status_code == 302
    doc = json.loads(c.get(f"/report/{rid}.json").get_data(as_text=True))
    assert doc["status"][REVIEW_TOTAL] == "corrected"


def test_review_command_refuses_a_network_address_and_a_non_dataset(tmp_path, data):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "core", "review", *map(str, args)], capture_output=True,
                              text=True, cwd=ROOT, timeout=60)

    p = run(data.db, "--host", "0.0.0.0")
    assert p.returncode == 2 and "loopback" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    (tmp_path / "x.db").write_text("not sqlite")
    p = run(tmp_path / "x.db")
    assert p.returncode == 2 and "not a SQLite database" in p.stderr
    out = tmp_path / "values.csv"
    p = run(data.db, "--export", out)
    assert p.returncode == 0 and out.read_bytes().startswith(b"\xef\xbb\xbfreport_id,")


def test_compare_of_two_files_uses_the_dataset_s_corrections(db):
    """What the lead wires into ``python -m core compare A B`` given a dataset: each file's corrections by
    its sha256, the comparison made from the corrected reports, corrected values marked."""
    from zfxxgk_batch.compare import compare_reports
    from zfxxgk_review import corrections, dataset, yoy
    from zfxxgk_review.corrected import apply_for_file

    key = max(dataset.organs(db), key=lambda o: o[2])[0]
    ids, _others = yoy.choose(db, key)
    a_row, b_row = dataset.report(db, ids[1]), dataset.report(db, ids[0])  # given newer first
    stamp = corrections.stamp(db)
    _correct(db, b_row["id"], "applications.carried_forward.natural_person", 1234)
    assert corrections.stamp(db) != stamp
    a = apply_for_file(db, a_row["path"], dataset.report_json(db, a_row["id"]))
    b = apply_for_file(db, b_row["path"], dataset.report_json(db, b_row["id"]))
    cmp = yoy.mark_compare(compare_reports(a, b), a, b)
    assert cmp["swapped"]
    row = next(r for r in cmp["fields"] if r["field"] == "applications.carried_forward.natural_person")
    assert row["a"] == 1234 and row["a_corrected"] and not row["b_corrected"]
    broken = next(c for c in cmp["identities"] if c["scope"] == "column=natural_person")
    cell = f"{b_row['year']}:applications.carried_forward.natural_person"
    assert not broken["ok"] and broken["corrected_cells"] == [cell]


def test_report_page_says_when_the_source_moved_or_changed(client, db):
    """(The test edits its own copy of the dataset to stand for a file moved away or rewritten.)"""
    _app, c = client
    rid = _rid(db, PTHZS)
    db.execute("UPDATE reports SET sha256 = ? WHERE id = ?", ("0" * 64, rid))
    db.commit()
    page = c.get(f"/report/{rid}?cell={REVIEW_TOTAL}").get_data(as_text=True)
    assert "has changed since it was parsed" in page and 'id="source-text"' in page
    db.execute("UPDATE reports SET path = ? WHERE id = ?", ("/nowhere/" + PTHZS, rid))
    db.commit()
    page = c.get(f"/report/{rid}?cell={REVIEW_TOTAL}").get_data(as_text=True)
    assert "is no longer at /nowhere/" in page and 'id="source-text"' not in page
    assert "行政复议" in page  # the stored reading is still shown


def test_the_list_sorts_by_a_count_with_ties_in_path_order(db):
    from zfxxgk_review.index import Index, filtered

    rows = Index().summaries(db)
    out = filtered(rows, sort="conflict", desc=True)
    assert out[0]["path"].endswith(PTHZS) and out[0]["conflict"] == 5
    zero = [r["path"] for r in out if r["conflict"] == 0]
    assert zero == sorted(zero)
    by_year = filtered(rows, sort="year")
    years = [r["year"] for r in by_year if r["year"] is not None]
    assert years == sorted(years) and all(r["year"] is None for r in by_year[len(years):])
