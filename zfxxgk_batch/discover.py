"""Inputs to files: files, directories (recursively), glob patterns and file lists, in any mix.

- A file named on the command line is always an input, whatever its name.
- A directory is walked recursively, in sorted order; hidden files and directories (names starting with
  ".") and Office lock files ("~$…") are skipped, and so are files that are never a report: images,
  style sheets, scripts, archives of this tool's own outputs (.db, .jsonl, .parquet, .xlsx …). Links to
  directories are not followed (no loops); links to files are read.
- A pattern with ``*``, ``?`` or ``[`` is expanded (``**`` matches any depth) when no file has that name;
  the files it matches are taken (a directory it matches is walked).
- ``-`` reads a list of paths from standard input, one per line, or separated by NUL bytes (``find
  -print0``) when there is one; each is taken literally (a file or a directory, never a pattern).
- The same file reached twice (two inputs, a link) is read once.
- An input that names nothing (a missing path, a pattern matching no file) is a usage error: the run does
  not start. A directory that cannot be listed inside an input is a problem of the run, reported.

Each file comes with its ``os.stat`` figures, taken once here: a run over unchanged files compares them
with the stored ones and reads nothing else.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UsageError
from zfxxgk_batch.names import key, shown

#: Suffixes a directory walk never takes (a file named explicitly is still read).
SKIP_SUFFIXES = frozenset(
    {
        ".db",
        ".sqlite",
        ".sqlite3",
        ".db-wal",
        ".db-shm",
        ".db-journal",
        ".jsonl",
        ".parquet",
        ".xlsx",
        ".tmp",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".svg",
        ".webp",
        ".ico",
        ".tif",
        ".tiff",
        ".css",
        ".js",
        ".mjs",
        ".map",
        ".woff",
        ".woff2",
        ".ttf",
        ".eot",
        ".py",
        ".pyc",
        ".json",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".rar",
        ".mp3",
        ".mp4",
        ".avi",
        ".mov",
        ".swf",
        ".exe",
        ".dll",
        ".so",
    }
)
_MAGIC = set("*?[")
STDIN = "-"


def stat_of(st: os.stat_result) -> tuple[int, int, int, int]:
    """(size, mtime_ns, ctime_ns, inode): what tells a file changed without reading it."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class Scope:
    """What the inputs cover: a stored file inside it that the walk no longer finds is gone."""

    dirs: list[str] = field(default_factory=list)  # real paths, each ending with os.sep
    files: set[str] = field(default_factory=set)  # keys
    patterns: list[re.Pattern] = field(default_factory=list)

    def covers(self, stored: str) -> bool:
        if stored in self.files:
            return True
        if any(stored.startswith(d) for d in self.dirs):
            return True
        return any(p.fullmatch(stored) for p in self.patterns)


@dataclass
class Discovered:
    #: (path as the file system takes it, stat) in input then sorted order
    files: list[tuple[str, tuple | None]] = field(default_factory=list)
    #: (directory, one-line message) for directories inside the inputs that could not be listed
    problems: list[tuple[str, str]] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)
    #: the resolved directories and files named as inputs (the outputs must stay out of them)
    input_dirs: list[str] = field(default_factory=list)
    input_files: list[str] = field(default_factory=list)


def _skipped(name: str) -> bool:
    if name.startswith((".", "~$")):
        return True
    return os.path.splitext(name)[1].lower() in SKIP_SUFFIXES


def _real(p: str) -> str:
    try:
        return os.path.realpath(p)
    except (OSError, ValueError):
        return os.path.abspath(p)


def read_list(data: bytes) -> list[str]:
    """The paths of a file list (standard input): NUL-separated when it holds a NUL, else one per line."""
    sep = b"\0" if b"\0" in data else b"\n"
    out = []
    for item in data.split(sep):
        if sep == b"\n":
            item = item.rstrip(b"\r")
        if item.strip():
            out.append(os.fsdecode(item))
    return out


