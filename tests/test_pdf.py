"""The PDF layout: both backends read the same rows; ruled and unruled tables, wrapped and vertical labels
and a page break inside section 三 rebuild into the template's rows; every seed's expected values,
rendered as PDF in each style, parse exactly; scans, encrypted, truncated, corrupt and mojibake files
are refused with one line."""
from __future__ import annotations

import importlib.util
import io
import json
import os
import random
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import shared_score

from core.errors import UnreadableInput
from core.layout import TABLE, TEXT
from core.source import Source
from zfxxgk_layouts import pdf
from zfxxgk_layouts.pdf import backends as B
from zfxxgk_layouts.pdf import chars as C
from zfxxgk_layouts.pdf import reading
from zfxxgk_layouts.pdf import tables as T

reportlab = pytest.importorskip("reportlab")
from tests.generators.render_pdf import (  # noqa: E402
    STYLES, encrypted_pdf, mojibake_pdf, render_pdf, scanned_pdf)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLDS = sorted((SHARED / "seeds" / "expected").glob("*.json"))
REAL = SHARED / "real" / "huaian2024-city.pdf"
REAL_GOLD = SHARED / "real" / "expected" / "huaian2024-city.json"
HAVE_PDFIUM = importlib.util.find_spec("pypdfium2") is not None
BACKENDS = ["pdfminer"] + (["pypdfium2"] if HAVE_PDFIUM else [])




def golds():
    out = [(p.stem[:3], p) for p in GOLDS]
    if REAL_GOLD.exists():
        out.append(("real", REAL_GOLD))
    return out


@lru_cache(maxsize=None)
def rendered(gold_path: str, style: str) -> bytes:
    return render_pdf(json.loads(Path(gold_path).read_text(encoding="utf-8")), style)


def gold_of(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


class Said:
    def __init__(self, doc):
        self.notes = [(n.level, n.code, n.message) for n in doc.notes]
        self.meta = dict(doc.meta)


def read(src: Source):
    doc = pdf.parse(src)
    return list(doc.rows), Said(doc)


def rows_with(data: bytes, backend: str | None, monkeypatch=None, name: str = "t.pdf"):
    """The rows the PDF layout reads, and what it says about the file (``.notes`` as tuples, ``.meta``)."""
    src = Source(data, name=name)
    if backend is None:
        os.environ.pop(B.BACKEND_ENV, None)
        return read(src)
    old = os.environ.get(B.BACKEND_ENV)
    os.environ[B.BACKEND_ENV] = backend
    try:
        return read(src)
    finally:
        if old is None:
            os.environ.pop(B.BACKEND_ENV, None)
        else:
            os.environ[B.BACKEND_ENV] = old


def texts(rows, kind=None):
    return [[c.text for c in r.cells] for r in rows if kind is None or r.kind == kind]


def same_rows(a, b, tol=2.0):
    assert [(r.kind, [c.text for c in r.cells]) for r in a] == [(r.kind, [c.text for c in r.cells]) for r in b]
    for ra, rb in zip(a, b):
        for ca, cb in zip(ra.cells, rb.cells):
            assert ca.page == cb.page
            if ca.bbox and cb.bbox:
                assert max(abs(x - y) for x, y in zip(ca.bbox, cb.bbox)) <= tol, (ca, cb)


def report(data: bytes, backend: str | None):
    from core.api import parse
    old = os.environ.pop(B.BACKEND_ENV, None)
    if backend:
        os.environ[B.BACKEND_ENV] = backend
    try:
        return parse(data, name="report.pdf").to_dict()
    finally:
        os.environ.pop(B.BACKEND_ENV, None)
        if old is not None:
            os.environ[B.BACKEND_ENV] = old


def pdfium_reads(data: bytes) -> bool:
    """Whether PDFium reads the file without losing text (it cannot without a Chinese font for text
    running up the page in a font that is not embedded; the plugin then falls back to pdfminer)."""
    try:
        B.PdfiumBackend().pages(data)
        return True
    except B.PdfLossy:
        return False


# --- detection ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,score", [
    (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", 0.97),
    (b"\xef\xbb\xbf\r\n%PDF-1.4\n", 0.97),
    (b"<html><body>%PDF-1.4 in text far away</body></html>" + b" " * 2000 + b"%PDF-", None),
    (b"PK\x03\x04", None),
    (b"\x00" * 10, None),
])
def test_detect(data, score):
    assert pdf.detect(Source(data, name="x")) == score


def test_detect_never_raises():
    class Broken:
        name = "x"

        @property
        def head(self):
            raise OSError("gone")
    assert pdf.detect(Broken()) is None


