"""The ``batch`` and ``compare`` subcommands, registered with the host through its ``core_commands`` hook."""
from __future__ import annotations

import argparse
import json
import sys

from core.command import Command
from core.hookspecs import hookimpl


def split_formats(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ["sqlite"]:
        out += [f for f in v.split(",") if f.strip()]
    return out


def run_batch_command(args: argparse.Namespace) -> int:
    from zfxxgk_batch.runner import run_batch

    summary = run_batch(args.inputs, args.out, formats=split_formats(args.format), jobs=args.jobs,
                        force=args.force, engine=args.engine, scheduler=args.scheduler,
                        no_plugins=getattr(args, "no_plugins", False),
                        progress=False if args.no_progress else None)
    sys.stdout.write("\n".join(summary.lines(limit=args.show)) + "\n")
    sys.stdout.flush()
    return summary.exit_code


def run_compare_command(args: argparse.Namespace) -> int:
    from zfxxgk_batch.compare import compare_reports, load, render
    from core.registry import Registry, default_registry

    registry = Registry(external=False) if getattr(args, "no_plugins", False) else default_registry()
    cmp = compare_reports(load(args.a, registry), load(args.b, registry))
    if args.json:
        sys.stdout.write(json.dumps(cmp, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render(cmp, changed_only=args.changed_only))
    return 0


def configure_batch(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories (recursive) or glob patterns")
    p.add_argument("--out", "-o", required=True,
                   help="output: the SQLite database (OUT.db), and OUT.csv, OUT.xlsx … for --format")
    p.add_argument("--format", "-f", action="append", metavar="FORMAT",
                   help="sqlite (default, always written), csv, xlsx, parquet, jsonl; repeat or comma-separate")
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--force", action="store_true", help="parse again files already in the database unchanged")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local process pool (default) or a Dask distributed cluster")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address (tcp://host:8786); default: a local cluster of -j workers")
    p.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    p.add_argument("--show", type=int, default=10, metavar="N",
                   help="list at most N items of each kind in the summary")


def configure_compare(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="a report file, or JSON written by parse")
    p.add_argument("b", metavar="B", help="the other report (the older one is shown first)")
    p.add_argument("--json", action="store_true", help="the comparison as JSON")
    p.add_argument("--changed-only", action="store_true", help="list only the fields that differ")


@hookimpl
def core_commands():
    return [
        Command(name="batch", help="parse many reports into one checked dataset (SQLite; csv, xlsx, parquet, jsonl)",
                configure=configure_batch, run=run_batch_command),
        Command(name="compare", help="two reports of one organ side by side, year over year",
                configure=configure_compare, run=run_compare_command),
    ]
