"""The prose against the tables: section 一 (and sometimes 五/六) restates numbers of sections 三 and 四
("全年共受理政府信息公开申请81件，其中予以公开25件…", "行政复议案件2件、行政诉讼案件7件"). Each statement
that maps onto table cells with certainty becomes a ``prose_matches_table`` check; a contradiction is
also a ``prose_contradicts_table`` warning, since one of the two is wrong and only a reader can tell which.

Conservative by design: a clause (cut at commas, colons, brackets and, between numbers, 、) is read only
when it consists of one known statement and words that cannot change its meaning (全年, 共, 其中, 全市,
the report's own year …), and when its heading, paragraph or sentence speaks of information disclosure
(信息公开, 依申请). Anything else — another year, a comparison (较去年), a share (%), an approximation
(余, 近), a subset (网上申请, 企业, 各部门, 涉及…), a second keyword or a second number, a bracket before it
("全区（含各街道）…") — makes the clause unreadable, and it is skipped. Table cells that are absent, all
blank, or doubted by a warning are not compared; a blank beside filled cells counts as 0 (``blank_cells``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from core.checks import Check
from core.diagnostics import WARNING, Notes
from core.fields import FieldPath
from core.sheet import Sheet
from core.template import PROSE_SECTIONS, S2_ROWS, S3_ROWS, S4_GROUPS
from core.text import to_simplified

RULE = "prose_matches_table"
CODE = "prose_contradicts_table"

_NUM = r"(?<![\d.])(?P<n>\d+)[ \t]*(?P<u>件|宗|个|起|条)(?![次数])"
#: Words allowed between a statement's keyword and its number ("申请共计81件", "答复的有 1 件").
_FILL = r"[ \t]*(?:(?:共计|总共|合计|总计|一共|共|计|为|有|达到|达|数量|数|的|是)[ \t]*){0,3}"
_NOT = r"(?<!不)(?<!不予)"
_RESULT_TAIL = r"(?:答复|决定)?(?:的)?(?:申请)?(?:事项)?"
_PRIOR = r"上一?年度?"

#: (statement kind, pattern). Each pattern ends at the number (or starts with it, for "2件结转下一年度").
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (k, re.compile(p))
    for k, p in (
        (
            "received",
            r"(?P<verb>新收|收到|受理|接收|接到|办理)了?(?:各类)?"
            r"(?:依申请公开(?:申请)?|(?:政府信息公开|信息公开|公开)?申请(?:公开事项|事项)?)" + _FILL + _NUM,
        ),
        ("carried_over", _PRIOR + r"结转(?:的)?(?:政府信息公开|信息公开)?(?:申请)?(?:事项)?" + _FILL + _NUM),
        (
            "carried_forward",
            r"(?:结转|转入|转至|转到|转|顺延)(?:至|到|入)?下一?年度?(?:继续)?"
            r"(?:办理|答复|处理)?(?:答复)?(?:的)?(?:申请)?" + _FILL + _NUM,
        ),
        (
            "carried_forward",
            _NUM + r"[ \t]*(?:申请)?(?:结转|转入|转至|转到|顺延)(?:至|到|入)?下一?年度?"
            r"(?:继续)?(?:办理|答复|处理)?",
        ),
        ("granted_partial", _NOT + r"(?:予以公开|同意公开)(?:和|及|与|以及|、)部分公开" + _RESULT_TAIL + _FILL + _NUM),
        ("granted", _NOT + r"(?:予以公开|同意公开)" + _RESULT_TAIL + _FILL + _NUM),
        ("partially_granted", r"部分公开" + _RESULT_TAIL + _FILL + _NUM),
        ("denied", r"不予(?:以)?公开" + _RESULT_TAIL + _FILL + _NUM),
        ("unable", r"无法提供" + _RESULT_TAIL + _FILL + _NUM),
        ("not_processed", r"不予处理" + _RESULT_TAIL + _FILL + _NUM),
        ("other", r"其他处理" + _RESULT_TAIL + _FILL + _NUM),
        ("review", r"行政复议(?:案件|申请)?" + _FILL + _NUM),
        ("litigation", r"行政诉讼(?:案件)?" + _FILL + _NUM),
    )
)
#: Section 二 statements, which need no talk of disclosure around them: "制定规范性文件15件", "废止规章2件".
_S2_DOCS = r"(?P<doc>(?:行政)?规范性文件|规章)"
_S2_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (k, re.compile(p))
    for k, p in (
        ("issued", r"(?:新)?(?:制定|制发|出台|印发)(?:了)?" + _S2_DOCS + _FILL + _NUM),
        ("repealed", r"(?:废止|宣布失效)(?:了)?" + _S2_DOCS + _FILL + _NUM),
        ("in_force", r"现行有效(?:的)?" + _S2_DOCS + _FILL + _NUM),
    )
)
_S2_ROW = {"规章": "regulations", "规范性文件": "normative_documents", "行政规范性文件": "normative_documents"}
_S2_KINDS = {f"{row}.{kind}" for row in set(_S2_ROW.values()) for kind, _p in _S2_PATTERNS}

#: Outcomes of the review or litigation stated just before ("…行政复议351件，其中结果维持72件，…").
_OUTCOMES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (k, re.compile(p))
    for k, p in (
        ("upheld", r"(?:结果)?维持(?:原决定|原行政行为)?(?:的)?" + _FILL + _NUM),
        ("corrected", r"(?:结果)?纠正(?:的)?" + _FILL + _NUM),
        ("other", r"其他结果(?:的)?" + _FILL + _NUM),
        ("pending", r"(?:尚)?未审结(?:的)?" + _FILL + _NUM),
    )
)

#: Any keyword of any statement: a clause whose leftover words hold one is about two things at once.
_KEYWORD = re.compile(
    r"予以公开|同意公开|部分公开|不予|无法提供|其他处理|结转|顺延|转入|转至|转到|下一?年度"
    r"|复议|诉讼|起诉|新收|收到|受理|接收|接到|办理|办结|答复|维持|纠正|审结|其他结果|申请"
    r"|规范性文件|规章|制定|制发|出台|印发|废止|失效|现行有效"
)
#: Leftover words that cannot change what a clause states.
_HARMLESS = re.compile(
    r"(?:19|20)\d\d[ \t]*年度?|全年度?|本年度?|今年|年内|当年|度"
    r"|[全我本](?:市|县|区|旗|镇|乡|省|局|委|办|厅|院|署|会|所|中心|机关|单位)"
    r"|共计|总共|合计|总计|一共|共|计|其中|另有|另外|此外|同时|还|已经|已|均|依法|实际|有|的|了|并|在"
    r"|政府信息公开工作|政府信息公开|信息公开|依申请公开|政务公开|因|由于|被申请|被提起|提起|引起的|引发的"
    r"|导致的|含|包括|[ \t、]"
)
_YEAR = re.compile(r"((?:19|20)\d\d)[ \t]*年")
_DIGITS = re.compile(r"\d+")
#: A number with its unit as every statement pattern ends or starts with it (_NUM on its own).
_ANY_NUMBER = re.compile(_NUM)
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?=[ \t]*[件宗个起条])")
_SENTENCE_END = re.compile(r"[。!?;]")
_CLAUSE_END = re.compile(r"[,:()]")
_COMBINED_SUFFIX = re.compile(r"[ \t]*\([ \t]*(?:其中)?(?:含|包括)" + _PRIOR + "结转")
_LINE_END = "。!?;:"
_ABOUT_DISCLOSURE = re.compile(r"信息公开|依申请")
#: A statement clause is short; a longer one is never read (and no regex runs over a megabyte-long line).
_LONGEST_CLAUSE = 120
#: Characters read per section: a report's section 一 has a few thousand; megabytes of it are no prose
#: a report restates its tables in, and reading them all would only cost time.
_MOST_CHARS = 100_000


@dataclass(frozen=True)
class Statement:
    """A number the prose states about table cells: what it counts (``kind``), the number, the clause
    that says it, and the prose section it is in."""

    kind: str
    number: int
    clause: str
    end: int  # where the clause ends in its sentence
    verb: str = ""
    combined: bool = False  # "共办理…N件（含上年结转…）": new_received + carried_over
    section: str = ""


def find_statements(prose: dict[str, str], meta: dict) -> list[Statement]:
    """Every statement the prose sections make about the tables' numbers, in document order."""
    out: list[Statement] = []
    year = meta.get("year")
    traditional = meta.get("script") == "traditional"
    for key in PROSE_SECTIONS:
        text = prose.get(key)
        if not text:
            continue
        if len(text) > _MOST_CHARS:  # only whole sentences of the first _MOST_CHARS characters
            text = text[:_MOST_CHARS]
            text = text[: max(text.rfind("。"), text.rfind("\n")) + 1]
        if traditional:
            text = to_simplified(text)
        for about, sentence in _sentences(text):
            if not _DIGITS.search(sentence):
                continue
            out += [replace(st, section=key) for st in _statements(sentence, year, about)]
    return out