# --- rows from positions --------------------------------------------------------------------------------

def _grid_rows(rules, chars, page=1):
    gs = T.grids(rules)
    free = T.assign(gs, chars)
    out = []
    for g in gs:
        assert T.read_cells(g)
        out.append(T.grid_rows(g, page))
    return out, free


def _word(text, x, y, size=10.0):
    """Characters of ``text`` set solid from (x, y), one em wide each (half for ASCII)."""
    out = []
    for ch in text:
        w = size if C.wide(ch) else size / 2
        out.append((ch, x, y, x + w, y + size, size))
        x += w
    return out


def _box(x0, y0, x1, y1):
    return [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]


def test_ruled_grid_with_merged_cells_and_a_vertical_group_label():
    # columns: group (vertical) | leaf label | two values; rows: two leaves under one group
    rules = [(0, 0, 300, 0), (0, 80, 300, 80), (40, 40, 300, 40),
             (0, 0, 0, 80), (40, 0, 40, 80), (200, 0, 200, 80), (250, 0, 250, 80), (300, 0, 300, 80)]
    chars = (_word("三", 15, 60) + _word("、", 15, 48) + _word("结", 15, 36) + _word("果", 15, 24) +
             _word("1.甲项", 45, 55) + _word("12", 215, 55) + _word("3", 270, 55) +
             _word("2.乙项很长很长", 45, 20) + _word("的标签", 45, 8) + _word("7", 215, 14))
    (rows,), free = _grid_rows(rules, chars)
    assert free == []
    assert texts(rows) == [["三、结果", "1.甲项", "12", "3"], ["三、结果", "2.乙项很长很长的标签", "7", ""]]
    assert rows[1].cells[-1].bbox == (250, 0, 300, 40)  # a blank cell keeps the grid cell's box


def test_open_sided_table_and_rules_drawn_as_thin_bars():
    # no left or right border; rules as 0.5 pt filled bars, as Word exports them
    bars = [(0, -0.25, 200, 0.25), (0, 19.75, 200, 20.25), (0, 39.75, 200, 40.25),
            (99.75, 0, 100.25, 40), (149.75, 0, 150.25, 40)]
    chars = _word("规章", 5, 25) + _word("1", 120, 25) + _word("2", 170, 25) + _word("行政许可", 5, 5) + _word("9", 120, 5)
    (rows,), _ = _grid_rows(bars, chars)
    assert texts(rows) == [["规章", "1", "2"], ["行政许可", "9", ""]]


def test_a_box_around_a_paragraph_is_not_a_table():
    assert T.grids(_box(0, 0, 300, 50)) == []


def test_a_grid_framing_whole_rows_is_read_unruled():
    # shading bands frame each row but no column: two numbers in one "cell" reject the grid
    rules = _box(0, 0, 300, 20) + _box(0, 20, 300, 40)
    chars = _word("规章", 5, 5) + _word("1", 150, 5) + _word("22", 250, 5)
    gs = T.grids(rules)
    T.assign(gs, chars)
    assert gs and not all(T.read_cells(g) for g in gs)


def test_label_cut_by_a_page_break_is_joined():
    def grid(top_label, bottom_label, top):
        rules = [(0, top - 40, 200, top - 40), (0, top, 200, top), (80, top - 20, 200, top - 20),
                 (0, top - 40, 0, top), (80, top - 40, 80, top), (150, top - 40, 150, top), (200, top - 40, 200, top)]
        chars = []
        if top_label:
            chars += _word(top_label, 2, top - 15)
        if bottom_label:
            chars += _word(bottom_label, 2, top - 35)
        chars += _word("甲", 85, top - 15) + _word("5", 170, top - 15) + _word("乙", 85, top - 35) + _word("6", 170, top - 35)
        g = T.grids(rules)[0]
        T.assign([g], chars)
        assert T.read_cells(g)
        return g
    above, below = grid("（四）无", None, 100), grid("法提供", None, 700)
    T.continue_across(above, below)
    assert texts(T.grid_rows(above, 1))[0][0] == "（四）无法提供"
    assert [r[0] for r in texts(T.grid_rows(below, 2))] == ["（四）无法提供", "（四）无法提供"]
    # a new numbered label at the top of the next page is not glued to the last one
    above, below = grid("（三）不予公开", None, 100), grid("（四）无法提供", None, 700)
    T.continue_across(above, below)
    assert texts(T.grid_rows(below, 2))[0][0] == "（四）无法提供"


