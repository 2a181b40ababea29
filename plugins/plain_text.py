"""Layout of last resort: any readable text, every line prose. It lets a report whose tables are in no
known layout still be recognised (its year, its sections, a refusal when it predates the template)."""
from __future__ import annotations

from core.hookspecs import hookimpl
from core.layout import LayoutPlugin, Row, text_rows
from core.source import Source
from ._lines import lines_or_none

#: Low on purpose: every layout that recognises its tables scores higher.
SCORE = 0.02


def detect(source: Source) -> float | None:
    lines = lines_or_none(source)
    if lines is None or not any(s.strip() for s in lines):
        return None
    return SCORE


def parse(source: Source) -> list[Row]:
    return text_rows(source.lines)


@hookimpl
def core_layouts():
    return [LayoutPlugin(name="plain-text", detect=detect, parse=parse,
                         description="any text, read as prose only (fallback when no table layout fits)")]
