"""Text normalisation shared by every matcher: width, spaces, punctuation, numbering and script."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_DROP = str.maketrans("", "", " \t\u3000\u00a0\u200b\ufeff*#“”\"'‘’「」『』`")
_FOLD = str.maketrans(
    {
        "﹙": "(",
        "﹚": ")",
        "〔": "(",
        "〕": ")",
        "【": "(",
        "】": ")",
        "，": ",",
        "、": "、",
        "：": ":",
        "；": ";",
        "．": ".",
        "－": "-",
        "—": "-",
        "–": "-",
        "／": "/",
    }
)

_NUMBERING = re.compile(
    r"^(?:"
    r"[(][一二三四五六七八九十]{1,3}[)][、.,]?"  # (一)
    r"|[一二三四五六七八九十]{1,3}[、.,:]"  # 一、
    r"|\d{1,2}[.、,)](?!\d)"  # 1.  1、
    r"|[(]\d{1,2}[)]"  # (1)
    r")"
)


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Compatibility-folded text without spaces, markup or quotes: fullwidth and halfwidth compare equal."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).translate(_DROP)


_FOLD_CHARS: dict[int, str] = {}


def fold_chars(text: str) -> str:
    """Fullwidth to halfwidth and traditional to simplified, character by character: the result has the
    same length, so an offset in it is an offset in the text as printed."""
    table = _FOLD_CHARS
    for ch in set(text):
        o = ord(ch)
        if o < 128 or o in table:
            continue
        f = unicodedata.normalize("NFKC", ch)
        if len(f) != 1:
            f = ch
        s = to_simplified(f)
        table[o] = s if len(s) == 1 else f
    return text.translate(table)


def split_numbering(key: str) -> tuple[str, str]:
    """('(三)', '不予公开') from '(三)不予公开'; the numbering is '' when there is none. Takes a norm() key."""
    m = _NUMBERING.match(key)
    if not m:
        return "", key
    num = m.group(0).rstrip("、.,:")
    return num, key[m.end() :]


# --- script -----------------------------------------------------------------------------------------

# Traditional forms of characters every report prints many times, and their simplified forms.
_TRAD = "開請處總結轉議訴發關條項報據數與為機單達計劃務縣區會"
_SIMP = "开请处总结转议诉发关条项报据数与为机单达计划务县区会"


#: Traditional characters of the template's words, its section titles' among them: a line holding none is
#: read as it is, so that a simplified document never loads OpenCC's dictionary for it.
_TRAD_HINT = frozenset(_TRAD + "問題進動體")


def may_be_traditional(text: str) -> bool:
    """Whether a short text (a heading, a label) may be in traditional characters."""
    return not text.isascii() and not _TRAD_HINT.isdisjoint(text)


def looks_traditional(text: str) -> bool:
    """True when the text is written in traditional characters (counted on the template's common words)."""
    trad = sum(text.count(c) for c in _TRAD)
    if trad < 5:
        return False
    simp = sum(text.count(c) for c in _SIMP if c not in _TRAD)
    return trad > simp


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """OpenCC's traditional-to-simplified character dictionary as a str.translate table.

    Character-level conversion is what label matching needs; OpenCC's phrase segmentation (which only
    changes a few context-dependent characters) costs ~100x more per report, and the printed text is kept
    for the output anyway.
    """
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).with_name("dictionary") / "TSCharacters.txt"
    with open(path, encoding="utf-8") as f:
        for line in f:
            src, _, dst = line.rstrip("\n").partition("\t")
            if len(src) == 1 and dst:
                table[ord(src)] = dst.split(" ")[0]
    return table


def to_simplified(text: str) -> str:
    return text.translate(_t2s_table()) if text else text