def prose_checks(sheet: Sheet, statements: list[Statement], fmt: str | None, notes: Notes) -> list[Check]:
    """Check every statement of the prose against the table cells it restates."""
    checks: list[Check] = []
    if fmt not in S3_ROWS or not len(sheet):
        return checks
    done: set[tuple] = set()
    for st in statements:
        check = _check(sheet, fmt, st, done, notes)
        if check is not None:
            checks.append(check)
    return checks


def stated_cells(statements: list[Statement], fmt: str) -> dict[FieldPath, list[Statement]]:
    """The statements that each name one section-二 cell, by that cell: the prose's evidence for a cell
    the table's text leaves undecided (a run of digits glued together)."""
    out: dict[FieldPath, list[Statement]] = {}
    columns = {r.id: {c.id for c in r.columns} for r in S2_ROWS.get(fmt, ())}
    for st in statements:
        row, _, col = st.kind.partition(".")
        if row in columns and col in columns[row]:
            out.setdefault(FieldPath("active_disclosure", row, col), []).append(st)
    return out


# --- finding statements -----------------------------------------------------------------------------


def _sentences(text: str) -> list[tuple[bool, str]]:
    """(about, sentence) for the sentences of the prose, with hard line wraps (PDF text) joined back and
    markup dropped; ``about`` says whether the last short heading or the paragraph before the sentence
    spoke of information disclosure (信息公开, 依申请)."""
    text = unicodedata.normalize("NFKC", text).replace("*", "").replace("#", "").replace("`", "")
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    joined: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            joined.append("")
            continue
        prev = joined[-1] if joined else ""
        if prev and prev[-1] not in _LINE_END and not (_is_heading(prev) and len(prev) <= 30) and not _is_heading(line):
            joined[-1] += line
        else:
            joined.append(line)
    out = []
    heading_about = False
    for para in joined:
        if _is_heading(para) and len(para) <= 30:
            heading_about = bool(_ABOUT_DISCLOSURE.search(para))
        about = heading_about
        for sentence in _SENTENCE_END.split(para):
            # A sentence's own numbering ("(二)依申请公开情况") is no bracket qualifying what follows.
            cut = _HEADING.sub("", sentence.strip())
            if cut:
                out.append((about, cut))
            about = about or bool(_ABOUT_DISCLOSURE.search(sentence))
    return out


