"""Layout of last resort: any readable text, every line prose. It lets a report whose tables are in no
known layout still be recognised (its year, its sections, a refusal when it predates the template)."""

from __future__ import annotations

from core.sdk import TEXT, Cell, LayoutPlugin, Row, Source, hookimpl, text_lines

#: Low on purpose: every layout that recognises its tables scores higher.
SCORE = 0.02


def detect(source: Source) -> float | None:
    lines = text_lines(source)
    if lines is None or not any(s.strip() for s in lines):
        return None
    return SCORE


def parse(source: Source) -> list[Row]:
    return [
        Row((Cell(s.strip(), line=i, col=len(s) - len(s.lstrip()) + 1),), TEXT)
        for i, s in enumerate(source.lines, 1)
        if s.strip()
    ]


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="plain-text",
            detect=detect,
            parse=parse,
            description="any text, read as prose only (fallback when no table layout fits)",
        )
    ]