def test_unruled_rows_wrapped_labels_and_blank_cells():
    page = B.Page(1, 595, 842, [], [], 0)
    ch = []
    ch += _word("信息内容", 72, 700) + _word("甲数", 300, 700) + _word("乙数", 380, 700) + _word("丙数", 460, 700)
    ch += _word("（一）第一项", 72, 680) + _word("3", 305, 680) + _word("4", 385, 680) + _word("5", 465, 680)
    # a label on two lines, the numbers level with neither line (centred between them)
    ch += _word("（二）第二项很长", 72, 664) + _word("需要换行", 72, 652) + _word("6", 305, 658) + _word("7", 465, 658)
    ch += _word("（三）第三项", 72, 632) + _word("8", 305, 632) + _word("9", 385, 632) + _word("10", 462, 632)
    page.chars = ch
    rows = reading.rows([page])
    assert texts(rows, TABLE) == [["信息内容", "甲数", "乙数", "丙数"], ["（一）第一项", "3", "4", "5"],
                                  ["（二）第二项很长需要换行", "6", "", "7"], ["（三）第三项", "8", "9", "10"]]


def test_prose_lines_join_into_paragraphs_and_headings_stay_apart():
    page = B.Page(1, 595, 842, [], [], 0)
    body = "这是一段很长的正文文字用来测试段落拼接是否正确完成" * 3
    ch = _word("一、总体情况", 96, 760, 12)
    ch += _word(body[:34], 96, 740, 12) + _word(body[34:70], 72, 722, 12)
    ch += _word("最后一行。", 72, 704, 12)
    ch += _word("二、主动公开政府信息情况", 96, 680, 12)
    page.chars = ch
    rows = reading.rows([page])
    got = texts(rows, TEXT)
    assert got[0] == ["一、总体情况"] and got[-1] == ["二、主动公开政府信息情况"]
    assert got[1] == [body[:70] + "最后一行。"] and len(got) == 3


def test_page_furniture_is_dropped():
    pages = []
    for n in (1, 2, 3):
        p = B.Page(n, 595, 842, [], [], 0)
        p.chars = (_word("某某县人民政府办公室文件", 200, 800, 9) + _word(f"- {n} -", 280, 40, 11) +
                   _word("正文" * 18, 72, 620, 12) + _word(f"第{n}页完。", 72, 600, 12))
        pages.append(p)
    assert [r[0] for r in texts(reading.rows(pages))] == ["正文" * 18 + f"第{n}页完。" for n in (1, 2, 3)]


def test_fake_bold_kangxi_radicals_and_rotated_watermarks():
    # a heading printed twice a hair apart, a Kangxi radical for 一, a watermark at 35 degrees
    raw = [(t, x, y, x2, y2, 12.0, 0) for t, x, y, x2, y2, _ in _word("二、公开", 72, 700, 12)]
    raw += [(t, x + 0.3, y, x2 + 0.3, y2, 12.0, 0) for t, x, y, x2, y2, _ in _word("二、公开", 72, 700, 12)]
    raw += [(B._fold("\u2f00"), 72, 680, 84, 692, 12.0, 0), ("水", 200, 400, 240, 440, 40.0, None)]
    page = B.finish_page(1, 595, 842, raw, [], 0)
    assert [ch[0] for ch in page.chars if ch[2] < 690] == ["一"]
    assert "水" not in {ch[0] for ch in page.chars}
    assert texts(reading.rows([page])) == [["二、公开"], ["一"]]


def test_text_running_up_the_page_is_turned_upright():
    raw = [("甲", 100, 100 + 12 * k, 112, 112 + 12 * k, 12.0, 90) for k in range(3)]
    page = B.finish_page(1, 595, 842, raw, [(50, 0, 50, 300)], 0)
    assert (page.width, page.height) == (842, 595)
    assert all(ch[1] < ch[3] for ch in page.chars) and len({round(ch[2]) for ch in page.chars}) == 1
    assert page.rules == [(0, 545, 300, 545)]


# --- both backends, whole reports ---------------------------------------------------------------------

CASES = [(gid, str(path), style) for gid, path in golds() for style in STYLES]


