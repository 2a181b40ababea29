"""Layout plugin for Word 97 (.doc), WPS and RTF files: converted to .docx with LibreOffice when it is
installed, then read like a .docx; refused with the command to run otherwise."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from core.sdk import (
    MAX_BYTES,
    Document,
    LayoutPlugin,
    Note,
    Source,
    UnreadableInput,
    hookimpl,
)

from .docx import parse_bytes

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RTF = b"{\\rtf"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
#: Seconds a conversion may take; a report converts in one or two.
TIMEOUT = 60
_SUFFIXES = (".doc", ".wps", ".rtf", ".dot", ".wpt")


def detect(source: Source) -> float:
    try:
        head = source.head
        if head.startswith(_OLE2):
            # OLE2 also holds Excel and PowerPoint files; a Word file has a "WordDocument" stream.
            return 0.95 if _WORD_STREAM in source.data else 0.6
        if head.lstrip().startswith(_RTF):
            return 0.9
        return 0.0
    except Exception:
        return 0.0


def _converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def parse(source: Source) -> Document:
    kind = "RTF" if source.head.lstrip().startswith(_RTF) else "Word 97 (.doc/.wps)"
    if not source.head.startswith(_OLE2) and kind != "RTF":
        raise UnreadableInput(f"{source.name}: not a Word 97 file (no OLE2 signature)")
    exe = _converter()
    if exe is None:
        raise UnreadableInput(
            f"{source.name}: {kind} files are not read directly; convert with: "
            f"soffice --headless --convert-to docx FILE"
        )
    with tempfile.TemporaryDirectory(prefix="zfxxgk-word97-") as tmp:
        tmpdir = Path(tmp)
        suffix = Path(source.name).suffix.lower()
        if suffix not in _SUFFIXES:
            suffix = ".rtf" if kind == "RTF" else ".doc"
        src = tmpdir / f"input{suffix}"
        src.write_bytes(source.data)
        out_dir = tmpdir / "out"
        out_dir.mkdir()
        _convert(exe, src, out_dir, tmpdir, source.name)
        produced = sorted(out_dir.glob("*.docx"))
        if not produced:
            raise UnreadableInput(
                f"{source.name}: {Path(exe).name} could not convert the file to .docx (corrupt or password-protected?)"
            )
        out = produced[0]
        if out.stat().st_size > MAX_BYTES:
            raise UnreadableInput(f"{source.name}: the converted document is larger than any report")
        rows = parse_bytes(out.read_bytes(), source.name)
    return Document(rows, [Note("info", "converted", f"{kind} file converted to .docx with {Path(exe).name}")])


def _convert(exe: str, src: Path, out_dir: Path, tmpdir: Path, name: str) -> None:
    # A private profile: a user's running LibreOffice would otherwise swallow the request, and the
    # conversion must not depend on or change the user's settings.
    profile = (tmpdir / "profile").as_uri()
    cmd = [
        exe,
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        f"-env:UserInstallation={profile}",
        "--convert-to",
        "docx",
        "--outdir",
        str(out_dir),
        str(src),
    ]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["HOME"] = str(tmpdir)
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmpdir,
            env=env,
            start_new_session=True,
        )
    except OSError as e:
        raise UnreadableInput(f"{name}: cannot run {Path(exe).name} to convert the file ({e.strerror or e})") from None
    try:
        proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        # soffice starts helper processes; end the whole group it leads, not just the first one (a group
        # that has ended by itself meanwhile is fine).
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise UnreadableInput(f"{name}: conversion with {Path(exe).name} took longer than {TIMEOUT} s") from None


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="word97",
            detect=detect,
            parse=parse,
            description="Word 97 .doc, WPS and RTF files (converted with LibreOffice if installed)",
        )
    ]
