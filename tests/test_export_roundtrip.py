"""Every export holds every value and every status of every report's JSON: the batch over the seeds, the
real reports and the corpus (broken totals, blank cells, unread cells: every status occurs) is read back
from the database, the CSVs, the Parquet files, the XLSX and the JSONL, and compared field by field with
the JSON ``parse`` gives (kept in the database's report_json)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED, run_cli, seed_cases

pytestmark = pytest.mark.skipif(not seed_cases(), reason="../shared/seeds is not beside the project")
STATUSES = {"confirmed", "unconfirmed", "conflict", "unread", "blank"}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("rt") / "rt.db"
    inputs = [p for p in seed_cases()]
    if (SHARED / "real").is_dir():
        inputs += [p for p in sorted((SHARED / "real").iterdir()) if p.is_file() and p.name != "README.md"]
    inputs += [p for p in sorted((CORPUS / "cases").iterdir()) if not p.name.startswith("refuse-")]
    p = run_cli("batch", *inputs, "-o", out, "-f", "csv,xlsx,parquet,jsonl", "-j", "2")
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    db = sqlite3.connect(out)
    reports = {rid: json.loads(zlib.decompress(blob)) for rid, blob in db.execute("SELECT report_id, json_zlib "
                                                                                  "FROM report_json")}
    assert len(reports) == len(inputs)
    return out, db, reports


def cells(report: dict):
    """(section, field, value, status) of every cell the report's JSON has."""
    status = report["status"]
    for field, value in report["active_disclosure"].items():
        yield "active_disclosure", field, value, status[f"active_disclosure.{field}"]
    for section in ("applications", "review_litigation"):
        for row, cols in report[section].items():
            for col, value in cols.items():
                yield section, f"{row}.{col}", value, status[f"{section}.{row}.{col}"]


def test_the_reports_cover_every_status(dataset):
    _, _, reports = dataset
    assert {st for r in reports.values() for *_, st in cells(r)} == STATUSES
    # and text values: 采购总金额 as printed
    assert any(isinstance(v, str) for r in reports.values() for _, _, v, _ in cells(r))


def test_sqlite_values_hold_every_value_and_status(dataset):
    _, db, reports = dataset
    got = {(rid, s, f): (v, st) for rid, s, f, v, st in db.execute(
        'SELECT report_id, section, field, value, status FROM "values" WHERE section != \'text\'')}
    want = {(rid, s, f): (v, st) for rid, r in reports.items() for s, f, v, st in cells(r)}
    assert got == want
    # labelled_values is the same rows
    assert db.execute("SELECT COUNT(*) FROM labelled_values").fetchone()[0] == len(want)
    prose = {(rid, s): t for rid, s, t in db.execute("SELECT report_id, section, text FROM prose")}
    assert prose == {(rid, k): t for rid, r in reports.items() for k, t in r["text"].items()}


def _csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _as_csv(v) -> str:
    """A JSON value as the CSV writes it (formula-like text gets a leading ')."""
    from zfxxgk_batch.export import csv_cell

    return str(csv_cell(v))


def test_csv_wide_and_status_twins_and_long(dataset):
    out, _, reports = dataset
    seen = 0
    for fmt in ("2019", "2021"):
        values = {int(r["id"]): r for r in _csv(out.with_name(f"rt.{fmt}.csv"))}
        status = {int(r["id"]): r for r in _csv(out.with_name(f"rt.{fmt}.status.csv"))}
        assert values.keys() == status.keys() == {rid for rid, r in reports.items() if r["meta"]["format"] == fmt}
        for rid in values:
            have = {f"{s}.{f}": (v, st) for s, f, v, st in cells(reports[rid])}
            for column, text in values[rid].items():
                if column.count(".") < 2:
                    continue  # a report column
                if column in have:
                    assert text == _as_csv(have[column][0]), (rid, column)
                    assert status[rid][column] == have[column][1], (rid, column)
                    seen += 1
                else:  # a cell this report does not have: empty in both
                    assert text == "" and status[rid][column] == "", (rid, column)
            assert have.keys() <= set(values[rid])
    assert seen == sum(len(list(cells(r))) for r in reports.values())
    long = _csv(out.with_name("rt.long.csv"))
    got = {(int(r["report_id"]), r["section"], r["field"]): (r["value"], r["status"]) for r in long
           if r["section"] != "text"}
    want = {(rid, s, f): (_as_csv(v), st) for rid, r in reports.items() for s, f, v, st in cells(r)}
    assert got == want


