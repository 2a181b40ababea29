"""A report of the national template built from an expected-values JSON (the format of
../shared/seeds/expected/README.md), as a list of blocks the HTML and DOCX renderers both print.

Tables are written the way the template prints them: cells with rowspan/colspan; each renderer turns
the merges into its own markup. Nothing here is copied from a real report.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# --- the blocks of a report ---------------------------------------------------------------------------


@dataclass
class C:
    """A table cell as written: ``text`` may hold "\\n" where the template breaks a header line."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Block:
    kind: str  # "title" | "heading" | "subheading" | "para" | "table"
    text: str = ""
    rows: list[list[C]] = field(default_factory=list)
    #: section heading printed inside the table (as its first row) instead of before it
    heading_in_table: bool = False


def fmt(v) -> str:
    """A value as a person would type it into the table; None is a blank cell."""
    if v is None:
        return ""
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def H(text: str, rowspan: int = 1, colspan: int = 1) -> C:
    return C(text, rowspan, colspan, header=True)


def V(v, colspan: int = 1) -> C:
    return C(fmt(v), 1, colspan)


# --- section 二 --------------------------------------------------------------------------------------

# (item heading, gold item key, [(printed column header, gold column key)], [row labels])
S2_2021 = (
    ("第二十条第（一）项", "(一)",
     [("本年制发件数", "本年制发件数"), ("本年废止件数", "本年废止件数"), ("现行有效件数", "现行有效件数")],
     ["规章", "行政规范性文件"]),
    ("第二十条第（五）项", "(五)", [("本年处理决定数量", "本年处理决定数量")], ["行政许可"]),
    ("第二十条第（六）项", "(六)", [("本年处理决定数量", "本年处理决定数量")], ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", "(八)", [("本年收费金额（单位：万元）", "本年收费金额")], ["行政事业性收费"]),
)
_COUNTS_2019 = [("上一年项目数量", "上一年项目数量"), ("本年增/减", "本年增/减"), ("处理决定数量", "处理决定数量")]
S2_2019 = (
    ("第二十条第（一）项", "(一)",
     [("本年新制作数量", "本年新制作数量"), ("本年新公开数量", "本年新公开数量"), ("对外公开总数量", "对外公开总数量")],
     ["规章", "规范性文件"]),
    ("第二十条第（五）项", "(五)", _COUNTS_2019, ["行政许可", "其他对外管理服务事项"]),
    ("第二十条第（六）项", "(六)", _COUNTS_2019, ["行政处罚", "行政强制"]),
    ("第二十条第（八）项", "(八)", _COUNTS_2019[:2], ["行政事业性收费"]),
    ("第二十条第（九）项", "(九)", [("采购项目数量", "采购项目数量"), ("采购总金额", "采购总金额")], ["政府集中采购"]),
)


def s2_items(gold: dict):
    return S2_2019 if str(gold.get("format")) == "2019" else S2_2021


def s2_tables(gold: dict, one_table: bool) -> list[list[list[C]]]:
    """Section 二 as the template prints it (``one_table``: all items in one 4-column table, narrower
    items' last cell spanning the rest) or as many CMSs do (one table per item)."""
    s2 = gold.get("s2") or {}
    tables = []
    width = 4
    rows: list[list[C]] = []
    for heading, item, cols, labels in s2_items(gold):
        w = width if one_table else len(cols) + 1
        part = [[H(heading, colspan=w)]]
        head = [H("信息内容")]
        for i, (printed, _key) in enumerate(cols):
            head.append(H(printed, colspan=(w - len(cols)) if i == len(cols) - 1 else 1))
        part.append(head)
        for label in labels:
            row = [H(label)]
            for i, (_printed, key) in enumerate(cols):
                row.append(V(s2.get(f"{item}/{label}/{key}"), colspan=(w - len(cols)) if i == len(cols) - 1 else 1))
            part.append(row)
        if one_table:
            rows.extend(part)
        else:
            tables.append(part)
    if one_table:
        tables.append(rows)
    return tables


# --- section 三 --------------------------------------------------------------------------------------

DENIED = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
          "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
UNABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
REJECTED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息"]
OTHER_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]


