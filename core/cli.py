"""The command line: parse, detect, plugins and corpus-add, with one-line errors and fixed exit codes.

The same commands run as ``python -m core`` and as the ``zfxxgk`` console script; messages name the
command the way it was run. A mistyped command, option or choice gets the nearest one suggested."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from core.errors import EXIT_USAGE, CoreError, UsageError

EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as the contract says
        raise UsageError(f"{self.prog}: {message}")


def _registry(args):
    return _registry_for(["--no-plugins"] if getattr(args, "no_plugins", False) else [])


def _registry_for(argv: list[str]):
    from core.registry import Registry, default_registry

    return Registry(external=False) if "--no-plugins" in argv else default_registry()


def _source(path: str):
    from core.api import as_source
    from core.source import Source

    if path == "-":
        data = sys.stdin.buffer.read()
        if not data.strip():
            from core.errors import UnreadableInput

            raise UnreadableInput("<stdin>: the input is empty")
        return Source(data, name="<stdin>")
    return Source.from_path(path) if path else as_source(path)


def _check_out(path: str, input_path: str) -> None:
    """Refuse, before any work, an ``--out`` that is not a regular file we may write, or that is the input
    (a path, or the file standard input reads from): one line, exit 2."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--out {path}: is a directory")
    if target.exists() and not target.is_file():
        raise UsageError(f"--out {path}: not a regular file (a pipe or a device); --out writes only files")
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"--out {path}: {parent} is not a directory")
    for anc in [parent, *parent.parents]:
        if anc.exists():
            if not os.access(anc, os.W_OK | os.X_OK):
                raise UsageError(f"--out {path}: cannot write in {anc}")
            break
    if target.exists():
        out = target.stat()
        same = None
        if input_path == "-":
            try:
                same = os.fstat(sys.stdin.fileno())
            except (OSError, ValueError):
                same = None
        elif Path(input_path).exists():
            same = Path(input_path).stat()
        if same is not None and (same.st_dev, same.st_ino) == (out.st_dev, out.st_ino):
            raise UsageError(f"--out {path}: refusing to overwrite the input file")