@pytest.mark.skipif(not HAVE_PDFIUM, reason="pypdfium2 is not installed")
@pytest.mark.parametrize("gid,path,style", CASES, ids=[f"{g}-{s}" for g, _, s in CASES])
def test_backends_read_the_same_rows(gid, path, style):
    data = rendered(path, style)
    if not pdfium_reads(data):
        # No Chinese font here for text running up the page: PDFium says so, and the plugin uses pdfminer.
        assert style == "rotated"
        rows, src = rows_with(data, None)
        assert any(code == "pdf_backend" and msg.startswith("pdfminer") and "pypdfium2" in msg
                   for _, code, msg in src.notes)
        return
    a, _ = rows_with(data, "pdfminer")
    b, _ = rows_with(data, "pypdfium2")
    same_rows(a, b)
    # and so the same report, but for where the backend is named and boxes a fraction of a point apart
    ra, rb = report(data, "pdfminer"), report(data, "pypdfium2")
    for r in (ra, rb):
        r["diagnostics"] = [d for d in r["diagnostics"] if d["code"] != "pdf_backend"]
        r["meta"].pop("pdf_backend")
        for where in r["provenance"].values():
            where.pop("bbox", None)
    assert ra == rb


@pytest.mark.parametrize("gid,path,style", CASES, ids=[f"{g}-{s}" for g, _, s in CASES])
def test_rendered_reports_parse_exactly_without_warnings(gid, path, style):
    score = shared_score()
    gold = gold_of(path)
    out = report(rendered(path, style), None)
    _, wrong, _, _ = score.compare(gold, out)
    assert wrong == []
    noisy = [d for d in out["diagnostics"] if d["level"] != "info"]
    assert noisy == []
    assert out["meta"]["layout"] == "pdf"


@pytest.mark.skipif(not REAL.exists(), reason="../shared/real is absent")
@pytest.mark.parametrize("backend", BACKENDS)
def test_real_report(backend):
    score = shared_score()
    data = REAL.read_bytes()
    rows, src = rows_with(data, backend)
    got = texts(rows, TABLE)
    # section 三 rows keep their group labels, the one cut by the page break joined again
    assert ["三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项", "105", "0", "0", "0", "0", "0", "105"] in got
    assert ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确", "1", "0", "0", "0", "0", "0", "1"] in got
    assert ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"] in got
    assert not any(t[0].startswith("- ") for t in texts(rows, TEXT))  # page numbers dropped
    assert [n for n in src.notes if n[1] == "pdf_backend"][0][2].startswith(backend)
    out = report(data, backend)
    _, wrong, _, _ = score.compare(gold_of(REAL_GOLD), out)
    assert wrong == []
    assert [d for d in out["diagnostics"] if d["level"] != "info"] == []
    cell = out["provenance"]["applications.new_received.total"]
    assert cell["page"] == 4 and cell["text"] == "3119" and len(cell["bbox"]) == 4


def test_backend_can_be_forced_and_a_wrong_name_is_a_usage_error(monkeypatch):
    from core.errors import UsageError
    data = rendered(str(GOLDS[0]), "ruled") if GOLDS else pytest.skip("no seeds")
    monkeypatch.setenv(B.BACKEND_ENV, "pdfminer")
    src = Source(data, name="x.pdf")
    _, src = read(src)
    assert src.notes[-1][:2] == ("info", "pdf_backend") and src.notes[-1][2].startswith("pdfminer")
    monkeypatch.setenv(B.BACKEND_ENV, "acrobat")
    with pytest.raises(UsageError):
        pdf.parse(Source(data, name="x.pdf"))


@pytest.mark.skipif(not HAVE_PDFIUM, reason="pypdfium2 is not installed")
def test_pdfium_losing_text_falls_back_to_pdfminer(monkeypatch):
    from tests.generators import render_pdf as R
    style = R.PRESETS["ruled"]
    monkeypatch.setattr(style, "pdfium_safe", False)
    data = R.render_pdf(gold_of(GOLDS[0]), "ruled") if GOLDS else pytest.skip("no seeds")
    if pdfium_reads(data):
        pytest.skip("PDFium finds a Chinese font on this machine")
    rows, src = rows_with(data, None)
    note = [n for n in src.notes if n[1] == "pdf_backend"][0][2]
    assert note.startswith("pdfminer") and "PDFium leaves their characters out" in note
    assert any("（三）不予公开" in t for t in sum(texts(rows), []))


# --- refusals -------------------------------------------------------------------------------------------

def _blank_pdf() -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.showPage()
    c.save()
    return buf.getvalue()