def glob_regex(pattern: str) -> re.Pattern:
    """The absolute paths a glob pattern matches, as a regular expression (``**`` any depth)."""
    pattern = os.path.abspath(os.path.expanduser(pattern))
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if i < n and pattern[i] == os.sep:
                i += 1
                out.append(f"(?:.*{re.escape(os.sep)})?")
            else:
                out.append(".*")
            continue
        if c == "*":
            out.append(f"[^{re.escape(os.sep)}]*")
        elif c == "?":
            out.append(f"[^{re.escape(os.sep)}]")
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : j]
                body = ("^" + body[1:]) if body.startswith("!") else body
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def discover(inputs: list[str], exclude: set[str] | None = None, stdin: bytes | None = None) -> Discovered:
    """Every file the inputs name, as real paths, without duplicates, in input then sorted order.

    :param exclude: real paths never taken (the batch's own outputs).
    :param stdin: the bytes of standard input, read for the input ``-``.
    :raises UsageError: an input names nothing, or ``-`` is given without a list.
    """
    exclude = exclude or set()
    out = Discovered()
    seen: set[str] = set()
    missing: list[str] = []

    def take(real: str, st) -> None:
        if real in seen or real in exclude:
            return
        seen.add(real)
        out.files.append((real, st))

    def take_path(p: str) -> None:
        real = _real(p)
        try:
            st = stat_of(os.stat(real))
        except OSError:
            st = None
        take(real, st)
        out.scope.files.add(key(real))

    def walk(top: str) -> None:
        # os.scandir with the names sorted: one stat per file (from the directory entry), no realpath
        # per file (the top is real already; only links need resolving).
        stack = [top]
        while stack:
            d = stack.pop()
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda x: x.name)
            except OSError as err:
                out.problems.append((d, f"cannot be listed ({err.strerror or err})"))
                continue
            subdirs = []
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if not name.startswith("."):
                            subdirs.append(entry.path)
                        continue
                    if _skipped(name):
                        continue
                    if entry.is_symlink():
                        real = _real(entry.path)
                        if os.path.isdir(real):
                            continue
                        try:
                            st = stat_of(os.stat(real))
                        except OSError:
                            st = None
                        take(real, st)
                    else:
                        take(entry.path, stat_of(entry.stat(follow_symlinks=False)))
                except OSError:
                    take(entry.path, None)
            stack.extend(reversed(subdirs))

    def walk_top(p: str) -> None:
        real = _real(p)
        out.input_dirs.append(real)
        out.scope.dirs.append(real.rstrip(os.sep) + os.sep)
        walk(real)

    listed: list[str] = []
    for raw in inputs:
        if raw == STDIN:
            if stdin is None:
                raise UsageError("input -: no file list on standard input")
            listed += read_list(stdin)
            continue
        p = os.path.expanduser(raw)
        if os.path.isdir(p):
            walk_top(p)
        elif os.path.lexists(p):
            out.input_files.append(_real(p))
            take_path(p)
        elif _MAGIC & set(raw):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                missing.append(f"{shown(raw)}: no file matches this pattern")
                continue
            out.scope.patterns.append(glob_regex(p))
            for m in matches:
                if os.path.isdir(m):
                    walk_top(m)
                else:  # a pattern names its files: taken whatever their suffix
                    out.input_files.append(_real(m))
                    take_path(m)
        else:
            missing.append(f"{shown(raw)}: no such file or directory")
    if STDIN in inputs and not listed and not out.files and not missing:
        raise UsageError("input -: the list on standard input names no file")
    for raw in listed:
        if os.path.isdir(raw):
            walk_top(raw)
        elif os.path.lexists(raw):
            out.input_files.append(_real(raw))
            take_path(raw)
        else:
            missing.append(f"{shown(raw)}: no such file or directory")
    if missing:
        more = f" (and {len(missing) - 1} more inputs that name nothing)" if len(missing) > 1 else ""
        raise UsageError(missing[0] + more)
    return out


def inside(path: str, directory: str) -> bool:
    """Whether ``path`` (real) is ``directory`` (real) or below it."""
    directory = directory.rstrip(os.sep) + os.sep
    return path == directory.rstrip(os.sep) or path.startswith(directory)


def real_output(p: Path) -> str:
    """The real path an output will have (its folder resolved; the file need not exist)."""
    p = Path(os.path.abspath(os.path.expanduser(str(p))))
    return os.path.join(_real(str(p.parent)), p.name)
