"""The template's consistency rules (勾稽关系), evaluated and listed with the cells they read; a break is
reported, never repaired."""
from __future__ import annotations

from core.report import Check, Report
from core.template import APPLICANT_COLUMNS, S3_COLUMNS, S4_COLUMNS, S4_GROUPS, s3_result_rows


def _get(report: Report, path: str):
    section, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return getattr(report, section).get(row, {}).get(col)


def _sum(report: Report, paths: list[str]) -> tuple[int | float, list[str]]:
    total, blanks = 0, []
    for p in paths:
        v = _get(report, p)
        if v is None:
            blanks.append(p)
        elif isinstance(v, (int, float)):
            total += v
    return total, blanks


def _check(report: Report, rule: str, scope: dict, left: list[str], right: list[str],
           unread: set[str] = frozenset()) -> None:
    # A rule that reads a cell nobody could read is not evaluated: its outcome would say nothing.
    if not all(_present(report, p) for p in left + right) or unread.intersection(left + right):
        return
    expected, b1 = _sum(report, left)
    found, b2 = _sum(report, right)
    if isinstance(expected, float) or isinstance(found, float):
        ok = abs(expected - found) < 1e-6
    else:
        ok = expected == found
    report.checks.append(Check(rule, ok, left + right, expected, found, scope, b1 + b2))


def _present(report: Report, path: str) -> bool:
    section, rest = path.split(".", 1)
    row, col = rest.rsplit(".", 1)
    return col in getattr(report, section).get(row, {})


def run_checks(report: Report, fmt: str) -> None:
    apps = "applications"
    unread = {d.where for d in report.diagnostics if d.code == "cell_not_read"}
    check = lambda rule, scope, left, right: _check(report, rule, scope, left, right, unread)
    # Every row: the six applicant columns add up to 总计.
    for row in report.applications:
        check("applicant_columns_sum_to_total", {"row": row},
               [f"{apps}.{row}.total"], [f"{apps}.{row}.{c}" for c in APPLICANT_COLUMNS])
    results = s3_result_rows(fmt)
    for col in S3_COLUMNS:
        # The table's own rule: 第一项加第二项之和，等于第三项加第四项之和.
        check("received_equals_handled_plus_carried", {"column": col},
               [f"{apps}.new_received.{col}", f"{apps}.carried_over.{col}"],
               [f"{apps}.total.{col}", f"{apps}.carried_forward.{col}"])
        # （七）总计 is the sum of the result rows （一）…（六）.
        check("result_rows_sum_to_total", {"column": col},
               [f"{apps}.total.{col}"], [f"{apps}.{r}.{col}" for r in results])
    for g in S4_GROUPS:
        check("review_litigation_group_total", {"group": g},
               [f"review_litigation.{g}.total"], [f"review_litigation.{g}.{c}" for c in S4_COLUMNS[:4]])