_HEADING = re.compile(r"^(?:\(?[一二三四五六七八九十]{1,3}[)、.]|\(\d{1,2}\)|\d{1,2}[.、](?!\d))")


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line))


def _clauses(sentence: str) -> list[tuple[int, str]]:
    """(offset, clause) for the clauses of a sentence: cut at commas, colons and brackets, and at 、 only
    when every part holds a number ("不予公开20件、无法提供26件", not "行政复议、行政诉讼共3件")."""
    out = []
    start = 0
    for m in [*list(_CLAUSE_END.finditer(sentence)), None]:
        end = m.start() if m else len(sentence)
        part = sentence[start:end]
        pieces = part.split("、")
        if len(pieces) > 1 and all(_DIGITS.search(p) for p in pieces):
            off = start
            for p in pieces:
                out.append((off, p))
                off += len(p) + 1
        else:
            out.append((start, part))
        start = end + 1
    return [(o, c) for o, c in out if c.strip()]


def _statements(sentence: str, year: int | None, about: bool = False) -> list[Statement]:
    found = _all_statements(sentence, year)
    # Only about information disclosure: "全年受理申请3000件" in a paragraph on the service centre, or
    # "行政复议案件200件" in a justice bureau's report on its own work, are about something else.
    found = [st for st in found if about or st.kind in _S2_KINDS or _ABOUT_DISCLOSURE.search(sentence[: st.end])]
    received = [st for st in found if st.kind == "received"]
    if len(received) > 1 or any("其中" in st.clause for st in received):
        # "收到申请100件，受理申请80件" or "…，其中受理申请80件": one of them is a subset.
        found = [st for st in found if st.kind != "received"]
    return found


