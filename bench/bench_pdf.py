#!/usr/bin/env python3
"""Time the PDF layout against the floor pypdfium2 itself sets: in one run, per PDF, the median of N
runs of

  floor      the cheapest honest pypdfium2 loop over every character's text and box: the document
             opened, each page and its text page loaded, the page's text in one FPDFText_GetText call
             and every character's box through pypdfium2's raw FPDFText_GetLooseCharBox
  lean       the same loop through untyped ctypes handles on the same functions (as backends.py calls
             them): what the loop costs without pypdfium2's per-call argument checks
  facts      the lean loop asking, per character, every fact the layout reads (its code point, whether
             PDFium could map it, its box, its matrix, its font size) and, per page object, its type:
             the least that any reader of those facts pays through ctypes, one call per fact
  extract    our backend adapter: characters, boxes, sizes, rules (backends.py)
  tables     rebuilding rows, tables and paragraphs from the extracted pages (reading.py, tables.py)
  layout     the PDF layout's whole parse (stream bounds, extraction, tables): what the plugin costs
  whole      core.api.parse of the file: layout detection, the layout, and the core's mapping and checks
  core       whole - layout: the core's share
  ratio      whole / floor (and whole / lean)

usage (from the project root): python bench/bench_pdf.py [FILE.pdf ...] [--repeat 11] [--pdfminer]
Without files it renders two seed reports with tests/generators/render_pdf.py and adds
../shared/real/*.pdf when present.
"""
from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zfxxgk_layouts import pdf as P
from zfxxgk_layouts.pdf import backends as B
from zfxxgk_layouts.pdf import reading

from core.source import Source


def floor(data: bytes) -> int:
    """Every character's text and box through pypdfium2 (its document and page objects, its raw API)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as c
    n = 0
    doc = pdfium.PdfDocument(data)
    rect = c.FS_RECTF()
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        count = tp.count_chars()
        buf = ctypes.create_string_buffer(2 * (count + 1))
        c.FPDFText_GetText(tp.raw, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        buf.raw[:2 * count].decode("utf-16-le", "replace")
        for k in range(count):
            c.FPDFText_GetLooseCharBox(tp.raw, k, rect)
        n += count
        tp.close()
        page.close()
    doc.close()
    return n


_LEAN_BOX = None


def lean_floor(data: bytes) -> int:
    """The floor loop with an untyped handle on FPDFText_GetLooseCharBox."""
    global _LEAN_BOX
    import pypdfium2 as pdfium
    import pypdfium2.raw as c
    if _LEAN_BOX is None:
        _LEAN_BOX = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.cast(c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value)
    box = _LEAN_BOX
    n = 0
    doc = pdfium.PdfDocument(data)
    out = bytearray(16)
    out_p = ctypes.c_void_p(ctypes.addressof((ctypes.c_char * 16).from_buffer(out)))
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        count = tp.count_chars()
        buf = ctypes.create_string_buffer(2 * (count + 1))
        c.FPDFText_GetText(tp.raw, 0, count, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
        buf.raw[:2 * count].decode("utf-16-le", "replace")
        tv = ctypes.c_void_p(ctypes.cast(tp.raw, ctypes.c_void_p).value)
        for k in range(count):
            box(tv, k, out_p)
        n += count
        tp.close()
        page.close()
    doc.close()
    return n


def facts_floor(data: bytes, f) -> int:
    """The lean loop with one call per fact the layout reads: code point, map error, box, matrix and
    font size per character, the type of each page object. ``f``: the backend's untyped handles."""
    import pypdfium2 as pdfium
    n = 0
    doc = pdfium.PdfDocument(data)
    rect, mat = B._Out("4f"), B._Out("6f")
    rp, mp = rect.ptr, mat.ptr
    for i in range(len(doc)):
        page = doc[i]
        pv = ctypes.c_void_p(ctypes.cast(page.raw, ctypes.c_void_p).value)
        for k in range(f.count_objects(pv)):
            f.obj_type(f.get_object(pv, k))
        tp = page.get_textpage()
        tv = ctypes.c_void_p(ctypes.cast(tp.raw, ctypes.c_void_p).value)
        count = f.count_chars(tv)
        for k in range(count):
            f.unicode(tv, k)
            f.map_error(tv, k)
            f.box(tv, k, rp)
            f.matrix(tv, k, mp)
            f.font_size(tv, k)
        n += count
        tp.close()
        page.close()
    doc.close()
    return n


