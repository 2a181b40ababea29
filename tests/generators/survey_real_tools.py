"""Parse every case of tests/test_real_tools.py and print what goes wrong in each, as a table and as a
draft of that file's XFAIL dict, "#silent" entries included (the reason is what was observed: the layout that read the text, how many
cells are unread / silent / flagged, and in which rows). The lead runs it after a change of the parser to
see which entries can go.

usage: python -m tests.generators.survey_real_tools [--xfail] [-k SUBSTRING]
"""
from __future__ import annotations

import argparse
import sys
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _rows(wrong) -> list[str]:
    out = []
    for where, _g, _o in wrong:
        kind, key = where.split(" ", 1)
        if kind == "s3":
            row = key.rsplit(".", 1)[0]
            out.append(row)
        elif kind == "s4":
            out.append("s4")
        elif kind == "s2":
            out.append("s2")
        else:
            out.append(key)
    return list(dict.fromkeys(out))


def _span(rows: list[str]) -> str:
    if len(rows) <= 4:
        return ", ".join(rows)
    return f"{rows[0]}, {rows[1]} … {rows[-1]} ({len(rows)} rows)"


def reason(score, gold, out) -> str:
    """A few words on what goes wrong in one parse (``out`` a Report or the exception it raised)."""
    from core.errors import CoreError
    if isinstance(out, CoreError):
        return f"{type(out).__name__}: {str(out)[:90]}"
    if isinstance(out, Exception):
        return f"CRASH: {type(out).__name__}: {str(out)[:90]}"
    d = out.to_dict()
    _cells, wrong, _flagged, _kinds = score.compare(gold, d)
    if not wrong:
        return ""
    by_kind = {k: [w for w in wrong if _kind(score, d, w) == k] for k in ("unread", "silent", "flagged")}
    parts = [f"layout {d['meta'].get('layout')}"]
    s3_cells = sum(1 for w, _g, _o in _cells if w.startswith("s3"))
    s3_unread = sum(1 for w, _g, _o in by_kind["unread"] if w.startswith("s3"))
    if s3_cells and s3_unread == s3_cells:
        parts.append("section 三 not read")
    for k in ("silent", "flagged", "unread"):
        ws = by_kind[k]
        if not ws or (k == "unread" and s3_unread == s3_cells and len(ws) == s3_unread):
            continue
        parts.append(f"{k} {len(ws)} ({_span(_rows(ws))})")
    return "; ".join(parts)


def _silent(score, gold, report) -> bool:
    """True when test_real_tool_output_has_no_silent_cell fails: a silent cell, or wrong cells and no
    warning or failed check at all."""
    _cells, wrong, _flagged, kinds = score.compare(gold, report.to_dict())
    return bool(kinds["silent"] or (wrong and not (report.warnings or report.failed_checks)))


def _kind(score, d, w) -> str:
    where, _g, o = w
    if o is None or o is KeyError or o in ("None", str(KeyError)):
        return "unread"
    if not where.startswith("meta") and score.names_cell(d, score.cell_path(where)):
        return "flagged"
    return "silent"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xfail", action="store_true", help="print a draft XFAIL dict")
    ap.add_argument("--write", action="store_true",
                    help="rewrite the case entries of tests/test_real_tools.py's XFAIL with what was observed "
                         "(the entries of the behaviour tests are kept)")
    ap.add_argument("-k", default="", help="only cases whose id contains this")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    sys.path.insert(0, str(ROOT))
    import test_real_tools as T
    from conftest import shared_score

    score = shared_score()
    material = T.Material()
    results = {}
    for case in T.CASES:
        if a.k not in case.id:
            continue
        try:
            out = material.parse(case)
        except Exception as e:  # noqa: BLE001 - making the material failed: shown, and surveyed on
            out = e
            traceback.print_exc()
        gold = material.gold(case.gold)
        results[case.id] = why = reason(score, gold, out)
        if why and (not hasattr(out, "to_dict") or _silent(score, gold, out)):
            results[case.id + "#silent"] = why
    width = max(map(len, results), default=10)
    for cid, why in results.items():
        if not cid.endswith("#silent"):
            print(f"{cid:<{width}}  {'pass' if not why else 'FAIL ' + why}")
    counts = Counter("pass" if not w else ("crash" if w.startswith("CRASH") else "fail")
                     for c, w in results.items() if not c.endswith("#silent"))
    counts["silent"] = sum(c.endswith("#silent") for c in results)
    print(dict(counts), file=sys.stderr)
    if a.xfail:
        print("XFAIL: dict[str, str] = {")
        for cid, why in results.items():
            if why:
                print(f"    {cid!r}: {why!r},")
        print("}")
    if a.write and not a.k:
        _write(T, results)


def _write(T, results: dict[str, str]) -> None:
    """Replace the XFAIL dict's entries for the cases with ``results``; keep the other entries."""
    path = ROOT / "tests" / "test_real_tools.py"
    text = path.read_text(encoding="utf-8")
    start = text.index("XFAIL: dict[str, str] = {")
    end = text.index("\n}\n", start) + 3
    case_ids = {c.id for c in T.CASES} | {c.id + "#silent" for c in T.CASES}
    kept = {k: v for k, v in T.XFAIL.items() if k not in case_ids}
    lines = ["XFAIL: dict[str, str] = {"]
    lines += [f"    {cid!r}:\n        {why!r}," for cid, why in results.items() if why]
    lines += [f"    {cid!r}:\n        {why!r}," for cid, why in kept.items()]
    lines.append("}\n")
    path.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")
    print(f"wrote {sum(1 for w in results.values() if w)} case entries and kept {len(kept)} others in {path}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
