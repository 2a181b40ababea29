"""``python -m core batch`` left running: interrupts, per-file limits, hostile names, two runs on one
database, a killed main process, reruns that cost what they should, spreadsheet-safe exports.

The layouts that never return or swell are installed the way a user installs a plugin: a fake
distribution (``*.dist-info`` with an entry point) on ``PYTHONPATH``, so the worker processes load it
exactly as they load a real one, with no test-only hook in the batch code.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from test_batch_corpus import build_corpus, needs_seeds

pytestmark = [needs_seeds, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                               reason="process checks read /proc")]

HOSTILE = textwrap.dedent('''
    import time
    from core.hookspecs import hookimpl
    from core.layout import LayoutPlugin

    def _hang_detect(source):
        return 1.0 if b"HANG-FOREVER" in source.data[:4096] else None

    def _hang(source):
        while True:
            time.sleep(0.01)

    def _swell_detect(source):
        return 1.0 if b"SWELL-FOREVER" in source.data[:4096] else None

    def _swell(source):
        hoard = []
        while True:
            hoard.append(bytearray(16 * 1024 * 1024))

    @hookimpl
    def core_layouts():
        return [LayoutPlugin(name="hang-forever", detect=_hang_detect, parse=_hang),
                LayoutPlugin(name="swell-forever", detect=_swell_detect, parse=_swell)]
''')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """The environment of a process with the hostile layout plugin installed."""
    site = tmp_path_factory.mktemp("site")
    info = site / "zfxxgk_layout_hostile-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zfxxgk_layout_hostile\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[zfxxgk.layouts]\nhostile = zfxxgk_layout_hostile\n")
    (site / "zfxxgk_layout_hostile.py").write_text(HOSTILE)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH", "")) if p)
    env.pop("CORE_LOAD_PLUGINS", None)
    return env


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("reports"), 300, kinds=("text",), n_bad=0, plant=False)


def cli(*args, env=None, stdin=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout, input=stdin)


def start(*args, env=None) -> subprocess.Popen:
    """A batch in a session (process group) of its own, as a terminal runs it."""
    return subprocess.Popen([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def alive_in_group(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies waiting for init do not)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            fields = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(d))
    return out


def wait_for(cond, timeout: float = 30.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def end(proc: subprocess.Popen) -> None:
    """Stop a batch a test started, and every process of its group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=30)


def in_parts(out: Path) -> int:
    from zfxxgk_batch.store import part_reports, parts_dir

    return part_reports(parts_dir(out))


def db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def count(path: Path, table: str = "reports", where: str = "") -> int:
    return db(path).execute(f"SELECT COUNT(*) FROM {table} {where}").fetchone()[0]


def stored(path: Path) -> int:
    """Reports in a database another process is writing (0 while it does not exist yet)."""
    try:
        return count(path)
    except sqlite3.Error:
        return 0


def summary_of(stdout: str) -> dict:
    """The counts of the summary's first line."""
    import re

    m = re.search(r"batch: (\d+) files: (\d+) parsed, (\d+) unchanged \(skipped\), (\d+) failed", stdout)
    assert m, stdout
    return dict(zip(("files", "parsed", "unchanged", "failed"), map(int, m.groups())))


