#!/usr/bin/env python3
"""Time the PDF layout: per backend, seconds per page and per report for our parse of each PDF, beside
what the backend alone takes to extract the same file's characters (so the cost of rebuilding tables
shows), and the rows → report step of the core.

usage (from the project root): python bench/bench_pdf.py [FILE.pdf ...] [--repeat 5]
Without files it renders the seed reports with tests/generators/render_pdf.py and adds
../shared/real/*.pdf when present.

Columns:
  chars      the backend's bare character dump (pypdfium2: every character's box through its text page;
             pdfminer.six: its interpreter with no layout analysis), the floor any PDF reader pays
  extract    our backend adapter: characters, boxes, sizes, rules (backends.py)
  rows       extract + rebuilding rows, tables and paragraphs (the plugin's whole parse)
  overhead   (rows - extract) / extract: what table building adds to the backend's extraction
  report     rows + the core's mapping and checks (core.api.parse)
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.source import Source  # noqa: E402
from zfxxgk_layouts.pdf import backends as B  # noqa: E402
from zfxxgk_layouts.pdf import reading  # noqa: E402


def bare_chars(name: str, data: bytes) -> int:
    """Every character with its box, straight from the library (no normalisation, no rules)."""
    n = 0
    if name == "pypdfium2":
        import pypdfium2 as pdfium
        import pypdfium2.raw as c
        doc = pdfium.PdfDocument(data)
        rect = c.FS_RECTF()
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            for k in range(tp.count_chars()):
                c.FPDFText_GetUnicode(tp.raw, k)
                c.FPDFText_GetLooseCharBox(tp.raw, k, rect)
                n += 1
            tp.close()
            page.close()
        doc.close()
    else:
        from pdfminer.converter import PDFPageAggregator
        from pdfminer.layout import LTChar
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
        rsrc = PDFResourceManager()
        dev = PDFPageAggregator(rsrc, laparams=None)
        interp = PDFPageInterpreter(rsrc, dev)
        for page in PDFPage.get_pages(io.BytesIO(data)):
            interp.process_page(page)
            n += sum(1 for o in dev.get_result() if isinstance(o, LTChar))
    return n


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


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
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    from core.api import parse
    backends = B.available()
    print(f"{'file':28} {'backend':10} {'pages':>5} {'chars/s':>9} {'extract/s':>9} {'rows/s':>9} "
          f"{'report/s':>9} {'rows/page':>9} {'overhead':>8}")
    totals: dict = {}
    for name, data in inputs(a.files):
        for be in backends:
            try:
                pages = be.pages(data)
            except B.PdfLossy as e:
                print(f"{name:28} {be.name:10} (loses text here: {e}; skipped)")
                continue
            except Exception as e:
                print(f"{name:28} {be.name:10} cannot read: {e}")
                continue
            n = len(pages)
            t_chars = best(lambda: bare_chars(be.name, data), a.repeat)
            t_extract = best(lambda: be.pages(data), a.repeat)
            t_rows = best(lambda: reading.rows(be.pages(data)), a.repeat)
            os.environ[B.BACKEND_ENV] = be.name
            t_report = best(lambda: parse(Source(data, name=name)), a.repeat)
            del os.environ[B.BACKEND_ENV]
            over = (t_rows - t_extract) / t_extract
            tot = totals.setdefault(be.name, [0, 0.0, 0.0, 0.0])
            tot[0] += n
            tot[1] += t_extract
            tot[2] += t_rows
            tot[3] += t_report
            print(f"{name:28} {be.name:10} {n:5d} {t_chars:9.4f} {t_extract:9.4f} {t_rows:9.4f} {t_report:9.4f} "
                  f"{t_rows / n:9.4f} {over:8.0%}")
    for name, (n, te, tr, tp) in totals.items():
        print(f"TOTAL {name}: {n} pages, extract {te / n * 1000:.1f} ms/page, rows {tr / n * 1000:.1f} ms/page "
              f"(table building +{(tr - te) / te:.0%}), report {tp / n * 1000:.1f} ms/page; "
              f"a 10-page report ≈ {tr / n * 10:.3f} s (rows), {tp / n * 10:.3f} s (report)")


if __name__ == "__main__":
    main()
