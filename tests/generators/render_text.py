"""Render an expected-values JSON as text in each text layout the built-in plugins read.

Merged cells print once, in their first grid position, as text scraped from a web table does.

usage: python -m tests.generators.render_text GOLD.json OUT.txt --layout pipe-rows
"""
from __future__ import annotations

import argparse
import json

from tests.generators import Block, blocks_for

LAYOUTS = ("pipe-rows", "pipe-cells", "tab-rows", "blank-line-cells", "markdown-table")


def _grid(rows) -> list[list[str]]:
    """Rows of cell texts with merged cells printed once and their other positions blank."""
    taken: dict[tuple[int, int], bool] = {}
    out = []
    for r, row in enumerate(rows):
        line, col = [], 0
        for cell in row:
            while taken.get((r, col)):
                line.append("")
                col += 1
            line.append(cell.text.replace("\n", ""))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr or dc:
                        taken[(r + dr, col + dc)] = True
            line.extend([""] * (cell.colspan - 1))
            col += cell.colspan
        while taken.get((r, col)):
            line.append("")
            col += 1
        out.append(line)
    return out


def _compact(rows) -> list[list[str]]:
    """Rows as the merged-cell scrape prints them: only the cells that are written, in order."""
    return [[c.text.replace("\n", "") for c in row] for row in rows]


def render(gold: dict, layout: str) -> str:
    blocks: list[Block] = blocks_for(gold)
    out: list[str] = []
    for b in blocks:
        if b.kind != "table":
            if layout == "markdown-table" and b.kind == "heading":
                out.append(f"## {b.text}")
            elif layout == "blank-line-cells":
                out += [b.text, ""]
            else:
                out.append(b.text)
            continue
        if layout == "pipe-rows":
            out += [" | ".join(r) + " |" for r in _compact(b.rows)]
        elif layout == "tab-rows":
            out += ["\t".join(r) for r in _grid(b.rows)]
        elif layout == "markdown-table":
            grid = _grid(b.rows)
            width = max(len(r) for r in grid)
            grid = [r + [""] * (width - len(r)) for r in grid]
            out.append("| " + " | ".join(grid[0]) + " |")
            out.append("|" + "---|" * width)
            out += ["| " + " | ".join(r) + " |" for r in grid[1:]]
        elif layout == "pipe-cells":
            for row in b.rows:
                for c in row:
                    out.append(f"{c.text.replace(chr(10), '')} |" + (" " + "|" * (c.colspan - 1) if c.colspan > 1 else ""))
        elif layout == "blank-line-cells":
            # One blank line separates two cells; an empty cell is one extra blank line.
            for row in b.rows:
                for c in row:
                    out += [c.text.replace("\n", ""), ""] if c.text else [""]
        else:
            raise ValueError(f"unknown layout {layout}")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--layout", choices=LAYOUTS, default="pipe-rows")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(render(gold, a.layout))


if __name__ == "__main__":
    main()
