"""Hostile and pathological files end quickly: each, made far past what a report needs, is refused within
10 s and 1 GB with a one-line error (exit 3) that names the bound it passed — through the command line,
as a user would run it, PDFs under both readers. And the bounds leave a real report room to grow."""
from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import pytest

from tests.generators import hostile as H

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real" / "huaian2024-city.pdf"
SECONDS = 10.0
PEAK_BYTES = 1 << 30


def run_parse(path: Path, env: dict | None = None) -> tuple[int, str, float, int]:
    return H.run_parse(path, env, cwd=ROOT)


@cache
def made(name: str) -> bytes:
    """The hostile file at its pathological size, made once for both readers."""
    make, _, n = H.MAKERS[name]
    return make(n)


CASES = [(name, None) for name in H.MAKERS]
CASES += [(name, "pdfminer") for name, (_, suffix, _) in H.MAKERS.items() if suffix == ".pdf"]


@pytest.mark.parametrize("name,backend", CASES, ids=[f"{n}-{b or 'default'}" for n, b in CASES])
def test_hostile_file_is_refused_quickly_naming_the_bound(tmp_path, name, backend):
    suffix = H.MAKERS[name][1]
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(made(name))
    rc, err, seconds, peak = run_parse(path, {"ZFXXGK_PDF_BACKEND": backend} if backend else None)
    assert seconds < SECONDS, f"{name}: {seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{name}: peak {peak / 2**20:.0f} MB"
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert rc == 3 and len(lines) == 1, (rc, err)
    assert "is more than any report has (limit " in lines[0], lines[0]


@pytest.mark.parametrize("name", ["flate-bomb", "ruling-grid", "boxes", "rowspan-flood", "vmerge-flood"])
def test_below_the_bound_the_file_is_read(tmp_path, name):
    """A small file of the same shape is no bomb: it is read (and found to be no report), not refused."""
    make, suffix, _ = H.MAKERS[name]
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(make(1 if name in ("flate-bomb", "rowspan-flood", "vmerge-flood") else 40))
    rc, err, seconds, _ = run_parse(path)
    assert "is more than any report has" not in err, err
    assert rc in (3, 4) and seconds < SECONDS, (rc, err)


@pytest.mark.skipif(not REAL.exists(), reason="no real PDF report")
def test_a_real_report_uses_a_small_share_of_every_pdf_bound():
    from zfxxgk_layouts.pdf import backends as B
    from zfxxgk_layouts.pdf import limits as L
    data = REAL.read_bytes()
    streams = L._streams(data)
    fonts = sum(L._measure(data, s, L.MAX_FONT_BYTES) for s in streams.values() if s.kind == "font")
    content = sum(L._measure(data, s, L.MAX_CONTENT_BYTES) for s in streams.values() if s.kind == "content")
    pages = L._page_contents(data, streams)
    per_page = max(sum(streams[r].size for r in refs if r in streams) for refs, _ in pages)
    budget = L.Budget(REAL.name)
    read = B.available()[0].pages(data, budget)
    # a real report of ten times this one's size passes every bound
    assert 10 * len(read) <= L.MAX_PAGES and 10 * budget.chars <= L.MAX_CHARS
    assert 10 * content <= L.MAX_CONTENT_BYTES and 10 * fonts <= L.MAX_FONT_BYTES
    assert 10 * per_page <= L.MAX_PAGE_CONTENT_BYTES
    assert 10 * max(len(p.rules) for p in read) <= L.MAX_RULES
    # pdfminer, the fallback, has tighter bounds (it is 30 times slower): still three times this report
    drawn = sum(streams[r].size for refs, _ in pages for r in refs if r in streams)
    assert 3 * drawn <= L.MAX_PDFMINER_CONTENT_BYTES and 3 * budget.chars <= L.MAX_PDFMINER_CHARS


def test_stream_bounds_measure_only_what_matters():
    """A Flate stream's bound is 1032 times its bytes; a chain of two filters multiplies, and the
    measured size of a bomb stops at the limit instead of inflating it all."""
    from zfxxgk_layouts.pdf import limits as L
    data = H.flate_bomb(64)
    (st,) = [s for s in L._streams(data).values() if s.kind == "content"]
    assert st.bound == (st.end - st.start) * 1032 * 1032 + 1
    t = time.perf_counter()
    assert (1 << 20) < L._measure(data, st, 1 << 20) <= (1 << 20) + L._CHUNK  # stops at the crossing chunk
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("name", sorted(H.TEXT_MAKERS))
def test_hostile_text_ends_quickly_read_or_refused(tmp_path, name):
    make, suffix, n = H.TEXT_MAKERS[name]
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(make(n))
    rc, err, seconds, peak = run_parse(path)
    assert seconds < SECONDS, f"{name}: {seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{name}: peak {peak / 2**20:.0f} MB"
    assert "Traceback" not in err and rc in (0, 3, 4), (rc, err)
