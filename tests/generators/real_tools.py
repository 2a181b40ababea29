"""The real converters, run the way users and offices run them, with their results cached on disk.

- :func:`pdftotext`: poppler's ``pdftotext -layout -enc UTF-8 FILE -`` or plain ``pdftotext -enc UTF-8
  FILE -`` (the text people copy out of a PDF).
- :func:`soffice_convert`: LibreOffice's ``soffice --headless --convert-to pdf|html|doc`` of many files in
  ONE invocation (it takes about two seconds to start), with a private profile directory and a timeout.
- :func:`browser_text`: a web page's text as headless Chromium gives it (Debian's chromium and
  chromium-driver, through Selenium): ``innerText`` (what copying the page or a scraper's ``.text`` gets)
  or ``textContent`` (the source's text with its whitespace, what a scraper that does not render gets).
  :func:`chromium` starts the browser, for these and for the review app's browser tests.

Every result is cached under ``tests/.cache/`` (git-ignored; ``ZFXXGK_TOOL_CACHE`` moves it), keyed by the
sha256 of the input bytes, the conversion and the tool's version, so reruns are fast and a new tool
version makes new files.

A tool that is not installed raises :class:`ToolMissing`; :func:`need` turns that into a pytest skip, or
into a test failure when ``ZFXXGK_REQUIRE_TOOLS=1`` (as CI sets it, so that a missing install step cannot
pass as skipped tests).

usage: python -m tests.generators.real_tools pdftotext FILE.pdf [--plain]
       python -m tests.generators.real_tools soffice pdf|html|doc FILE... --outdir DIR
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("ZFXXGK_TOOL_CACHE") or ROOT / "tests" / ".cache")
REQUIRE_ENV = "ZFXXGK_REQUIRE_TOOLS"

#: seconds: a pdftotext run; a soffice batch gets this plus PER_FILE seconds for each file
TIMEOUT = 60
PER_FILE = 10


class ToolMissing(RuntimeError):
    """A converter the material needs is not installed."""


class ConversionFailed(RuntimeError):
    """A converter ran but made no output (or timed out)."""


# --- tools and versions --------------------------------------------------------------------------------

def which(tool: str) -> str:
    names = {"soffice": ("soffice", "libreoffice"), "chromium": ("chromium", "chromium-browser")}.get(tool, (tool,))
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise ToolMissing(f"{tool} is not installed (Debian: apt-get install "
                      f"{ {'pdftotext': 'poppler-utils', 'soffice': 'libreoffice-writer'}.get(tool, tool)})")


@functools.cache
def version(tool: str) -> str:
    """The tool's version line ("pdftotext version 22.12.0", "LibreOffice 7.4.7.2 40(Build:2)")."""
    exe = which(tool)
    arg = "-v" if tool == "pdftotext" else "--version"
    p = subprocess.run([exe, arg], check=False, capture_output=True, text=True, timeout=TIMEOUT, env=_env(None))
    out = (p.stdout + "\n" + p.stderr).strip().splitlines()
    line = next((ln for ln in out if re.search(r"\d+\.\d+", ln)), "")
    if not line:
        raise ToolMissing(f"{tool}: cannot tell its version from {exe} {arg}")
    return line.strip()


def available(tool: str) -> bool:
    try:
        version(tool)
        return True
    except ToolMissing:
        return False


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def need(*tools: str) -> None:
    """In a test: skip when a tool is missing, fail instead when ``ZFXXGK_REQUIRE_TOOLS=1``."""
    for tool in tools:
        try:
            version(tool)
        except ToolMissing as e:
            missing(e)