def test_parquet_wide_status_twins_and_long(dataset):
    import pyarrow.parquet as pq

    out, _, reports = dataset
    seen = 0
    for fmt in ("2019", "2021"):
        values = pq.read_table(out.with_name(f"rt.{fmt}.parquet")).to_pylist()
        status = pq.read_table(out.with_name(f"rt.{fmt}.status.parquet")).to_pylist()
        assert [r["id"] for r in values] == [r["id"] for r in status]
        for vrow, srow in zip(values, status):
            have = {f"{s}.{f}": (v, st) for s, f, v, st in cells(reports[vrow["id"]])}
            for column, v in vrow.items():
                if column.count(".") < 2:
                    continue
                if column in have:
                    want, st = have[column]
                    assert v == want and type(v) is type(want) or (v == want and isinstance(want, int)), \
                        (vrow["id"], column, v, want)
                    assert srow[column] == st
                    seen += 1
                else:
                    assert v is None and srow[column] is None
    assert seen == sum(len(list(cells(r))) for r in reports.values())
    # a text value stays text, with its label in the column's metadata
    t = pq.read_table(out.with_name("rt.2019.parquet"))
    amount = t.schema.field("active_disclosure.procurement.amount")
    assert str(amount.type) == "string" and amount.metadata[b"label"].decode() == "政府集中采购 / 采购总金额"
    assert "万元" in "".join(v for v in t.column("active_disclosure.procurement.amount").to_pylist() if v)
    long = pq.read_table(out.with_name("rt.long.parquet")).to_pylist()
    got = {(r["report_id"], r["section"], r["field"]): (r["value"] if r["value_text"] is None else r["value_text"],
                                                        r["status"]) for r in long if r["section"] != "text"}
    want = {(rid, s, f): (v, st) for rid, r in reports.items() for s, f, v, st in cells(r)}
    assert got == want


def test_xlsx_every_value_and_its_status_fill(dataset):
    import openpyxl

    from zfxxgk_batch.export import STATUS_FILLS

    out, _, reports = dataset
    by_fill = {v: k for k, v in STATUS_FILLS.items()}
    wb = openpyxl.load_workbook(out.with_suffix(".xlsx"))
    got: dict = {}

    def status_of(c) -> str:
        fill = c.fill.fgColor.rgb[-6:] if c.fill is not None and c.fill.fill_type == "solid" else None
        return by_fill.get(fill, "confirmed") if fill else "confirmed"

    def read(sheet: str, section: str, field_of):
        ws = wb[sheet]
        head = [c.value for c in ws[2]]
        for row in ws.iter_rows(min_row=3):
            rec = dict(zip(head, row))
            for h, c in rec.items():
                field = field_of(rec, h)
                if field is None:
                    continue
                if c.value is None and c.fill.fill_type is None:
                    continue  # a cell the report does not have
                got[(rec["report_id"].value, section, field)] = (c.value, status_of(c))

    for fmt in ("2019", "2021"):
        read(f"active_disclosure_{fmt}", "active_disclosure", lambda rec, h: h if "." in h else None)
    read("applications", "applications",
         lambda rec, h: f"{rec['row'].value}.{h}" if h not in ("report_id", "organ_key", "year", "format", "row",
                                                                  "row_label") else None)
    read("review_litigation", "review_litigation", lambda rec, h: h if "." in h else None)
    want = {(rid, s, f): (v, st) for rid, r in reports.items() for s, f, v, st in cells(r)}
    assert got == want
    prose = {}
    ws = wb["text"]
    head = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3, values_only=True):
        rec = dict(zip(head, row))
        prose.update({(rec["report_id"], k): rec[k] for k in ("overview", "problems", "other_matters") if rec[k]})
    assert prose == {(rid, k): t for rid, r in reports.items() for k, t in r["text"].items() if t}


def test_jsonl_is_the_json(dataset):
    out, db, reports = dataset
    lines = [json.loads(line) for line in out.with_suffix(".jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [rid for (rid,) in db.execute("SELECT id FROM reports ORDER BY id")]
    for rid, doc in zip(ids, lines):
        doc.pop("batch")
        assert doc == reports[rid]
