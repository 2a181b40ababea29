"""The ``batch`` and ``compare`` subcommands, registered with the host through its ``core_commands`` hook."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from core.command import Command
from core.errors import UsageError
from core.hookspecs import hookimpl
from zfxxgk_batch.worker import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT


def split_formats(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ["sqlite"]:
        out += [f for f in v.split(",") if f.strip()]
    return out


def run_batch_command(args: argparse.Namespace) -> int:
    from zfxxgk_batch.runner import run_batch

    stdin = None
    if "-" in args.inputs:
        if sys.stdin is None or sys.stdin.isatty():
            from core.cli import prog_name

            raise UsageError(f"input -: give the list of files on standard input (find … | {prog_name()} batch - …)")
        stdin = sys.stdin.buffer.read()
    summary = run_batch(
        args.inputs,
        args.out,
        formats=split_formats(args.format),
        jobs=args.jobs,
        force=args.force,
        engine=args.engine,
        scheduler=args.scheduler,
        no_plugins=getattr(args, "no_plugins", False),
        progress=False if args.no_progress else None,
        time_limit=args.time_limit,
        memory_limit=args.memory_limit,
        prune=args.prune,
        stdin=stdin,
        labels=args.labels,
    )
    text = "\n".join(summary.lines(limit=args.show)) + "\n"
    human = sys.stdout
    if args.summary_json:
        doc = json.dumps(summary.to_json(), ensure_ascii=False, indent=1) + "\n"
        if args.summary_json == "-":
            human = sys.stderr  # stdout is the JSON's
            sys.stderr.write(text)
            sys.stdout.write(doc)
        else:
            _write_json(args.summary_json, doc)
            sys.stdout.write(text)
    else:
        sys.stdout.write(text)
    if args.summary and summary.database is not None and summary.database.exists():
        from zfxxgk_batch.table import print_summary

        human.write("\n")
        human.flush()
        print_summary(summary.database, limit=args.show, file=human)
    sys.stdout.flush()
    return summary.exit_code


def _write_json(path: str, doc: str) -> None:
    from zfxxgk_batch.export import atomic

    try:
        with atomic(Path(path), "w", encoding="utf-8") as f:
            f.write(doc)
    except OSError as e:
        raise UsageError(f"--summary-json {path}: cannot be written ({e.strerror or e})") from None


def run_compare_command(args: argparse.Namespace) -> int:
    from core.registry import Registry, default_registry
    from zfxxgk_batch.compare import compare_reports, load, render

    db: str = getattr(args, "db", None) or ""
    if db and "-" in (args.a, args.b):
        raise UsageError("--db: corrections are found by the file's contents: give the report as a file, not -")
    conn = _open_corrections(db) if db else None
    try:
        registry = Registry(external=False) if getattr(args, "no_plugins", False) else default_registry()
        a, b = load(args.a, registry), load(args.b, registry)
        if conn is None:
            cmp = compare_reports(a, b)
        else:
            from zfxxgk_review.yoy import mark_compare

            a, b = _corrected(conn, db, args.a, a), _corrected(conn, db, args.b, b)
            cmp = mark_compare(compare_reports(a, b), a, b)
    finally:
        if conn is not None:
            conn.close()
    if args.json:
        sys.stdout.write(json.dumps(cmp, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render(cmp, changed_only=args.changed_only))
    return 0


def _open_corrections(db: str):
    """The batch database whose corrections ``compare --db`` applies; a one-line usage error for a file
    that is missing or not a batch database, or when the review is not installed."""
    try:
        from zfxxgk_review.dataset import open_dataset
    except ImportError as e:
        raise UsageError(f"--db {db}: applying corrections needs zfxxgk_review ({e})") from None
    try:
        return open_dataset(db)
    except UsageError as e:
        raise UsageError(f"--db {e.message}") from None


def _corrected(conn, db: str, path: str, report: dict) -> dict:
    """``report`` (of the file ``path``) with the corrections the database holds for the file's bytes."""
    import sqlite3

    from zfxxgk_review.corrected import apply_for_file

    try:
        return apply_for_file(conn, path, report)
    except OSError as e:
        raise UsageError(f"{path}: cannot be read ({e.strerror or e})") from None
    except sqlite3.DatabaseError as e:
        raise UsageError(f"--db {db}: {e}") from None


def _limit(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(v) or v < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 (no limit) or more")
    return v


def configure_batch(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files, directories (recursive), glob patterns, or - for a list of paths on standard input "
        "(one per line, or NUL-separated)",
    )
    p.add_argument(
        "--out",
        "-o",
        required=True,
        help="output: the SQLite database (OUT.db) and its Datasette metadata (OUT.metadata.json), and "
        "OUT.2021.csv, OUT.xlsx … for --format",
    )
    p.add_argument(
        "--format",
        "-f",
        action="append",
        metavar="FORMAT",
        help="sqlite (default, always written), csv, xlsx, parquet, jsonl; repeat or comma-separate",
    )
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--force", action="store_true", help="parse again files already in the database unchanged")
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local process pool (default) or a Dask distributed cluster",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); default: a local cluster of -j workers",
    )
    p.add_argument(
        "--time-limit",
        type=_limit,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help=f"a file still not parsed after this long is a failure (default {DEFAULT_TIME_LIMIT:g}; 0: no limit)",
    )
    p.add_argument(
        "--memory-limit",
        type=_limit,
        default=DEFAULT_MEMORY_LIMIT,
        metavar="MB",
        help=f"a worker using more memory than this fails its file (default {DEFAULT_MEMORY_LIMIT:g}; 0: no limit)",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove from the database the files inside the inputs that are no longer there",
    )
    p.add_argument(
        "--summary-json",
        metavar="PATH",
        help="also write the summary as JSON to PATH (- : to stdout, the text summary to stderr)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    p.add_argument("--show", type=int, default=10, metavar="N", help="list at most N items of each kind in the summary")
    p.add_argument(
        "--summary",
        action="store_true",
        help="after the summary, a table of the reports in the database (organ, year, format, layout, "
        "cells by status, failed checks, warnings) and of the failures, for a person to read",
    )
    p.add_argument(
        "--labels",
        choices=("id", "zh"),
        default=None,
        help="column headers of CSV and XLSX: id (the stable field IDs) or zh (the Chinese labels as the "
        "template prints them); default: zh for XLSX (with the IDs in a second header row), id for CSV",
    )


def configure_compare(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="a report file, or JSON written by parse")
    p.add_argument("b", metavar="B", help="the other report (the older one is shown first)")
    p.add_argument("--json", action="store_true", help="the comparison as JSON")
    p.add_argument("--changed-only", action="store_true", help="list only the fields that differ")
    p.add_argument(
        "--db",
        metavar="DATASET.db",
        help="a batch database: apply the corrections its reviewers made to these files (found by their "
        "contents) and mark the corrected values",
    )


@hookimpl
def core_commands():
    return [
        Command(
            name="batch",
            help="parse many reports into one checked dataset (SQLite; csv, xlsx, parquet, jsonl)",
            configure=configure_batch,
            run=run_batch_command,
        ),
        Command(
            name="compare",
            help="two reports of one organ side by side, year over year",
            configure=configure_compare,
            run=run_compare_command,
        ),
    ]
