"""Benchmark: in-process parse time per report, and the CLI's wall time for one file.

usage (from the project root): python bench/benchmark.py [--repeat 50] [--files FILE ...]

By default it times the shared seed reports (../shared/seeds) and every case in corpus/cases, plus the
HTML, Word and PDF renderings of one seed when the test generators and their tools are available.
Figures go to stdout as a Markdown table, for the README.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rendered(tmp: Path) -> list[Path]:
    """One seed's expected values rendered as HTML, .docx and PDF (skipped when a generator is missing)."""
    gold_path = ROOT.parent / "shared" / "seeds" / "expected" / "004_6f81646acbd5a3c6.json"
    if not gold_path.exists():
        return []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    out = []
    for module, suffix, call in (("tests.generators.render_html", ".html", "render_html"),
                                 ("tests.generators.render_docx", ".docx", "render_docx"),
                                 ("tests.generators.render_pdf", ".pdf", "render_pdf")):
        try:
            mod = __import__(module, fromlist=[call])
            data = getattr(mod, call)(gold)
        except Exception as e:  # a generator or its tool (reportlab) is not installed
            print(f"# skipped {module}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        p = tmp / f"rendered{suffix}"
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        out.append(p)
    return out


def time_in_process(files: list[Path], repeat: int) -> list[tuple[str, float, str]]:
    from core.api import parse
    from core.errors import CoreError

    rows = []
    for f in files:
        try:
            layout = parse(f).meta["layout"]  # warm caches (label matching, imports)
        except CoreError as e:
            rows.append((f.name, float("nan"), f"exit {e.exit_code}"))
            continue
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            parse(f)
            times.append(time.perf_counter() - t)
        rows.append((f.name, statistics.median(times) * 1000, layout))
    return rows


def time_cli(file: Path, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "core", "parse", str(file)], capture_output=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--files", nargs="*", type=Path)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = a.files or (sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
                            + sorted((ROOT / "corpus" / "cases").glob("*.*"))
                            + _rendered(Path(tmp)))
        rows = time_in_process(files, a.repeat)
        print("| file | layout | in-process parse (median ms) |")
        print("|---|---|---|")
        for name, ms, layout in rows:
            print(f"| {name} | {layout} | {ms:.2f} |")
        text_ms = [ms for _n, ms, lay in rows if lay not in ("html", "docx", "pdf", "word97") and ms == ms]
        if text_ms:
            print(f"\ntext reports: median {statistics.median(text_ms):.2f} ms, max {max(text_ms):.2f} ms "
                  f"per report in-process ({len(text_ms)} files)")
        if files:
            wall = time_cli(files[0])
            print(f"CLI wall time, `python -m core parse {files[0].name}`: median {wall:.3f} s")


if __name__ == "__main__":
    main()
