"""Bad input through the command line: every file gives a fixed exit code, exactly one line on stderr, no
traceback, and an answer within a bounded time (exit 2/3, or 0/4 where the content is legitimately a
report / not a report)."""
from __future__ import annotations

import io
import json
import os
import random
import time
import zipfile
from functools import lru_cache

import pytest

from conftest import CORPUS, SEEDS, load_gold, run_cli

REPORT = CORPUS / "cases" / "pipe-cells-2021-clean.txt"
LIMIT_S = 20.0


def _run(path, *, stdin: bytes | None = None):
    start = time.monotonic()
    p = run_cli("parse", path, stdin=stdin)
    took = time.monotonic() - start
    return p, took


def _assert_clean(p, took, allowed):
    err = p.stderr.decode("utf-8", "replace")
    assert took < LIMIT_S, f"took {took:.1f} s"
    assert "Traceback" not in err and "internal error" not in err, err
    assert p.returncode in allowed, (p.returncode, err)
    if p.returncode == 0:
        assert err == ""
        json.loads(p.stdout)
    else:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("error: "), err


def _check(path, allowed, **kw):
    p, took = _run(path, **kw)
    _assert_clean(p, took, allowed)
    return p


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    return tmp_path_factory.mktemp("bad")


def _random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


# --- nothing to read ---------------------------------------------------------------------------------

def test_empty_and_blank_files(d):
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(" \n\t\r\n\u3000".encode("utf-8"))
    assert b"empty" in _check(d / "empty.txt", {3}).stderr
    _check(d / "blank.txt", {3})


def test_empty_standard_input():
    _check("-", {3}, stdin=b"")


def test_a_directory_and_a_missing_path(d):
    assert b"directory" in _check(d, {3}).stderr
    assert b"no such file" in _check(d / "missing.txt", {3}).stderr


def test_an_unreadable_file(d):
    path = d / "noperm.txt"
    path.write_bytes(REPORT.read_bytes())
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading")
        assert b"permission denied" in _check(path, {3}).stderr
    finally:
        path.chmod(0o644)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(d):
    path = d / "huge.txt"
    with open(path, "wb") as f:
        f.write(REPORT.read_bytes())
        f.truncate(65 * 1024 * 1024)   # sparse: nothing is written past the report
    p = _check(path, {3})
    assert b"64 MB limit" in p.stderr


# --- not text, or broken files ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["garbage.bin", "garbage.txt", "garbage.pdf", "garbage.docx", "garbage.html"])
def test_binary_garbage(d, name):
    (d / name).write_bytes(_random_bytes(200_000, seed=len(name)))
    _check(d / name, {3})


def test_nul_bytes(d):
    (d / "nul-head.txt").write_bytes(b"abc\x00def\n" + REPORT.read_bytes())
    text = REPORT.read_bytes()
    (d / "nul-late.txt").write_bytes(text[:-50] + b"\x00" + text[-50:])
    _check(d / "nul-head.txt", {3})
    _check(d / "nul-late.txt", {3})


def test_invalid_utf8_inside_a_utf8_report(d):
    text = REPORT.read_bytes()
    i = text.index("（二）依申请公开".encode())
    (d / "few.txt").write_bytes(text[:i] + b"\xff\xfe\x80" + text[i:])
    p = _check(d / "few.txt", {0})
    codes = {x["code"] for x in json.loads(p.stdout)["diagnostics"]}
    assert "invalid_utf8" in codes
    noise = bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(5000))
    (d / "many.txt").write_bytes(text[:i] + noise + text[i:])
    _check(d / "many.txt", {3})
    (d / "odd-utf16.txt").write_bytes(b"\xff\xfe" + "一、总体情况".encode("utf-16-le") + b"\x00")
    _check(d / "odd-utf16.txt", {3})


def _rendered(kind: str) -> bytes | None:
    gold = load_gold(SEEDS / "expected" / "001_bfb1f788e4caebeb.json") if (SEEDS / "expected").is_dir() else None
    if gold is None:
        return None
    try:
        if kind == "pdf":
            from tests.generators.render_pdf import render_pdf
            return render_pdf(gold)
        from tests.generators.render_docx import render_docx
        return render_docx(gold)
    except ImportError:
        return None


_MINIMAL = {
    "pdf": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] "
           b"/Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\n"
           b"endobj\n4 0 obj\n<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (hello) Tj ET\nendstream\nendobj\n"
           b"xref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n",
}


