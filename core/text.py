"""Text normalisation shared by every matcher: width, spaces, punctuation, numbering and script."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROP = str.maketrans("", "", " \t\u3000\u00a0\u200b\ufeff*#“”\"'‘’「」『』`")
_FOLD = str.maketrans({"﹙": "(", "﹚": ")", "〔": "(", "〕": ")", "【": "(", "】": ")", "，": ",", "、": "、",
                       "：": ":", "；": ";", "．": ".", "－": "-", "—": "-", "–": "-", "／": "/"})

_NUMBERING = re.compile(
    r"^(?:"
    r"[(][一二三四五六七八九十]{1,3}[)][、.,]?"      # (一)
    r"|[一二三四五六七八九十]{1,3}[、.,:]"            # 一、
    r"|\d{1,2}[.、,)](?!\d)"                        # 1.  1、
    r"|[(]\d{1,2}[)]"                               # (1)
    r")"
)


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Compatibility-folded text without spaces, markup or quotes: fullwidth and halfwidth compare equal."""
    return unicodedata.normalize("NFKC", text).translate(_FOLD).translate(_DROP)


def split_numbering(key: str) -> tuple[str, str]:
    """('(三)', '不予公开') from '(三)不予公开'; the numbering is '' when there is none. Takes a norm() key."""
    m = _NUMBERING.match(key)
    if not m:
        return "", key
    num = m.group(0).rstrip("、.,:")
    return num, key[m.end():]


# --- script -----------------------------------------------------------------------------------------

# Traditional forms of characters every report prints many times, and their simplified forms.
_TRAD = "開請處總結轉議訴發關條項報據數與為機單達計劃務縣區會"
_SIMP = "开请处总结转议诉发关条项报据数与为机单达计划务县区会"


def looks_traditional(text: str) -> bool:
    """True when the text is written in traditional characters (counted on the template's common words)."""
    trad = sum(text.count(c) for c in _TRAD)
    if trad < 5:
        return False
    simp = sum(text.count(c) for c in _SIMP if c not in _TRAD)
    return trad > simp


@lru_cache(maxsize=1)
def _converter():
    import opencc  # imported only for traditional documents: its dictionaries take ~10 ms to load

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text
