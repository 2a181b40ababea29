"""Regression cases: expected values in the seeds' "gold" format, written from a parse and compared with one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from core.template import S2_ROWS, S3_COLUMNS, S4_FIELDS

#: gold s3 key -> stable row id
S3_KEYS = {
    "new": "new_received",
    "carried_over": "carried_over",
    "granted": "granted",
    "partial": "partially_granted",
    "denied_1": "denied.state_secret",
    "denied_2": "denied.prohibited_by_law",
    "denied_3": "denied.three_safeties_one_stability",
    "denied_4": "denied.third_party_rights",
    "denied_5": "denied.internal_affairs",
    "denied_6": "denied.process_information",
    "denied_7": "denied.enforcement_case_file",
    "denied_8": "denied.administrative_query",
    "unable_1": "unable.not_held",
    "unable_2": "unable.needs_creation",
    "unable_3": "unable.unclear_after_correction",
    "rejected_1": "not_processed.complaint",
    "rejected_2": "not_processed.duplicate",
    "rejected_3": "not_processed.publication",
    "rejected_4": "not_processed.excessive",
    "rejected_5": "not_processed.confirmation",
    "other": "other",
    "other_1": "other.overdue_correction",
    "other_2": "other.overdue_fee",
    "other_3": "other.other",
    "total": "total",
    "carry_forward": "carried_forward",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")


def s2_gold_key(fmt: str, field: str) -> str:
    row_id, col = field.split(".")
    spec = next(r for r in S2_ROWS[fmt] if r.id == row_id)
    label = next(c.label for c in spec.columns if c.id == col).split("(")[0]
    item = spec.item.replace("（", "(").replace("）", ")")
    return f"{item[item.index('(') : item.index(')') + 1]}/{spec.labels[0]}/{label}"


def to_gold(report: dict) -> dict:
    """The report's values in the gold format (the format of ../shared/seeds/expected)."""
    meta = report["meta"]
    fmt = meta.get("format")
    s3_ids = {v: k for k, v in S3_KEYS.items()}
    gold = {
        "layout": meta.get("layout"),
        "script": meta.get("script"),
        "format": fmt,
        "year": meta.get("year"),
        "organ": meta.get("organ"),
        "s2": {s2_gold_key(fmt, f): v for f, v in report["active_disclosure"].items()},
        "s3": {s3_ids[r]: [cols.get(c) for c in S3_COLUMNS] for r, cols in report["applications"].items()},
    }
    if report["review_litigation"]:
        gold["s4"] = [report["review_litigation"].get(g, {}).get(c) for g, c in S4_FIELDS]
    failed = [
        {"rule": c["rule"], **{k: c[k] for k in ("row", "column", "group") if k in c}}
        for c in report["checks"]
        if not c["ok"]
    ]
    if failed:
        gold["failed_checks"] = failed
    warnings = sorted({d["code"] for d in report["diagnostics"] if d["level"] in ("warning", "error")})
    if warnings:
        gold["warnings"] = warnings
    gold["notes"] = "written by corpus-add from a parse: check every value against the document by hand"
    return gold


def compare(gold: dict, report: dict) -> list[str]:
    """Every difference between the expected values and a parse, as readable lines (empty: all match)."""
    diffs = []
    for key in ("year", "format"):
        if gold.get(key) is not None and str(gold[key]) != str(report["meta"].get(key)):
            diffs.append(f"meta.{key}: want {gold[key]!r} got {report['meta'].get(key)!r}")
    for k, row in gold.get("s3", {}).items():
        got = report["applications"].get(S3_KEYS[k])
        for col, want in zip(S3_COLUMNS, row):
            have = got.get(col, "missing") if got is not None else "missing"
            if have != want:
                diffs.append(f"applications.{S3_KEYS[k]}.{col}: want {want!r} got {have!r}")
    if "s4" in gold:
        for (g, c), want in zip(S4_FIELDS, gold["s4"]):
            have = report["review_litigation"].get(g, {}).get(c, "missing")
            if have != want:
                diffs.append(f"review_litigation.{g}.{c}: want {want!r} got {have!r}")
    for k, want in gold.get("s2", {}).items():
        field = s2_field(k)
        have = report["active_disclosure"].get(field, "missing")
        if _num(have) != _num(want):
            diffs.append(f"active_disclosure.{field}: want {want!r} got {have!r}")
    return diffs


def s2_field(gold_key: str) -> str:
    """'(一)/规章/本年制发件数' -> 'regulations.issued'."""
    _item, row, col = gold_key.split("/", 2)
    rows = {label: spec.id for specs in S2_ROWS.values() for spec in specs for label in spec.labels}
    cols = {c.label.split("(")[0]: c.id for specs in S2_ROWS.values() for spec in specs for c in spec.columns}
    return f"{rows[row]}.{cols[col.split('(')[0]]}"


def _num(v):
    if isinstance(v, str):
        s = v.replace(",", "").strip()
        try:
            f = float(s)
            return int(f) if f == int(f) else f
        except ValueError:
            return s
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def add_case(file: Path, name: str, corpus: Path, registry=None) -> list[Path]:
    """Copy ``file`` into the corpus as case ``name`` and write its expected JSON from a parse.
    Refuses to overwrite an existing case."""
    from core.api import as_source
    from core.errors import NotAReport, UsageError
    from core.pipeline import parse_source

    if not _NAME.match(name):
        raise UsageError(f"case name {name!r}: use letters, digits, '-' and '_'")
    cases, expected = corpus / "cases", corpus / "expected"
    target = cases / f"{name}{file.suffix}"
    gold_path = expected / f"{name}.json"
    for p in (target, gold_path):
        if p.exists():
            raise UsageError(f"{p} exists already; choose another --name")
    source = as_source(file)
    try:
        gold = to_gold(parse_source(source, registry=registry).to_dict())
    except NotAReport as e:
        gold = {
            "expect": "refuse",
            "exit": 4,
            "stderr_contains": str(e)[:40],
            "notes": "written by corpus-add: check that this document must be refused",
        }
    cases.mkdir(parents=True, exist_ok=True)
    expected.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, target)
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [target, gold_path]