def with_file(corpus, tmp_path: Path, name: str, text: str) -> Path:
    """A copy of the corpus's folders (hard links) plus one file."""
    root = tmp_path / "in"
    for f in corpus.good:
        target = root / f.relative_to(corpus.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(f, target)
    (root / name).write_text(text)
    return root


# --- interrupts ---------------------------------------------------------------------------------------

def test_two_ctrl_c_end_the_run_at_once_and_the_next_run_finishes_the_rest(corpus, tmp_path, hostile):
    """SIGINT twice to the process group, as a terminal sends it: exit 130 within 2 s of the second, no
    process left, the database intact and holding what the summary says, and the next run parses only
    what is left. A file that never returns keeps the first Ctrl-C's grace period running, so the
    second always lands in a running batch."""
    root = with_file(corpus, tmp_path, "aaa-hang.txt", "HANG-FOREVER\n")
    out = tmp_path / "out" / "d.db"
    proc = start("batch", root, "-o", out, "-j", "2", env=hostile)
    try:
        assert wait_for(lambda: in_parts(out) >= 20 or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.5)
        assert proc.poll() is None  # the hanging file holds the grace period
        os.killpg(proc.pid, signal.SIGINT)
        second = time.monotonic()
        stdout, stderr = proc.communicate(timeout=10)
        took = time.monotonic() - second
    finally:
        end(proc)
    assert proc.returncode == 130, stderr
    assert took < 2.0
    assert "Traceback" not in stderr + stdout and "stopping now" in stderr
    assert wait_for(lambda: not alive_in_group(proc.pid), timeout=5), alive_in_group(proc.pid)
    conn = db(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = summary_of(stdout)
    kept = count(out)
    assert got["parsed"] == kept and got["failed"] == count(out, "failures") == 0
    assert conn.execute('SELECT COUNT(DISTINCT report_id) FROM "values"').fetchone()[0] == kept
    waiting = in_parts(out)
    assert waiting == 0 or f"{waiting} more reports parsed by this run wait in part databases" in stdout
    stamps = dict(conn.execute("SELECT path, parsed_at FROM reports"))
    conn.close()
    total = len(corpus.good) + 1
    assert 0 < kept + waiting < total - 1
    p = cli("batch", root, "-o", out, "-j", "2", "--time-limit", "3", env=hostile)
    assert p.returncode == 5, p.stdout + p.stderr
    again = summary_of(p.stdout)
    assert again["parsed"] == len(corpus.good) - kept - waiting and again["unchanged"] == kept + waiting
    assert again["failed"] == 1 and "aaa-hang.txt: exit 3 time_limit" in p.stdout
    if waiting:
        assert f"recovered {waiting} reports" in p.stdout
    after = dict(db(out).execute("SELECT path, parsed_at FROM reports"))
    assert {k: after[k] for k in stamps} == stamps  # nothing parsed twice
    assert len(after) == len(corpus.good)


def test_one_ctrl_c_abandons_a_file_still_running_after_the_grace(corpus, tmp_path, hostile):
    root = with_file(corpus, tmp_path, "aaa-hang.txt", "HANG-FOREVER\n")
    out = tmp_path / "g.db"
    proc = start("batch", root, "-o", out, "-j", "2", env=hostile)
    try:
        assert wait_for(lambda: in_parts(out) >= 10 or proc.poll() is not None)
        os.killpg(proc.pid, signal.SIGINT)
        first = time.monotonic()
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - first
    finally:
        end(proc)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert 4.0 < took < 8.0  # the 5 s grace, then the hanging file is abandoned
    assert summary_of(stdout)["parsed"] == count(out) > 0
    assert count(out, "failures") == 0  # abandoned, not failed: the next run tries it again
    assert wait_for(lambda: not alive_in_group(proc.pid), timeout=5)


def test_ctrl_c_on_the_dask_engine_prints_no_traceback_and_leaves_no_process(corpus, tmp_path):
    """The local cluster's processes are in the terminal's group too: they must leave Ctrl-C to the run."""
    pytest.importorskip("distributed")
    out = tmp_path / "dask.db"
    proc = start("batch", corpus.root, "-o", out, "-j", "2", "--engine", "dask")
    try:
        assert wait_for(lambda: stored(out) >= 20 or proc.poll() is not None, timeout=90)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        end(proc)
    if count(out) == len(corpus.good):
        pytest.skip("the batch had parsed every file before it could be interrupted")
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert summary_of(stdout)["parsed"] == count(out)
    assert wait_for(lambda: not alive_in_group(proc.pid), timeout=10), alive_in_group(proc.pid)


def test_sigkill_of_the_main_process_leaves_no_worker_and_loses_no_report(corpus, tmp_path, hostile):
    root = with_file(corpus, tmp_path, "aaa-hang.txt", "HANG-FOREVER\n")
    out = tmp_path / "k.db"
    proc = start("batch", root, "-o", out, "-j", "2", env=hostile)
    try:
        assert wait_for(lambda: len(alive_in_group(proc.pid)) >= 3 and in_parts(out) >= 5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        assert wait_for(lambda: not alive_in_group(proc.pid), timeout=5), alive_in_group(proc.pid)
    finally:
        end(proc)
    waiting = in_parts(out)
    assert waiting > 0
    p = cli("batch", root, "-o", out, "-j", "2", "--time-limit", "2", env=hostile)
    assert p.returncode == 5, p.stdout + p.stderr
    assert f"recovered {waiting} reports" in p.stdout
    assert summary_of(p.stdout)["parsed"] == len(corpus.good) - waiting
    assert count(out) == len(corpus.good)


# --- per-file limits ------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_layout_that_never_returns_and_one_that_swells_are_failures(corpus, tmp_path, hostile, engine):
    if engine == "dask":
        pytest.importorskip("distributed")
    root = tmp_path / "in"
    files = [f for f in corpus.good if f.parent.name in ("organ0000", "organ0001", "organ0002")]
    for f in files:
        (root / f.parent.name).mkdir(parents=True, exist_ok=True)
        os.link(f, root / f.parent.name / f.name)
    (root / "hang.txt").write_text("HANG-FOREVER\n")
    (root / "swell.txt").write_text("SWELL-FOREVER\n")
    out = tmp_path / "l.db"
    t = time.monotonic()
    p = cli("batch", root, "-o", out, "-j", "2", "--engine", engine, "--time-limit", "3", "--memory-limit", "400",
            env=hostile)
    assert p.returncode == 5, p.stdout + p.stderr
    assert time.monotonic() - t < 90
    assert "Traceback" not in p.stderr
    failures = {Path(r[0]).name: r[1:] for r in db(out).execute("SELECT path, exit_code, reason, message FROM failures")}
    assert set(failures) == {"hang.txt", "swell.txt"}
    assert failures["hang.txt"][:2] == (3, "time_limit") and "3 s" in failures["hang.txt"][2]
    assert failures["swell.txt"][:2] == (3, "memory_limit") and "400 MB" in failures["swell.txt"][2]
    assert count(out) == len(files)
    assert summary_of(p.stdout) == {"files": len(files) + 2, "parsed": len(files), "unchanged": 0, "failed": 2}
    # the same limits: known failures, not tried again; a higher limit tries the file again
    p = cli("batch", root, "-o", out, "-j", "2", "--time-limit", "3", "--memory-limit", "400", env=hostile)
    assert summary_of(p.stdout)["unchanged"] == len(files) + 2
    p = cli("batch", root, "-o", out, "-j", "2", "--time-limit", "4", "--memory-limit", "400", env=hostile)
    assert "(1 this run)" in p.stdout and "after 4 s" in p.stdout


def form_bomb(depth: int = 9, fan: int = 10) -> bytes:
    """A PDF of about 3 KB whose page draws a form that draws another form ``fan`` times, ``depth`` deep:
    10⁹ text draws for the PDF backend to lay out (the kind of file that held a batch past 180 s at 2 GB)."""
    objs: list[bytes] = []

    def add(obj: bytes) -> int:
        objs.append(obj)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    prev = 0
    for i in range(depth + 1):
        body = b"BT /F1 1 Tf 0 0 Td (a) Tj ET" if i == 0 else b" ".join(b"q /X Do Q" for _ in range(fan))
        xobj = b"" if i == 0 else b"/XObject << /X %d 0 R >> " % prev
        prev = add(b"<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << " + xobj
                   + b"/Font << /F1 %d 0 R >> >> /Length %d >>\nstream\n" % (font, len(body)) + body + b"\nendstream")
    content = b"q /X Do Q"
    c = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    page = add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 100 100] /Contents %d 0 R "
               b"/Resources << /XObject << /X %d 0 R >> >> >>" % (len(objs) + 2, c, prev))
    pages = add(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    root = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, xref)
    return bytes(out)


def test_a_small_pdf_that_swells_is_stopped_and_the_batch_goes_on(corpus, tmp_path):
    pytest.importorskip("pypdfium2")
    root = tmp_path / "in"
    root.mkdir()
    bomb = form_bomb()
    assert len(bomb) < 5000
    (root / "bomb.pdf").write_bytes(bomb)
    for f in corpus.good[:4]:
        os.link(f, root / f"{f.parent.name}-{f.name}")
    t = time.monotonic()
    p = cli("batch", root, "-o", tmp_path / "b.db", "-j", "2", "--memory-limit", "300", "--time-limit", "60")
    assert p.returncode == 5, p.stdout + p.stderr
    assert time.monotonic() - t < 60
    # refused by the PDF layout's own bounds, or stopped by the worker's memory limit: one line either way
    line = next(ln for ln in p.stdout.splitlines() if "bomb.pdf: exit 3" in ln)
    assert "memory_limit: needed more than 300 MB" in line or "unreadable" in line, line
    assert summary_of(p.stdout) == {"files": 5, "parsed": 4, "unchanged": 0, "failed": 1}


def test_limit_options_are_checked(tmp_path, corpus):
    for opt in (("--time-limit", "-1"), ("--memory-limit", "lots")):
        p = cli("batch", corpus.good[0], "-o", tmp_path / "x.db", *opt)
        assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr


# --- names, concurrency ---------------------------------------------------------------------------------

def test_a_name_with_invalid_utf8_bytes_is_parsed_or_recorded(corpus, tmp_path):
    d = os.fsencode(tmp_path / "in")
    os.makedirs(d)
    good = os.path.join(d, b"bad\xff-report.txt")
    with open(good, "wb") as f:
        f.write(corpus.good[0].read_bytes())
    with open(os.path.join(d, b"empty\xfe\x1b[31m.txt"), "wb") as f:
        f.write(b"")
    with open(os.path.join(d, b"line\nbreak.txt"), "wb") as f:
        f.write(corpus.good[1].read_bytes())
    out = tmp_path / "u.db"
    p = subprocess.run([sys.executable, "-m", "core", "batch", os.fsdecode(d), "-o", str(out), "-f", "csv,xlsx,jsonl",
                        "--summary-json", str(tmp_path / "s.json")], capture_output=True, cwd=ROOT, timeout=120)
    stdout, stderr = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
    assert p.returncode == 5, stdout + stderr
    assert "Traceback" not in stderr
    assert summary_of(stdout) == {"files": 3, "parsed": 2, "unchanged": 0, "failed": 1}
    paths = {r[0] for r in db(out).execute("SELECT path FROM reports")}
    assert paths == {os.path.join(os.fsdecode(d), "bad\\xff-report.txt"), os.path.join(os.fsdecode(d), "line\nbreak.txt")}
    # every message names a file one way, on one line
    assert "empty\\xfe\\x1b[31m.txt: exit 3 unreadable: the input is empty" in stdout
    assert "\x1b" not in stdout
    doc = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert doc["parsed"] == 2 and doc["failures"][0]["path"].endswith("empty\\xfe\x1b[31m.txt")
    p = subprocess.run([sys.executable, "-m", "core", "batch", os.fsdecode(d), "-o", str(out)], capture_output=True,
                       cwd=ROOT, timeout=120)
    assert summary_of(p.stdout.decode())["unchanged"] == 3


def test_two_runs_on_one_database_the_second_is_refused_and_nothing_is_lost(corpus, tmp_path, hostile):
    root = with_file(corpus, tmp_path, "aaa-hang.txt", "HANG-FOREVER\n")
    out = tmp_path / "c.db"
    first = start("batch", root, "-o", out, "-j", "2", "--time-limit", "4", env=hostile)
    try:
        assert wait_for(lambda: in_parts(out) >= 5 or first.poll() is not None)
        assert first.poll() is None
        second = cli("batch", root, "-o", out, "-j", "2", env=hostile, timeout=60)
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1 and "being written by another batch" in second.stderr
        assert f"process {first.pid}" in second.stderr and second.stdout == ""
        stdout, stderr = first.communicate(timeout=120)
    finally:
        end(first)
    assert first.returncode == 5, stderr
    assert summary_of(stdout) == {"files": len(corpus.good) + 1, "parsed": len(corpus.good), "unchanged": 0,
                                  "failed": 1}
    assert count(out) == len(corpus.good)
    from zfxxgk_batch.lock import lock_path
    from zfxxgk_batch.store import parts_dir

    assert not parts_dir(out).exists() and not lock_path(out).exists()


def test_the_lock_refuses_a_second_holder_in_process(tmp_path):
    from core.errors import UsageError
    from zfxxgk_batch.lock import WriterLock

    a = WriterLock(tmp_path / "x.db")
    a.acquire()
    try:
        with pytest.raises(UsageError, match=f"another batch \\(process {os.getpid()}\\)"):
            WriterLock(tmp_path / "x.db").acquire()
    finally:
        a.release()
    with WriterLock(tmp_path / "x.db"):
        pass


# --- reruns ---------------------------------------------------------------------------------------------

@pytest.fixture
def small(corpus, tmp_path):
    root = tmp_path / "in"
    for f in corpus.good[:24]:
        target = root / f.relative_to(corpus.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.read_bytes())
        old = time.time() - 3600  # older than the window in which a stat is not trusted
        os.utime(target, (old, old))
    return root


def test_a_rerun_reads_no_unchanged_file_and_hashes_only_what_changed(small, tmp_path, monkeypatch):
    import hashlib

    from zfxxgk_batch import runner
    from zfxxgk_batch.runner import run_batch

    hashed = []

    class Counting:
        @staticmethod
        def sha256(data):
            hashed.append(len(data))
            return hashlib.sha256(data)

    out = tmp_path / "r.db"
    time.sleep(2.1)  # a file changed in the last 2 s may change again unseen: its stat is not trusted yet
    first = run_batch([str(small)], out, jobs=1, progress=False)
    assert first.parsed == 24
    monkeypatch.setattr(runner, "hashlib", Counting)
    again = run_batch([str(small)], out, jobs=1, progress=False)
    assert (again.parsed, again.unchanged, hashed) == (0, 24, [])
    files = sorted(small.rglob("*.*"))
    os.utime(files[0])  # touched, same bytes: hashed, not parsed
    files[1].write_bytes(files[1].read_bytes() + b"\n")  # changed: hashed and parsed
    again = run_batch([str(small)], out, jobs=1, progress=False)
    assert (again.parsed, again.unchanged, len(hashed)) == (1, 23, 2)


def test_a_report_is_parsed_again_only_when_the_layout_that_read_it_changes(small, tmp_path, monkeypatch):
    from zfxxgk_batch import worker
    from zfxxgk_batch.runner import run_batch

    out = tmp_path / "v.db"
    assert run_batch([str(small)], out, jobs=1, progress=False, no_plugins=True).parsed == 24
    by_layout = dict(db(out).execute("SELECT layout, COUNT(*) FROM reports GROUP BY layout"))
    assert len(by_layout) > 1
    # installing a plugin (the example CSV layout, when installed) reparses nothing
    assert run_batch([str(small)], out, jobs=1, progress=False).parsed == 0
    real = worker.versions
    layout = sorted(by_layout)[0]

    def bumped(no_plugins=False):
        v = real(no_plugins)
        return worker.Versions(v.core, {**v.layouts, layout: v.layouts[layout] + ".post1"})

    monkeypatch.setattr(worker, "versions", bumped)
    s = run_batch([str(small)], out, jobs=1, progress=False)
    assert (s.parsed, s.unchanged) == (by_layout[layout], 24 - by_layout[layout])

    def new_core(no_plugins=False):
        v = bumped(no_plugins)
        return worker.Versions(v.core + ".post1", v.layouts)

    monkeypatch.setattr(worker, "versions", new_core)
    assert run_batch([str(small)], out, jobs=1, progress=False).parsed == 24


def test_a_new_layout_retries_only_the_failures_it_claims(tmp_path, monkeypatch):
    from zfxxgk_batch import worker
    from zfxxgk_batch.runner import run_batch

    root = tmp_path / "in"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "prose.txt").write_text("今天天气很好。我们去公园散步。\n" * 20, encoding="utf-8")
    out = tmp_path / "f.db"
    s = run_batch([str(root)], out, jobs=1, progress=False, no_plugins=True)
    assert len(s.failed) == 2
    real = worker.versions

    def with_new(no_plugins=False):
        v = real(True)
        return worker.Versions(v.core, {**v.layouts, "plain-text": "zfxxgk-layout-new 9.9"})

    monkeypatch.setattr(worker, "versions", with_new)
    s = run_batch([str(root)], out, jobs=1, progress=False, no_plugins=True)
    # plain-text's detect claims prose.txt (tried again, fails again); nothing can claim an empty file
    assert (s.unchanged, s.failed_now) == (1, 1)
    s = run_batch([str(root)], out, jobs=1, progress=False, no_plugins=True)
    assert (s.unchanged, s.failed_now) == (2, 0)