def _write(path: str, text: str) -> None:
    """Write atomically (temp file, then rename), so an interrupted run leaves no half-written file; the
    file gets the permissions the user's umask gives a new file."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise UsageError(f"--out {path}: cannot be written ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"--out {path}: cannot be written ({e.strerror or e})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cmd_parse(args) -> int:
    from core.pipeline import parse_source

    if args.out:
        _check_out(args.out, args.file)
    report = parse_source(_source(args.file), registry=_registry(args), layout=args.layout)
    if args.format == "table":
        from core import view

        if args.out:
            _write(args.out, view.render(report.to_dict()))
        else:
            view.print_report(report.to_dict())
        return 0
    text = report.to_json(indent=None if args.compact else 1) + "\n"
    if args.out:
        _write(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_detect(args) -> int:
    from core.detect import TIE_MARGIN, detect

    registry = _registry(args)
    det = detect(_source(args.file), registry.layouts())
    tied = det.tied
    if args.json:
        out = {
            "file": args.file,
            "ranking": [{"layout": p.name, "score": round(s, 3), "origin": p.origin} for p, s in det.ranking],
            "best": det.best.name if det.best else None,
            "tie": [p.name for p in tied] if len(tied) > 1 else [],
            "failures": [{"layout": p.name, "error": e} for p, e in det.failures],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for p, s in det.ranking:
        print(f"{s:5.3f}  {p.name:18s} {p.origin}")
    for p, e in det.failures:
        print(f"  -    {p.name:18s} detect failed: {e}")
    for f in registry.failures:
        print(f"warning: {f}", file=sys.stderr)
    if det.best is not None and not det.confident:
        print(
            f"no layout recognises this file's tables; {det.best.name} ({det.ranking[0][1]:.2f}) "
            f"can only read it as prose"
        )
    elif len(tied) > 1:
        names = ", ".join(p.name for p in tied)
        print(
            f"tie: {names} score within {TIE_MARGIN} of each other; parse reads the file with each and "
            f"keeps the reading the template's identities confirm most"
        )
    elif det.best is None:
        print("no layout recognises this file")
    else:
        print(f"best: {det.best.name}")
    return 0


def cmd_plugins(args) -> int:
    registry = _registry(args)
    layouts, commands = registry.layouts(), registry.commands()
    if args.json:
        out = {
            "layouts": [
                {"name": p.name, "origin": p.origin, "version": p.version, "description": p.description}
                for p in layouts
            ],
            "commands": [{"name": c.name, "origin": c.origin, "version": c.version, "help": c.help} for c in commands],
            "failures": [str(f) for f in registry.failures],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for p in layouts:
        print(f"{p.name:18s} {p.origin:24s} {p.version:12s} {p.description}")
    for c in commands:
        print(f"{c.name:18s} {c.origin:24s} {c.version:12s} command: {c.help}")
    for f in registry.failures:
        print(f"warning: {f}")
    return 0


def cmd_corpus_add(args) -> int:
    from core.corpus import add_case

    written = add_case(Path(args.file), args.name, Path(args.corpus), registry=_registry(args))
    for p in written:
        print(f"wrote {p}")
    print("now check every value of the expected JSON against the document by hand")
    return 0


def version() -> str:
    """``zfxxgk X.Y.Z`` (the installed distribution's version), and Python's."""
    from importlib import metadata

    try:
        own = metadata.version("zfxxgk")
    except metadata.PackageNotFoundError:
        own = "(source tree, not installed)"
    return f"zfxxgk {own} (Python {sys.version.split()[0]})"


def prog_name(argv0: str | None = None) -> str:
    """How the command was run: ``zfxxgk`` for the console script, else ``python -m core``."""
    name = Path(argv0 if argv0 is not None else (sys.argv[0] if sys.argv else "")).name
    return "zfxxgk" if name.startswith("zfxxgk") else "python -m core"


class _Version(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version() + "\n")
        raise SystemExit(0)


def build_parser(registry, prog: str | None = None) -> argparse.ArgumentParser:
    """The host's commands, then those plugins register (``batch`` and ``compare`` among them)."""
    prog = prog or prog_name()
    common = _Parser(add_help=False)
    common.add_argument(
        "--no-plugins", action="store_true", default=argparse.SUPPRESS, help="use only the built-in layouts"
    )
    common.add_argument("--version", action=_Version, help="print the version of zfxxgk and exit")
    ap = _Parser(prog=prog, description="Parse government information disclosure annual reports.", parents=[common])
    sub = ap.add_subparsers(dest="command", parser_class=_Parser)
    p = sub.add_parser("parse", parents=[common], help="parse one report and print its JSON (or a table: --format)")
    p.add_argument("file", help="the report file, or - for standard input")
    p.add_argument("--out", "-o", help="write the output to this file instead of stdout")
    p.add_argument(
        "--format",
        "-f",
        choices=("json", "table"),
        default="json",
        help="json: the output contract (default); table: the report's figures laid out as the template, "
        "doubtful cells marked, failed checks and warnings, for a person to read",
    )
    p.add_argument("--layout", help="use this layout plugin instead of detecting one")
    p.add_argument("--compact", action="store_true", help="JSON on one line")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("detect", parents=[common], help="score every layout plugin on a file, best first")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_detect)
    p = sub.add_parser("plugins", parents=[common], help="list the installed layouts and commands")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)
    p = sub.add_parser(
        "corpus-add", parents=[common], help="add a regression case: copy the file, write its expected JSON"
    )
    p.add_argument("file")
    p.add_argument("--name", required=True, help="case name (letters, digits, - and _)")
    p.add_argument("--corpus", default="corpus", help="corpus directory (default: corpus)")
    p.set_defaults(func=cmd_corpus_add)
    for command in registry.commands():
        p = sub.add_parser(command.name, parents=[common], help=command.help)
        command.configure(p)
        p.set_defaults(func=command.run)
    return ap


def _command_names(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(_commands(parser))


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subs[0].choices) if subs else {}


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")
_UNRECOGNIZED = re.compile(r"unrecognized arguments: (.*)")


def _close(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(message: str, parser: argparse.ArgumentParser, argv: list[str]) -> str:
    """A usage error with the nearest command, option or choice to the one mistyped, when there is one."""
    m = _INVALID_CHOICE.search(message)
    if m:
        choices = re.findall(r"'([^']*)'", m.group(2))
        near = _close(m.group(1), choices)
        return f"{message}; did you mean {near!r}?" if near else message
    m = _UNRECOGNIZED.search(message)
    if m:
        commands = _commands(parser)
        command = next((a for a in argv if a in commands), None)
        target = commands.get(command, parser) if command else parser
        options = [o for a in target._actions for o in a.option_strings if o.startswith("--")]
        for word in m.group(1).split():
            if word.startswith("--"):
                near = _close(word.split("=", 1)[0], options)
                if near:
                    return f"{message}; did you mean {near}?"
    return message


def main(argv: list[str] | None = None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else argv
        parser = build_parser(_registry_for(argv))
        try:
            args = parser.parse_args(argv)
        except UsageError as e:
            raise UsageError(suggest(e.message, parser, argv)) from None
        if not getattr(args, "func", None):
            names = ", ".join(_command_names(parser))
            raise UsageError(f"{parser.prog}: a command is needed: {names}")
        return args.func(args)
    except CoreError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except Exception as e:
        if os.environ.get("ZFXXGK_DEBUG"):
            raise
        print(f"internal error: {type(e).__name__}: {e} (set ZFXXGK_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
