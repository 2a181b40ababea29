"""Fuzzy comparison of printed labels with the template's canonical labels."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz


@lru_cache(maxsize=16384)
def similarity(printed: str, canonical: str) -> float:
    """0-100: how well a printed label (a norm() key) stands for a canonical one.

    Plain edit similarity, raised when the printed label is the canonical one cut short or wrapped in
    extra words ("本年新" for "本年新制作数量", "行政许可事项" for "行政许可"), but discounted by how much of
    the longer text the shorter one covers, so "其他" alone does not match "其他法律行政法规禁止公开" well.
    """
    if not printed or not canonical:
        return 0.0
    if printed == canonical:
        return 100.0
    score = fuzz.ratio(printed, canonical)
    short, long = sorted((printed, canonical), key=len)
    if len(short) >= 2:
        cover = len(short) / len(long)
        score = max(score, fuzz.partial_ratio(short, long) * (0.7 + 0.3 * cover))
    return score


def best_match(printed: str, choices: dict[str, tuple[str, ...]]) -> tuple[str | None, float]:
    """The choice id whose labels match ``printed`` best, with its score."""
    best, best_score = None, 0.0
    for cid, labels in choices.items():
        for label in labels:
            s = similarity(printed, label)
            if s > best_score:
                best, best_score = cid, s
    return best, best_score
