"""The national template (2019 and 2021 formats), written once: its sections, the rows, columns and labels
of its three tables, their stable field IDs, the kind of value each cell holds, and the identities
(勾稽关系) that tie the cells together. Checks, row placement, the digit-run solver, the prose checks and
the cross-year checks all read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

from core.fields import FieldPath

FORMATS = ("2019", "2021")

# --- sections ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    key: str
    numeral: str
    titles: tuple[str, ...]


SECTIONS = (
    SectionSpec("overview", "一", ("总体情况", "概述")),
    SectionSpec("active_disclosure", "二", ("主动公开政府信息情况", "主动公开情况")),
    SectionSpec("applications", "三", ("收到和处理政府信息公开申请情况", "依申请公开政府信息情况")),
    SectionSpec(
        "review_litigation",
        "四",
        ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    ),
    SectionSpec("problems", "五", ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况")),
    SectionSpec("other_matters", "六", ("其他需要报告的事项",)),
)
PROSE_SECTIONS = ("overview", "problems", "other_matters")
TABLE_SECTION_KEYS = ("active_disclosure", "applications", "review_litigation")

# --- the kinds of value a cell holds ----------------------------------------------------------------

#: A whole number of items, never negative.
COUNT = "count"
#: A change from the year before (2019 format, 本年增/减): a whole number that may carry a sign.
SIGNED = "signed"
#: An amount of money, which may have decimals and be printed with its unit (元, 万元).
AMOUNT = "amount"

# --- section 二 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S2Column:
    id: str
    label: str
    kind: str = COUNT
    #: The unit the cell is counted in, for readers of the data.
    unit: str = "件"


@dataclass(frozen=True)
class S2Row:
    id: str
    labels: tuple[str, ...]
    columns: tuple[S2Column, ...]
    #: The item of Article 20 whose table the row is in (第二十条第（一）项).
    item: str = ""

    def field(self, column: str) -> str:
        return f"{self.id}.{column}"


_ISSUED_2021 = (
    S2Column("issued", "本年制发件数"),
    S2Column("repealed", "本年废止件数"),
    S2Column("in_force", "现行有效件数"),
)
_DECISIONS_2021 = (S2Column("decisions", "本年处理决定数量"),)
_MADE_2019 = (
    S2Column("made", "本年新制作数量"),
    S2Column("published", "本年新公开数量"),
    S2Column("total_public", "对外公开总数量"),
)
_COUNT_2019 = (
    S2Column("previous_items", "上一年项目数量", unit="项"),
    S2Column("change", "本年增/减", SIGNED, unit="项"),
    S2Column("decisions", "处理决定数量"),
)
S2_ROWS = {
    "2021": (
        S2Row("regulations", ("规章",), _ISSUED_2021, "第二十条第（一）项"),
        S2Row("normative_documents", ("行政规范性文件", "规范性文件"), _ISSUED_2021, "第二十条第（一）项"),
        S2Row("licensing", ("行政许可",), _DECISIONS_2021, "第二十条第（五）项"),
        S2Row("punishment", ("行政处罚",), _DECISIONS_2021, "第二十条第（六）项"),
        S2Row("coercion", ("行政强制",), _DECISIONS_2021, "第二十条第（六）项"),
        S2Row(
            "fees",
            ("行政事业性收费",),
            (S2Column("amount", "本年收费金额(单位:万元)", AMOUNT, "万元"),),
            "第二十条第（八）项",
        ),
    ),
    "2019": (
        S2Row("regulations", ("规章",), _MADE_2019, "第二十条第（一）项"),
        S2Row("normative_documents", ("规范性文件", "行政规范性文件"), _MADE_2019, "第二十条第（一）项"),
        S2Row("licensing", ("行政许可",), _COUNT_2019, "第二十条第（五）项"),
        S2Row("other_services", ("其他对外管理服务事项",), _COUNT_2019, "第二十条第（五）项"),
        S2Row("punishment", ("行政处罚",), _COUNT_2019, "第二十条第（六）项"),
        S2Row("coercion", ("行政强制",), _COUNT_2019, "第二十条第（六）项"),
        S2Row("fees", ("行政事业性收费",), _COUNT_2019[:2], "第二十条第（八）项"),
        S2Row(
            "procurement",
            ("政府集中采购",),
            (S2Column("projects", "采购项目数量", unit="项"), S2Column("amount", "采购总金额", AMOUNT, "")),
            "第二十条第（九）项",
        ),
    ),
}
#: Fields printed with their unit and kept as printed ("6187.4万元").
S2_AMOUNTS_AS_PRINTED = {("2019", "procurement.amount")}

#: Words of one format's section 二 and 三 that the other format never prints.
FORMAT_MARKERS = {
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "逾期不补正",
        "逾期未按收费通知",
    ),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "其他对外管理服务事项",
        "政府集中采购",
        "采购总金额",
        "采购项目数量",
    ),
}

# --- section 三 -------------------------------------------------------------------------------------

S3_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
S3_COLUMN_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
APPLICANT_COLUMNS = S3_COLUMNS[:6]


@dataclass(frozen=True)
class S3Row:
    id: str
    label: str
    #: Numbering printed before the label: "一" (top level), "(一)" (result), "1" (sub-row of a group).
    number: str
    group: str | None = None


@dataclass(frozen=True)
class S3Group:
    key: str
    label: str
    number: str


S3_GROUPS = (
    S3Group("denied", "不予公开", "(三)"),
    S3Group("unable", "无法提供", "(四)"),
    S3Group("not_processed", "不予处理", "(五)"),
    S3Group("other", "其他处理", "(六)"),
)

_S3_HEAD = (
    S3Row("new_received", "本年新收政府信息公开申请数量", "一"),
    S3Row("carried_over", "上年结转政府信息公开申请数量", "二"),
    S3Row("granted", "予以公开", "(一)"),
    S3Row("partially_granted", "部分公开(区分处理的,只计这一情形,不计其他情形)", "(二)"),
    S3Row("denied.state_secret", "属于国家秘密", "1", "denied"),
    S3Row("denied.prohibited_by_law", "其他法律行政法规禁止公开", "2", "denied"),
    S3Row("denied.three_safeties_one_stability", "危及三安全一稳定", "3", "denied"),
    S3Row("denied.third_party_rights", "保护第三方合法权益", "4", "denied"),
    S3Row("denied.internal_affairs", "属于三类内部事务信息", "5", "denied"),
    S3Row("denied.process_information", "属于四类过程性信息", "6", "denied"),
    S3Row("denied.enforcement_case_file", "属于行政执法案卷", "7", "denied"),
    S3Row("denied.administrative_query", "属于行政查询事项", "8", "denied"),
    S3Row("unable.not_held", "本机关不掌握相关政府信息", "1", "unable"),
    S3Row("unable.needs_creation", "没有现成信息需要另行制作", "2", "unable"),
    S3Row("unable.unclear_after_correction", "补正后申请内容仍不明确", "3", "unable"),
    S3Row("not_processed.complaint", "信访举报投诉类申请", "1", "not_processed"),
    S3Row("not_processed.duplicate", "重复申请", "2", "not_processed"),
    S3Row("not_processed.publication", "要求提供公开出版物", "3", "not_processed"),
    S3Row("not_processed.excessive", "无正当理由大量反复申请", "4", "not_processed"),
    S3Row("not_processed.confirmation", "要求行政机关确认或重新出具已获取信息", "5", "not_processed"),
)
_S3_TAIL = (
    S3Row("total", "总计", "(七)"),
    S3Row("carried_forward", "结转下年度继续办理", "四"),
)
S3_ROWS = {
    "2021": (
        *_S3_HEAD,
        S3Row(
            "other.overdue_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "1", "other"
        ),
        S3Row(
            "other.overdue_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "2", "other"
        ),
        S3Row("other.other", "其他", "3", "other"),
        *_S3_TAIL,
    ),
    "2019": (*_S3_HEAD, S3Row("other", "其他处理", "(六)"), *_S3_TAIL),
}
#: The group heading the template prints over the result rows.
S3_RESULTS_LABEL = "三、本年度办理结果"
#: Rows that are not results of handling: everything else between them sums to ``total``.
S3_NON_RESULT_ROWS = ("new_received", "carried_over", "total", "carried_forward")


#: （六）其他处理 printed as one row: always so in the 2019 format, and in those 2021-format reports that
#: print it with no sub-rows (real county reports do); its three ``other.*`` rows are then absent.
S3_SINGLE_OTHER = S3Row("other", "其他处理", "(六)")
S3_ROWS_SINGLE_OTHER = {
    fmt: tuple(
        S3_SINGLE_OTHER if r.id == "other.overdue_correction" else r
        for r in rows
        if r.group != "other" or r.id == "other.overdue_correction"
    )
    for fmt, rows in S3_ROWS.items()
}


def s3_rows(fmt: str, single_other: bool = False) -> tuple[S3Row, ...]:
    """The rows of section 三 in ``fmt``; with ``single_other``, （六） as one row (see S3_SINGLE_OTHER)."""
    return S3_ROWS_SINGLE_OTHER[fmt] if single_other else S3_ROWS[fmt]


def s3_result_rows(fmt: str, single_other: bool = False) -> tuple[str, ...]:
    return tuple(r.id for r in s3_rows(fmt, single_other) if r.id not in S3_NON_RESULT_ROWS)


def s3_groups(fmt: str, single_other: bool = False) -> tuple[S3Group, ...]:
    """Groups whose rows are sub-rows (（六） has sub-rows only in the 2021 format, and not always)."""
    return tuple(g for g in S3_GROUPS if any(r.group == g.key for r in s3_rows(fmt, single_other)))


# --- section 四 -------------------------------------------------------------------------------------

S4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
S4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
S4_FIELDS = tuple((g, c) for g in S4_GROUPS for c in S4_COLUMNS)
S4_GROUP_LABELS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼 未经复议直接起诉",
    "litigation_after_review": "行政诉讼 复议后起诉",
}
S4_COLUMN_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# --- labels as the template prints them (for people reading the data) -----------------------------
# The labels above are the ones parsing compares against (halfwidth punctuation, no quotes); these are
# the words of the national template as offices receive it (../shared/domain/template-2021.docx), for the
# terminal view, the column headers of the exports and the batch database's ``fields`` table.

#: The document that fixes each format.
FORMAT_DOCUMENTS = {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}
#: Each section's heading as the 2021 template prints it.
SECTION_HEADINGS = {s.key: f"{s.numeral}、{s.titles[0]}" for s in SECTIONS}
#: The header of the first column of each table of section 二.
S2_ROW_HEADER = "信息内容"
#: Section 二 column labels whose printed form differs from the label parsing compares against.
S2_PRINTED_COLUMN_LABELS = {"本年收费金额(单位:万元)": "本年收费金额（单位：万元）"}
#: Section 三: the header over the applicant columns, and the one over the five columns of organisations.
S3_COLUMNS_HEADER = "申请人情况"
S3_ORGANISATIONS_HEADER = "法人或其他组织"
#: What the template prints under section 三's heading.
S3_BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
#: Section 三 row labels with their numbering, as printed (2021 wording; ``other`` is （六） printed as one
#: row: the 2019 format's wording). Sub-rows are printed under their group's label (S3_GROUP_HEADINGS).
S3_PRINTED_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密",
    "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.three_safeties_one_stability": "3.危及“三安全一稳定”",
    "denied.third_party_rights": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息",
    "denied.process_information": "6.属于四类过程性信息",
    "denied.enforcement_case_file": "7.属于行政执法案卷",
    "denied.administrative_query": "8.属于行政查询事项",
    "unable.not_held": "1.本机关不掌握相关政府信息",
    "unable.needs_creation": "2.没有现成信息需要另行制作",
    "unable.unclear_after_correction": "3.补正后申请内容仍不明确",
    "not_processed.complaint": "1.信访举报投诉类申请",
    "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other.overdue_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
#: The printed label of each group of sub-rows of section 三.
S3_GROUP_HEADINGS = {
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
#: Section 四: the two headers over its groups, and each group's own header under them (行政诉讼 has two).
S4_HEADERS = {
    "review": ("行政复议", ""),
    "litigation_direct": ("行政诉讼", "未经复议直接起诉"),
    "litigation_after_review": ("行政诉讼", "复议后起诉"),
}
#: The unit of every cell of sections 三 and 四 (applications, cases).
S3_S4_UNIT = "件"


# --- identities -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A consistency rule of the template: the cells of ``stated`` (what the table states: its total, or
    the received side of the 勾稽 balance) add up to what the cells of ``summed`` add up to."""

    rule: str
    #: What the rule is evaluated over: ("row", row id), ("column", column id) or ("group", group id).
    scope: tuple[str, str]
    stated: tuple[FieldPath, ...]
    summed: tuple[FieldPath, ...]

    @property
    def cells(self) -> tuple[FieldPath, ...]:
        return self.stated + self.summed

    @cached_property
    def names(self) -> list[str]:
        """The cells' field paths as text (a check lists them; made once per identity, not per parse)."""
        return [str(p) for p in self.cells]


