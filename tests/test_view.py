"""``python -m core parse FILE --format table``: the report for a person at a terminal.

The text of every seed's and real report's view is kept in tests/snapshots/view-*.txt and any difference
fails; regenerate with ``ZFXXGK_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_view.py`` (the same switch
as the JSON snapshots) and read the difference before committing it. The other tests check what a reader
needs without the JSON: every label of the template, every value in its row, every doubtful cell marked.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import SHARED, run_cli, seed_cases

SNAPSHOTS = Path(__file__).with_name("snapshots")
UPDATE = os.environ.get("ZFXXGK_UPDATE_SNAPSHOTS") == "1"
REAL = SHARED / "real"


def _reports() -> list[tuple[str, Path]]:
    out = [(f"seed-{p.stem[:3]}", p) for p in seed_cases()]
    if REAL.is_dir():
        out += [(f"real-{p.stem}", p) for p in sorted(REAL.iterdir()) if p.is_file() and p.name != "README.md"]
    return out


REPORTS = _reports()
pytestmark = pytest.mark.skipif(not REPORTS, reason="../shared/seeds is not beside the project")
WIDTH = {"COLUMNS": "120"}


@pytest.fixture(scope="module")
def views():
    """name -> (the JSON, the table view) of every report, both from the command line."""
    out = {}
    for name, path in REPORTS:
        j = run_cli("parse", path)
        t = run_cli("parse", path, "--format", "table", env=WIDTH)
        assert j.returncode == 0 and t.returncode == 0, (j.stderr, t.stderr)
        out[name] = (json.loads(j.stdout), t.stdout.decode("utf-8"))
    return out


@pytest.mark.parametrize("name", [n for n, _ in REPORTS])
def test_table_view_snapshot(views, name):
    _, text = views[name]
    path = SNAPSHOTS / f"view-{name}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}; write it with ZFXXGK_UPDATE_SNAPSHOTS=1")
    want = path.read_text(encoding="utf-8")
    if text != want:
        diff = [f"{i + 1}: snapshot {a!r}\n{i + 1}: now      {b!r}"
                for i, (a, b) in enumerate(zip(want.splitlines(), text.splitlines())) if a != b]
        pytest.fail("the table view changed:\n" + "\n".join(diff[:5] or ["(lines added or removed)"]))


def _row(text: str, label: str) -> list[str]:
    """The cells of the first table row whose label cell starts with ``label``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) > 1 and cells[0].startswith(label):
            return cells[1:]
    raise AssertionError(f"no row {label!r}")


def _shown(value, status: str) -> str:
    mark = {"unconfirmed": "~", "conflict": "!", "unread": "?", "blank": "·"}.get(status, "")
    text = "" if value is None else str(int(value) if isinstance(value, float) and value.is_integer() else value)
    return text + mark


@pytest.mark.parametrize("name", [n for n, _ in REPORTS])
def test_the_view_shows_every_value_of_sections_three_and_four_with_its_mark(views, name):
    from core.template import S3_COLUMNS, S3_PRINTED_LABELS, S4_COLUMNS, S4_GROUP_LABELS, SECTION_HEADINGS

    report, text = views[name]
    meta = report["meta"]
    assert f"格式 format {meta['format']}" in text and str(meta["year"]) in text
    for heading in SECTION_HEADINGS.values():
        assert heading in text
    status = report["status"]
    for row, cols in report["applications"].items():
        cells = _row(text, S3_PRINTED_LABELS[row][:10])  # long labels wrap inside their cell
        want = [_shown(cols.get(c), status.get(f"applications.{row}.{c}", "")) for c in S3_COLUMNS]
        got = [re.sub(r"\*$", "", c) for c in cells]  # * a warning names the cell
        assert got == want, (row, cells)
    for group, cols in report["review_litigation"].items():
        cells = _row(text, S4_GROUP_LABELS[group])
        want = [_shown(cols.get(c), status.get(f"review_litigation.{group}.{c}", "")) for c in S4_COLUMNS]
        assert [re.sub(r"\*$", "", c) for c in cells] == want, group


@pytest.mark.parametrize("name", [n for n, _ in REPORTS])
def test_failed_checks_and_warnings_follow_the_tables(views, name):
    report, text = views[name]
    failed = [c for c in report["checks"] if not c["ok"]]
    warned = [d for d in report["diagnostics"] if d["level"] in ("warning", "error")]
    if failed:
        assert f"未通过的校验 failed checks ({len(failed)})" in text
        assert text.index("四、政府信息公开行政复议") < text.index("failed checks")
    else:
        assert f"all {len(report['checks'])} checks pass" in text
    if warned:
        assert f"warnings and errors ({len(warned)})" in text
        for d in warned:
            assert d["code"] in text
    else:
        assert "warnings and errors" not in text
    assert "\x1b" not in text  # no colours when stdout is not a terminal


def test_text_from_the_document_cannot_drive_the_terminal():
    from core.view import render

    report = {"meta": {"organ": "某县\x1b[2J\x07", "year": 2023, "format": "2021"},
              "text": {"overview": "一、总体情况\x1b]0;title\x07正文"}, "diagnostics": [
                  {"level": "warning", "code": "x", "where": "applications.total.total", "message": "\x1b[31mred"}]}
    text = render(report)
    assert "\x1b" not in text and "\x07" not in text
    assert "某县\\x1b[2J\\x07" in text and "\\x1b[31mred" in text


def test_colours_only_when_asked_and_the_view_to_a_file(tmp_path):
    from core.view import render

    path = seed_cases()[0]
    report = json.loads(run_cli("parse", path).stdout)
    assert "\x1b[" in render(report, color=True) and "\x1b[" not in render(report)
    out = tmp_path / "view.txt"
    p = run_cli("parse", path, "--format", "table", "--out", out)
    assert p.returncode == 0 and p.stdout == b""
    assert out.read_text(encoding="utf-8") == render(report)


def test_where_labels_name_cells_rows_and_sections():
    from core.view import where_label

    assert where_label("applications.carried_forward.commercial_enterprise") == "四、结转下年度继续办理 / 商业企业"
    assert where_label("applications.denied.state_secret") == "（三）不予公开 1.属于国家秘密"
    assert where_label("active_disclosure.fees.amount") == "行政事业性收费 / 本年收费金额（单位：万元）"
    assert where_label("active_disclosure.normative_documents.made", "2019") == "规范性文件 / 本年新制作数量"
    assert where_label("review_litigation.litigation_direct.total") == "行政诉讼 未经复议直接起诉 / 总计"
    assert where_label("review_litigation") == "四、政府信息公开行政复议、行政诉讼情况"
    assert where_label("meta.year") == "meta.year"