def s3_table(gold: dict) -> list[list[C]]:
    """The applications matrix with its three-deep merged header, exactly as the template prints it."""
    s3 = gold.get("s3") or {}
    fmt2019 = str(gold.get("format")) == "2019"

    def vals(key):
        row = s3.get(key) or [None] * 7
        return [V(v) for v in row]

    rows = [
        [H("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
         H("申请人情况", colspan=7)],
        [H("自然人", rowspan=2), H("法人或其他组织", colspan=5), H("总计", rowspan=2)],
        [H("商业企业"), H("科研机构"), H("社会公益组织"), H("法律服务机构"), H("其他")],
        [H("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new"),
        [H("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carried_over"),
    ]
    results = [[H("（一）予以公开", colspan=2)] + vals("granted"),
               [H("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)] + vals("partial")]

    def group(title, labels, prefix):
        out = []
        for i, label in enumerate(labels):
            lead = [H(title, rowspan=len(labels))] if i == 0 else []
            out.append(lead + [H(label)] + vals(f"{prefix}_{i + 1}"))
        return out

    results += group("（三）不予公开", DENIED, "denied")
    results += group("（四）无法提供", UNABLE, "unable")
    results += group("（五）不予处理", REJECTED, "rejected")
    if fmt2019:
        results.append([H("（六）其他处理", colspan=2)] + vals("other"))
    else:
        results += group("（六）其他处理", OTHER_2021, "other")
    results.append([H("（七）总计", colspan=2)] + vals("total"))
    results[0] = [H("三、本年度办理结果", rowspan=len(results))] + results[0]
    rows += results
    rows.append([H("四、结转下年度继续办理", colspan=3)] + vals("carry_forward"))
    return rows


# --- section 四 --------------------------------------------------------------------------------------

RESULTS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def s4_table(gold: dict) -> list[list[C]]:
    s4 = gold.get("s4") or [None] * 15
    return [
        [H("行政复议", colspan=5), H("行政诉讼", colspan=10)],
        [H(t, rowspan=2) for t in RESULTS] + [H("未经复议直接起诉", colspan=5), H("复议后起诉", colspan=5)],
        [H(t) for t in RESULTS * 2],
        [V(v) for v in s4],
    ]


# --- the whole report ---------------------------------------------------------------------------------

HEADINGS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")


def organ(gold: dict) -> str:
    return gold.get("organ") or "XX县人民政府"


def title(gold: dict) -> str:
    return f"{organ(gold)}{gold['year']}年政府信息公开工作年度报告"


def report_blocks(gold: dict, *, s2_one_table: bool = True, s4_heading_in_table: bool = False) -> list[Block]:
    """Every block of the report in reading order."""
    year = gold["year"]
    s3 = gold.get("s3") or {}
    received = fmt((s3.get("new") or [None] * 7)[6]) or "0"
    b = [Block("title", title(gold)),
         Block("para", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关要求编制。"
                       f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开"
                       f"行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据"
                       f"的统计期限自{year}年1月1日起至{year}年12月31日止。"),
         Block("heading", HEADINGS[0]),
         Block("subheading", "（一）主动公开"),
         Block("para", f"{year}年，{organ(gold)}通过政府网站主动公开政府信息1268条，其中政策文件37件，"
                       f"政策解读21篇，回应社会关切6次。"),
         Block("subheading", "（二）依申请公开"),
         Block("para", f"全年共收到政府信息公开申请{received}件，均在法定期限内答复。"),
         Block("subheading", "（三）政府信息管理"),
         Block("para", "健全信息发布审查机制，落实“先审后发”，对已公开的文件进行清理。"),
         Block("subheading", "（四）政府信息公开平台建设"),
         Block("para", "优化政府网站信息公开专栏，及时更新机构职能、法定主动公开内容等栏目。"),
         Block("subheading", "（五）监督保障"),
         Block("para", "将政务公开工作纳入年度考核，组织业务培训2次。"),
         Block("heading", HEADINGS[1])]
    b += [Block("table", rows=t) for t in s2_tables(gold, s2_one_table)]
    b += [Block("heading", HEADINGS[2]), Block("table", rows=s3_table(gold))]
    if s4_heading_in_table:
        b.append(Block("table", text=HEADINGS[3], rows=s4_table(gold), heading_in_table=True))
    else:
        b += [Block("heading", HEADINGS[3]), Block("table", rows=s4_table(gold))]
    b += [Block("heading", HEADINGS[4]),
          Block("para", "一是政策解读形式比较单一；二是基层公开队伍人员变动较大。下一步将丰富解读形式，"
                        "加强业务培训。"),
          Block("heading", HEADINGS[5]),
          Block("para", f"依据《政府信息公开信息处理费管理办法》，本机关{year}年度未收取信息处理费。"),
          Block("para", f"{organ(gold)}"),
          Block("para", f"{year + 1}年1月20日")]
    return b


def to_traditional(blocks: list[Block]) -> list[Block]:
    """The same report in traditional characters (some sites print that)."""
    import opencc
    conv = opencc.OpenCC("s2t").convert
    out = []
    for blk in blocks:
        rows = [[C(conv(c.text), c.rowspan, c.colspan, c.header) for c in r] for r in blk.rows]
        out.append(Block(blk.kind, conv(blk.text), rows, blk.heading_in_table))
    return out


def blocks_for(gold: dict, **kw) -> list[Block]:
    """The report blocks in the gold's script."""
    blocks = report_blocks(gold, **kw)
    return to_traditional(blocks) if gold.get("script") == "traditional" else blocks
