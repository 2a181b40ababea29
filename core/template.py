"""The national template (2019 and 2021 formats): sections, rows, columns and their stable field IDs."""
from __future__ import annotations

from dataclasses import dataclass

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
    SectionSpec("review_litigation", "四", ("政府信息公开行政复议、行政诉讼情况",
                                            "因政府信息公开工作被申请行政复议、提起行政诉讼情况")),
    SectionSpec("problems", "五", ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况")),
    SectionSpec("other_matters", "六", ("其他需要报告的事项",)),
)
PROSE_SECTIONS = ("overview", "problems", "other_matters")

# --- section 二 -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class S2Row:
    id: str
    labels: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (column id, label)

    def field(self, column: str) -> str:
        return f"{self.id}.{column}"


_COUNT_2019 = (("previous_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量"))
S2_ROWS = {
    "2021": (
        S2Row("regulations", ("规章",), (("issued", "本年制发件数"), ("repealed", "本年废止件数"),
                                         ("in_force", "现行有效件数"))),
        S2Row("normative_documents", ("行政规范性文件", "规范性文件"),
              (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))),
        S2Row("licensing", ("行政许可",), (("decisions", "本年处理决定数量"),)),
        S2Row("punishment", ("行政处罚",), (("decisions", "本年处理决定数量"),)),
        S2Row("coercion", ("行政强制",), (("decisions", "本年处理决定数量"),)),
        S2Row("fees", ("行政事业性收费",), (("amount", "本年收费金额(单位:万元)"),)),
    ),
    "2019": (
        S2Row("regulations", ("规章",), (("made", "本年新制作数量"), ("published", "本年新公开数量"),
                                         ("total_public", "对外公开总数量"))),
        S2Row("normative_documents", ("规范性文件", "行政规范性文件"),
              (("made", "本年新制作数量"), ("published", "本年新公开数量"), ("total_public", "对外公开总数量"))),
        S2Row("licensing", ("行政许可",), _COUNT_2019),
        S2Row("other_services", ("其他对外管理服务事项",), _COUNT_2019),
        S2Row("punishment", ("行政处罚",), _COUNT_2019),
        S2Row("coercion", ("行政强制",), _COUNT_2019),
        S2Row("fees", ("行政事业性收费",), _COUNT_2019[:2]),
        S2Row("procurement", ("政府集中采购",), (("projects", "采购项目数量"), ("amount", "采购总金额"))),
    ),
}
#: Fields printed with their unit and kept as printed ("6187.4万元").
S2_AMOUNTS_AS_PRINTED = {("2019", "procurement.amount")}

#: Words of one format's section 二 and 三 that the other format never prints.
FORMAT_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
             "逾期不补正", "逾期未按收费通知"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
             "其他对外管理服务事项", "政府集中采购", "采购总金额", "采购项目数量"),
}

# --- section 三 -------------------------------------------------------------------------------------

S3_COLUMNS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")
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
    "2021": _S3_HEAD + (
        S3Row("other.overdue_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "1", "other"),
        S3Row("other.overdue_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "2", "other"),
        S3Row("other.other", "其他", "3", "other"),
    ) + _S3_TAIL,
    "2019": _S3_HEAD + (S3Row("other", "其他处理", "(六)"),) + _S3_TAIL,
}
#: Rows that are not results of handling: everything else between them sums to ``total``.
S3_NON_RESULT_ROWS = ("new_received", "carried_over", "total", "carried_forward")


def s3_result_rows(fmt: str) -> tuple[str, ...]:
    return tuple(r.id for r in S3_ROWS[fmt] if r.id not in S3_NON_RESULT_ROWS)


def s3_groups(fmt: str) -> tuple[S3Group, ...]:
    """Groups whose rows are sub-rows (（六） only has sub-rows in the 2021 format)."""
    return tuple(g for g in S3_GROUPS if any(r.group == g.key for r in S3_ROWS[fmt]))


# --- section 四 -------------------------------------------------------------------------------------

S4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
S4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
S4_FIELDS = tuple((g, c) for g in S4_GROUPS for c in S4_COLUMNS)
