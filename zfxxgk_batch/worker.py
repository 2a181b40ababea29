"""The work one worker does: parse files into the rows the database stores. Runs in a worker process of
the local engine, or on a Dask worker (in a child process there too, see ``zfxxgk_batch.pool``);
everything here is picklable and imported by name.

A task is a file the main process has stat'ed, read and hashed, so a worker needs no access to the
input's file system (a Dask worker on another machine works the same). The result is a plain dict with
the report already flattened into the database's rows; a local worker writes those rows into a part
database of its own and returns only the status (see :func:`child_main`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from zfxxgk_batch.names import shown

_registry = None
_registry_key = None
#: One parse at a time per process. Parsing is pure Python (threads would not run it in parallel
#: anyway), and pdfium, the fast PDF backend, is not thread-safe: a Dask worker with several threads
#: must not run two PDFs at once. Worker processes are the unit of parallelism.
_PARSE_LOCK = threading.Lock()


class Task(NamedTuple):
    #: the path as the file system takes it (may hold undecodable bytes as surrogates)
    path: str
    #: the path as stored and shown (``zfxxgk_batch.names.key``)
    key: str
    data: bytes
    sha256: str
    stat: tuple | None = None
    #: parse only when one of these layouts claims the file (its detect scores it above 0): the layouts
    #: installed or changed since the file failed; None: parse in any case
    claim: tuple[str, ...] | None = None


#: Failure reasons by exception class (the kind of the ``CoreError``), with ``internal`` for the rest.
REASONS = {
    "UnreadableInput": "unreadable",
    "NotAReport": "not_a_report",
    "UsageError": "usage",
    "PluginError": "plugin",
}
EXIT_LIMIT = 3
#: Exit status of a worker process that ended itself for going over the memory limit.
EXIT_OVER_MEMORY = 87
#: Default per-file limits: far above what any real report needs (the slowest real PDFs parse in
#: seconds, in a few hundred MB), low enough that a hostile file cannot hold a worker or the machine.
DEFAULT_TIME_LIMIT = 300.0
DEFAULT_MEMORY_LIMIT = 2048.0


@dataclass(frozen=True)
class Versions:
    """What a stored result depends on: the core's version, and each installed layout's."""

    core: str
    layouts: dict[str, str] = field(default_factory=dict)  # name -> "origin version"

    def of_report(self, layout: str | None) -> str:
        """A report depends on the core and on the layout that read it."""
        return f"{self.core}; {layout} {self.layouts.get(layout or '', '?')}" if layout else self.core

    def of_failure(self) -> str:
        """A failure depends on the core and on every layout (any of them might have read the file)."""
        return "; ".join([self.core, *(f"{n} {v}" for n, v in sorted(self.layouts.items()))])


def registry(no_plugins: bool = False):
    """This process's plugin registry (built once): the default one, or built-ins only."""
    global _registry, _registry_key
    if _registry is None or _registry_key != no_plugins:
        from core.registry import Registry, default_registry

        _registry = Registry(external=False) if no_plugins else default_registry()
        _registry_key = no_plugins
    return _registry


def versions(no_plugins: bool = False) -> Versions:
    """The versions of this installation (loads the plugins)."""
    from importlib import metadata

    try:
        own = metadata.version("zfxxgk")
    except metadata.PackageNotFoundError:
        own = "source tree"
    layouts = {p.name: f"{p.origin} {p.version}".strip() for p in registry(no_plugins).layouts()}
    return Versions(f"zfxxgk {own}", layouts)


def parser_version(no_plugins: bool = False) -> str:
    """All the versions as one line (what Dask workers must share with the main process)."""
    return versions(no_plugins).of_failure()


# --- one file -----------------------------------------------------------------------------------------


def _failure(task: Task, exit_code: int, reason: str, message: str, **extra) -> dict:
    return {
        "path": task.key,
        "sha256": task.sha256,
        "size": len(task.data),
        "stat": task.stat,
        "ok": False,
        "exit_code": exit_code,
        "reason": reason,
        "message": message,
        **extra,
    }


