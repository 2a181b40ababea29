"""``python -m core compare A B``: two reports of one organ side by side, year over year.

- Every field either report has, with both values and the change (B − A for numbers; "changed" for text
  values such as 采购总金额; empty when a side is blank or absent).
- The identities across years (when B is on the year after A; see ``zfxxgk_batch.crossyear``):
  结转 (B's 二、上年结转 = A's 四、结转下年度继续办理, per column) and, in the 2021 format,
  现行有效件数 (B's = A's + B's 本年制发件数 − B's 本年废止件数) for 规章 and 行政规范性文件.
- The derived indicators of both years (``zfxxgk_batch.indicators``).
- The prose sections' changes: a similarity ratio (difflib, 1.0 = unchanged) and the number of sentences
  added and removed, with the first few of each.

A and B are report files (any layout) or JSON written by ``python -m core parse``. The older report is
shown as A whatever the order given.

With ``--db DATASET.db`` (a batch database), each file gets the corrections its reviewers made there
(``python -m core review``; found by the file's sha256: ``zfxxgk_review.corrected.apply_for_file``), and
the comparison marks them (``zfxxgk_review.yoy.mark_compare``): each field row gains ``a_corrected`` and
``b_corrected``, each identity ``corrected_cells``; the text marks a corrected value with ``*``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

from zfxxgk_batch.fields import (
    PROSE_FIELDS,
    TEXT_SECTION,
    all_fields,
    has_field,
    value_of,
)
from zfxxgk_batch.indicators import DESCRIPTIONS, indicators
from zfxxgk_batch.organs import organ_key

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
EXAMPLES = 2


def load(path: str, registry=None) -> dict:
    """A report as the output contract's dict: parsed from a report file, or read from parse's JSON."""
    p = Path(path)
    if p.suffix.lower() == ".json" and p.is_file():
        try:
            doc = json.loads(p.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            doc = None
        if isinstance(doc, dict) and "meta" in doc:
            return doc
    from core.api import as_source
    from core.pipeline import parse_source
    from core.source import Source

    source = Source.from_path(p) if path != "-" else as_source(path)
    return parse_source(source, registry=registry).to_dict()


def _change(a, b):
    if a is None or b is None:
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        return None if a == b else "changed"
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        d = b - a
        return round(d, 6) if isinstance(d, float) else d
    return None if a == b else "changed"


def _sentences(text: str) -> list[str]:
    # the first line is the section heading
    body = text.split("\n", 1)[1] if "\n" in text else ""
    return [s.strip() for s in _SENTENCE.findall(body) if len(s.strip()) > 1]


def prose_change(a: str | None, b: str | None) -> dict:
    """Similarity ratio and sentences added/removed between two versions of a prose section."""
    a, b = a or "", b or ""
    sa, sb = _sentences(a), _sentences(b)
    set_a, set_b = set(sa), set(sb)
    added = [s for s in sb if s not in set_a]
    removed = [s for s in sa if s not in set_b]
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if (a or b) else 1.0
    return {
        "ratio": round(ratio, 3),
        "sentences_a": len(sa),
        "sentences_b": len(sb),
        "added": len(added),
        "removed": len(removed),
        "added_examples": added[:EXAMPLES],
        "removed_examples": removed[:EXAMPLES],
    }


def compare_reports(a: dict, b: dict) -> dict:
    """The comparison of two reports (output contract dicts) as a dict (what ``compare --json`` prints)."""
    from zfxxgk_batch.crossyear import year_pair_checks

    ya, yb = (a.get("meta") or {}).get("year"), (b.get("meta") or {}).get("year")
    swapped = isinstance(ya, int) and isinstance(yb, int) and ya > yb
    if swapped:
        a, b, ya, yb = b, a, yb, ya
    ma, mb = a.get("meta") or {}, b.get("meta") or {}
    fields = list(all_fields())
    seen = set(fields)
    for r in (a, b):
        for section in ("active_disclosure", "applications", "review_litigation"):
            data = r.get(section) or {}
            for k, v in data.items():
                cols = v if isinstance(v, dict) else {}
                keys = [k] if section == "active_disclosure" else [f"{k}.{c}" for c in cols]
                for fid in keys:
                    if (section, fid) not in seen:
                        seen.add((section, fid))
                        fields.append((section, fid))
    rows = []
    for section, fid in fields:
        in_a, in_b = has_field(a, section, fid), has_field(b, section, fid)
        if not (in_a or in_b):
            continue
        va, vb = value_of(a, section, fid), value_of(b, section, fid)
        rows.append(
            {"field": f"{section}.{fid}", "a": va, "b": vb, "change": _change(va, vb), "in_a": in_a, "in_b": in_b}
        )
    consecutive = isinstance(ya, int) and isinstance(yb, int) and yb == ya + 1
    identities = year_pair_checks(a, b) if consecutive else []
    ia, ib = indicators(a), indicators(b)
    texts = {}
    prose_keys = set(a.get(TEXT_SECTION) or {}) | set(b.get(TEXT_SECTION) or {})
    for key in [k for k in PROSE_FIELDS if k in prose_keys] + sorted(prose_keys - set(PROSE_FIELDS)):
        texts[key] = prose_change((a.get(TEXT_SECTION) or {}).get(key), (b.get(TEXT_SECTION) or {}).get(key))
    ka, kb = organ_key(ma.get("organ")), organ_key(mb.get("organ"))
    return {
        "a": {k: ma.get(k) for k in ("source", "organ", "year", "format", "layout")} | {"organ_key": ka},
        "b": {k: mb.get(k) for k in ("source", "organ", "year", "format", "layout")} | {"organ_key": kb},
        "swapped": swapped,
        "same_organ": ka is not None and ka == kb,
        "consecutive_years": consecutive,
        "fields": rows,
        "identities": identities,
        "indicators": {
            k: {"a": ia[k], "b": ib[k], "change": _change(ia[k], ib[k]), "formula": DESCRIPTIONS[k]} for k in ia
        },
        "text": texts,
    }


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def _signed(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return ("+" if v > 0 else "") + _fmt(v) if v else "0"
    return str(v)


def render(cmp: dict, changed_only: bool = False) -> str:
    """The comparison as text for a terminal."""
    a, b = cmp["a"], cmp["b"]
    out = [
        f"A: {a['source']}  {a['organ'] or '(organ not found)'}  report on {a['year']}  ({a['format']} format)",
        f"B: {b['source']}  {b['organ'] or '(organ not found)'}  report on {b['year']}  ({b['format']} format)",
    ]
    if cmp["swapped"]:
        out.append("(given in the other order; the older report is shown as A)")
    if not cmp["same_organ"]:
        out.append(f"warning: the organs differ or were not found ({a['organ_key']} / {b['organ_key']})")
    rows = [
        r
        for r in cmp["fields"]
        if not changed_only
        or r["change"] not in (None, 0)
        or r["in_a"] != r["in_b"]
        or (r["a"] is None) != (r["b"] is None)
    ]
    width = max([len(r["field"]) for r in rows] + [5])
    out += ["", f"{'field':{width}}  {'A':>10}  {'B':>10}  {'change':>8}"]
    for r in rows:
        va = (_fmt(r["a"]) if r["in_a"] else "—") + ("*" if r.get("a_corrected") else "")
        vb = (_fmt(r["b"]) if r["in_b"] else "—") + ("*" if r.get("b_corrected") else "")
        out.append(f"{r['field']:{width}}  {va:>10}  {vb:>10}  {_signed(r['change']):>8}")
    unchanged = sum(1 for r in cmp["fields"] if r["change"] == 0)
    changed = sum(1 for r in cmp["fields"] if r["change"] not in (None, 0))
    out.append(
        f"{len(cmp['fields'])} fields: {changed} changed, {unchanged} unchanged, "
        f"{len(cmp['fields']) - changed - unchanged} blank or absent on one side"
    )
    corrected = sum(bool(r.get("a_corrected")) + bool(r.get("b_corrected")) for r in cmp["fields"])
    if corrected:
        values = "value is" if corrected == 1 else "values are"
        out.append(f"* corrected by a reviewer (--db): {corrected} {values} the reviewer's, not the parse's")
    out += ["", "identities across the two years:"]
    if not cmp["consecutive_years"]:
        out.append(f"  not evaluated: the reports are not on consecutive years ({a['year']}, {b['year']})")
    elif not cmp["identities"]:
        out.append("  not evaluated: the cells they read are absent")
    for c in cmp["identities"]:
        mark = "ok  " if c["ok"] else "FAIL"
        out.append(
            f"  {mark} {c['rule']} {c['scope']}: expected {_fmt(c['expected'])}, found {_fmt(c['found'])}"
            + (f" (blank: {', '.join(c['blank_cells'])})" if c["blank_cells"] else "")
            + (f" (corrected: {', '.join(c['corrected_cells'])})" if c.get("corrected_cells") else "")
        )
    fails = sum(1 for c in cmp["identities"] if not c["ok"])
    if cmp["identities"]:
        out.append(f"  {len(cmp['identities'])} checked, {fails} broken")
    out += ["", "indicators:"]
    for k, v in cmp["indicators"].items():
        out.append(f"  {k:28s} {_fmt(v['a']):>8}  {_fmt(v['b']):>8}  {_signed(v['change']):>8}   {v['formula']}")
    out += ["", "prose:"]
    for k, t in cmp["text"].items():
        out.append(
            f"  {k}: similarity {t['ratio']:.2f}; {t['sentences_a']} → {t['sentences_b']} sentences, "
            f"{t['added']} added, {t['removed']} removed"
        )
        for s in t["added_examples"]:
            out.append(f"    + {s[:70]}")
        for s in t["removed_examples"]:
            out.append(f"    - {s[:70]}")
    return "\n".join(out) + "\n"