def missing(e: ToolMissing) -> None:
    """Skip the test for a missing tool, or fail it when ``ZFXXGK_REQUIRE_TOOLS=1``."""
    import pytest

    if required():
        pytest.fail(f"{e} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(str(e))


def _env(home: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["LC_ALL"] = "C.UTF-8"
    if home is not None:
        env["HOME"] = str(home)
    return env


# --- the cache -----------------------------------------------------------------------------------------

def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", s).strip("-")[:60]


def cache_path(tool: str, op: str, data: bytes, ext: str) -> Path:
    """Where the result of ``op`` on ``data`` by this version of ``tool`` is kept."""
    digest = hashlib.sha256(data).hexdigest()
    return CACHE / f"{tool}-{_slug(version(tool))}" / op / f"{digest}.{ext}"


def _store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


# --- pdftotext -----------------------------------------------------------------------------------------

def pdftotext(pdf: bytes, layout: bool = True) -> str:
    """The text of a PDF as ``pdftotext [-layout] -enc UTF-8 FILE -`` prints it (form feeds between pages)."""
    op = "layout" if layout else "plain"
    path = cache_path("pdftotext", op, pdf, "txt")
    if path.exists():
        return path.read_bytes().decode("utf-8")
    exe = which("pdftotext")
    with tempfile.TemporaryDirectory(prefix="zfxxgk-pdftotext-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        cmd = [exe, *(["-layout"] if layout else []), "-enc", "UTF-8", str(src), "-"]
        p = subprocess.run(cmd, check=False, capture_output=True, timeout=TIMEOUT, env=_env(Path(tmp)))
    if p.returncode != 0:
        raise ConversionFailed(f"pdftotext failed (exit {p.returncode}): {p.stderr.decode(errors='replace')[:300]}")
    if b"Missing language pack" in p.stderr:
        # poppler without poppler-data prints only the digits of a PDF whose CJK font is not embedded
        raise ToolMissing("poppler-data is not installed: pdftotext leaves out the Chinese of PDFs whose CJK "
                          "font is not embedded (Debian: apt-get install poppler-data)")
    _store(path, p.stdout)
    return p.stdout.decode("utf-8")


def pdftotext_many(pdfs: list[bytes], layout: bool = True, workers: int = 4) -> list[str]:
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(lambda b: pdftotext(b, layout), pdfs))


# --- LibreOffice ---------------------------------------------------------------------------------------

#: --convert-to target -> extension of the file soffice writes
TARGETS = {"pdf": "pdf", "html": "html", "doc": "doc", "docx": "docx"}


def soffice_convert(docs: list[tuple[bytes, str]], to: str) -> list[bytes]:
    """Convert each (bytes, input extension) with ``soffice --headless --convert-to TO``; the files not in
    the cache are converted together in one soffice run. Returns the converted bytes in input order."""
    if to not in TARGETS:
        raise ValueError(f"to must be one of {tuple(TARGETS)}")
    ext = TARGETS[to]
    paths = [cache_path("soffice", f"{suffix}-to-{to}", data, ext) for data, suffix in docs]
    todo = {}
    for (data, suffix), path in zip(docs, paths):
        if not path.exists():
            todo[path] = (data, suffix)
    if todo:
        _soffice_batch(todo, to, ext)
    return [p.read_bytes() for p in paths]


def _soffice_batch(todo: dict[Path, tuple[bytes, str]], to: str, ext: str) -> None:
    exe = which("soffice")
    with tempfile.TemporaryDirectory(prefix="zfxxgk-soffice-") as tmp:
        tmpdir = Path(tmp)
        src_dir, out_dir = tmpdir / "in", tmpdir / "out"
        src_dir.mkdir()
        out_dir.mkdir()
        inputs = []
        for path, (data, suffix) in todo.items():
            src = src_dir / f"{path.stem}.{suffix}"
            src.write_bytes(data)
            inputs.append(str(src))
        profile = (tmpdir / "profile").as_uri()
        cmd = [exe, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile}", "--convert-to", to, "--outdir", str(out_dir), *inputs]
        timeout = TIMEOUT + PER_FILE * len(inputs)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=tmpdir, env=_env(tmpdir), start_new_session=True)
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # soffice starts helper processes: end the group it leads (only the one we started)
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionFailed(f"soffice --convert-to {to} of {len(inputs)} files took more than "
                                   f"{timeout} s") from None
        missing = []
        for path in todo:
            out = out_dir / f"{path.stem}.{ext}"
            if out.exists() and out.stat().st_size:
                _store(path, out.read_bytes())
            else:
                missing.append(path.stem[:12])
        if missing:
            raise ConversionFailed(f"soffice --convert-to {to} made no output for {len(missing)} of "
                                   f"{len(inputs)} files ({', '.join(missing[:5])}); exit {proc.returncode}: "
                                   f"{err.decode(errors='replace')[-300:]}")


# --- Chromium ------------------------------------------------------------------------------------------

#: Flags for a machine whose network is closed: without them Chromium keeps retrying connections.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                  "--disable-extensions", "--window-size=1600,1000", "--lang=zh-CN")
CHROMEDRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
#: what :func:`browser_text` can read of a page
TEXT_PROPERTIES = ("innerText", "textContent")


def chromedriver() -> str:
    for p in CHROMEDRIVER:
        if os.access(p, os.X_OK):
            return p
    path = shutil.which("chromedriver")
    if not path:
        raise ToolMissing("chromedriver is not installed (Debian: apt-get install chromium-driver)")
    return path


@contextlib.contextmanager
def chromium():
    """A headless Chromium driven by Selenium, with a private profile; quit (and the profile removed) on
    leaving, whatever happens."""
    exe, driver_path = which("chromium"), chromedriver()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        raise ToolMissing("selenium is not installed (pip install -e '.[test]')") from e
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for a browser to download
    profile = tempfile.mkdtemp(prefix="zfxxgk-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = exe
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            driver.set_page_load_timeout(TIMEOUT)
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def browser_text(pages: list[bytes], prop: str) -> list[str]:
    """Each HTML page's ``document.body[prop]`` as Chromium renders it (``prop``: innerText or
    textContent); the pages not in the cache are opened in one browser session."""
    if prop not in TEXT_PROPERTIES:
        raise ValueError(f"prop must be one of {TEXT_PROPERTIES}")
    paths = [cache_path("chromium", prop, page, "txt") for page in pages]
    todo = {path: page for path, page in zip(paths, pages) if not path.exists()}
    if todo:
        with chromium() as driver, tempfile.TemporaryDirectory(prefix="zfxxgk-pages-") as tmp:
            for path, page in todo.items():
                src = Path(tmp) / f"{path.stem}.html"
                src.write_bytes(page)
                driver.get(src.as_uri())
                text = driver.execute_script(f"return document.body.{prop}")
                _store(path, text.encode("utf-8"))
    return [p.read_bytes().decode("utf-8") for p in paths]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a1 = sub.add_parser("pdftotext")
    a1.add_argument("pdf")
    a1.add_argument("--plain", action="store_true")
    a2 = sub.add_parser("soffice")
    a2.add_argument("to", choices=tuple(TARGETS))
    a2.add_argument("files", nargs="+")
    a2.add_argument("--outdir", required=True)
    a = ap.parse_args()
    if a.cmd == "pdftotext":
        sys.stdout.write(pdftotext(Path(a.pdf).read_bytes(), layout=not a.plain))
        return
    docs = [(Path(f).read_bytes(), Path(f).suffix.lstrip(".")) for f in a.files]
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    for f, data in zip(a.files, soffice_convert(docs, a.to)):
        (out / f"{Path(f).stem}.{TARGETS[a.to]}").write_bytes(data)


if __name__ == "__main__":
    main()
