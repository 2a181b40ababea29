"""Benchmark: in-process parse time per report, this tree against a baseline commit, in one run.

usage (from the project root):
    python bench/benchmark.py [--against REV] [--rounds 3] [--repeat 15] [--files FILE ...]

Times the shared seed reports (../shared/seeds), every case in corpus/cases and the HTML, Word and PDF
renderings of one seed, with this tree's parser and with the parser of ``--against`` (default: the commit
before the engine's rework, 2d463e9), checked out into a temporary worktree. Each round times every file
in both trees, in child processes that alternate, so that both see the same machine; a file's figure is
its best round's median of CPU time (``time.process_time``), which another process on the machine
disturbs far less than wall time. Only the built-in layouts are loaded in both trees (a third-party
plugin's detect costs its own time). Figures go to stdout as a Markdown table, for the README.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "2d463e9"

#: Run in a child process whose sys.path starts at a tree: prints {file: median CPU ms or null}.
_CHILD = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from core.api import parse
from core.errors import CoreError
files, repeat = json.loads(sys.argv[2]), int(sys.argv[3])
out = {}
for f in files:
    try:
        layout = parse(f).meta["layout"]
    except CoreError:
        out[f] = None
        continue
    times = []
    for _ in range(repeat):
        t = time.process_time()
        parse(f)
        times.append(time.process_time() - t)
    out[f] = [statistics.median(times) * 1000, layout]
print(json.dumps(out))
"""


def _rendered(tmp: Path) -> list[Path]:
    """One seed's expected values rendered as HTML, .docx and PDF (skipped when a generator is missing)."""
    sys.path.insert(0, str(ROOT))
    gold_path = ROOT.parent / "shared" / "seeds" / "expected" / "004_6f81646acbd5a3c6.json"
    if not gold_path.exists():
        return []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    out = []
    for module, suffix, call in (
        ("tests.generators.render_html", ".html", "render_html"),
        ("tests.generators.render_docx", ".docx", "render_docx"),
        ("tests.generators.render_pdf", ".pdf", "render_pdf"),
    ):
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


def _time_tree(tree: Path, files: list[Path], repeat: int) -> dict:
    env = {"CORE_LOAD_PLUGINS": "", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree), json.dumps([str(f) for f in files]), str(repeat)],
        capture_output=True, text=True, cwd=tree, env=env, check=False,
    )
    if proc.returncode:
        raise SystemExit(f"timing in {tree} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout)


def _worktree(rev: str, into: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(into), rev], cwd=ROOT, check=True)
    return into


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default=BASELINE, help=f"baseline commit (default {BASELINE}); '' for none")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--files", nargs="*", type=Path)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = a.files or (
            sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
            + sorted((ROOT / "corpus" / "cases").glob("*.*"))
            + _rendered(Path(tmp))
        )
        files = [f.resolve() for f in files]
        trees = {"this tree": ROOT}
        base = None
        if a.against:
            base = _worktree(a.against, Path(tmp) / "baseline")
            trees[a.against] = base
        try:
            best: dict[str, dict[str, list]] = {name: {} for name in trees}
            for _ in range(a.rounds):
                for name, tree in trees.items():
                    for f, r in _time_tree(tree, files, a.repeat).items():
                        if r is not None and (f not in best[name] or r[0] < best[name][f][0]):
                            best[name][f] = r
        finally:
            if base is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    names = list(trees)
    print("| file | layout | " + " | ".join(f"{n} (ms)" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for f in map(str, files):
        here = best[names[0]].get(f)
        if here is None:
            continue
        cells = [f"{best[n][f][0]:.2f}" if f in best[n] else "—" for n in names]
        print(f"| {Path(f).name} | {here[1]} | " + " | ".join(cells) + " |")
    for kind, test in (("text", lambda lay: lay not in ("html", "docx", "pdf", "word97")),
                       ("HTML", lambda lay: lay == "html"), ("Word", lambda lay: lay == "docx"),
                       ("PDF", lambda lay: lay == "pdf")):
        line = []
        for n in names:
            ms = [r[0] for f, r in best[n].items() if test(best[names[0]].get(f, [0, r[1]])[1])]
            if ms:
                line.append(f"{n}: median {statistics.median(ms):.2f} ms (max {max(ms):.2f}, {len(ms)} files)")
        if line:
            print(f"\n{kind} reports, CPU per parse in-process — " + "; ".join(line))


if __name__ == "__main__":
    main()
