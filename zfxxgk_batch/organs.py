"""Organ and year as the batch groups them: one organ's reports across years share an ``organ_key``.

The organ is read from the document (title, publisher lines; ``meta.organ``) and kept as printed in
``reports.organ``. ``organ_key`` folds the differences that do not change which organ it is:

- script and width: traditional characters to simplified, fullwidth to halfwidth (遂昌縣 → 遂昌县);
- spaces, quotes, and punctuation around the name;
- words a title puts around the name: a leading 关于, a year (2023年度), a trailing 的, and report words
  (政府信息公开工作年度报告, 政务公开 …) when a title was taken whole;
- 人民政府 and 政府 are the same organ (某某市人民政府 = 某某市政府).

It does not guess beyond that: 某某县人民政府办公室 and 某某县人民政府 stay two organs, as do an organ
and its 本级 report.
"""

from __future__ import annotations

import re

_YEAR_PREFIX = re.compile(r"^(?:关于)?(?:(?:19|20)\d{2}年度?)?(?:关于)?")
_REPORT_SUFFIX = re.compile(
    r"(?:(?:19|20)\d{2}年度?)?(?:的)?(?:政府信息公开|政务公开|信息公开)?"
    r"(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)?$"
)
_EDGE = " \t\r\n:;,.、。-_|"
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


def organ_key(organ: str | None) -> str | None:
    """The grouping key of an organ name (see the module docstring); None when there is no name."""
    if not organ:
        return None
    from core.text import norm, to_simplified

    key = to_simplified(norm(organ))
    key = key.strip(_EDGE)
    key = _YEAR_PREFIX.sub("", key)
    key = _REPORT_SUFFIX.sub("", key).strip(_EDGE)
    key = key.removesuffix("的").removesuffix("关于").strip(_EDGE)
    key = key.replace("人民政府", "政府")
    return key or None


def normalise_year(year) -> int | None:
    """The statistics year as an int, or None when missing or not a plausible year."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        return None
    return y if _FIRST_YEAR <= y <= _LAST_YEAR else None
