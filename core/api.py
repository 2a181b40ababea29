"""The Python entry point: ``core.parse(path_or_text)``."""

from __future__ import annotations

import os
from pathlib import Path

from core.registry import Registry
from core.report import Report
from core.source import Source


def parse(
    source: str | os.PathLike | bytes,
    *,
    layout: str | None = None,
    name: str | None = None,
    registry: Registry | None = None,
) -> Report:
    """Parse one report and return it as a :class:`core.report.Report`.

    :param source: a path (``str`` or ``PathLike``), the file's bytes, or the report's text. A ``str``
        without a line break that names an existing file is read as a path; any other ``str`` is text.
    :param layout: force a layout plugin by name instead of detecting it.
    :param name: the name to show as ``meta.source`` for bytes or text.
    :raises core.errors.CoreError: ``UnreadableInput`` (exit 3) or ``NotAReport`` (exit 4).
    """
    from core.pipeline import parse_source

    return parse_source(as_source(source, name), registry=registry, layout=layout)


def as_source(source, name: str | None = None) -> Source:
    if isinstance(source, Source):
        return source
    if isinstance(source, os.PathLike):
        return Source.from_path(source)
    if isinstance(source, (bytes, bytearray)):
        if not bytes(source).strip():
            from core.errors import UnreadableInput

            raise UnreadableInput(f"{name or '<bytes>'}: the input is empty")
        return Source(bytes(source), name=name or "<bytes>")
    if isinstance(source, str):
        if "\n" not in source and len(source) < 4096 and (os.path.exists(source) or _looks_like_path(source)):
            return Source.from_path(source)
        if not source.strip():
            from core.errors import UnreadableInput

            raise UnreadableInput(f"{name or '<text>'}: the input is empty")
        return Source.from_text(source, name=name or "<text>")
    raise TypeError(f"parse() takes a path, bytes or text, not {type(source).__name__}")


def _looks_like_path(s: str) -> bool:
    return len(s) < 260 and (
        os.sep in s
        or Path(s).suffix.lower() in {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc", ".wps", ".csv"}
    )