APPS, REVIEW = "applications", "review_litigation"
ROW_SUM = "applicant_columns_sum_to_total"
BALANCE = "received_equals_handled_plus_carried"
RESULTS_SUM = "result_rows_sum_to_total"
GROUP_SUM = "review_litigation_group_total"


@cache
def identities(fmt: str, rows: tuple[str, ...]) -> tuple[Identity, ...]:
    """Every identity of a report of ``fmt`` whose section 三 has the rows ``rows`` (in template order),
    in the order they are evaluated and listed."""
    out: list[Identity] = []

    def cell(row: str, col: str) -> FieldPath:
        return FieldPath(APPS, row, col)

    for row in rows:
        out.append(
            Identity(ROW_SUM, ("row", row), (cell(row, "total"),), tuple(cell(row, c) for c in APPLICANT_COLUMNS))
        )
    results = s3_result_rows(fmt, single_other="other" in rows)
    for col in S3_COLUMNS:
        out.append(
            Identity(
                BALANCE,
                ("column", col),
                (cell("new_received", col), cell("carried_over", col)),
                (cell("total", col), cell("carried_forward", col)),
            )
        )
        out.append(Identity(RESULTS_SUM, ("column", col), (cell("total", col),), tuple(cell(r, col) for r in results)))
    for g in S4_GROUPS:
        out.append(
            Identity(
                GROUP_SUM,
                ("group", g),
                (FieldPath(REVIEW, g, "total"),),
                tuple(FieldPath(REVIEW, g, c) for c in S4_COLUMNS[:4]),
            )
        )
    return tuple(out)


