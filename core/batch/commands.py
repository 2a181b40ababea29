"""The ``batch`` and ``compare`` subcommands (``core.cli`` parses the options and calls these)."""
from __future__ import annotations

import json
import sys


def split_formats(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ["sqlite"]:
        out += [f for f in v.split(",") if f.strip()]
    return out


def cmd_batch(args) -> int:
    from core.batch.runner import run_batch

    summary = run_batch(args.inputs, args.out, formats=split_formats(args.format), jobs=args.jobs,
                        force=args.force, engine=args.engine, scheduler=args.scheduler,
                        no_plugins=getattr(args, "no_plugins", False),
                        progress=False if args.no_progress else None)
    sys.stdout.write("\n".join(summary.lines(limit=args.show)) + "\n")
    sys.stdout.flush()
    return summary.exit_code


def cmd_compare(args) -> int:
    from core.batch.compare import compare_reports, load, render
    from core.registry import Registry, default_registry

    registry = Registry(external=False) if getattr(args, "no_plugins", False) else default_registry()
    cmp = compare_reports(load(args.a, registry), load(args.b, registry))
    if args.json:
        sys.stdout.write(json.dumps(cmp, ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(render(cmp, changed_only=args.changed_only))
    return 0
