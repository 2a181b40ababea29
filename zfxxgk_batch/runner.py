"""``python -m core batch``: inputs to files, files to workers, results to the database, then the checks
across reports, the exports and the closing summary.

- Never stops on a bad file: every failure is recorded (``failures`` table) and counted.
- Resumable: a file whose path is in the database with the same sha256 of its bytes and the same parser
  version is not parsed again (a known failure is not retried either); ``force`` redoes them.
- Interrupting (Ctrl-C) stops handing out files, lets the workers finish the files they hold, writes
  everything parsed, and ends with exit code 130; a second Ctrl-C stops at once. No report is ever half
  written: local workers commit each chunk (at most 16 files) to part databases of their own
  (``.OUT.db.parts/``), merged into the output when the run ends or is interrupted, or by the next run
  when it was killed; failures and Dask results are committed by the main process at least every second.
- Inputs are only read.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from zfxxgk_batch import store
from zfxxgk_batch.crossyear import CrossYearSummary
from core.errors import CoreError, UsageError

#: Exit code of a batch that finished but could not parse every file.
EXIT_SOME_FAILED = 5
EXIT_INTERRUPTED = 130
COMMIT_EVERY_S = 1.0
COMMIT_EVERY_N = 200


class BatchError(CoreError):
    """The batch itself cannot go on (not one file's fault): exit 1 with one line."""

    exit_code = 1


@dataclass
class BatchSummary:
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    #: (path, exit_code, reason, message) of every input that is failed now (this run or unchanged since)
    failed: list[tuple] = field(default_factory=list)
    failed_now: int = 0
    reports_with_failed_checks: int = 0
    reports_with_warnings: int = 0
    cross: CrossYearSummary = field(default_factory=CrossYearSummary)
    outputs: list[Path] = field(default_factory=list)
    interrupted: bool = False
    engine: str = "local"
    workers: int = 1
    elapsed: float = 0.0
    database: Path | None = None
    #: reports a killed run had parsed but not merged, merged at the start of this one
    recovered: int = 0

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_SOME_FAILED if self.failed else 0

    @property
    def rate(self) -> float:
        return self.parsed / self.elapsed if self.elapsed > 0 else 0.0

    def lines(self, limit: int = 10) -> list[str]:
        out = [f"batch: {self.files} files: {self.parsed} parsed, {self.unchanged} unchanged (skipped), "
               f"{len(self.failed)} failed"
               + (f" ({self.failed_now} this run)" if self.failed_now != len(self.failed) else "")
               + f"; {self.engine} engine, {self.workers} workers, {self.elapsed:.1f} s"
               + (f", {self.rate:.1f} reports/s" if self.parsed else "")]
        if self.recovered:
            out.append(f"recovered {self.recovered} reports parsed by an earlier run that was stopped")
        if self.interrupted:
            out.append("interrupted: the reports written so far are kept; run the same command again to finish")
        if self.failed:
            kinds: dict[tuple, int] = {}
            for _p, code, reason, _m in self.failed:
                kinds[(reason, code)] = kinds.get((reason, code), 0) + 1
            out.append("failed: " + ", ".join(f"{n} {reason.replace('_', ' ')} (exit {code})"
                                              for (reason, code), n in sorted(kinds.items(), key=lambda kv: -kv[1])))
            for path, code, reason, message in self.failed[:limit]:
                out.append(f"  {path}: exit {code} {reason}: {message}")
            if len(self.failed) > limit:
                out.append(f"  … and {len(self.failed) - limit} more (table failures)")
        out.append(f"checks: {self.reports_with_failed_checks} reports in the database with failed checks, "
                   f"{self.reports_with_warnings} with warnings (tables checks, diagnostics)")
        c = self.cross
        out.append(f"across years: {c.pairs} consecutive-year report pairs, {c.evaluated} checks, "
                   f"{len(c.breaks)} breaks" + (f"; {c.without_organ} reports without organ or year not grouped"
                                                 if c.without_organ else ""))
        for b in c.breaks[:limit]:
            out.append(f"  {b['organ'] or b['organ_key']} {b['year']}→{b['next_year']} {b['rule']} {b['scope']}: "
                       f"{b['next_year']} prints {b['expected']}, {b['year']} gives {b['found']} "
                       f"({Path(b['path']).name} → {Path(b['next_path']).name})")
        if len(c.breaks) > limit:
            out.append(f"  … and {len(c.breaks) - limit} more (table cross_checks, ok = 0)")
        if c.duplicates:
            out.append(f"duplicates: {len(c.duplicates)} organ-years found in more than one file (kept, not merged)")
            for key, year, paths in c.duplicates[:limit]:
                out.append(f"  {key} {year}: " + " | ".join(paths))
            if len(c.duplicates) > limit:
                out.append(f"  … and {len(c.duplicates) - limit} more (view duplicates)")
        if self.outputs:
            out.append("written: " + ", ".join(str(p) for p in self.outputs))
        return out


class _Interrupt:
    """First Ctrl-C: finish cleanly (flag); second: stop at once (KeyboardInterrupt)."""

    def __init__(self, stream):
        self.hit = False
        self.stream = stream
        self._old = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame):
        if self.hit:
            raise KeyboardInterrupt
        self.hit = True
        try:
            self.stream.write("\ninterrupted: writing the results received so far (Ctrl-C again to stop now)\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def _chunk_size(n_files: int, workers: int) -> int:
    return max(1, min(16, n_files // (workers * 8) or 1))


def run_batch(inputs: list[str], out: str | os.PathLike, *, formats: list[str] | tuple[str, ...] = ("sqlite",),
              jobs: int | None = None, force: bool = False, engine: str = "local", scheduler: str | None = None,
              no_plugins: bool = False, progress: bool | None = None, stream=None,
              dask_cluster_kwargs: dict | None = None) -> BatchSummary:
    """Parse every file the inputs name into the database (and exports) at ``out``.

    :param inputs: files, directories (walked recursively) and glob patterns.
    :param out: the output path (see :func:`zfxxgk_batch.export.outputs` for the files it gives).
    :param formats: any of sqlite (always written), csv, xlsx, parquet, jsonl.
    :param jobs: worker processes (default: every core); for Dask without a scheduler, local workers.
    :param engine: "local" (process pool) or "dask" (``scheduler`` address, or a local cluster).
    :param progress: show the progress bar (default: when ``stream`` is a terminal).
    :raises UsageError: bad options, an output over an input, an output that is not a batch database.
    """
    from zfxxgk_batch import crossyear, export
    from zfxxgk_batch.discover import discover
    from zfxxgk_batch.engine import DaskEngine, LocalEngine, drive
    from zfxxgk_batch.progress import Progress
    from zfxxgk_batch.worker import Task, parser_version
    from core.source import MAX_BYTES

    stream = stream if stream is not None else sys.stderr
    formats = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip())) or ["sqlite"]
    bad = [f for f in formats if f not in export.FORMATS]
    if bad:
        raise UsageError(f"--format {bad[0]}: not one of {', '.join(export.FORMATS)}")
    if "xlsx" in formats:
        export.require_openpyxl()
    if "parquet" in formats:
        export.require_pyarrow()
    if engine not in ("local", "dask"):
        raise UsageError(f"--engine {engine}: not one of local, dask")
    if jobs is not None and jobs < 1:
        raise UsageError(f"-j {jobs}: the number of workers must be at least 1")
    if scheduler and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")

    files = export.outputs(Path(out), formats)
    db_path = files["sqlite"][0]
    all_outputs = [p for ps in files.values() for p in ps]
    exclude = {p.resolve() for p in all_outputs}
    exclude |= {Path(f"{db_path}{s}").resolve() for s in ("-wal", "-shm", "-journal")}
    for raw in inputs:
        p = Path(raw)
        if p.is_file() and p.resolve() in exclude:
            raise UsageError(f"-o {out}: refusing to overwrite the input file {raw}")
    found = discover(inputs, exclude)
    if not found.files and not found.problems:
        raise UsageError(f"no input files found in {' '.join(inputs) or '(no inputs)'}")

    version = parser_version(no_plugins)
    parts = store.parts_dir(db_path)
    if Path(db_path).exists():
        try:  # refuse a file that is not ours before starting any worker
            store.close(store.connect(db_path, create=False))
        except store.NotABatchDatabase as e:
            raise UsageError(f"-o {out}: {e}; refusing to overwrite it") from None
    if engine == "dask":
        eng = DaskEngine(scheduler, jobs, no_plugins, cluster_kwargs=dask_cluster_kwargs)
        try:
            theirs = eng.versions()
        except Exception as e:
            eng.close()
            raise BatchError(f"the Dask workers cannot run zfxxgk ({type(e).__name__}: {e})") from None
        wrong = {addr: v for addr, v in theirs.items() if v != version}
        if wrong:
            eng.close()
            addr, v = next(iter(wrong.items()))
            raise UsageError(f"Dask worker {addr} runs {v!r}, this machine {version!r}: install the same zfxxgk "
                             f"and plugins on every worker")
    else:
        eng = LocalEngine(jobs, no_plugins, parts=str(parts), version=version)
    try:
        conn = store.connect(db_path)
    except store.NotABatchDatabase as e:
        eng.close()
        raise UsageError(f"-o {out}: {e}; refusing to overwrite it") from None
    # reports parsed by a run that was killed before it could merge them
    recovered, problems = store.merge_parts(conn, parts)
    for problem in problems:
        stream.write(f"warning: part database not merged: {problem}\n")
    if engine == "local":
        parts.mkdir(parents=True, exist_ok=True)

    summary = BatchSummary(files=len(found.files) + len(found.problems), database=db_path, engine=engine,
                           recovered=recovered)
    known = store.known(conn)
    input_keys: set[str] = set()
    pending_writes = 0
    last_commit = time.monotonic()

    def commit(force_now: bool = False) -> None:
        nonlocal pending_writes, last_commit
        if pending_writes and (force_now or pending_writes >= COMMIT_EVERY_N
                               or time.monotonic() - last_commit >= COMMIT_EVERY_S):
            conn.commit()
            pending_writes = 0
            last_commit = time.monotonic()

    def record(result: dict) -> None:
        nonlocal pending_writes
        key = result["path"]
        replace = key in known
        if not result.get("stored"):  # a local worker wrote it in its part database
            with store.one_report(conn):
                if result["ok"]:
                    store.write_report(conn, result, version, replace=replace)
                else:
                    store.write_failure(conn, result, version if result.get("sha256") else None, replace=replace)
        if result["ok"]:
            summary.parsed += 1
            bar.update(done=1)
        else:
            summary.failed_now += 1
            bar.update(done=1, failed=1)
        known[key] = store.Known("report" if result["ok"] else "failure", 0, result.get("sha256"), version)
        pending_writes += 1

    def on_results(results: list[dict]) -> None:
        for r in results:
            record(r)
        commit()

    def tasks():
        for path in found.files:
            key = str(path)
            input_keys.add(key)
            try:
                size = path.stat().st_size
                if size > MAX_BYTES:
                    record({"path": key, "sha256": None, "size": size, "ok": False, "exit_code": 3,
                            "reason": "unreadable", "message": f"{path.name}: {size // (1024 * 1024)} MB is "
                            f"larger than any report ({MAX_BYTES // (1024 * 1024)} MB limit)"})
                    continue
                data = path.read_bytes()
            except OSError as e:
                record({"path": key, "sha256": None, "size": None, "ok": False, "exit_code": 3,
                        "reason": "unreadable", "message": f"{path.name}: cannot be read ({e.strerror or e})"})
                continue
            sha = hashlib.sha256(data).hexdigest()
            k = known.get(key)
            if not force and k is not None and k.sha256 == sha and k.parser_version == version:
                summary.unchanged += 1
                bar.update(done=1, skipped=1, failed=1 if k.kind == "failure" else 0)
                continue
            yield Task(key, data, sha)

    def chunks(size: int):
        chunk, nbytes = [], 0
        for t in tasks():
            chunk.append(t)
            nbytes += len(t.data)
            if len(chunk) >= size or nbytes >= 4 * 1024 * 1024:
                yield chunk
                chunk, nbytes = [], 0
            commit()
        if chunk:
            yield chunk

    summary.workers = eng.workers
    bar = Progress(summary.files, stream=stream, enabled=progress)
    start = time.monotonic()
    completed = False
    try:
        with _Interrupt(stream) as interrupt, eng:
            for raw, message in found.problems:
                record({"path": raw, "sha256": None, "size": None, "ok": False, "exit_code": 3,
                        "reason": "unreadable", "message": message})
                input_keys.add(raw)
            completed = drive(eng, chunks(_chunk_size(len(found.files), eng.workers)), on_results,
                              lambda: interrupt.hit)
            commit(force_now=True)
        # the workers have stopped: their part databases are complete
        _, problems = store.merge_parts(conn, parts)
        for problem in problems:
            stream.write(f"warning: part database not merged (its reports are parsed again next run): {problem}\n")
    except BaseException as e:
        # Every report is written whole or not at all (a savepoint each): keep the complete ones, unless
        # a second Ctrl-C asked to stop at once. Part databases not merged yet are merged by the next run.
        if isinstance(e, KeyboardInterrupt):
            conn.rollback()
        bar.close()
        store.close(conn)
        raise
    summary.elapsed = time.monotonic() - start
    summary.interrupted = not completed
    bar.close()
    try:
        summary.failed = store.failures_for(conn, input_keys)
        summary.reports_with_failed_checks = conn.execute("SELECT COUNT(*) FROM reports WHERE failed_checks > 0"
                                                          ).fetchone()[0]
        summary.reports_with_warnings = conn.execute("SELECT COUNT(*) FROM reports WHERE warnings > 0").fetchone()[0]
        summary.cross = crossyear.rebuild(conn)
        summary.outputs = [db_path]
        if not summary.interrupted:
            for fmt, paths in files.items():
                if fmt != "sqlite":
                    summary.outputs += export.write(conn, fmt, paths)
    finally:
        store.close(conn)
    return summary
