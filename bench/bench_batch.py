"""Benchmark of ``python -m core batch``: throughput (reports/s) for text, HTML and PDF reports, with the
local engine at 1 and 2 workers and with the Dask engine on a local cluster.

usage (from the project root): python bench/bench_batch.py [--n 1000] [--bad 20] [--kinds text,html,pdf]
                                                          [--workers 1,2] [--no-dask] [--keep DIR]

For each kind it generates N reports (the shared seeds' expected values, varied, over organs × years,
rendered by tests/generators) mixed with BAD files that must fail, then runs the batch once per engine
into a fresh database, checks that every good report was written and every bad file recorded, runs it a
second time (which must parse nothing: the rerun), counts the rows of ``cross_checks``, and for the
local engine runs it a third time with the third-party layout plugins loaded (the first two run with
built-in layouts only, as before installing the example CSV plugin): that run must parse no text, HTML
or PDF file again. Then it builds 300 copies of one organ's report for each of two consecutive years
(600 duplicates) and counts the cross-year checks they cost. It prints Markdown tables for the README.
Throughput is reports parsed per second of wall time of the whole run (discovery, hashing, parsing,
writing, cross-year checks), not counting the Dask cluster's start (shown apart).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _cpu():
    import resource

    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime


def _run(inputs: Path, out: Path, **kw):
    """(summary, wall seconds, main-process CPU seconds, worker-process CPU seconds (local engine only))."""
    from zfxxgk_batch.runner import run_batch

    m0, c0 = _cpu()
    t = time.perf_counter()
    summary = run_batch([str(inputs)], out, progress=False, **kw)
    wall = time.perf_counter() - t
    m1, c1 = _cpu()
    return summary, wall, m1 - m0, c1 - c0


def _rows(db: Path, table: str) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _has_csv_plugin() -> bool:
    from core.registry import default_registry

    return any(p.name == "csv" for p in default_registry().layouts())


def duplicates(base: Path, text_corpus: Path, copies: int = 300) -> tuple[int, int, int, float]:
    """``copies`` copies of one organ's 2021 report and of its 2022 report (duplicates on two
    consecutive years, the case whose checks grew with the square of the copies): (reports, cross_checks
    rows, pairs, wall seconds)."""
    src = base / "duplicates"
    if not (src / ".complete").exists():
        shutil.rmtree(src, ignore_errors=True)
        organ = text_corpus / "organ0000"
        pair = [f for f in sorted(organ.iterdir()) if f.stem in ("2021", "2022")]
        for i in range(copies):
            d = src / f"copy{i:04d}"
            d.mkdir(parents=True)
            for f in pair:
                (d / f.name).write_bytes(f.read_bytes())
        (src / ".complete").write_text("done\n")
    out = base / "duplicates.db"
    out.unlink(missing_ok=True)
    summary, wall, _, _ = _run(src, out, engine="local", jobs=2)
    return summary.parsed, _rows(out, "cross_checks"), summary.cross.pairs, wall


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def headroom(workers: int = 2, n: int = 3_000_000) -> float:
    """How much faster ``workers`` processes run a pure CPU loop than one process, right now: about
    ``workers`` on an idle machine, less when other jobs hold the cores. Read the speed-ups with it."""
    from multiprocessing import get_context

    t = time.perf_counter()
    for _ in range(workers):
        _spin(n)
    serial = time.perf_counter() - t
    with get_context("fork").Pool(workers) as pool:
        pool.map(_spin, [10] * workers)
        t = time.perf_counter()
        pool.map(_spin, [n] * workers)
        parallel = time.perf_counter() - t
    return serial / parallel


def _check(summary, n_good: int, n_bad: int, what: str) -> str:
    problems = []
    if summary.parsed != n_good:
        problems.append(f"parsed {summary.parsed} of {n_good}")
    if len(summary.failed) != n_bad:
        problems.append(f"{len(summary.failed)} failures recorded, {n_bad} bad files")
    if problems:
        print(f"# {what}: " + "; ".join(problems), file=sys.stderr)
        for line in summary.lines(limit=5):
            print(f"#   {line}", file=sys.stderr)
        return "NO"
    return "yes"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="good reports per kind (default 1000)")
    ap.add_argument("--bad", type=int, default=20, help="bad files mixed in (default 20)")
    ap.add_argument("--kinds", default="text,html,pdf")
    ap.add_argument("--workers", default="1,2", help="local engine worker counts (default 1,2)")
    ap.add_argument("--dask-workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--keep", help="generate the corpora here and keep them (default: a temp directory)")
    ap.add_argument("--repeat", type=int, default=1, help="time each configuration N times, keep the fastest")
    args = ap.parse_args()

    from test_batch_corpus import available, build_corpus

    if not available():
        sys.exit("bench_batch: ../shared/seeds/expected is needed to generate the reports")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_batch."))
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    rows = []
    cpu_rows = []
    spins: list[float] = []
    cluster = None
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    corpora: dict[str, tuple[Path, int, int]] = {}
    base_rate: dict[str, float] = {}
    reruns: list[float] = []
    plugin = _has_csv_plugin()
    if not plugin:
        print("# the example CSV plugin is not installed (pip install ./examples/zfxxgk-layout-csv): "
              "the run after installing it is skipped", file=sys.stderr)
    dup = None

    def timed(kind: str, engine: str, w: int, kw: dict, note: str = "") -> None:
        src, n_good, n_bad = corpora[kind]
        out = base / f"{kind}-{engine}-{w}.db"
        local = engine == "local"
        if local:  # built-in layouts only: the third run below is the one after installing the plugin
            kw = {**kw, "no_plugins": True}
        best = None
        for _ in range(max(1, args.repeat)):
            out.unlink(missing_ok=True)
            got = _run(src, out, **kw)
            if best is None or got[1] < best[1]:
                best = got
        summary, wall, main_cpu, worker_cpu = best
        ok = _check(summary, n_good, n_bad, f"{kind} {engine} {w}")
        if local and w == 1:
            n = n_good + n_bad
            cpu_rows.append((kind, 1000 * worker_cpu / n, 1000 * main_cpu / n))
        again, wall2, _, _ = _run(src, out, **kw)
        resumed = "yes" if again.parsed == 0 and again.unchanged == n_good + n_bad else "NO"
        reruns.append(wall2)
        cross = _rows(out, "cross_checks")
        installed = ""
        if local and plugin:
            after, wall3, _, _ = _run(src, out, **{**kw, "no_plugins": False})
            redone = after.parsed + after.failed_now
            installed = f"{redone} of {n_good + n_bad} ({wall3:.2f} s)"
        rate = summary.parsed / wall
        if local and w == 1:
            base_rate[kind] = rate
        speedup = f"{rate / base_rate[kind]:.2f}x" if kind in base_rate else ""
        rows.append((kind, engine, w, wall, rate, speedup, ok, wall2, resumed, cross, installed, note))
        print(f"# {kind} {engine} {w}: {wall:.1f} s, {rate:.1f} reports/s {speedup}; rerun {wall2:.2f} s; "
              f"{cross} cross_checks rows; after installing the CSV plugin: {installed or '-'}", file=sys.stderr)

    try:
        for kind in kinds:
            src = base / kind
            t = time.perf_counter()
            done = src / ".complete"  # hidden: never read as an input
            if not done.exists():
                shutil.rmtree(src, ignore_errors=True)
                corpus = build_corpus(src, args.n, kinds=(kind,), n_bad=args.bad, plant=False)
                done.write_text(f"{len(corpus.good)} {len(corpus.bad)}\n")
            n_good, n_bad = map(int, done.read_text().split())
            corpora[kind] = (src, n_good, n_bad)
            print(f"# {kind}: {n_good} reports + {n_bad} bad files ready in {time.perf_counter() - t:.1f} s",
                  file=sys.stderr)
        # Local runs first: Dask leaves threads behind, after which worker processes cannot be forked
        # (and the CPU time of forkserver children is not counted).
        for kind in kinds:
            src = corpora[kind][0]
            # warm-up (imports, plugin loading) so that the first timed run does not pay for it
            _run(src / "organ0000", base / f"{kind}-warmup.db", engine="local", jobs=1)
            spins.append(headroom(2))
            for w in workers:
                timed(kind, "local", w, {"engine": "local", "jobs": w})
        if "text" in corpora:
            dup = duplicates(base, corpora["text"][0])
        if not args.no_dask:
            import logging

            from distributed import LocalCluster

            t = time.perf_counter()
            cluster = LocalCluster(n_workers=args.dask_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
            note = f"cluster start {time.perf_counter() - t:.1f} s"
            for kind in kinds:
                timed(kind, "dask", args.dask_workers, {"engine": "dask", "scheduler": cluster.scheduler_address},
                      note)
                note = ""
    finally:
        if cluster is not None:
            cluster.close()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    rows.sort(key=lambda r: (kinds.index(r[0]), r[1] != "local", r[2]))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average at the end {load:.2f}; "
          f"{args.n} reports + {args.bad} bad files per kind; a pure CPU loop ran "
          f"{', '.join(f'{h:.2f}x' for h in spins)} faster on 2 processes than on 1 before each kind's local runs "
          f"(2.00x on an idle machine)\n")
    print("| kind | engine | workers | wall time | reports/s | vs 1 worker | all written, all failures recorded | "
          "rerun (parses nothing) | cross_checks rows | files parsed again after installing the CSV plugin | note |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind, engine, w, wall, rate, speedup, ok, wall2, resumed, cross, installed, note in rows:
        print(f"| {kind} | {engine} | {w} | {wall:.1f} s | {rate:.1f} | {speedup} | {ok} | {resumed}, {wall2:.2f} s | "
              f"{cross} | {installed} | {note} |")
    if reruns:
        print(f"\nrerun over {args.n} unchanged reports + {args.bad} failures: {min(reruns):.2f}–{max(reruns):.2f} s")
    if dup is not None:
        n, cross, pairs, wall = dup
        print(f"duplicates: {n} reports, 300 copies each of one organ's 2021 and 2022 reports: {pairs} year pairs, "
              f"{cross} cross_checks rows ({wall:.1f} s)")
    if cpu_rows:
        print("\nCPU time per file at 1 worker (hardly changed by other load on the machine): the workers parse "
              "and write their part databases (W); the main process reads and hashes the files, hands them out "
              "and merges the parts (M). On c idle cores with c workers the speed-up over 1 worker is at most "
              "c·W/(W+M).\n")
        print("| kind | worker CPU ms/file (W) | main process CPU ms/file (M) | bound for 2 workers on 2 cores |")
        print("|---|---|---|---|")
        for kind, wc, mc in cpu_rows:
            print(f"| {kind} | {wc:.1f} | {mc:.1f} | {2 * wc / (wc + mc):.2f}x |")


if __name__ == "__main__":
    main()
