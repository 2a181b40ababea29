#!/usr/bin/env python3
"""Time and peak memory of `python -m core parse` on each hostile file of tests/generators/hostile.py, at
1x, 2x, 4x and 8x of a starting size, and how both grow: near linear while the file is read, flat once
a bound refuses it (exit 3 names the bound).

usage (from the project root): python bench/bench_hostile.py [NAME ...] [--pdfminer] [--scale 1,2,4,8]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.generators import hostile as H

#: Size at 1x per file: below the bound, so that the doubling shows the growth up to it and past it.
START = {
    "flate-bomb": 1, "nesting-bomb": 1, "font-bomb": 64, "text-flood": 25, "value-lines": 2, "ruling-grid": 100, "boxes": 50,
    "shared-pages": 40, "form-flood": 1, "many-pages": 50, "rowspan-flood": 2, "colspan-flood": 2, "vmerge-flood": 1,
    "paragraph-flood": 15,
}


def run(path: Path, env: dict) -> tuple[float, float, int, str]:
    rc, err, sec, peak = H.run_parse(path, env, cwd=ROOT)
    return sec, peak / 2**20, rc, err.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", default=list(START))
    ap.add_argument("--pdfminer", action="store_true", help="also force the pdfminer reader on the PDFs")
    ap.add_argument("--scale", default="1,2,4,8")
    a = ap.parse_args()
    scales = [int(x) for x in a.scale.split(",")]
    head = " ".join(f"{f'{k}x s':>7} {f'{k}x MB':>7} rc" for k in scales)
    print(f"{'file':16} {'reader':9} {'1x size':>10} {head} {'time growth':>11} {'mem growth':>10}  bound")
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.names:
            make, suffix, _ = H.MAKERS[name]
            readers = [("default", {})]
            if a.pdfminer and suffix == ".pdf":
                readers.append(("pdfminer", {"ZFXXGK_PDF_BACKEND": "pdfminer"}))
            for reader, env in readers:
                cells, first, last, bound = [], None, None, ""
                for k in scales:
                    path = Path(tmp) / f"{name}-{k}{suffix}"
                    path.write_bytes(make(START[name] * k))
                    if k == scales[0]:
                        size = path.stat().st_size
                    sec, mb, rc, err = run(path, env)
                    first = first or (sec, mb)
                    last = (sec, mb)
                    if "limit" in err and not bound:
                        bound = f"{k}x: " + err.split(": ", 1)[-1][:70]
                    cells.append(f"{sec:7.2f} {mb:7.0f} {rc:2d}")
                growth = f"{last[0] / first[0]:10.1f}x {last[1] / first[1]:9.1f}x"
                print(f"{name:16} {reader:9} {size:10,d} {' '.join(cells)} {growth}  {bound}", flush=True)


if __name__ == "__main__":
    main()
