"""Render an expected-values JSON as text scraped with its table cells glued together (no separator).

Every cell of every table is printed right after the one before it, as text copied out of a web page
whose table markup was stripped: "一、本年新收政府信息公开申请数量801000081二、上年结转…". Options:

- ``one_line``: the whole body on one line (as crawlers save such pages), else one table row per line;
- ``spaces``: a stray space after some value cells (seeded, so a case renders the same every time);
- a sub-row's numbering ("2.其他…") lands right after the digits of the row before it, as it does on
  such pages.

usage: python -m tests.generators.render_glued GOLD.json OUT.txt [--rows] [--spaces SEED]
"""
from __future__ import annotations

import argparse
import json
import random

from tests.generators import blocks_for


def random_gold(seed: int) -> dict:
    """An invented report (gold format) whose numbers satisfy every identity, for property tests:
    mostly zeros and small counts, now and then a large one, a negative 本年增/减, a decimal fee."""
    from core.corpus import S3_KEYS, s2_gold_key
    from core.template import S2_ROWS, S3_NON_RESULT_ROWS, S3_ROWS

    r = random.Random(seed)

    def num(big: bool = False) -> int:
        x = r.random()
        return 0 if x < 0.55 else r.randint(1, 9) if x < 0.8 else r.randint(10, 99) if x < 0.95 else \
            r.randint(100, 2000 if big else 500)

    fmt = r.choice(["2019", "2021"])
    s2 = {}
    for row in S2_ROWS[fmt]:
        for col in (c.id for c in row.columns):
            key = s2_gold_key(fmt, row.field(col))
            if col == "amount" and fmt == "2019":
                s2[key] = f"{r.randint(1, 99999)}.{r.randint(1, 9)}万元"
            elif col == "amount":
                s2[key] = r.choice([0, 12.5, 3235, 5949.088667])
            elif col == "change":
                s2[key] = r.choice([0, 3, -18, 120, -2])
            else:
                s2[key] = num(True)
    ids = {v: k for k, v in S3_KEYS.items()}
    results = [ids[x.id] for x in S3_ROWS[fmt] if x.id not in S3_NON_RESULT_ROWS]
    s3 = {}
    for k in results:
        row = [num() if c == 0 or r.random() < 0.2 else 0 for c in range(6)]
        s3[k] = row + [sum(row)]
    tot = [sum(s3[k][c] for k in results) for c in range(6)]
    cf = [r.choice([0, 0, 1, 2, 5]) if c == 0 else 0 for c in range(6)]
    co = [r.randint(0, tot[c] + cf[c]) if r.random() < 0.3 else 0 for c in range(6)]
    new = [tot[c] + cf[c] - co[c] for c in range(6)]
    s3 = {"new": new + [sum(new)], "carried_over": co + [sum(co)], **s3, "total": tot + [sum(tot)],
          "carry_forward": cf + [sum(cf)]}
    s4 = []
    for _ in range(3):
        parts = [num() if r.random() < 0.4 else 0 for _ in range(4)]
        s4 += parts + [sum(parts)]
    return {"layout": "glued-text", "script": r.choice(["simplified", "simplified", "traditional"]),
            "format": fmt, "year": 2020 if fmt == "2019" else 2022, "organ": "某某县人民政府",
            "s2": s2, "s3": s3, "s4": s4, "notes": f"random report {seed}"}


def render(gold: dict, one_line: bool = True, spaces: int | None = None, header: bool = True, sep: str = "") -> str:
    """The report as glued text. ``spaces``: seed for stray spaces after value cells (None: none).
    ``sep=" "``: every cell one space from the next instead (a page whose line breaks and cell
    boundaries collapsed into single spaces; a blank cell prints nothing, so it leaves no trace)."""
    rng = random.Random(spaces) if spaces is not None else None
    lines: list[str] = []
    if header:
        lines += ["标题: " + blocks_for(gold)[0].text, "栏目: 政府信息公开年报", "=" * 10 + " 正文 " + "=" * 10]
    body: list[str] = []
    for b in blocks_for(gold):
        if b.kind != "table":
            body.append(b.text)
            continue
        for row in b.rows:
            parts = []
            for c in row:
                text = c.text.replace("\n", "")
                if rng is not None and not c.header and text and rng.random() < 0.3:
                    text += " "
                parts.append(text)
            body.append(sep.join(p for p in parts if p) if sep else "".join(parts))
    if one_line and sep:
        lines.append(sep.join(body))
    elif one_line:
        # Blocks run on, now and then with a space between, as on the pages this imitates.
        out, r = [], random.Random(len(body))
        for piece in body:
            out.append(piece + (" " if r.random() < 0.3 else ""))
        lines.append("".join(out))
    else:
        lines += body
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--rows", action="store_true", help="one table row per line")
    ap.add_argument("--spaces", type=int, default=None, help="seed for stray spaces after value cells")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(render(gold, one_line=not a.rows, spaces=a.spaces))


if __name__ == "__main__":
    main()