@pytest.mark.parametrize("kind", ["pdf", "docx"])
@pytest.mark.parametrize("cut", [0.5, 0.1, 0.9])
def test_a_pdf_or_docx_cut_short(d, kind, cut):
    data = _rendered(kind)
    if data is None:
        if kind not in _MINIMAL:
            pytest.skip("the docx generator is not importable")
        data = _MINIMAL[kind]
    path = d / f"cut-{int(cut * 100)}.{kind}"
    path.write_bytes(data[:int(len(data) * cut)])
    _check(path, {3})


def test_a_pdf_header_before_garbage(d):
    (d / "junk.pdf").write_bytes(b"%PDF-1.7\n" + _random_bytes(50_000, seed=11))
    _check(d / "junk.pdf", {3})


def test_a_docx_that_unpacks_to_more_than_the_limit(d):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (100 * 1024 * 1024) + b"</w:document>")
    (d / "bomb.docx").write_bytes(buf.getvalue())
    _check(d / "bomb.docx", {3})


# --- extremely long lines ---------------------------------------------------------------------------

_PROSE = "各级行政机关依法办理政府信息公开申请切实保障人民群众的知情权参与权表达权监督权"


def _long_chinese_line(nbytes: int) -> str:
    n = nbytes // (3 * len(_PROSE))
    parts = [_PROSE] * n
    for i in (n // 5, n // 2, 4 * n // 5):   # a few pipes
        parts[i] = _PROSE + " | 12 | "
    return "".join(parts)


@lru_cache(maxsize=2)
def _digits(n: int) -> str:
    return random.Random(5).randbytes(n).translate(bytes(48 + b % 10 for b in range(256))).decode("ascii")


def test_a_20mb_line_of_chinese_text(d):
    line = _long_chinese_line(20 * 1024 * 1024)
    (d / "long-cn.txt").write_text(line + "\n", encoding="utf-8")
    _check(d / "long-cn.txt", {3, 4})
    report = REPORT.read_text(encoding="utf-8").replace("（二）依申请公开。", line + "\n（二）依申请公开。")
    (d / "long-cn-report.txt").write_text(report, encoding="utf-8")
    _check(d / "long-cn-report.txt", {0})


def test_a_5mb_line_of_digits(d):
    digits = _digits(5 * 1024 * 1024)
    (d / "digits.txt").write_text(digits, encoding="utf-8")
    _check(d / "digits.txt", {3, 4})


def test_a_5mb_line_of_digits_in_the_prose_of_a_report(d):
    digits = _digits(5 * 1024 * 1024)
    text = REPORT.read_text(encoding="utf-8")
    (d / "digits-prose.txt").write_text(text.replace("（二）依申请公开。", "收到申请" + digits + "件\n（二）依申请公开。"),
                                        encoding="utf-8")
    p = _check(d / "digits-prose.txt", {0})
    assert json.loads(p.stdout)["applications"]["new_received"]["total"] == 96


def test_a_5mb_line_of_digits_inside_the_applications_table(d):
    digits = _digits(5 * 1024 * 1024)
    text = REPORT.read_text(encoding="utf-8")
    i = text.index("三、收到和处理")
    j = text.index("\n", text.index("予以公开", i))
    (d / "digits-table.txt").write_text(text[:j] + "\n" + digits + " |\n" + text[j:], encoding="utf-8")
    _check(d / "digits-table.txt", {0})


def test_a_cell_of_thousands_of_digits_is_no_value_and_no_crash(d):
    """int() refuses more than 4300 digits: such a cell used to end the parse with an internal error."""
    text = REPORT.read_text(encoding="utf-8")
    i = text.index("三、收到和处理")
    j = text.index("\n", text.index("予以公开", i))
    (d / "digits-cell.txt").write_text(text[:j] + "\n" + "9" * 5000 + " |\n" + text[j:], encoding="utf-8")
    _check(d / "digits-cell.txt", {0})


def test_megabytes_of_statements_in_the_prose(d):
    """Prose checks read a bounded amount of each section: 300 000 restatements in one paragraph used to
    take minutes (a slice of the rest of the sentence per statement)."""
    text = REPORT.read_text(encoding="utf-8")
    anchor = "（二）依申请公开。"
    (d / "statements.txt").write_text(text.replace(anchor, anchor + "全年收到政府信息公开申请96件，" * 300_000),
                                      encoding="utf-8")
    _check(d / "statements.txt", {0})