def _without_name(message: str, name: str) -> str:
    """The core's message without the file name it starts with: the batch names files itself, one way."""
    for prefix in (f"{name}: ", f"{name} "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def limit_failure(task: Task, what: str, limit: float) -> dict:
    """The failure of a file that went over a per-file limit (``what``: time or memory)."""
    if what == "time":
        return _failure(
            task,
            EXIT_LIMIT,
            "time_limit",
            f"still not parsed after {limit:g} s: stopped (--time-limit)",
            limit_hit=limit,
        )
    return _failure(
        task,
        EXIT_LIMIT,
        "memory_limit",
        f"needed more than {limit:g} MB of memory: stopped (--memory-limit)",
        limit_hit=limit,
    )


def crash_failure(task: Task, how: str) -> dict:
    """The failure recorded for a file whose worker died while parsing it."""
    return _failure(task, 1, "crashed", f"the worker died while parsing this file ({how})")


def parse_task(task: Task, no_plugins: bool = False, memory_limit: float | None = None) -> dict:
    """Parse one file; never raises for a bad file (its failure is the result)."""
    from core.errors import CoreError

    base = {"path": task.key, "sha256": task.sha256, "size": len(task.data), "stat": task.stat}
    name = shown(Path(task.path).name)
    try:
        try:
            source = _source(task, name)
        except CoreError:
            if task.claim is not None:  # empty: no layout can claim it, it fails as it did
                return {**base, "ok": False, "unclaimed": True}
            raise
        if task.claim is not None and not _claimed(source, task.claim, no_plugins):
            return {**base, "ok": False, "unclaimed": True}
        report = _parse(source, no_plugins)
        rows = rows_of(report)
    except CoreError as e:
        if memory_limit and _caused_by(e, MemoryError):  # the core reports it as unreadable
            return limit_failure(task, "memory", memory_limit)
        return _failure(
            task, e.exit_code, REASONS.get(type(e).__name__, type(e).__name__), _without_name(e.message, name)
        )
    except MemoryError:
        if memory_limit:
            return limit_failure(task, "memory", memory_limit)
        return _failure(task, 3, "unreadable", "too large to read (MemoryError)")
    except RecursionError:
        return _failure(task, 3, "unreadable", "too deeply nested to read (RecursionError)")
    except Exception as e:  # a bug must cost one file, not the batch
        msg = " ".join(f"{type(e).__name__}: {e}".split())[:500]
        return _failure(task, 1, "internal", f"internal error: {msg}")
    return {**base, "ok": True, **rows}


def _caused_by(e: BaseException, kind: type) -> bool:
    seen = 0
    cur: BaseException | None = e
    while cur is not None and seen < 20:
        if isinstance(cur, kind):
            return True
        cur = cur.__cause__ or cur.__context__
        seen += 1
    return False


def _source(task: Task, name: str):
    from core.errors import UnreadableInput
    from core.source import Source

    if not task.data.strip():
        raise UnreadableInput(f"{name}: the input is empty")
    # a Source is read-only: its path is given when it is made
    return Source(task.data, name=name, path=Path(task.path))


def _claimed(source, names: tuple[str, ...], no_plugins: bool) -> bool:
    for layout in registry(no_plugins).layouts():
        if layout.name not in names:
            continue
        try:
            score = layout.detect(source.copy())
        except Exception:  # a detect must not fail; when it does, the parse says what happens
            return True
        if score is not None and score > 0:
            return True
    return False


def _parse(source, no_plugins: bool) -> dict:
    from core.pipeline import parse_source

    return parse_source(source, registry=registry(no_plugins)).to_dict()


def rows_of(report: dict) -> dict:
    """A parsed report (output contract dict) as the rows of the batch database."""
    from zfxxgk_batch.fields import flatten
    from zfxxgk_batch.indicators import INDICATORS, indicators
    from zfxxgk_batch.organs import normalise_year, organ_key

    meta = report.get("meta") or {}
    checks = report.get("checks") or []
    diags = report.get("diagnostics") or []
    ind = indicators(report)
    info = {
        "name": meta.get("source"),
        "layout": meta.get("layout"),
        "format": meta.get("format"),
        "year": normalise_year(meta.get("year")),
        "organ": meta.get("organ"),
        "organ_key": organ_key(meta.get("organ")),
        "script": meta.get("script"),
        "encoding": meta.get("encoding"),
        **{k: ind[k] for k in INDICATORS},
        "failed_checks": sum(1 for c in checks if not c.get("ok")),
        "warnings": sum(1 for d in diags if d.get("level") in ("warning", "error")),
    }
    return {
        "info": info,
        "values": flatten(report),
        "checks": [_check_row(c) for c in checks],
        "diagnostics": [(d.get("level"), d.get("code"), d.get("where"), d.get("message")) for d in diags],
        # "replace": a lone surrogate in the core's text (it came from the file) must not cost the report
        "json": zlib.compress(
            json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace"), 1
        ),
    }


_CHECK_KEYS = {"rule", "ok", "cells", "expected", "found", "blank_cells", "sentence"}


def _check_row(c: dict) -> tuple:
    scope = ", ".join(f"{k}={v}" for k, v in c.items() if k not in _CHECK_KEYS)

    def dumps(v):
        return json.dumps(v, ensure_ascii=False, separators=(",", ":")) if v else None

    return (
        c.get("rule"),
        1 if c.get("ok") else 0,
        scope or None,
        dumps(c.get("cells")),
        _num(c.get("expected")),
        _num(c.get("found")),
        dumps(c.get("blank_cells")),
        c.get("sentence"),
    )


def _num(v):
    return v if v is None or isinstance(v, (int, float, str)) else json.dumps(v, ensure_ascii=False)


# --- a worker process -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What a worker process needs to know (picklable: it travels to spawned processes and Dask)."""

    no_plugins: bool = False
    versions: Versions | None = None
    #: directory of the part databases (local engine); None: results carry their rows back
    parts: str | None = None
    run_id: int | None = None
    #: per-file limits: seconds of wall time, MB of memory (None: no limit)
    time_limit: float | None = None
    memory_limit: float | None = None


def child_main(conn, settings: Settings, close_fds: tuple[int, ...] = ()) -> None:
    """A worker process: receive tasks on ``conn`` one at a time, answer each with its result.

    Sends ``{"ready": pid}`` once the plugins are loaded, then one result per task, in order; ``None``
    asks it to finish. A result with ``"exiting": True`` is its last (after a MemoryError its heap is not
    trusted: the parent starts a fresh process)."""
    import contextlib
    import sqlite3

    _become_worker(close_fds, settings.memory_limit)
    registry(settings.no_plugins).layouts()
    if settings.memory_limit and (_rss() or 0) > settings.memory_limit * 1024 * 1024:
        os._exit(EXIT_OVER_MEMORY)  # over the limit before the first file: no file's fault
    part = None
    try:
        conn.send({"ready": os.getpid()})
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                return
            if task is None:
                return
            result = parse_task(task, settings.no_plugins, settings.memory_limit)
            exiting = result.get("reason") == "memory_limit"
            if result["ok"] and settings.parts is not None:
                try:
                    if part is None:
                        part = _open_part(settings.parts)
                    _store_in_part(part, result, settings)
                    result = {
                        "path": result["path"],
                        "sha256": result["sha256"],
                        "size": result["size"],
                        "ok": True,
                        "stored": True,
                    }
                except MemoryError:
                    result = limit_failure(task, "memory", settings.memory_limit or 0)
                    exiting = True
                except sqlite3.Error:  # a full disk, a part database gone: the main process writes it
                    if part is not None:
                        with contextlib.suppress(sqlite3.Error):
                            part.close()
                    part = None
            if exiting:
                result["exiting"] = True
            try:
                conn.send(result)
            except (EOFError, OSError):
                return
            if exiting:
                return
    finally:
        if part is not None:
            from zfxxgk_batch import store

            store.close(part)


def _become_worker(close_fds: tuple[int, ...], memory_limit: float | None) -> None:
    # Ctrl-C reaches every process of the terminal's group: the main process decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before we asked to die with it
        os._exit(1)
    for fd in close_fds:  # the parent's other pipes and its lock: they must close when the parent dies
        with contextlib.suppress(OSError):
            os.close(fd)
    if memory_limit:
        _limit_address_space(memory_limit)
        threading.Thread(target=_watch_memory, args=(memory_limit,), daemon=True).start()


def _rss() -> int | None:
    """This process's resident memory in bytes (Linux), or None."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _watch_memory(memory_limit: float) -> None:
    """End this process the moment it holds more than the limit: native code (PDFium) that cannot
    allocate aborts, so the limit must be met before the address-space cap is. ctypes calls release the
    GIL, so this thread runs while the main thread is in the PDF library too."""
    import time

    page = os.sysconf("SC_PAGE_SIZE")
    try:
        f = open("/proc/self/statm", "rb")  # noqa: SIM115 - read again and again for the process's life
    except OSError:
        return
    with f:
        while True:
            time.sleep(0.02)
            try:
                f.seek(0)
                rss = int(f.read().split()[1]) * page
            except (OSError, ValueError, IndexError):
                return
            if rss > memory_limit * 1024 * 1024:
                os._exit(EXIT_OVER_MEMORY)


def _die_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies (however the parent dies)."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # no libc to load, or no prctl in it
        return False


def _watch_parent(parent: int) -> None:
    import time

    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _limit_address_space(memory_limit: float) -> None:
    """Cap this process's address space at what it has now plus one and a half times the limit: an
    allocation that large fails at once (MemoryError in Python), before the watcher could see it."""
    try:
        import resource

        with open("/proc/self/statm") as f:
            vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = vm + int(1.5 * memory_limit * 1024 * 1024)
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # no /proc or no rlimit: the parent's polling of the memory used is the limit


def _open_part(parts: str):
    import uuid

    from zfxxgk_batch import store

    path = Path(parts) / f"part-{os.getpid()}-{uuid.uuid4().hex[:8]}.db"
    return store.connect(path, part=True)


def _store_in_part(part, result: dict, settings: Settings) -> None:
    from zfxxgk_batch import store

    with part:
        store.write_report(part, result, settings.versions, settings.run_id, replace=True)


# --- Dask ---------------------------------------------------------------------------------------------


def parse_chunk(tasks: list[Task], no_plugins: bool = False, settings: Settings | None = None) -> list[dict]:
    """Parse every task of a chunk on a Dask worker; never raises for a bad file.

    With per-file limits (``settings``), each file is parsed in this Dask worker's child process, which
    is killed and replaced when a file goes over a limit: a thread cannot be stopped, a process can."""
    if settings is not None and (settings.time_limit or settings.memory_limit):
        from zfxxgk_batch.pool import sandbox

        box = sandbox(settings)
        with _PARSE_LOCK:
            return [box.run(t) for t in tasks]
    out = []
    for t in tasks:
        with _PARSE_LOCK:
            out.append(parse_task(t, no_plugins))
    return out
