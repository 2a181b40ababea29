"""What the document says about itself: the statistics year, the organ, and the template format."""

from __future__ import annotations

import re
from collections import Counter

from core.template import FORMAT_MARKERS
from core.text import norm

# Titles are matched in the printed script (the organ is reported as printed), so the words that
# differ between simplified and traditional characters accept both.
_DISCLOSURE = r"(?:政府信息公[开開]|政[务務]公[开開]|信息公[开開])"
_REPORT = r"(?:工作)?(?:年度)?(?:工作)?(?:[报報]告|年[报報])"
_TITLE = re.compile(r"((?:19|20)\d{2})年度?([^。;,!?\n]{0,30}?)" + _DISCLOSURE + _REPORT)
_TITLE_NO_YEAR = re.compile(r"^([^。;,!?\n\d]{2,30}?)" + _DISCLOSURE + _REPORT + "$", re.M)
_PERIOD = re.compile(r"统计[^。;]{0,12}?((?:19|20)\d{2})年0?1月0?1日")
_PUBLISHED = re.compile(
    r"(?:发布时间|发布日期|成文日期|发文日期|印发日期|生成日期|公开日期)[:|]*((?:19|20)\d{2})[-年/.]"
)
_FIELD_NAME = re.compile(r"^(?:标题|題|题目|名称|名稱|文章标题|信息名称)[:|]")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})年")
_PUBLISHER = re.compile(
    r"(?:[发發]布[机機][构構]|[发發]布[单單]位|[发發]文[机機][关關]|公[开開]主[体體]|信息[来來]源|[来來]源)[:|]+([^|:]{2,30}?)(?:\||:|$|发布|成文|公开|体裁|主题|字体|浏览)"
)


def find_year(head_text: str, body_text: str) -> tuple[int | None, str]:
    """(year, how it was found) from the title, the statistics period, the publication date, or the
    year the overview mentions most. ``head_text`` is the text before section 一."""
    for text, where in ((head_text, "title"), (body_text[:3000], "title")):
        m = _TITLE.search(norm(text))
        if m:
            return int(m.group(1)), where
    m = _PERIOD.search(norm(head_text + body_text[:5000]))
    if m:
        return int(m.group(1)), "statistics period"
    m = _PUBLISHED.search(norm(head_text))
    if m:
        return int(m.group(1)) - 1, "publication date (the report is on the year before)"
    years = Counter(int(y) for y in _ANY_YEAR.findall(norm(body_text[:5000])))
    if years:
        return years.most_common(1)[0][0], "the year the overview mentions most"
    return None, "not found"


def find_organ(head_text: str) -> str | None:
    """The organ named in the title, or in the publisher line of the page, as printed."""
    # "标题:" and the like are the page's field names, not part of the title.
    key = "\n".join(_FIELD_NAME.sub("", norm(line)) for line in head_text.split("\n"))
    m = _TITLE.search(key)
    if m is None:
        # a title wrapped over two lines ("…工作年度报" / "告"), as converters print a long one
        joined = re.sub(r"\n(?=[^\n]{1,3}(?:\n|$))", "", key)
        if joined != key:
            key = joined
            m = _TITLE.search(key)
    if m:
        between = m.group(2).strip("关于關於")
        if len(between) >= 2:
            return between
        lines = key[: m.start()].split("\n")
        before = re.split(r"[。|]", lines[-1])[-1].strip()
        if 2 <= len(before) <= 30:
            return before
        # A title printed over two lines puts the organ on the line above the year.
        above = lines[-2].strip() if len(lines) >= 2 else ""
        if not before and 2 <= len(above) <= 30 and not re.search(r"\d|[。|:]", above):
            return above
    m = _TITLE_NO_YEAR.search(key)
    if m:
        return m.group(1)
    m = _PUBLISHER.search(key)
    if m:
        return m.group(1)
    return None


def decide_format(table_text: str, year: int | None) -> tuple[str, str, bool]:
    """(format, reason, conflict): from the words only one format prints, else from the year.
    ``conflict`` is True when the tables and the year disagree."""
    key = norm(table_text)
    votes = {fmt: sum(1 for w in words if norm(w) in key) for fmt, words in FORMAT_MARKERS.items()}
    by_year = None if year is None else ("2021" if year >= 2021 else "2019")
    if votes["2021"] != votes["2019"]:
        fmt = max(votes, key=lambda f: votes[f])
        reason = f"table headings ({votes[fmt]} words of the {fmt} format, {votes[_other(fmt)]} of the other)"
        return fmt, reason, by_year is not None and by_year != fmt
    if by_year:
        return by_year, f"the report's year ({year})", False
    return "2021", "no evidence; the current format is assumed", False


def _other(fmt: str) -> str:
    return "2019" if fmt == "2021" else "2021"