def _all_statements(sentence: str, year: int | None) -> list[Statement]:
    found: list[Statement] = []
    group: str | None = None  # review / litigation just stated: the outcomes after "其中" are its
    outcomes_open = False
    for off, clause in _clauses(sentence):
        if len(clause) > _LONGEST_CLAUSE:
            group, outcomes_open = None, False
            continue
        if off > 0 and sentence[off - 1] == ")" and _DIGITS.search(clause):
            # "全区（区政府及各部门、街道）新收申请166件": the bracket qualifies what follows.
            group, outcomes_open = None, False
            continue
        s2 = _read(clause, _S2_PATTERNS, year)
        if s2 is not None:
            kind, m, _verb = s2
            found.append(
                Statement(f"{_S2_ROW[m.group('doc')]}.{kind}", int(m.group("n")), clause.strip(), off + len(clause))
            )
            group, outcomes_open = None, False
            continue
        st = _read(clause, _PATTERNS, year)
        if st is not None:
            kind, m, verb = st
            combined = False
            if kind == "received":
                combined = bool(_COMBINED_SUFFIX.match(sentence, off + m.end()))
                if verb == "办理" and not combined:
                    group, outcomes_open = None, False
                    continue
            found.append(Statement(kind, int(m.group("n")), clause.strip(), off + len(clause), verb, combined))
            group, outcomes_open = (kind if kind in ("review", "litigation") else None), False
            continue
        if group is not None:
            st = _read(clause, _OUTCOMES, year, allow_lead="其中")
            if st is not None:
                kind, m, lead = st
                if lead or outcomes_open:
                    outcomes_open = True
                    found.append(Statement(f"{group}.{kind}", int(m.group("n")), clause.strip(), off + len(clause)))
                    continue
        group, outcomes_open = None, False
    return found


def _read(clause: str, patterns, year: int | None, allow_lead: str = ""):
    """The one statement a clause makes, as (kind, match, verb or lead flag), or None."""
    if not _ANY_NUMBER.search(clause):
        return None  # every pattern holds _NUM: a clause without a counted number matches none
    hits = [(kind, m) for kind, p in patterns for m in p.finditer(clause)]
    if len(hits) != 1:
        # Several statements in one clause, or none: only the combined "予以公开及部分公开" is one.
        hits = [h for h in hits if h[0] == "granted_partial"] if any(h[0] == "granted_partial" for h in hits) else []
        if len(hits) != 1:
            return None
    kind, m = hits[0]
    rest = clause[: m.start()] + " " + clause[m.end() :]
    if _KEYWORD.search(rest.replace("被申请", "")):
        return None
    for y in _YEAR.findall(rest):
        if year is None or int(y) != year:
            return None
    if _DIGITS.search(_YEAR.sub(" ", rest)):
        return None
    leftover = _HARMLESS.sub("", rest)
    if leftover.strip():
        return None
    if allow_lead:
        return kind, m, allow_lead in clause[: m.start()]
    verb = m.groupdict().get("verb") or ""
    return kind, m, verb


