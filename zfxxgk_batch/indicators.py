"""Derived indicators, computed for every report in the batch database and shown by ``compare``.

All three are ratios in [0, 1] (not percentages) of values read from the report, with the stable field IDs:

- ``substantive_disclosure_rate`` (实质公开率) =
  (``applications.granted.total`` + ``applications.partially_granted.total``) / ``applications.total.total``
  — the share of handled applications that were answered with information (予以公开 + 部分公开 over
  办理结果总计).
- ``review_correction_rate`` (复议纠错率) =
  ``review_litigation.review.corrected`` / ``review_litigation.review.total``
  — the share of administrative reviews whose result was 纠正.
- ``litigation_correction_rate`` (诉讼纠错率) =
  (``review_litigation.litigation_direct.corrected`` + ``review_litigation.litigation_after_review.corrected``)
  / (``review_litigation.litigation_direct.total`` + ``review_litigation.litigation_after_review.total``)
  — the same for lawsuits, direct and after review together.

An indicator is null (None) when its denominator is 0, or when any value it reads is blank or absent:
a blank cell is not 0, so no rate is computed from a guess. The values are the ones printed, so a
report whose totals do not add up gives the rate its own totals imply (its failed checks say so).
"""

from __future__ import annotations

INDICATORS = ("substantive_disclosure_rate", "review_correction_rate", "litigation_correction_rate")

#: Indicator -> (numerator fields, denominator fields), each a list of (section, field).
FORMULAS = {
    "substantive_disclosure_rate": (
        [("applications", "granted.total"), ("applications", "partially_granted.total")],
        [("applications", "total.total")],
    ),
    "review_correction_rate": ([("review_litigation", "review.corrected")], [("review_litigation", "review.total")]),
    "litigation_correction_rate": (
        [
            ("review_litigation", "litigation_direct.corrected"),
            ("review_litigation", "litigation_after_review.corrected"),
        ],
        [("review_litigation", "litigation_direct.total"), ("review_litigation", "litigation_after_review.total")],
    ),
}

#: The formulas as shown to people (README, ``compare``).
DESCRIPTIONS = {
    "substantive_disclosure_rate": "实质公开率 = (予以公开 + 部分公开) / 办理结果总计",
    "review_correction_rate": "复议纠错率 = 复议结果纠正 / 复议总计",
    "litigation_correction_rate": "诉讼纠错率 = (直接起诉结果纠正 + 复议后起诉结果纠正) / "
    "(直接起诉总计 + 复议后起诉总计)",
}


def _sum(report: dict, fields) -> float | None:
    from zfxxgk_batch.fields import value_of

    total: float = 0
    for section, field in fields:
        v = value_of(report, section, field)
        if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        total += v
    return total


def indicators(report: dict) -> dict[str, float | None]:
    """The three indicators of a report in the output contract's shape (see the module docstring)."""
    out: dict[str, float | None] = {}
    for name, (num, den) in FORMULAS.items():
        n, d = _sum(report, num), _sum(report, den)
        out[name] = None if n is None or not d else round(n / d, 6)
    return out
