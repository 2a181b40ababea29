"""The dataset the review tests work on: a batch database built from the shared seeds, the real reports of
../shared/real (copied into a temporary folder: they are only read) and a generated corpus of one organ's
consecutive years in text, HTML and PDF (reportlab), plus a few files that fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, SEEDS, SHARED

REAL = SHARED / "real"
#: the real report whose section 四 breaks its 复议 total (结果维持 1, 总计 0): a conflict to correct
PTHZS = "pthzs2024-dept-concat.txt"
#: the real PDF (ruled tables across pages)
HUAIAN = "huaian2024-city.pdf"


@dataclass
class Dataset:
    db: Path
    inputs: Path
    #: generated files, among them PDFs
    generated: list[Path]


def available() -> bool:
    return (REAL / PTHZS).is_file() and (REAL / HUAIAN).is_file() and (SEEDS / "expected").is_dir()


def run_batch(inputs: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "batch", str(inputs), "-o", str(db), "-j", "2",
                           "--no-progress", *extra], capture_output=True, text=True, cwd=ROOT, timeout=300)


def build(root: Path) -> Dataset:
    from test_batch_corpus import build_corpus

    inputs = root / "reports"
    (inputs / "seeds").mkdir(parents=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy2(p, inputs / "seeds" / p.name)
    (inputs / "real").mkdir()
    for p in sorted(REAL.iterdir()):
        if p.is_file() and p.suffix in (".txt", ".md", ".pdf"):
            shutil.copy2(p, inputs / "real" / p.name)
    corpus = build_corpus(inputs / "generated", 12, kinds=("pdf", "text", "html"), n_bad=3)
    db = root / "dataset.db"
    p = run_batch(inputs, db)
    assert p.returncode in (0, 5), p.stdout + p.stderr
    return Dataset(db, inputs, corpus.good)
