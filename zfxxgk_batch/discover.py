"""Inputs to files: files, directories (recursively) and glob patterns, in any mix.

- A file named on the command line is always an input, whatever its name.
- A directory is walked recursively, in sorted order; hidden files and directories (names starting with
  ".") and Office lock files ("~$…") are skipped, and so are files that are never a report: images,
  style sheets, scripts, archives of this tool's own outputs (.db, .jsonl, .parquet, .xlsx …).
- A pattern with ``*``, ``?`` or ``[`` is expanded (``**`` matches any depth) when no file has that name;
  the files it matches are taken (a directory it matches is walked).
- The same file reached twice (two inputs, a symlink) is read once.
- An input that names nothing (a missing path, a pattern matching no file) is an input problem: it is
  recorded as a failure of the batch (exit reason unreadable), never a reason to stop.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

#: Suffixes a directory walk never takes (a file named explicitly is still read).
SKIP_SUFFIXES = frozenset({
    ".db", ".sqlite", ".sqlite3", ".db-wal", ".db-shm", ".db-journal", ".jsonl", ".parquet", ".xlsx", ".tmp",
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".ico", ".tif", ".tiff",
    ".css", ".js", ".mjs", ".map", ".woff", ".woff2", ".ttf", ".eot",
    ".py", ".pyc", ".json", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar",
    ".mp3", ".mp4", ".avi", ".mov", ".swf", ".exe", ".dll", ".so",
})
_MAGIC = set("*?[")


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    #: (input as given, one-line message) for inputs that name no file
    problems: list[tuple[str, str]] = field(default_factory=list)


def _skipped(name: str) -> bool:
    if name.startswith((".", "~$")):
        return True
    return Path(name).suffix.lower() in SKIP_SUFFIXES


def discover(inputs: list[str], exclude: set[Path] | None = None) -> Discovered:
    """Every file the inputs name, absolute and resolved, without duplicates, in input then sorted order.
    ``exclude``: resolved paths never taken (the batch's own outputs)."""
    exclude = exclude or set()
    out = Discovered()
    seen: set[Path] = set()

    def take(p: Path) -> None:
        try:
            rp = p.resolve()
        except (OSError, RuntimeError):
            rp = p.absolute()
        if rp in seen or rp in exclude:
            return
        seen.add(rp)
        out.files.append(rp)

    def walk(d: Path) -> None:
        for root, dirs, files in os.walk(d, onerror=lambda e: out.problems.append((str(e.filename), _msg(e)))):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            for name in sorted(files):
                if not _skipped(name):
                    take(Path(root) / name)

    for raw in inputs:
        p = Path(raw).expanduser()
        if p.is_dir():
            walk(p)
        elif p.exists() or p.is_symlink():
            take(p)
        elif _MAGIC & set(raw):
            matches = sorted(glob.glob(os.path.expanduser(raw), recursive=True))
            if not matches:
                out.problems.append((raw, f"{raw}: no file matches this pattern"))
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    walk(mp)
                else:  # a pattern names its files: taken whatever their suffix
                    take(mp)
        else:
            out.problems.append((raw, f"{raw}: no such file or directory"))
    return out


def _msg(e: OSError) -> str:
    return f"{e.filename}: cannot be listed ({e.strerror or e})"
