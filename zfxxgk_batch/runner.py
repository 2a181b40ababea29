"""``python -m core batch``: inputs to files, files to workers, results to the database, then the checks
across reports, the exports and the closing summary.

- Never stops on a bad file: every failure is recorded (``failures`` table) and counted; a file that
  takes longer than the time limit or more memory than the memory limit is one of them.
- Resumable, at the cost of a ``stat`` per unchanged file: a file whose size, times and inode are the
  ones stored is not read; one whose stat changed is read and hashed, and parsed only when its bytes
  changed. A stored report is parsed again when the core's version, or the version of the layout that
  read it, changed; a stored failure when the core changed, when a layout was removed, or when a
  layout installed or changed since claims the file; ``force`` redoes everything.
- One run per database at a time (``zfxxgk_batch.lock``).
- Interrupting (Ctrl-C) stops handing out files; the files being parsed get a few seconds to finish,
  then are abandoned; everything parsed is written and the run ends with exit code 130. A second Ctrl-C
  (or SIGTERM) stops at once: the workers are killed, what the main process holds is committed, and the
  reports the workers had written to their part databases are merged by the next run. No report is ever
  half written (local workers commit each report to a part database of their own, ``.OUT.db.parts/``);
  the counts in the summary are read back from the database, so they are what it holds.
- Inputs are only read; outputs go nowhere near them (``-o`` inside an input folder is refused).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import signal
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UsageError
from zfxxgk_batch import store
from zfxxgk_batch.crossyear import CrossYearSummary
from zfxxgk_batch.engine import GRACE_S, BatchError, Control
from zfxxgk_batch.names import fs_path, key, shown
from zfxxgk_batch.worker import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT

__all__ = ["EXIT_INTERRUPTED", "EXIT_SOME_FAILED", "BatchError", "BatchSummary", "run_batch"]

#: Exit code of a batch that finished but could not parse every file.
EXIT_SOME_FAILED = 5
EXIT_INTERRUPTED = 130
COMMIT_EVERY_S = 1.0
COMMIT_EVERY_N = 200
#: A file changed less than this long before it was stat'ed may change again within the same timestamp
#: tick: its stat is not stored, so the next run hashes it.
_RACY_S = 2.0
#: -o names that are report files, not outputs
_REPORT_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf", ".doc", ".docx", ".wps", ".json", ".xml"}


@dataclass
class BatchSummary:
    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    #: (path, exit_code, reason, message) of every input that is failed now (this run or unchanged since)
    failed: list[tuple] = field(default_factory=list)
    failed_now: int = 0
    #: (directory, message) of folders inside the inputs that could not be listed
    problems: list[tuple[str, str]] = field(default_factory=list)
    reports_with_failed_checks: int = 0
    reports_with_warnings: int = 0
    cross: CrossYearSummary = field(default_factory=CrossYearSummary)
    outputs: list[Path] = field(default_factory=list)
    #: exports left as they were: nothing in the database changed since they were written
    up_to_date: list[Path] = field(default_factory=list)
    interrupted: bool = False
    #: the signal that ended the run (SIGINT for Ctrl-C), if one did
    signal: int | None = None
    #: stopped at once (a second Ctrl-C, SIGTERM): the checks across years and the exports were not redone
    stopped: bool = False
    engine: str = "local"
    workers: int = 1
    elapsed: float = 0.0
    database: Path | None = None
    #: reports a killed run had parsed but not merged, merged at the start of this one
    recovered: int = 0
    #: reports parsed this run that wait in part databases (a run stopped at once), merged next run
    pending: int = 0
    #: stored files inside the inputs that are no longer there, and how many of them were removed
    gone: list[str] = field(default_factory=list)
    pruned: int = 0
    warnings: list[str] = field(default_factory=list)
    #: the reviewers' corrections (``python -m core review``): the closing lines of
    #: ``zfxxgk_review.corrections.batch_summary_lines`` (every stale one), how many still apply, and the
    #: stale ones (their file changed or is gone: kept, applied to nothing)
    corrections: list[str] = field(default_factory=list)
    corrections_kept: int = 0
    corrections_stale: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signal or signal.SIGINT)
        return EXIT_SOME_FAILED if self.failed or self.problems else 0

    @property
    def rate(self) -> float:
        return self.parsed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def not_done(self) -> int:
        return max(0, self.files - self.parsed - self.unchanged - self.failed_now - self.pending)

    def lines(self, limit: int = 10) -> list[str]:
        limit = max(0, limit)
        out = [
            f"batch: {self.files} files: {self.parsed} parsed, {self.unchanged} unchanged (skipped), "
            f"{len(self.failed)} failed"
            + (f" ({self.failed_now} this run)" if self.failed_now != len(self.failed) else "")
            + (f", {self.not_done} not done" if self.interrupted and self.not_done else "")
            + f"; {self.engine} engine, {self.workers} workers, {self.elapsed:.1f} s"
            + (f", {self.rate:.1f} reports/s" if self.parsed else "")
        ]
        out += [f"warning: {w}" for w in self.warnings]
        if self.recovered:
            out.append(f"recovered {self.recovered} reports parsed by an earlier run that was stopped")
        if self.interrupted:
            out.append("interrupted: the reports written so far are kept; run the same command again to finish")
        if self.pending:
            out.append(
                f"  {self.pending} more reports parsed by this run wait in part databases: the next run "
                f"merges them (it parses none of them again)"
            )
        if self.failed:
            kinds: dict[tuple, int] = {}
            for _p, code, reason, _m in self.failed:
                kinds[(reason, code)] = kinds.get((reason, code), 0) + 1
            out.append(
                "failed: "
                + ", ".join(
                    f"{n} {reason.replace('_', ' ')} (exit {code})"
                    for (reason, code), n in sorted(kinds.items(), key=lambda kv: -kv[1])
                )
            )
            for path, code, reason, message in self.failed[:limit]:
                out.append(f"  {shown(path)}: exit {code} {reason}: {message}")
            if len(self.failed) > limit:
                out.append(f"  … and {len(self.failed) - limit} more (table failures)")
        if self.problems:
            out.append(f"not listed: {len(self.problems)} folders inside the inputs could not be read")
            for d, message in self.problems[:limit]:
                out.append(f"  {shown(d)}: {message}")
            if len(self.problems) > limit:
                out.append(f"  … and {len(self.problems) - limit} more")
        if self.gone:
            if self.pruned:
                out.append(f"pruned: {len(self.gone)} files no longer among the inputs were removed from the database")
            else:
                out.append(
                    f"gone: {len(self.gone)} files in the database are no longer among the inputs (kept; "
                    f"--prune removes them)"
                )
            for path in self.gone[:limit]:
                out.append(f"  {shown(path)}")
            if len(self.gone) > limit:
                out.append(f"  … and {len(self.gone) - limit} more")
        out.append(
            f"checks: {self.reports_with_failed_checks} reports in the database with failed checks, "
            f"{self.reports_with_warnings} with warnings (tables checks, diagnostics)"
        )
        c = self.cross
        out.append(
            f"across years: {c.pairs} consecutive-year report pairs, {c.evaluated} checks, "
            f"{len(c.breaks)} breaks"
            + (f"; {c.without_organ} reports without organ or year not grouped" if c.without_organ else "")
            + ("; not rebuilt (stopped)" if self.stopped else "")
        )
        for b in c.breaks[:limit]:
            out.append(
                f"  {b['organ'] or b['organ_key']} {b['year']}→{b['next_year']} {b['rule']} {b['scope']}: "
                f"{b['next_year']} prints {b['expected']}, {b['year']} gives {b['found']} "
                f"({shown(b['path'])} → {shown(b['next_path'])})"
            )
        if len(c.breaks) > limit:
            out.append(f"  … and {len(c.breaks) - limit} more (table cross_checks, ok = 0)")
        if c.duplicates:
            out.append(f"duplicates: {len(c.duplicates)} organ-years found in more than one file (kept, not merged)")
            for dkey, year, paths in c.duplicates[:limit]:
                shown_paths = " | ".join(shown(p) for p in paths[:limit])
                more = f" | … and {len(paths) - limit} more" if len(paths) > limit else ""
                out.append(f"  {dkey} {year}: {len(paths)} files: {shown_paths}{more}")
            if len(c.duplicates) > limit:
                out.append(f"  … and {len(c.duplicates) - limit} more (view duplicates)")
        if self.corrections:
            out.append(self.corrections[0])
            items = self.corrections[1:]
            out += items[:limit]
            if len(items) > limit:
                out.append(f"  … and {len(items) - limit} more")
        if self.outputs:
            out.append("written: " + ", ".join(shown(p) for p in self.outputs))
        if self.up_to_date:
            out.append("up to date (nothing changed): " + ", ".join(shown(p) for p in self.up_to_date))
        return out

    def to_json(self) -> dict:
        """The summary for a pipeline (``--summary-json``): every list in full."""
        c = self.cross
        return {
            "exit_code": self.exit_code,
            "files": self.files,
            "parsed": self.parsed,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "failed_this_run": self.failed_now,
            "not_done": self.not_done if self.interrupted else 0,
            "interrupted": self.interrupted,
            "stopped_at_once": self.stopped,
            "engine": self.engine,
            "workers": self.workers,
            "elapsed_s": round(self.elapsed, 3),
            "database": key(self.database) if self.database else None,
            "recovered": self.recovered,
            "pending_in_parts": self.pending,
            "failures": [
                {"path": p, "exit_code": code, "reason": reason, "message": m} for p, code, reason, m in self.failed
            ],
            "unlisted_folders": [{"path": key(d), "message": m} for d, m in self.problems],
            "gone": list(self.gone),
            "pruned": self.pruned,
            "reports_with_failed_checks": self.reports_with_failed_checks,
            "reports_with_warnings": self.reports_with_warnings,
            "cross_years": {
                "pairs": c.pairs,
                "checks": c.evaluated,
                "without_organ_or_year": c.without_organ,
                "breaks": [
                    {
                        k: b[k]
                        for k in (
                            "organ_key",
                            "organ",
                            "year",
                            "next_year",
                            "rule",
                            "scope",
                            "expected",
                            "found",
                            "path",
                            "next_path",
                        )
                    }
                    for b in c.breaks
                ],
                "duplicates": [{"organ_key": k, "year": y, "paths": ps} for k, y, ps in c.duplicates],
            },
            "outputs": [key(p) for p in self.outputs],
            "up_to_date": [key(p) for p in self.up_to_date],
            "warnings": list(self.warnings),
            "corrections": {"kept": self.corrections_kept, "stale": list(self.corrections_stale)},
        }


class _Aborted(Exception):
    """Raised from the signal handler while the run writes its exports: stop now."""


class _Signals:
    """First Ctrl-C: stop handing out files (``control.stop``); second, or SIGTERM: stop at once (kill
    the workers from the handler, ``control.abort``); a third: leave this instant. Never a traceback."""

    def __init__(self, control: Control, stream):
        self.control = control
        self.stream = stream
        self.signal: int | None = None
        #: a forked worker runs this handler until it installs its own: it must do nothing there
        self.pid = os.getpid()
        #: raise _Aborted from the handler (only while nothing but exports and summaries run)
        self.raise_on_abort = False
        self._old: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def _say(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _handler(self, signum, frame):
        from zfxxgk_batch.pool import kill_all

        if os.getpid() != self.pid:
            return
        c = self.control
        if self.signal is None or signum != signal.SIGINT:
            self.signal = signum
        if signum == signal.SIGINT and not c.stop:
            c.request_stop()
            self._say(
                f"\ninterrupted: finishing the files being parsed (at most {c.grace:g} s), then writing "
                f"the results (Ctrl-C again to stop now)\n"
            )
            return
        if not c.abort:
            c.request_stop()
            c.abort = True
            kill_all()
            self._say("\nstopping now\n")
            if self.raise_on_abort:
                raise _Aborted
            return
        kill_all()
        os._exit(128 + signum)

    def __exit__(self, *exc):
        for sig, old in self._old.items():
            signal.signal(sig, old)


def _check_output(out: Path, files: dict[str, list[Path]], found) -> None:
    """Refuse -o where the outputs would land among the inputs, or overwrite one."""
    from zfxxgk_batch.discover import inside, real_output
    from zfxxgk_batch.lock import lock_path

    db = files["sqlite"][0]
    written = [p for ps in files.values() for p in ps]
    written += [Path(f"{db}{s}") for s in ("-wal", "-shm", "-journal")]
    written += [store.parts_dir(db), lock_path(db)]
    inputs = set(found.input_files)
    for p in written:
        real = real_output(p)
        if real in inputs or os.path.realpath(real) in inputs:
            raise UsageError(f"-o {shown(out)}: {shown(p)} is an input file; write the outputs elsewhere")
        for d in found.input_dirs:
            if inside(real, d):
                raise UsageError(
                    f"-o {shown(out)}: {shown(p)} would be inside the input folder {shown(d)}; "
                    f"write the outputs elsewhere"
                )
        for pattern in found.scope.patterns:
            if pattern.fullmatch(real):
                raise UsageError(f"-o {shown(out)}: {shown(p)} matches the input pattern; write the outputs elsewhere")


def _output_files(out: Path, formats: list[str]) -> dict[str, list[Path]]:
    from zfxxgk_batch import export

    if str(out) in ("", "-"):
        raise UsageError("-o: name the database to write (OUT.db)")
    if out.is_dir():
        raise UsageError(
            f"-o {shown(out)}: is a folder; name the database to write in it (-o {shown(out / 'batch.db')})"
        )
    if out.suffix.lower() in _REPORT_SUFFIXES:
        raise UsageError(f"-o {shown(out)}: looks like a report, not an output; name the database OUT.db")
    return export.outputs(out, formats)


def _trusted(st: tuple | None, now_ns: int) -> tuple | None:
    if st is None or max(st[1], st[2]) > now_ns - int(_RACY_S * 1e9):
        return None
    return st


def run_batch(
    inputs: list[str],
    out: str | os.PathLike,
    *,
    formats: list[str] | tuple[str, ...] = ("sqlite",),
    jobs: int | None = None,
    force: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    no_plugins: bool = False,
    progress: bool | None = None,
    stream=None,
    dask_cluster_kwargs: dict | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    memory_limit: float | None = DEFAULT_MEMORY_LIMIT,
    prune: bool = False,
    stdin: bytes | None = None,
    grace: float = GRACE_S,
    labels: str | None = None,
) -> BatchSummary:
    """Parse every file the inputs name into the database (and exports) at ``out``.

    :param inputs: files, directories (walked recursively), glob patterns, and ``-`` for a list of paths
        in ``stdin`` (bytes).
    :param out: the output path (see :func:`zfxxgk_batch.export.outputs` for the files it gives).
    :param formats: any of sqlite (always written), csv, xlsx, parquet, jsonl.
    :param jobs: worker processes (default: every core); for Dask without a scheduler, local workers.
    :param engine: "local" (process pool) or "dask" (``scheduler`` address, or a local cluster).
    :param time_limit: seconds one file may take (0 or None: no limit); memory_limit: MB one worker may use.
    :param prune: remove from the database the files inside the inputs that are gone.
    :param labels: the column headers of CSV and XLSX: "id" (the stable IDs) or "zh" (the Chinese labels);
        default: zh for XLSX, id for CSV.
    :param progress: show the progress bar (default: when ``stream`` is a terminal).
    :raises UsageError: bad options, an input that names nothing, an output among the inputs, an output
        that is not a batch database, a database another run is writing.
    """
    from zfxxgk_batch import export
    from zfxxgk_batch.discover import discover, real_output
    from zfxxgk_batch.lock import WriterLock

    stream = stream if stream is not None else sys.stderr
    formats = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip())) or ["sqlite"]
    bad = [f for f in formats if f not in export.FORMATS]
    if bad:
        raise UsageError(f"--format {bad[0]}: not one of {', '.join(export.FORMATS)}")
    if labels is not None and labels not in export.LABELS:
        raise UsageError(f"--labels {labels}: not one of {', '.join(export.LABELS)}")
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
    for name, v in (("--time-limit", time_limit), ("--memory-limit", memory_limit)):
        if v is not None and (math.isnan(v) or v < 0):
            raise UsageError(f"{name} {v}: must be 0 (no limit) or more")
    time_limit = time_limit or None
    memory_limit = memory_limit or None

    out = Path(out)
    files = _output_files(out, formats)
    db_path = files["sqlite"][0]
    exclude = {real_output(p) for ps in files.values() for p in ps}
    found = discover(inputs, exclude, stdin=stdin)
    _check_output(out, files, found)
    if not found.files and not found.problems:
        raise UsageError(f"no input files found in {' '.join(shown(i) for i in inputs) or '(no inputs)'}")
    if db_path.exists():
        try:  # refuse a file that is not ours before taking any lock or starting any worker
            store.close(store.connect(db_path, create=False))
        except store.NotABatchDatabase as e:
            raise UsageError(f"-o {shown(out)}: {e}; refusing to overwrite it") from None

    lock = WriterLock(db_path)
    lock.acquire()
    try:
        return _run(
            found,
            files,
            db_path,
            lock,
            out=out,
            jobs=jobs,
            force=force,
            engine=engine,
            scheduler=scheduler,
            no_plugins=no_plugins,
            progress=progress,
            stream=stream,
            dask_cluster_kwargs=dask_cluster_kwargs,
            time_limit=time_limit,
            memory_limit=memory_limit,
            prune=prune,
            grace=grace,
            labels=labels,
        )
    finally:
        lock.release()


def _run(
    found,
    files: dict[str, list[Path]],
    db_path: Path,
    lock,
    *,
    out: Path,
    jobs: int | None,
    force: bool,
    engine: str,
    scheduler: str | None,
    no_plugins: bool,
    progress: bool | None,
    stream,
    dask_cluster_kwargs: dict | None,
    time_limit: float | None,
    memory_limit: float | None,
    prune: bool,
    grace: float,
    labels: str | None = None,
) -> BatchSummary:
    from core.source import MAX_BYTES
    from zfxxgk_batch import crossyear
    from zfxxgk_batch.engine import LocalEngine
    from zfxxgk_batch.progress import Progress
    from zfxxgk_batch.worker import Settings, Task
    from zfxxgk_batch.worker import versions as get_versions

    started_wall = time.time_ns()
    start = time.monotonic()
    vers = get_versions(no_plugins)
    parts = store.parts_dir(Path(os.path.realpath(db_path)))
    try:
        conn = store.connect(db_path)
    except store.NotABatchDatabase as e:
        raise UsageError(f"-o {shown(out)}: {e}; refusing to overwrite it") from None
    summary = BatchSummary(files=len(found.files), database=db_path, engine=engine, problems=list(found.problems))
    control = Control(grace=grace)
    signals = _Signals(control, stream)
    eng = None
    bar = None
    run_id = 0
    try:
        with signals:

            def merge(what: str) -> int:
                """Merge the part databases; a second Ctrl-C interrupts it (the part being merged stays
                whole for the next run)."""
                conn.set_progress_handler(lambda: 1 if control.abort else 0, 20_000)
                try:
                    n, problems = store.merge_parts(conn, parts)
                except sqlite3.OperationalError:
                    if not control.abort:
                        raise
                    return 0
                finally:
                    conn.set_progress_handler(None, 0)
                summary.warnings += [
                    f"part database not merged ({what}): {p}" for p in problems if "interrupt" not in p
                ]
                return n

            # reports parsed by a run that was killed before it could merge them
            summary.recovered = merge("its reports are parsed again")
            with conn:
                store.refresh_fields(conn)
            run_id = store.start_run(conn, os.getpid())
            settings = Settings(
                no_plugins=no_plugins,
                versions=vers,
                run_id=run_id,
                time_limit=time_limit,
                memory_limit=memory_limit,
                parts=str(parts) if engine == "local" else None,
            )
            if engine == "dask":
                eng = _dask_engine(scheduler, jobs, no_plugins, dask_cluster_kwargs, settings, vers)
            else:
                eng = LocalEngine(jobs, settings, close_fds=(lock.fd,) if lock.fd is not None else ())
            summary.workers = eng.workers
            known = store.known(conn)
            input_keys = {key(p) for p, _ in found.files}
            writes = 0
            last_commit = time.monotonic()
            bar = Progress(summary.files, stream=stream, enabled=progress)

            def commit(now: bool = False) -> None:
                nonlocal writes, last_commit
                if writes and (now or writes >= COMMIT_EVERY_N or time.monotonic() - last_commit >= COMMIT_EVERY_S):
                    conn.commit()
                    writes = 0
                    last_commit = time.monotonic()

            def on_result(r: dict) -> None:
                nonlocal writes
                k = known.get(r["path"])
                if r.get("unclaimed"):  # a failure no newly installed layout claims: still the same failure
                    if k is not None:
                        store.update_seen(conn, k, r.get("stat"), vers)
                    summary.unchanged += 1
                    bar.update(done=1, skipped=1, failed=1)
                elif not r.get("stored"):  # else a local worker wrote it in its part database
                    with store.one_report(conn):
                        if r["ok"]:
                            store.write_report(conn, r, vers, run_id, replace=k is not None)
                        else:
                            store.write_failure(conn, r, vers, run_id, replace=k is not None)
                if not r.get("unclaimed"):
                    bar.update(done=1, failed=0 if r["ok"] else 1)
                    known[r["path"]] = store.Known("report" if r["ok"] else "failure", 0, r.get("sha256"), None, None)
                writes += 1
                commit()

            def judge(k: store.Known) -> tuple[bool, tuple[str, ...] | None]:
                """(the stored result still holds for the same bytes, layouts that must claim it first)."""
                if k.core_version != vers.core:
                    return False, None
                if k.kind == "report":
                    return k.layout_version is not None and vers.layouts.get(k.layout or "") == k.layout_version, None
                if k.reason == "time_limit" and (not time_limit or time_limit > (k.limit_hit or 0)):
                    return False, None
                if k.reason == "memory_limit" and (not memory_limit or memory_limit > (k.limit_hit or 0)):
                    return False, None
                then = k.layouts or {}
                if then == vers.layouts:
                    return True, None
                if set(then) - set(vers.layouts):  # a layout was removed: it may have been the one that failed
                    return False, None
                return False, tuple(n for n, v in vers.layouts.items() if then.get(n) != v)

            def failed_to_read(path_key: str, st, message: str) -> None:
                on_result(
                    {
                        "path": path_key,
                        "sha256": None,
                        "size": st[0] if st else None,
                        "stat": None,
                        "ok": False,
                        "exit_code": 3,
                        "reason": "unreadable",
                        "message": message,
                    }
                )

            def tasks():
                nonlocal writes
                for path, st in found.files:
                    if control.stop:
                        return
                    pk = key(path)
                    k = None if force else known.get(pk)
                    still, claim = judge(k) if k is not None else (False, None)
                    trusted = _trusted(st, started_wall)
                    if k is not None and still and trusted is not None and k.stat == trusted:
                        summary.unchanged += 1
                        bar.update(done=1, skipped=1, failed=1 if k.kind == "failure" else 0)
                        continue
                    try:
                        size = os.stat(path).st_size if st is None else st[0]
                        if size > MAX_BYTES:
                            failed_to_read(
                                pk,
                                st,
                                f"{size // (1024 * 1024)} MB is larger than any report "
                                f"({MAX_BYTES // (1024 * 1024)} MB limit)",
                            )
                            continue
                        with open(path, "rb") as f:
                            data = f.read(MAX_BYTES + 1)
                        if len(data) > MAX_BYTES:  # grew since it was stat'ed
                            failed_to_read(pk, st, f"larger than any report ({MAX_BYTES // (1024 * 1024)} MB limit)")
                            continue
                    except OSError as e:
                        failed_to_read(pk, st, f"cannot be read ({e.strerror or e})")
                        continue
                    sha = hashlib.sha256(data).hexdigest()
                    if k is not None and k.sha256 == sha:
                        if still:
                            summary.unchanged += 1
                            store.update_seen(conn, k, trusted)
                            writes += 1
                            commit()
                            bar.update(done=1, skipped=1, failed=1 if k.kind == "failure" else 0)
                            continue
                        if claim:
                            yield Task(path, pk, data, sha, trusted, claim)
                            continue
                    yield Task(path, pk, data, sha, trusted)

            completed = False
            try:
                completed = eng.run(tasks(), on_result, control)
            finally:
                if not completed and isinstance(eng, LocalEngine):
                    eng.kill()
                conn.commit()
            summary.interrupted = not completed
            summary.elapsed = time.monotonic() - start
            bar.close()
            eng.close()
            eng = None
            # the workers have stopped: their part databases are complete
            if not control.abort:
                merge("its reports are parsed again next run")
            conn.set_progress_handler(lambda: 1 if control.abort else 0, 20_000)
            gone = sorted(k for k in known.keys() - input_keys if found.scope.covers(k) and _gone(k))
            summary.gone = gone
            if prune and gone and not control.abort:
                conn.set_progress_handler(None, 0)
                store.prune(conn, gone)
                summary.pruned = len(gone)
                conn.set_progress_handler(lambda: 1 if control.abort else 0, 20_000)
            if not control.abort and not crossyear.up_to_date(conn):
                signals.raise_on_abort = True
                try:
                    crossyear.rebuild(conn)
                except (_Aborted, sqlite3.OperationalError):
                    if not control.abort:
                        raise
                finally:
                    signals.raise_on_abort = False
            if not summary.interrupted:
                signals.raise_on_abort = True
                try:
                    _exports(conn, files, vers, summary, labels)
                except (_Aborted, sqlite3.OperationalError):
                    if not control.abort:
                        raise
                    summary.interrupted = True
                finally:
                    signals.raise_on_abort = False
            conn.set_progress_handler(None, 0)
            summary.stopped = control.abort
            summary.signal = signals.signal
            if control.stop:
                summary.interrupted = True
            _fill(summary, conn, run_id, input_keys, parts, crossyear)
            store.end_run(
                conn,
                run_id,
                "stopped" if control.abort else "interrupted" if summary.interrupted else "completed",
                summary.parsed,
                summary.failed_now,
                summary.unchanged,
            )
    except BaseException:
        if eng is not None:
            with contextlib.suppress(Exception):  # the error being raised is the one to show
                if isinstance(eng, LocalEngine):
                    eng.kill()
                else:
                    eng.close()
        if run_id:
            with contextlib.suppress(sqlite3.Error):
                conn.rollback()
                parsed, failed = store.run_counts(conn, run_id)
                store.end_run(conn, run_id, "failed", parsed, failed, 0)
        raise
    finally:
        if bar is not None:
            bar.close()
        try:
            conn.set_progress_handler(None, 0)
            store.close(conn)
        except sqlite3.Error:
            pass
    summary.outputs.insert(0, db_path)
    return summary


def _gone(stored: str) -> bool:
    p = fs_path(stored)
    return not os.path.lexists(p) or os.path.isdir(p)


def _dask_engine(scheduler, jobs, no_plugins, cluster_kwargs, settings, vers):
    from zfxxgk_batch.engine import DaskEngine

    eng = DaskEngine(scheduler, jobs, no_plugins, cluster_kwargs=cluster_kwargs, settings=settings)
    try:
        theirs = eng.versions()
    except Exception as e:  # whatever the workers raise, the run cannot use them
        eng.close()
        raise BatchError(f"the Dask workers cannot run zfxxgk ({type(e).__name__}: {e})") from None
    mine = vers.of_failure()
    wrong = {addr: v for addr, v in theirs.items() if v != mine}
    if wrong:
        eng.close()
        addr, v = next(iter(wrong.items()))
        raise UsageError(
            f"Dask worker {addr} runs {v!r}, this machine {mine!r}: install the same zfxxgk and plugins on every worker"
        )
    return eng


def _exports(
    conn: sqlite3.Connection, files: dict[str, list[Path]], vers, summary: BatchSummary, labels: str | None = None
) -> None:
    """Write the exports, except those written from the same generation of the database (with the same
    labels and the same corrections) and untouched since."""
    from zfxxgk_batch import export

    stamp = f"{store.generation(conn)} {vers.core} {labels or ''}{_corrections_stamp(conn)}"
    for fmt, paths in files.items():
        if fmt == "sqlite":
            continue
        metas = [f"export {p.resolve()}" for p in paths]
        if all(_export_current(conn, m, p, stamp) for m, p in zip(metas, paths)):
            summary.up_to_date += paths
            continue
        written = export.write(conn, fmt, paths, labels)
        with conn:
            for m, p in zip(metas, paths):
                st = p.stat()
                store.set_meta(conn, m, json.dumps([stamp, st.st_size, st.st_mtime_ns]))
        summary.outputs += written


def _corrections_stamp(conn: sqlite3.Connection) -> str:
    """What changes the stamp of the exports when a reviewer records a correction (``zfxxgk_review``);
    empty without corrections, so that the stamp is the one written before there were any."""
    try:
        from zfxxgk_review import corrections
    except ImportError:
        return ""
    made = corrections.stamp(conn)
    return "" if made == "0" else f" corrections {made}"


def _fill_corrections(summary: BatchSummary, conn: sqlite3.Connection) -> None:
    """The reviewers' corrections after the run: which still apply to the same file contents."""
    try:
        from zfxxgk_review import corrections
    except ImportError:
        return
    if not corrections.has_table(conn):
        return
    states = corrections.states(conn)
    summary.corrections = corrections.batch_summary_lines(conn, limit=len(states))
    summary.corrections_kept = sum(1 for s in states if not s.stale)
    summary.corrections_stale = [
        {
            "state": s.state,
            "field": s.correction.field,
            "path": s.correction.path,
            "sha256": s.correction.sha256,
            "now_sha256": s.now_sha256,
            "correction_id": s.correction.id,
            "message": s.describe(),
        }
        for s in states
        if s.stale
    ]


def _export_current(conn: sqlite3.Connection, meta: str, path: Path, stamp: str) -> bool:
    value = store.get_meta(conn, meta)
    if value is None:
        return False
    try:
        st = path.stat()
        return json.loads(value) == [stamp, st.st_size, st.st_mtime_ns]
    except (OSError, ValueError):
        return False


def _fill(
    summary: BatchSummary, conn: sqlite3.Connection, run_id: int, input_keys: set[str], parts: Path, crossyear
) -> None:
    """The counts of the summary, read back from the database: what it holds, not what was sent."""
    summary.parsed, summary.failed_now = store.run_counts(conn, run_id)
    summary.failed = store.failures_for(conn, input_keys)
    summary.reports_with_failed_checks = conn.execute(
        "SELECT COUNT(*) FROM reports WHERE failed_checks > 0"
    ).fetchone()[0]
    summary.reports_with_warnings = conn.execute("SELECT COUNT(*) FROM reports WHERE warnings > 0").fetchone()[0]
    summary.cross = crossyear.summarize(conn)
    summary.pending = store.part_reports(parts) if parts.is_dir() else 0
    _fill_corrections(summary, conn)