def medians(fns: list, repeat: int, clock) -> list[float]:
    """The median time of each of ``fns``, run in turn ``repeat`` times (so that a change in the
    machine's load reaches every column alike)."""
    times: list = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times):
            t = clock()
            fn()
            out.append(clock() - t)
    return [statistics.median(t) for t in times]


def inputs(files: list[str]) -> list[tuple[str, bytes]]:
    if files:
        return [(os.path.basename(f), Path(f).read_bytes()) for f in files]
    from tests.generators.render_pdf import render_pdf
    out = []
    for g in sorted(glob.glob(str(ROOT.parent / "shared" / "seeds" / "expected" / "*.json")))[:2]:
        gold = json.loads(Path(g).read_text(encoding="utf-8"))
        for style in ("ruled", "unruled"):
            out.append((f"{Path(g).stem[:3]}-{style}.pdf", render_pdf(gold, style)))
    for f in sorted(glob.glob(str(ROOT.parent / "shared" / "real" / "*.pdf"))):
        out.append((os.path.basename(f), Path(f).read_bytes()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--pdfminer", action="store_true", help="also time the pdfminer backend (no floor)")
    ap.add_argument("--wall", action="store_true",
                    help="wall-clock time (default: this process's CPU time, which the neighbours of a shared "
                         "machine disturb less; PDFium runs in this thread)")
    a = ap.parse_args()
    clock = time.perf_counter if a.wall else time.process_time
    from core.api import parse
    backends = [be for be in B.available() if be.name == "pypdfium2" or a.pdfminer]
    print(f"median of {a.repeat} runs, ms of {'wall-clock' if a.wall else 'CPU'} time")
    print(f"{'file':26} {'backend':9} {'pages':>5} {'chars':>6} {'floor':>7} {'lean':>7} {'facts':>7} {'extract':>7} "
          f"{'tables':>7} {'layout':>7} {'whole':>7} {'core':>6} {'ratio':>6} {'/lean':>6}")
    for name, data in inputs(a.files):
        for be in backends:
            try:
                pages = be.pages(data)
            except B.PdfLossy as e:
                print(f"{name:26} {be.name:9} (loses text here: {e}; skipped)")
                continue
            os.environ[B.BACKEND_ENV] = be.name
            try:
                pdfium = be.name == "pypdfium2"
                chars = floor(data) if pdfium else sum(len(p.chars) for p in pages)
                fns = ([lambda d=data: floor(d), lambda d=data: lean_floor(d),
                        lambda d=data, f=be.f: facts_floor(d, f)]
                       if pdfium else [lambda: None] * 3)
                fns += [lambda b=be, d=data: b.pages(d), lambda p=pages: reading.rows(p),
                        lambda d=data, n=name: P.parse(Source(d, name=n)),
                        lambda d=data, n=name: parse(Source(d, name=n))]
                t_floor, t_lean, t_facts, t_extract, t_tables, t_layout, t_whole = medians(fns, a.repeat, clock)
                if not pdfium:
                    t_floor = t_lean = t_facts = float("nan")
            finally:
                del os.environ[B.BACKEND_ENV]
            ms = [t * 1000 for t in (t_floor, t_lean, t_facts, t_extract, t_tables, t_layout, t_whole)]
            print(f"{name:26} {be.name:9} {len(pages):5d} {chars:6d} " + " ".join(f"{v:7.1f}" for v in ms) +
                  f" {(t_whole - t_layout) * 1000:6.1f} {t_whole / t_floor:5.2f}x {t_whole / t_lean:5.2f}x")


if __name__ == "__main__":
    main()