# --- identities across one organ's consecutive years ------------------------------------------------


@dataclass(frozen=True)
class YearIdentity:
    """A rule between an organ's report on year N and its report on N+1: the cell ``stated`` (printed in
    the report of year N + its offset) equals the signed sum of the cells ``summed``, each
    (sign, year offset, cell). Offsets are 0 for year N and 1 for N+1."""

    rule: str
    scope: tuple[str, str]
    stated: tuple[FieldPath, int]
    summed: tuple[tuple[int, int, FieldPath], ...]
    formats: tuple[str, ...] = FORMATS


def year_identities() -> tuple[YearIdentity, ...]:
    """二、上年结转 of N+1 = 四、结转下年度继续办理 of N, per column; in the 2021 format, 现行有效件数 of N+1 =
    that of N + 本年制发件数 − 本年废止件数 of N+1, for 规章 and 行政规范性文件."""
    out = [
        YearIdentity(
            "carried_forward_equals_next_carried_over",
            ("column", col),
            (FieldPath(APPS, "carried_over", col), 1),
            ((1, 0, FieldPath(APPS, "carried_forward", col)),),
        )
        for col in S3_COLUMNS
    ]
    for row in ("regulations", "normative_documents"):
        in_force, issued, repealed = (
            FieldPath("active_disclosure", row, c) for c in ("in_force", "issued", "repealed")
        )
        out.append(
            YearIdentity(
                "in_force_follows_issued_and_repealed",
                ("row", row),
                (in_force, 1),
                ((1, 0, in_force), (1, 1, issued), (-1, 1, repealed)),
                formats=("2021",),
            )
        )
    return tuple(out)


# --- every field ------------------------------------------------------------------------------------


def field_paths(fmt: str) -> tuple[FieldPath, ...]:
    """Every cell a report of ``fmt`` has, in template order."""
    out = [FieldPath("active_disclosure", r.id, c.id) for r in S2_ROWS[fmt] for c in r.columns]
    out += [FieldPath(APPS, r.id, c) for r in S3_ROWS[fmt] for c in S3_COLUMNS]
    out += [FieldPath(REVIEW, g, c) for g, c in S4_FIELDS]
    return tuple(out)


def cell_kind(fmt: str, path: FieldPath) -> str:
    """The kind of value (COUNT, SIGNED or AMOUNT) the template puts in a cell."""
    if path.section == "active_disclosure":
        for r in S2_ROWS[fmt]:
            if r.id == path.row:
                for c in r.columns:
                    if c.id == path.column:
                        return c.kind
    return COUNT
