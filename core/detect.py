"""Scoring every layout plugin on a file and ranking them; near-ties are reported, never settled by order."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import guard
from core.errors import CoreError
from core.layout import LayoutPlugin
from core.registry import BUILTIN
from core.source import Source

#: Two layouts whose scores differ by less than this are a tie.
TIE_MARGIN = 0.05
#: Below this score a layout does not recognise the file's tables; it can only read it as a fallback.
CONFIDENT = 0.1


@dataclass
class Detection:
    #: (layout, score) for every layout that applies, best first; equal scores keep name order.
    ranking: list[tuple[LayoutPlugin, float]] = field(default_factory=list)
    #: Layouts whose detect() failed, with the one-line reason.
    failures: list[tuple[LayoutPlugin, str]] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def best(self) -> LayoutPlugin | None:
        return self.ranking[0][0] if self.ranking and self.ranking[0][1] > 0 else None

    @property
    def tied(self) -> list[LayoutPlugin]:
        """The layouts within TIE_MARGIN of the best (more than one means a tie)."""
        if not self.ranking or self.ranking[0][1] <= 0:
            return []
        top = self.ranking[0][1]
        return [p for p, s in self.ranking if s > 0 and top - s < TIE_MARGIN]

    @property
    def confident(self) -> bool:
        """False when even the best layout barely recognises the file (only a fallback applies)."""
        return bool(self.ranking) and self.ranking[0][1] >= CONFIDENT


def detect(source: Source, layouts: list[LayoutPlugin]) -> Detection:
    det = Detection()
    for plugin in layouts:
        # a plugin's detect must not take the others down; each gets its own copy of the source
        seconds = None if plugin.origin == BUILTIN else guard.DETECT_SECONDS
        try:
            score, warning = guard.call(f"layout {plugin.name} detect", plugin.detect, source.copy(), seconds=seconds)
        except (guard.PluginFault, CoreError) as e:
            det.failures.append((plugin, str(e)))
            continue
        if warning:
            det.failures.append((plugin, warning))
        if score is None:
            continue
        try:
            score = min(1.0, max(0.0, float(score)))
        except (TypeError, ValueError):
            det.failures.append((plugin, f"detect returned {score!r}, not a number"))
            continue
        det.scores[plugin.name] = round(score, 3)
        det.ranking.append((plugin, score))
    det.ranking.sort(key=lambda ps: (-ps[1], ps[0].name))
    return det