def test_prune_removes_what_is_gone_and_every_summary_says_so(small, tmp_path):
    from zfxxgk_batch.runner import run_batch

    out = tmp_path / "p.db"
    run_batch([str(small)], out, jobs=1, progress=False, formats=["csv"])
    victims = sorted(small.rglob("*.*"))[:2]
    for v in victims:
        v.unlink()
    s = run_batch([str(small)], out, jobs=1, progress=False, formats=["csv"])
    assert sorted(s.gone) == sorted(str(v) for v in victims) and s.pruned == 0
    assert any(line.startswith("gone: 2 files") and "--prune" in line for line in s.lines())
    assert count(out) == 24
    s = run_batch([str(small)], out, jobs=1, progress=False, formats=["csv"], prune=True)
    assert s.pruned == 2 and any(line.startswith("pruned: 2 files") for line in s.lines())
    assert count(out) == 22
    rows = [r for fmt in ("2019", "2021")
            for r in csv.DictReader(io.StringIO((tmp_path / f"p.{fmt}.csv").read_text(encoding="utf-8-sig")))]
    assert len(rows) == 22
    s = run_batch([str(small)], out, jobs=1, progress=False, formats=["csv"])
    assert not s.gone and not any("gone" in line for line in s.lines())
    # another folder's files are not "gone" for a run over this one
    other = tmp_path / "other"
    other.mkdir()
    next(small.rglob("*.*")).rename(other / "moved.txt")
    s = run_batch([str(other)], out, jobs=1, progress=False)
    assert s.parsed == 1 and s.gone == []


