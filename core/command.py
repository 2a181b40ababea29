"""The registration record of a subcommand that a plugin adds to ``python -m core`` (as ``batch`` and
``compare`` are added by the ``zfxxgk_batch`` package)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import PluginError

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


@dataclass(frozen=True)
class Command:
    """One subcommand.

    :param name: the word after ``python -m core`` (2-40 characters of a-z, 0-9 and ``-``).
    :param help: one line for ``python -m core --help``.
    :param configure: ``configure(parser)`` adds the command's arguments to its ``argparse`` parser.
    :param run: ``run(args) -> int`` does the work and returns the exit code. It may raise
        :class:`core.errors.CoreError` for a one-line error with that error's exit code.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    #: Filled in by the host: "built-in" or the distribution that provided the command.
    origin: str = field(default="", compare=False)
    version: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise PluginError(f"command name {self.name!r} must be 2-40 chars of a-z, 0-9 and '-'")
        if not callable(self.configure) or not callable(self.run):
            raise PluginError(f"command {self.name!r}: configure and run must be callables")