def _refusals():
    gold = gold_of(GOLDS[0]) if GOLDS else {"year": 2024, "format": "2021"}
    good = render_pdf(gold, "ruled")
    return {
        "scan": (scanned_pdf(), "no text layer: this PDF is a scan; OCR is not supported"),
        "password": (encrypted_pdf(gold, "secret"), "encrypted and needs a password"),
        "truncated": (good[: len(good) * 6 // 10], "truncated"),
        "garbage": (b"%PDF-1.4\n" + random.Random(1).randbytes(4000) + b"\n%%EOF\n", "corrupt PDF"),
        "header-only": (b"%PDF-1.7\n%%EOF\n", "corrupt PDF"),
        "mojibake": (mojibake_pdf(), "text layer is unreadable"),
        "blank": (_blank_pdf(), "no text layer"),
    }


REFUSALS = list(_refusals().items())


@pytest.mark.parametrize("backend", [None] + BACKENDS)
@pytest.mark.parametrize("case,data_msg", REFUSALS, ids=[k for k, _ in REFUSALS])
def test_unreadable_inputs_are_refused_with_one_line(case, data_msg, backend):
    data, msg = data_msg
    with pytest.raises(UnreadableInput) as e:
        rows_with(data, backend, name=f"{case}.pdf")
    assert msg in str(e.value) and "\n" not in str(e.value) and str(e.value).startswith(f"{case}.pdf: ")


def test_refusal_exit_code_through_the_cli(tmp_path, cli):
    f = tmp_path / "scan.pdf"
    f.write_bytes(scanned_pdf(1))
    p = cli("parse", f)
    assert p.returncode == 3
    assert p.stderr.decode().strip().count("\n") == 0 and "OCR is not supported" in p.stderr.decode()
    assert b"Traceback" not in p.stderr


def test_empty_user_password_opens_normally():
    if not GOLDS:
        pytest.skip("no seeds")
    gold = gold_of(GOLDS[0])
    plain, _ = rows_with(render_pdf(gold, "ruled"), None)
    locked = encrypted_pdf(gold, "")
    opened, _ = rows_with(locked, None)
    assert texts(opened) == texts(plain)
    # pdfminer opens it too (no password asked); reportlab leaves the font's CIDSystemInfo strings
    # unencrypted, which pdfminer then deciphers into noise, so only its pages are checked here
    assert any(p.chars for p in B.PdfminerBackend().pages(locked))


@pytest.mark.parametrize("backend", BACKENDS)
def test_damaged_files_fail_only_with_unreadable_input(backend):
    good = rendered(str(GOLDS[0]), "word") if GOLDS else pytest.skip("no seeds")
    rnd = random.Random(7)
    for k in range(12):
        data = bytearray(good)
        for _ in range(rnd.randint(1, 40)):
            i = rnd.randrange(200, len(data))
            data[i] = rnd.randrange(256)
        if k % 3 == 0:  # a hole in the middle
            i = rnd.randrange(1000, len(data) - 1000)
            del data[i:i + rnd.randint(10, 800)]
        try:
            rows, _ = rows_with(bytes(data), backend)
            assert all(r.kind in (TABLE, TEXT) for r in rows)
        except UnreadableInput as e:
            assert "\n" not in str(e)


def test_dashed_rules_make_a_grid():
    def dashed(x0, y0, x1, y1, on=3.0, off=3.0):
        out, horizontal = [], y0 == y1
        t, end = (x0, x1) if horizontal else (y0, y1)
        while t < end:
            u = min(t + on, end)
            out.append((t, y0, u, y0) if horizontal else (x0, t, x0, u))
            t = u + off
        return out
    rules = []
    for y in (0, 20, 40):
        rules += dashed(0, y, 200, y)
    for x in (0, 100, 150, 200):
        rules += dashed(x, 0, x, 40)
    chars = _word("规章", 5, 25) + _word("1", 120, 25) + _word("2", 170, 25) + _word("行政许可", 5, 5) + _word("9", 120, 5)
    (rows,), _ = _grid_rows(rules, chars)
    assert texts(rows) == [["规章", "1", "2"], ["行政许可", "9", ""]]


def test_a_frame_around_the_page_is_layout_and_its_tables_are_read():
    # a page frame with a rule under a header line, holding a small ruled table and paragraphs of prose
    frame = _box(40, 40, 555, 800) + [(40, 760, 555, 760)]
    table = _box(72, 400, 372, 440) + [(72, 420, 372, 420), (222, 400, 222, 440)]
    prose = []
    for k in range(10):
        prose += _word("这是一行很长的正文文字用来测试页面边框内的段落识别", 72, 700 - 16 * k, 12)
    chars = (_word("某某县人民政府", 72, 770, 12) + prose + _word("规章", 80, 425) + _word("3", 300, 425) +
             _word("行政许可", 80, 405) + _word("12", 300, 405))
    page = B.Page(1, 595, 842, chars, frame + table, 0)
    rows = reading.rows([page])
    assert texts(rows, TABLE) == [["规章", "3"], ["行政许可", "12"]]
    assert sum(1 for r in rows if r.kind == TEXT) >= 2
