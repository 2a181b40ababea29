"""A generated corpus for the batch tests and bench/bench_batch.py: the shared seeds' expected values,
varied and chained across years for several organs, rendered as text (every text layout), HTML or PDF,
mixed with files that must fail.

Per organ the years are chained the way real reports are: 二、上年结转 of year N+1 is 四、结转下年度继续办理 of
year N, and in the 2021 format 现行有效件数 follows 本年制发 and 本年废止, except for planted breaks. Some
reports carry planted damage: a stale total (failed checks), a value that cannot be read (a warning), a
duplicate (the same organ and year in two files), traditional script (the organ printed in traditional
characters). ``build_corpus`` returns what it planted, so tests can check the batch found exactly that.
"""
from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds" / "expected"
CASES = ROOT / "corpus" / "cases"

SEED_2019 = ("001_bfb1f788e4caebeb",)
SEED_2021 = ("002_9a8304ec5e0937a6", "003_b3dc6a45f7c80d64", "000_1e4bc6448c6781ed", "004_6f81646acbd5a3c6")
PLACES = ("青山", "云溪", "白石", "临河", "东湖", "南岭", "北川", "西林", "金沙", "玉泉", "龙潭", "凤台", "松江", "柳岸",
          "石门", "桃源", "梅岭", "竹溪", "兰亭", "荷塘")
KINDS = ("县人民政府", "市教育局", "县卫生健康委员会", "区司法局", "市交通运输局", "县民政局", "镇人民政府",
         "市生态环境局", "县农业农村局")
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
S3_ROWS_WITH_TOTALS = ("new", "carried_over", "granted", "total", "carry_forward")


def available() -> bool:
    return all((SEEDS / f"{s}.json").exists() for s in SEED_2019 + SEED_2021)


needs_seeds = pytest.mark.skipif(not available(), reason="../shared/seeds is not beside the project")


def load_seed(name: str) -> dict:
    return json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))