# --- mapping statements onto cells ------------------------------------------------------------------


def _cells(kind: str, rows: tuple[str, ...], combined: bool) -> tuple[list[str], str] | None:
    """The cells a statement restates and the ``where`` of a warning about it; ``rows`` are the rows of
    section 三 the table has (a group's rows are its sub-rows, or the group's one row)."""
    apps = "applications"
    if kind in _S2_KINDS:
        return [f"active_disclosure.{kind}"], f"active_disclosure.{kind}"
    simple = {
        "received": "new_received",
        "carried_over": "carried_over",
        "carried_forward": "carried_forward",
        "granted": "granted",
        "partially_granted": "partially_granted",
    }
    if kind == "received" and combined:
        return [
            f"{apps}.new_received.total",
            f"{apps}.carried_over.total",
        ], "applications.new_received.total+carried_over.total"
    if kind in simple:
        return [f"{apps}.{simple[kind]}.total"], f"{apps}.{simple[kind]}.total"
    if kind == "granted_partial":
        return [
            f"{apps}.granted.total",
            f"{apps}.partially_granted.total",
        ], "applications.granted.total+partially_granted.total"
    if kind in ("denied", "unable", "not_processed", "other"):
        group = [r for r in rows if r == kind or r.startswith(kind + ".")]
        if not group:
            return None
        where = f"{apps}.{kind}.*.total" if len(group) > 1 else f"{apps}.{kind}.total"
        return [f"{apps}.{r}.total" for r in group], where
    head, _, col = kind.partition(".")
    col = col or "total"
    if head == "review":
        return [f"review_litigation.review.{col}"], f"review_litigation.review.{col}"
    if head == "litigation":
        return [f"review_litigation.{g}.{col}" for g in S4_GROUPS[1:]], f"review_litigation.litigation_*.{col}"
    return None


def _check(sheet: Sheet, fmt: str, st: Statement, done: set, notes: Notes) -> Check | None:
    mapped = _cells(st.kind, sheet.rows("applications"), st.combined)
    if mapped is None:
        return None
    cells, where = mapped
    paths = [FieldPath.parse(c) for c in cells]
    if not all(sheet.has(p) for p in paths):
        return None
    values = [sheet.value(p) for p in paths]
    if all(v is None for v in values) or any(isinstance(v, float) for v in values):
        return None
    if any(sheet.unread(p) for p in paths):
        return None  # a cell the parser could not read is not a blank the prose can be held against
    blanks = [c for c, v in zip(cells, values) if v is None]
    found = sum(v for v in values if v is not None)
    if found != st.number and st.kind == "received" and st.verb == "受理" and not st.combined:
        # "受理" often counts every application handled in the year, carried-over ones included.
        extra = FieldPath("applications", "carried_over", "total")
        carried = sheet.value(extra)
        if carried and found + carried == st.number:
            cells, where, found = (
                [*cells, str(extra)],
                "applications.new_received.total+carried_over.total",
                found + carried,
            )
    key = (tuple(cells), st.number)
    if key in done:
        return None
    done.add(key)
    ok = found == st.number
    if not ok:
        notes.add(
            WARNING,
            CODE,
            where,
            f"the text ({st.section}) says “{st.clause}” ({st.number}) but the table has {found} "
            f"in {', '.join(cells)}: one of the two is wrong",
        )
    return Check(RULE, ok, cells, st.number, found, {}, blanks, sentence=st.clause)
