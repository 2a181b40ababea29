"""Reading an input once: its bytes, and its text decoded from those bytes when it is text."""
from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from core.errors import UnreadableInput

#: Largest input read. A report is at most a few MB of text or a few tens of MB of PDF; anything larger
#: is refused before it is read, so memory stays bounded.
MAX_BYTES = 64 * 1024 * 1024
#: Most lines a text input may have: a long report has a few thousand; millions of tiny lines are not a
#: report, and every layout's work grows with the line count.
MAX_LINES = 200_000

_CONTROL = bytes(b for b in range(32) if b < 9 or 13 < b)
#: Formats that are never text, whatever their bytes decode to: PDF, zip (docx), OLE2 (doc/wps), images.
_BINARY_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class Source:
    """An input file (or text) as bytes, with a lazily decoded text view for text layouts."""

    def __init__(self, data: bytes, name: str = "<text>", path: Path | None = None):
        self.data = data
        self.name = name
        self.path = path
        #: Diagnostics found while decoding, as (level, code, message).
        self.notes: list[tuple[str, str, str]] = []
        #: Facts a layout adds to the report's ``meta`` (e.g. which PDF backend read the file).
        self.meta: dict[str, str] = {}
        self.encoding: str | None = None

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> "Source":
        p = Path(path)
        try:
            if p.is_dir():
                raise UnreadableInput(f"{p}: is a directory, not a file")
            size = p.stat().st_size
            if size > MAX_BYTES:
                raise UnreadableInput(f"{p}: {size // (1024 * 1024)} MB is larger than any report "
                                      f"({MAX_BYTES // (1024 * 1024)} MB limit)")
            data = p.read_bytes()
        except FileNotFoundError:
            raise UnreadableInput(f"{p}: no such file") from None
        except PermissionError:
            raise UnreadableInput(f"{p}: permission denied") from None
        except IsADirectoryError:
            raise UnreadableInput(f"{p}: is a directory, not a file") from None
        except OSError as e:
            raise UnreadableInput(f"{p}: cannot be read ({e.strerror or e})") from None
        if not data.strip():
            raise UnreadableInput(f"{p}: the file is empty")
        return cls(data, name=p.name, path=p)

    @classmethod
    def from_text(cls, text: str, name: str = "<text>") -> "Source":
        src = cls(text.encode("utf-8"), name=name)
        src.__dict__["text"] = text  # already decoded; cached_property reads the instance dict
        src.encoding = "utf-8"
        return src

    @cached_property
    def head(self) -> bytes:
        """The first 4 KiB, for cheap byte-signature checks in ``detect``."""
        return self.data[:4096]

    @cached_property
    def binary(self) -> bool:
        """True when the bytes cannot be text (NUL bytes outside UTF-16, or control-byte noise)."""
        head = self.head
        if head.lstrip()[:8].startswith(_BINARY_SIGNATURES):
            return True
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        if b"\x00" in head:
            return True
        ctrl = len(head) - len(head.translate(None, _CONTROL))
        return ctrl > len(head) * 0.05

    def looks_binary(self) -> bool:
        return self.binary

    @cached_property
    def text(self) -> str:
        """The decoded text with newlines normalised; raises :class:`UnreadableInput` when not text."""
        data = self.data
        if self.looks_binary():
            raise UnreadableInput(f"{self.name}: binary data, not text")
        for bom, enc in _BOMS:
            if data.startswith(bom):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    raise UnreadableInput(f"{self.name}: invalid {enc} text after a byte-order mark") from None
                self.encoding = enc
                return _normalise_newlines(text)
        try:
            text = data.decode("utf-8")
            self.encoding = "utf-8"
        except UnicodeDecodeError as err:
            text = self._decode_fallback(data, err)
        if "\x00" in text:
            raise UnreadableInput(f"{self.name}: NUL bytes inside the text")
        text = _normalise_newlines(text)
        lines = text.count("\n") + 1
        if lines > MAX_LINES:
            raise UnreadableInput(f"{self.name}: {lines} lines is more than any report has ({MAX_LINES} limit)")
        return text

    def _decode_fallback(self, data: bytes, err: UnicodeDecodeError) -> str:
        # GB18030 is a superset of GBK/GB2312, the encodings Chinese government sites serve besides UTF-8.
        try:
            text = data.decode("gb18030")
            self.encoding = "gb18030"
            return text
        except UnicodeDecodeError:
            pass
        bad = data.decode("utf-8", errors="replace").count("\ufffd")
        if bad <= max(8, len(data) // 1000):
            self.encoding = "utf-8"
            self.notes.append(("warning", "invalid_utf8",
                               f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD "
                               f"(first at byte {err.start})"))
            return data.decode("utf-8", errors="replace")
        raise UnreadableInput(f"{self.name}: not UTF-8 or GB18030 text (undecodable at byte {err.start})")

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
