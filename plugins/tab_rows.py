"""Layout: tab-separated table rows (text out of a PDF or a spreadsheet), alone or inside Markdown."""

from __future__ import annotations

from core.sdk import LayoutPlugin, Row, Source, hookimpl, text_lines

from ._lines import delimited_rows, saturate


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None:
        return None
    tabbed = piped = 0
    for line in lines:
        if "\t" in line and sum(1 for p in line.split("\t") if p.strip()) >= 2:
            tabbed += 1
        elif "|" in line:
            piped += 1
    if not tabbed:
        return 0.0
    return round(tabbed / (tabbed + piped) * saturate(tabbed, 30), 3)


def parse(source: Source) -> list[Row]:
    return delimited_rows(source, "\t")


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="tab-rows", detect=detect, parse=parse, description="tab-separated table rows, also inside Markdown"
        )
    ]
