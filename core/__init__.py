"""Parse Chinese government information disclosure annual reports (政府信息公开工作年度报告) into checked data.

    >>> import core
    >>> report = core.parse("report.txt")          # a path, a pathlib.Path, bytes, or the text itself
    >>> report.applications["total"]["total"]
    >>> print(report.to_json())

Names are imported lazily, so that ``import core`` (and ``python -m core --help``) stays fast.
"""

from __future__ import annotations

__all__ = [
    "Cell",
    "CoreError",
    "LayoutPlugin",
    "NotAReport",
    "Report",
    "Row",
    "UnreadableInput",
    "UsageError",
    "hookimpl",
    "parse",
]

_LAZY = {
    "parse": "core.api",
    "Report": "core.report",
    "LayoutPlugin": "core.layout",
    "Row": "core.layout",
    "Cell": "core.layout",
    "hookimpl": "core.hookspecs",
    "CoreError": "core.errors",
    "UnreadableInput": "core.errors",
    "NotAReport": "core.errors",
    "UsageError": "core.errors",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'core' has no attribute {name!r}")