def organs(n: int) -> list[str]:
    out = []
    for i in range(n):
        place = PLACES[i % len(PLACES)] + ("" if i < len(PLACES) else PLACES[(i // len(PLACES)) % len(PLACES)])
        out.append(place + KINDS[i % len(KINDS)])
    return out


def _num(v):
    return 0 if v is None else v


def _retotal(s3: dict, key: str) -> None:
    row = s3.get(key)
    if row and all(v is not None for v in row[:6]):
        row[6] = sum(row[:6])


def vary(gold: dict, rng: random.Random) -> dict:
    """Change some numbers, keeping every identity of the template."""
    s3 = gold["s3"]
    a = rng.randint(0, 40)
    for key in ("new", "granted", "total"):
        s3[key][0] = _num(s3[key][0]) + a
        _retotal(s3, key)
    s4 = gold["s4"]
    r, l = rng.randint(0, 3), rng.randint(0, 2)
    s4[1] = _num(s4[1]) + r
    s4[4] = _num(s4[4]) + r
    s4[6] = _num(s4[6]) + l
    s4[9] = _num(s4[9]) + l
    return gold


def link(gold: dict, previous: dict | None, offset: int = 0) -> None:
    """Carry ``previous``'s 结转下年度 into this year's 上年结转 (plus ``offset`` in column 自然人 for a planted
    break), keeping this report's own identity (new + carried over = total + carried forward)."""
    if previous is None:
        return
    s3 = gold["s3"]
    prev = previous["s3"]["carry_forward"]
    for c in range(6):
        want = _num(prev[c]) + (offset if c == 0 else 0)
        delta = want - _num(s3["carried_over"][c])
        s3["carried_over"][c] = want
        cf = _num(s3["carry_forward"][c]) + delta
        if cf < 0:
            s3["new"][c] = _num(s3["new"][c]) - cf
            cf = 0
        s3["carry_forward"][c] = cf
    for key in ("new", "carried_over", "carry_forward"):
        _retotal(s3, key)
    if gold["format"] == "2021" and previous.get("format") == "2021":
        for row in ("规章", "行政规范性文件"):
            k = f"(一)/{row}/"
            prev_in_force = previous["s2"].get(k + "现行有效件数")
            issued, repealed = gold["s2"].get(k + "本年制发件数"), gold["s2"].get(k + "本年废止件数")
            if None not in (prev_in_force, issued, repealed):
                gold["s2"][k + "现行有效件数"] = max(0, prev_in_force + issued - repealed)
                gold["s2"][k + "本年废止件数"] = prev_in_force + issued - gold["s2"][k + "现行有效件数"]


def stale_total(gold: dict) -> None:
    """A （七）总计 left stale: two of the report's own checks fail."""
    gold["s3"]["total"][0] = _num(gold["s3"]["total"][0]) + 1
    _retotal(gold["s3"], "total")


BAD_FILES = (
    ("empty.txt", lambda: b""),
    ("blank.txt", lambda: b"   \n\n  \n"),
    ("binary.txt", lambda: bytes(range(256)) * 40),
    ("truncated.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> trunc"),
    ("fake.docx", lambda: b"PK\x03\x04 not really a zip"),
    ("pre2019.txt", lambda: (CASES / "refuse-pre2019-report.txt").read_bytes()),
    ("notice.txt", lambda: (CASES / "refuse-notice.txt").read_bytes()),
    ("work-plan.txt", lambda: (CASES / "refuse-work-plan.txt").read_bytes()),
    ("prose.txt", lambda: "今天天气很好。我们去公园散步，看到很多人在锻炼身体。\n".encode() * 20),
    ("scanned.pdf", lambda: __import__("tests.generators.render_pdf", fromlist=["x"]).scanned_pdf()),
)


@dataclass
class Corpus:
    root: Path
    good: list[Path] = field(default_factory=list)
    bad: list[Path] = field(default_factory=list)
    #: path -> (organ, year) of every good file
    organ_year: dict[Path, tuple[str, int]] = field(default_factory=dict)
    #: (organ, year N) whose carried_over of N+1 was planted off by an offset
    breaks: list[tuple[str, int]] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    warned: list[Path] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    traditional: list[Path] = field(default_factory=list)
    golds: dict[Path, dict] = field(default_factory=dict)


def render(gold: dict, kind: str, variant: int) -> tuple[bytes, str]:
    """The report as bytes in ``kind`` (text, html, pdf) and the file suffix."""
    if kind == "text":
        from tests.generators.render_text import LAYOUTS, render as render_text

        layout = LAYOUTS[variant % len(LAYOUTS)]
        return render_text(gold, layout).encode("utf-8"), ".md" if layout == "markdown-table" else ".txt"
    if kind == "html":
        from tests.generators.render_html import STYLES, render_html

        data = render_html(gold, style=STYLES[variant % len(STYLES)])
        return data if isinstance(data, bytes) else data.encode("utf-8"), ".html"
    if kind == "pdf":
        from tests.generators.render_pdf import render_pdf

        styles = ("ruled", "word", "unruled", "unruled-top")
        return render_pdf(gold, styles[variant % len(styles)]), ".pdf"
    raise ValueError(kind)


def build_corpus(root: Path, n_reports: int, *, kinds=("text",), n_bad: int = 6, seed: int = 7,
                 plant: bool = True) -> Corpus:
    """``n_reports`` good reports (organs × consecutive years, in nested directories by organ) and ``n_bad``
    files that must fail, under ``root``. ``kinds``: rendered as text, html and/or pdf, in turn."""
    rng = random.Random(seed)
    corpus = Corpus(root)
    per_organ = len(YEARS)
    names = organs((n_reports + per_organ - 1) // per_organ)
    seeds_2019 = [load_seed(s) for s in SEED_2019]
    seeds_2021 = [load_seed(s) for s in SEED_2021]
    made = 0
    for o, organ in enumerate(names):
        previous = None
        d = root / f"organ{o:04d}"
        for y, year in enumerate(YEARS):
            if made >= n_reports:
                break
            base = seeds_2019[0] if year < 2021 else seeds_2021[(o + y) % len(seeds_2021)]
            gold = vary(copy.deepcopy(base), rng)
            gold.update(organ=organ, year=year, script="simplified")
            offset = 0
            if plant and previous is not None and o % 5 == 1 and y == 3:
                offset = 2
                corpus.breaks.append((organ, year - 1))
            link(gold, previous, offset)
            stale = plant and o % 7 == 3 and y == 2
            if stale:
                stale_total(gold)
            traditional = plant and o % 6 == 4 and y == 1
            if traditional:
                gold["script"] = "traditional"
            kind = kinds[made % len(kinds)]
            data, suffix = render(gold, kind, made)
            warned = False
            if plant and kind == "text" and suffix == ".txt" and o % 6 == 2 and y == 4:
                from tests.generators.render_text import render as render_text

                data = _unreadable_total(render_text(gold, "pipe-rows"), gold).encode("utf-8")
                warned = True
            path = d / f"{year}{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            corpus.good.append(path)
            corpus.organ_year[path] = (organ, year)
            corpus.golds[path] = gold
            if stale:
                corpus.stale.append(path)
            if warned:
                corpus.warned.append(path)
            if traditional:
                corpus.traditional.append(path)
            previous = gold
            made += 1
    if plant and len(corpus.good) > 8:
        # the same organ and year from a second file (another layout of the same values)
        src = corpus.good[8]
        organ, year = corpus.organ_year[src]
        data, suffix = render(corpus.golds[src], "text", 9)
        dup = root / "mirror" / f"copy-of-{src.parent.name}-{year}{suffix}"
        dup.parent.mkdir(parents=True, exist_ok=True)
        dup.write_bytes(data)
        corpus.good.append(dup)
        corpus.organ_year[dup] = (organ, year)
        corpus.golds[dup] = corpus.golds[src]
        corpus.duplicates.append((organ, year))
    bad_dir = root / "incoming"
    for i in range(n_bad):
        name, make = BAD_FILES[i % len(BAD_FILES)]
        p = bad_dir / (name if i < len(BAD_FILES) else f"{Path(name).stem}-{i}{Path(name).suffix}")
        p.parent.mkdir(parents=True, exist_ok=True)
        data = make()
        if i >= len(BAD_FILES) and data:
            data = data + b"\n" * i if not data.startswith(b"%PDF") else data + b"%" * i
        p.write_bytes(data)
        corpus.bad.append(p)
    return corpus


def _unreadable_total(text: str, gold: dict) -> str:
    """pipe-rows text whose （一）予以公开 总计 cell is printed "12x": the parser cannot read it (a warning)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "予以公开" in line and line.rstrip().endswith("|"):
            cells = line.rstrip(" |").split(" | ")
            cells[-1] = cells[-1] + "x"
            lines[i] = " | ".join(cells) + " |"
            break
    return "\n".join(lines)


# --- the corpus is right ------------------------------------------------------------------------------

@needs_seeds
def test_generated_reports_parse_to_their_organ_year_and_chain(tmp_path):
    from core.api import parse
    from zfxxgk_batch.organs import organ_key

    corpus = build_corpus(tmp_path, 14, kinds=("text", "html"), n_bad=0)
    for path in corpus.good:
        r = parse(path)
        organ, year = corpus.organ_year[path]
        assert r.meta["year"] == year, path
        assert organ_key(r.meta["organ"]) == organ_key(organ), (path, r.meta["organ"])
        gold = corpus.golds[path]
        assert r.applications["carried_over"]["total"] == gold["s3"]["carried_over"][6]
        if path in corpus.stale:
            assert r.failed_checks
        elif path in corpus.warned:
            assert [d for d in r.warnings if d.code == "cell_not_read"]
        else:
            assert not r.failed_checks and not r.warnings, (path, r.failed_checks, r.warnings)
