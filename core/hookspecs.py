"""The hooks a layout plugin can implement (the plugin interface of the ``zfxxgk`` host)."""
from __future__ import annotations

from typing import Iterable

import pluggy

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
