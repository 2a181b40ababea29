"""The ``review`` subcommand, registered with the host through its ``core_commands`` hook."""

from __future__ import annotations

import argparse
import sys

from core.command import Command
from core.hookspecs import hookimpl


def configure_review(p: argparse.ArgumentParser) -> None:
    from zfxxgk_review.server import DEFAULT_PORT

    p.add_argument("dataset", metavar="DATASET.db", help="a database written by python -m core batch")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free port)"
    )
    p.add_argument("--host", default="127.0.0.1", help="a loopback address only (default 127.0.0.1)")
    p.add_argument(
        "--stale",
        action="store_true",
        help="list the corrections that no longer apply (the file changed or is gone) and exit",
    )
    p.add_argument(
        "--export",
        metavar="OUT.csv",
        help="write every cell with its corrections (value, status, parsed value, note) and exit",
    )


def run_review(args: argparse.Namespace) -> int:
    from core.errors import UsageError
    from zfxxgk_review import corrections, dataset

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a port")
    if args.stale or args.export:
        conn = dataset.open_dataset(args.dataset)
        try:
            if args.stale:
                states = corrections.states(conn)
                bad = [s for s in states if s.stale]
                sys.stdout.write(f"corrections: {len(states) - len(bad)} kept, {len(bad)} stale\n")
                for s in bad:
                    sys.stdout.write(f"  {s.describe()}\n")
            if args.export:
                from pathlib import Path

                from zfxxgk_batch.export import atomic
                from zfxxgk_review.export import write_values_csv

                try:
                    with atomic(Path(args.export), "w", encoding="utf-8-sig", newline="") as f:
                        n = write_values_csv(conn, f)
                except OSError as e:
                    raise UsageError(f"--export {args.export}: cannot be written ({e.strerror or e})") from None
                sys.stdout.write(f"written: {args.export} ({n} cells)\n")
        finally:
            conn.close()
        return 0
    try:
        import flask  # noqa: F401
    except ImportError:
        raise UsageError("the review app needs Flask: pip install 'zfxxgk[review]'") from None
    from zfxxgk_review.server import serve

    return serve(args.dataset, args.host, args.port)


@hookimpl
def core_commands():
    return [
        Command(
            name="review",
            help="review a batch dataset in the browser: every doubtful cell beside its "
            "source, corrections that last (127.0.0.1 only)",
            configure=configure_review,
            run=run_review,
        )
    ]
