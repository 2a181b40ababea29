"""The work one worker does: parse files into the rows the database stores. Runs in a local worker process
or on a Dask worker; everything here is picklable and imported by name.

A task is ``(path, data, sha256)``: the main process has read and hashed the file, so a worker needs no
access to the input's file system (a Dask worker on another machine works the same). The result is a
plain dict with the report already flattened into the database's rows; a local worker writes those rows
into a part database of its own and returns only the status (see :func:`parse_chunk`).
"""
from __future__ import annotations

import json
import threading
import zlib
from pathlib import Path
from typing import NamedTuple

_registry = None
_registry_key = None
#: One parse at a time per process. Parsing is pure Python (threads would not run it in parallel
#: anyway), and pdfium, the fast PDF backend, is not thread-safe: a Dask worker with several threads
#: must not run two PDFs at once. Worker processes are the unit of parallelism.
_PARSE_LOCK = threading.Lock()


class Task(NamedTuple):
    path: str
    data: bytes
    sha256: str


#: Failure reasons by exception class (the kind of the ``CoreError``), with ``internal`` for the rest.
REASONS = {"UnreadableInput": "unreadable", "NotAReport": "not_a_report", "UsageError": "usage",
           "PluginError": "plugin"}


def registry(no_plugins: bool = False):
    """This process's plugin registry (built once): the default one, or built-ins only."""
    global _registry, _registry_key
    if _registry is None or _registry_key != no_plugins:
        from core.registry import Registry, default_registry

        _registry = Registry(external=False) if no_plugins else default_registry()
        _registry_key = no_plugins
    return _registry


def parser_version(no_plugins: bool = False) -> str:
    """The version a parse depends on: this package's version and every non-built-in layout plugin's.
    A stored result made by another version is parsed again."""
    from importlib import metadata

    from core.registry import BUILTIN

    try:
        own = metadata.version("zfxxgk")
    except metadata.PackageNotFoundError:
        own = "source tree"
    reg = registry(no_plugins)
    parts = [f"zfxxgk {own}"]
    parts += sorted(f"{p.name} {p.origin} {p.version}".strip() for p in reg.layouts() if p.origin != BUILTIN)
    return "; ".join(parts)


def init_worker(no_plugins: bool = False) -> None:
    """Worker process start: leave Ctrl-C to the main process, load the plugins once."""
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (a threaded Dask worker)
        pass
    registry(no_plugins).layouts()


def parse_chunk(tasks: list[Task], no_plugins: bool = False, parts: str | None = None,
                version: str | None = None) -> list[dict]:
    """Parse every task of a chunk; never raises for a bad file (its failure is a result).

    With ``parts`` (a directory on this machine), the parsed reports are written to this process's own
    database there, in one transaction per chunk, and only their status comes back (``stored``: True):
    the main process merges the part databases at the end, so writing costs it almost nothing.
    """
    out = []
    for t in tasks:
        with _PARSE_LOCK:
            out.append(parse_task(t, no_plugins))
    if parts is None:
        return out
    from zfxxgk_batch import store

    conn = _part(parts)
    with conn:
        for r in out:
            if r["ok"]:
                store.write_report(conn, r, version, replace=True)
    return [{k: r[k] for k in ("path", "sha256", "size", "ok")} | {"stored": True} if r["ok"] else r for r in out]


_part_conn = None


def _part(parts: str):
    """This process's part database in ``parts`` (created on first use)."""
    global _part_conn
    if _part_conn is None or _part_conn[0] != parts:
        import os
        import uuid

        from zfxxgk_batch import store

        path = Path(parts) / f"part-{os.getpid()}-{uuid.uuid4().hex[:8]}.db"
        _part_conn = (parts, store.connect(path))
    return _part_conn[1]


def parse_task(task: Task, no_plugins: bool = False) -> dict:
    from core.errors import CoreError

    path, data, sha = task
    base = {"path": path, "sha256": sha, "size": len(data)}
    try:
        report = _parse(path, data, no_plugins)
    except CoreError as e:
        return {**base, "ok": False, "exit_code": e.exit_code,
                "reason": REASONS.get(type(e).__name__, type(e).__name__), "message": e.message}
    except (MemoryError, RecursionError) as e:
        return {**base, "ok": False, "exit_code": 3, "reason": "unreadable",
                "message": f"{Path(path).name}: too large or too deeply nested to read ({type(e).__name__})"}
    except Exception as e:  # a bug must cost one file, not the batch
        msg = " ".join(f"{type(e).__name__}: {e}".split())[:500]
        return {**base, "ok": False, "exit_code": 1, "reason": "internal", "message": f"internal error: {msg}"}
    return {**base, "ok": True, **rows_of(report)}


def _parse(path: str, data: bytes, no_plugins: bool):
    from core.errors import UnreadableInput
    from core.pipeline import parse_source
    from core.source import Source

    name = Path(path).name
    if not data.strip():
        raise UnreadableInput(f"{name}: the input is empty")
    source = Source(data, name=name, path=Path(path))
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
        "name": meta.get("source"), "layout": meta.get("layout"), "format": meta.get("format"),
        "year": normalise_year(meta.get("year")), "organ": meta.get("organ"),
        "organ_key": organ_key(meta.get("organ")), "script": meta.get("script"),
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
        "json": zlib.compress(json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1),
    }


_CHECK_KEYS = {"rule", "ok", "cells", "expected", "found", "blank_cells", "sentence"}


def _check_row(c: dict) -> tuple:
    scope = ", ".join(f"{k}={v}" for k, v in c.items() if k not in _CHECK_KEYS)
    dumps = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")) if v else None  # noqa: E731
    return (c.get("rule"), 1 if c.get("ok") else 0, scope or None, dumps(c.get("cells")), _num(c.get("expected")),
            _num(c.get("found")), dumps(c.get("blank_cells")), c.get("sentence"))


def _num(v):
    return v if v is None or isinstance(v, (int, float, str)) else json.dumps(v, ensure_ascii=False)