def test_a_file_list_on_standard_input_and_a_json_summary(small, tmp_path):
    files = sorted(str(p) for p in small.rglob("*.*"))
    out = tmp_path / "s.db"
    p = cli("batch", "-", "-o", out, "-j", "1", "--summary-json", "-", stdin="\n".join(files[:5]) + "\n")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert (doc["exit_code"], doc["files"], doc["parsed"], doc["failed"]) == (0, 5, 5, 0)
    assert doc["database"] == str(out) and str(out) in doc["outputs"]
    assert "batch: 5 files" in p.stderr  # the text summary, out of the JSON's way
    p = cli("batch", "-", small / files[0], "-o", out, "-j", "1", stdin="\0".join(files[5:8]))  # find -print0
    assert summary_of(p.stdout) == {"files": 4, "parsed": 3, "unchanged": 1, "failed": 0}
    p = cli("batch", "-", "-o", out, stdin="")
    assert p.returncode == 2 and "names no file" in p.stderr
    p = cli("batch", "-", "-o", out, stdin=str(tmp_path / "nope.txt") + "\n")
    assert p.returncode == 2 and "no such file" in p.stderr


# --- across years ---------------------------------------------------------------------------------------

def test_duplicates_are_checked_against_the_neighbouring_years_not_each_other(corpus, tmp_path):
    """k copies of one organ's report on year N and k on year N+1: 2k − 1 pairs, not k²; the summary
    lists each organ-year once, and at most --show paths of it."""
    from zfxxgk_batch.runner import run_batch

    organ = corpus.good[0].parent
    pair = [f for f in sorted(organ.iterdir()) if f.stem in ("2021", "2022")]
    k = 12
    root = tmp_path / "dups"
    for i in range(k):
        for f in pair:
            (root / f"c{i:02d}").mkdir(parents=True, exist_ok=True)
            os.link(f, root / f"c{i:02d}" / f.name)
    s = run_batch([str(root)], tmp_path / "d.db", jobs=2, progress=False)
    assert s.parsed == 2 * k
    assert s.cross.pairs == 2 * k - 1
    rules = {r for (r,) in db(tmp_path / "d.db").execute("SELECT DISTINCT rule FROM cross_checks")}
    per_pair = count(tmp_path / "d.db", "cross_checks") / s.cross.pairs
    assert per_pair <= 9 and rules
    assert [(y, len(paths)) for _, y, paths in s.cross.duplicates] == [(2021, k), (2022, k)]
    lines = s.lines(limit=2)
    dup_lines = [line for line in lines if " 2021: " in line or " 2022: " in line]
    assert len(dup_lines) == 2 and all(f"{k} files" in line and f"… and {k - 2} more" in line for line in dup_lines)
    assert sum(len(line) for line in lines) < 3000


