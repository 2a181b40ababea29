"""The PDF layout: reports published as PDF files with a text layer (tables ruled or not)."""

# A broken file or a library's bug must become a one-line refusal, never a traceback: hence the broad excepts.
from __future__ import annotations

import re

from core.sdk import CoreError, Document, LayoutPlugin, Note, UnreadableInput, hookimpl

#: Share of a text layer's characters that may be unmapped or private-use before it counts as mojibake.
MOJIBAKE_SHARE = 0.5


def detect(source) -> float | None:
    try:
        head = source.head[:1024]
    except Exception:
        return None
    # Some servers put a BOM or a few bytes of junk before the signature; readers accept it within 1 KiB.
    # Markup before it is a web page that mentions PDF, not a PDF.
    at = head.find(b"%PDF-")
    return 0.97 if at >= 0 and b"<" not in head[:at] else None


def parse(source) -> Document:
    try:
        return _parse(source)
    except CoreError:
        raise
    except RecursionError:
        raise UnreadableInput(f"{source.name}: the PDF is nested too deeply to read") from None
    except MemoryError:
        raise UnreadableInput(f"{source.name}: the PDF is too large to read") from None
    except Exception as e:  # a backend bug or a file no reader expects: never a traceback
        raise UnreadableInput(f"{source.name}: the PDF cannot be read ({type(e).__name__}: {e})") from None


def _parse(source) -> Document:
    # Imported here, not at registration: detect() needs none of it, and `python -m core` on a text
    # file should not pay for the PDF machinery.
    from . import backends as B
    from . import limits

    data = source.data
    name = source.name
    if b"%%EOF" not in data[-65536:] and b"startxref" not in data[-65536:]:
        raise UnreadableInput(f"{name}: the PDF is truncated (it has no end-of-file marker)")
    candidates = B.available()
    if not candidates:
        raise UnreadableInput(f"{name}: no PDF reader is installed (install pdfminer.six or pypdfium2)")
    # Before any reader inflates a byte: what the streams inflate to, per page and in all.
    limits.check_streams(data, name)
    problem = None
    skipped: list[str] = []
    lossy = None  # pages a backend read knowing it lost some text: used only if no backend does better
    for backend in candidates:
        try:
            pages = backend.pages(data, limits.Budget(name))
        except B.PdfPassword:
            raise UnreadableInput(f"{name}: the PDF is encrypted and needs a password") from None
        except B.PdfBroken as e:
            problem = problem or UnreadableInput(f"{name}: {_short(str(e))}")
            skipped.append(f"{backend.name} cannot open it")
            continue
        except B.PdfLossy as e:
            lossy = lossy or (backend, e)
            skipped.append(f"{backend.name}: {e}")
            continue
        verdict = _text_layer_problem(pages, name)
        if verdict is not None:
            # A reader that read every text object says what the text layer is (none, a scan,
            # mojibake): the other reads the same objects through the same fonts, and would only
            # spend its (much slower) time to say the same.
            problem = problem or verdict
            break
        return _rows(backend, pages, skipped, [], name)
    if lossy is not None:
        backend, lost = lossy
        if _text_layer_problem(lost.pages, name) is None:
            return _rows(backend, lost.pages, [], [Note("warning", "pdf_text_lost", f"{backend.name}: {lost}")], name)
    raise problem or UnreadableInput(f"{name}: the PDF cannot be read")


def _rows(backend, pages: list, skipped: list[str], notes: list[Note], name: str) -> Document:
    from . import limits, reading

    why = f" ({'; '.join(skipped)})" if skipped else ""
    notes.append(Note("info", "pdf_backend", f"{backend.name} {backend.version}{why}"))
    scanned = [p.number for p in pages if not p.chars and p.images]
    if scanned:
        notes.append(
            Note(
                "warning",
                "pdf_scanned_pages",
                f"page(s) {', '.join(map(str, scanned))} are images with no text layer and were not read",
            )
        )
    try:
        rows = reading.rows(pages)
    except limits.Exceeded as e:
        raise UnreadableInput(f"{name}: {e}") from None
    return Document(rows, notes, {"pdf_backend": f"{backend.name} {backend.version}"})


def _text_layer_problem(pages: list, name: str) -> UnreadableInput | None:
    """Why the text layer cannot be read (none, a scan, mojibake), or None when it can."""
    total = bad = readable = 0
    for p in pages:
        text = "".join([ch[0] for ch in p.chars])
        if len(text) == len(p.chars):
            # One code point per character (PDFium's always are): counted by C-level scans.
            total += len(text)
            bad += len(_UNMAPPED.findall(text))
            readable = readable or any(map(str.isalnum, text))
            continue
        for ch in p.chars:
            total += 1
            t = ch[0]
            o = ord(t[0])
            if t == "\ufffd" or 0xE000 <= o <= 0xF8FF or o < 32 or 0x80 <= o < 0xA0:
                bad += 1
            elif "\u4e00" <= t[0] <= "\u9fff" or t.isalnum():
                readable += 1
    if total == 0:
        if any(p.images for p in pages):
            return UnreadableInput(f"{name}: no text layer: this PDF is a scan; OCR is not supported")
        return UnreadableInput(f"{name}: no text layer: the PDF has no text and no images")
    if bad > total * MOJIBAKE_SHARE or not readable:
        return UnreadableInput(
            f"{name}: the PDF's text layer is unreadable ({bad} of {total} characters have no "
            f"Unicode mapping); OCR is not supported"
        )
    return None


#: A character with no Unicode mapping: the replacement character, private use, or a control.
_UNMAPPED = re.compile("[\ufffd\ue000-\uf8ff\x00-\x1f\x80-\x9f]")


def _short(msg: str) -> str:
    msg = " ".join(msg.split())
    return msg if len(msg) <= 120 else msg[:117] + "..."


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="pdf",
            detect=detect,
            parse=parse,
            description="PDF with a text layer: ruled or unruled tables (pypdfium2 when installed, else pdfminer.six)",
        )
    ]


__all__ = ["core_layouts", "detect", "parse"]
