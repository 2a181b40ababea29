"""File names as the batch stores and shows them.

A POSIX file name is bytes; Python hands names that are not valid UTF-8 over as ``str`` with lone
surrogates (``surrogateescape``), which SQLite, JSON and every spreadsheet refuse. So a path has two
forms besides the one the file system takes:

- :func:`key`: the text stored in the database and used to recognise the file on the next run. A valid
  UTF-8 name is itself; in a name that is not, each undecodable byte is written ``\\xNN`` (the name
  ``bad\\xff.txt`` on disk is stored as the nine characters ``bad\\xff.txt``). Only a valid name that
  itself spells ``\\xNN`` where a sibling has that raw byte could collide; no real folder holds both.
- :func:`shown`: the key with control characters (a newline, ESC …) escaped the same way, so that every
  message, summary line and warning names a file on one line, identically.
"""

from __future__ import annotations

import os
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ESCAPED = re.compile(r"\\x([0-9a-f]{2})")


def key(path: str | os.PathLike) -> str:
    """The path as valid UTF-8 text (see the module docstring)."""
    s = os.fspath(path)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shown(path: str | os.PathLike) -> str:
    """The path as every message writes it: its key, with control characters as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", key(path))


def fs_path(stored: str) -> str:
    """The file-system name a key was made from (best effort: the key itself when it holds no escape)."""
    if "\\x" not in stored:
        return stored
    raw = _ESCAPED.sub(
        lambda m: chr(0xDC00 + int(m.group(1), 16)) if int(m.group(1), 16) >= 0x80 else m.group(0), stored
    )
    return raw