# --- spreadsheets ---------------------------------------------------------------------------------------

DANGEROUS = ("=2+5*HYPERLINK(A1)市人民政府", "+1 市教育局", "-cmd|' /C calc'!A0", "@SUM(1,2)", "\t=1+1", "\r=1")


def test_csv_and_xlsx_cells_are_never_formulas_and_control_characters_never_crash(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from zfxxgk_batch import export, store
    from zfxxgk_batch.worker import Versions

    conn = store.connect(tmp_path / "x.db")
    prose = "一、总体情况\x1b[31m红色\x08退格\x00空\x7f 结束"
    for i, organ in enumerate(DANGEROUS):
        name = "=cmd.txt" if i == 0 else f"{organ}.txt"
        result = {"path": f"/r/{name}", "sha256": "s", "size": 1, "ok": True, "json": b"{}",
                  "info": {"name": name, "organ": organ, "organ_key": organ, "year": 2022, "format": "2021"},
                  "values": [("text", "overview", None, prose, None),
                             ("applications", "total.total", -3, "-3", None),
                             ("applications", "granted.total", None, "=1+1", None)],
                  "checks": [], "diagnostics": [("warning", "x", "applications.granted.total", organ)]}
        store.write_report(conn, result, Versions("zfxxgk test"), None, replace=False)
    store.write_failure(conn, {"path": "/r/=HYPERLINK(\"x\").txt", "exit_code": 3, "reason": "unreadable",
                               "message": "@bad \x1b name"}, Versions("zfxxgk test"), None, replace=False)
    conn.commit()
    export.write(conn, "csv", export.outputs(tmp_path / "x.db", ["csv"])["csv"])
    export.export_xlsx(conn, tmp_path / "x.xlsx")
    for f in ("x.2021.csv", "x.2021.status.csv", "x.long.csv"):
        for row in csv.reader(io.StringIO((tmp_path / f).read_text(encoding="utf-8-sig"))):
            for c in row:
                assert not export.formula_like(c) or c.startswith("'"), (f, c)
    wide = list(csv.DictReader(io.StringIO((tmp_path / "x.2021.csv").read_text(encoding="utf-8-sig"))))
    assert wide[0]["name"] == "'=cmd.txt" and wide[0]["organ"] == "'" + DANGEROUS[0]
    assert wide[0]["applications.total.total"] == "-3"  # a number stays a number
    long = list(csv.DictReader(io.StringIO((tmp_path / "x.long.csv").read_text(encoding="utf-8-sig"))))
    assert {r["text"] for r in long if r["field"] == "granted.total"} == {"'=1+1"}
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert "\x1b" not in c.value and "\x08" not in c.value and "\x00" not in c.value
                    if export.formula_like(c.value):
                        assert c.quotePrefix, (ws.title, c.value)
                        seen += 1
    assert seen >= len(DANGEROUS) * 3
    texts = [c.value for c in wb["text"]["D"][2:]]  # rows 1 and 2: the labels and the IDs
    assert texts[0] == "一、总体情况\\x1b[31m红色\\x08退格\\x00空\x7f 结束"
    assert wb["reports"]["C3"].value == "=cmd.txt" and wb["reports"]["C3"].data_type == "s"
    assert wb["failures"]["A3"].value == '/r/=HYPERLINK("x").txt' and wb["failures"]["D3"].value == "@bad \\x1b name"


def test_a_dangerous_file_name_and_organ_end_to_end(corpus, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    src = corpus.good[0]
    text = src.read_text(encoding="utf-8")
    organ = corpus.organ_year[src][0]
    root = tmp_path / "in"
    root.mkdir()
    (root / "=cmd.txt").write_text(text.replace(organ, "=2+5*HYPERLINK(A1)" + organ, 1), encoding="utf-8")
    (root / "@x.txt").write_text(text.replace("总体情况", "总体情况\x1b[2J\x08", 1), encoding="utf-8")
    p = cli("batch", root, "-o", tmp_path / "e.db", "-f", "csv,xlsx", "-j", "1")
    assert p.returncode == 0, p.stdout + p.stderr
    fmt = "2019" if corpus.organ_year[src][1] < 2021 else "2021"
    wide = (tmp_path / f"e.{fmt}.csv").read_text(encoding="utf-8-sig")
    assert ",'=cmd.txt," in wide and ",'@x.txt," in wide
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.value)
