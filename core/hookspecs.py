"""The hooks a plugin can implement (the plugin interface of the ``zfxxgk`` host): layouts and subcommands."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from core.command import Command
from core.layout import LayoutPlugin

PROJECT = "zfxxgk"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def core_layouts() -> Iterable[LayoutPlugin]:
    """Register input layouts.

    Called once, when the host first needs its layouts (``parse``, ``detect`` or ``plugins``), never at
    import time. Every implementation is called; the host collects all the records, validates them and
    refuses two layouts with the same name, naming both sources.

    :returns: an iterable of :class:`core.layout.LayoutPlugin` records (a list, a tuple or a generator).
        Return an empty iterable, or None, to register nothing.

    **Example:**

    .. code-block:: python

        from core import hookimpl, LayoutPlugin

        @hookimpl
        def core_layouts():
            yield LayoutPlugin(name="csv", detect=detect, parse=parse,
                               description="CSV exported from a spreadsheet")

    .. versionadded:: 0.1
    """
    return ()


@hookspec
def core_commands() -> Iterable[Command]:
    """Register subcommands of ``python -m core``.

    Called once, when the command line is built, so that ``python -m core --help`` lists them. Keep the
    module that implements it cheap to import: import what the command needs inside ``run``. A command
    whose name is already taken (by the host's own ``parse``, ``detect``, ``plugins``, ``corpus-add``, or
    by another plugin) is skipped with a warning naming both.

    :returns: an iterable of :class:`core.command.Command` records. Return an empty iterable, or None,
        to register nothing.

    **Example:**

    .. code-block:: python

        from core import Command, hookimpl

        def configure(parser):
            parser.add_argument("db")

        def run(args):
            print(args.db)
            return 0

        @hookimpl
        def core_commands():
            yield Command(name="stats", help="figures of a batch database", configure=configure, run=run)

    .. versionadded:: 0.2
    """
    return ()
