"""Reading an input once: its bytes, and its text decoded from those bytes when it is text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import UnreadableInput

#: Largest input read. A report is at most a few MB of text or a few tens of MB of PDF; anything larger
#: is refused before it is read, so memory stays bounded.
MAX_BYTES = 64 * 1024 * 1024
#: Most lines a text input may have: a long report has a few thousand; millions of tiny lines are not a
#: report, and every layout's work grows with the line count.
MAX_LINES = 200_000

_CONTROL = bytes(b for b in range(32) if b < 9 or b > 13)
#: Formats that are never text, whatever their bytes decode to: PDF, zip (docx), OLE2 (doc/wps), images.
_BINARY_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


class Source:
    """An input file (or text) as bytes, with a lazily decoded text view for text layouts.

    Read-only: a layout reads it and hands back what it found in a :class:`core.layout.Document`, never
    by writing into the source. Each layout is given its own :meth:`copy`, so nothing one layout (or a
    broken plugin) does to its copy reaches another.
    """

    __slots__ = ("_memo", "data", "name", "path")

    data: bytes
    name: str
    path: Path | None
    _memo: dict

    def __init__(self, data: bytes, name: str = "<text>", path: Path | None = None):
        object.__setattr__(self, "data", bytes(data))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "path", path)
        # Values computed once from the bytes (all immutable), and whether this copy's text was read.
        object.__setattr__(self, "_memo", {})

    def __setattr__(self, name, value):
        raise AttributeError(f"a Source is read-only (tried to set {name!r})")

    def __repr__(self) -> str:
        return f"Source({self.name!r}, {len(self.data)} bytes)"

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> Source:
        p = Path(path)
        try:
            if p.is_dir():
                raise UnreadableInput(f"{p}: is a directory, not a file")
            size = p.stat().st_size
            if size > MAX_BYTES:
                raise UnreadableInput(
                    f"{p}: {size // (1024 * 1024)} MB is larger than any report ({MAX_BYTES // (1024 * 1024)} MB limit)"
                )
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
    def from_text(cls, text: str, name: str = "<text>") -> Source:
        src = cls(text.encode("utf-8"), name=name)
        src._memo["decoded"] = Decoded(_normalise_newlines(text), "utf-8", ())
        return src

    def copy(self) -> Source:
        """A new Source of the same bytes that shares what was already decoded (immutable values)."""
        twin = Source(self.data, self.name, self.path)
        twin._memo.update((k, v) for k, v in self._memo.items() if k != "text_read")
        return twin

    def _once(self, key: str, compute):
        memo = self._memo
        if key not in memo:
            try:
                memo[key] = compute()
            except UnreadableInput as e:
                memo[key] = e
        value = memo[key]
        if isinstance(value, UnreadableInput):
            raise value
        return value

    @property
    def head(self) -> bytes:
        """The first 4 KiB, for cheap byte-signature checks in ``detect``."""
        return self.data[:4096]

    @property
    def binary(self) -> bool:
        """True when the bytes cannot be text (NUL bytes outside UTF-16, or control-byte noise)."""
        return self._once("binary", lambda: _looks_binary(self.head))

    def looks_binary(self) -> bool:
        return self.binary

    @property
    def decoded(self) -> Decoded:
        """The text with its encoding and what decoding found; raises :class:`UnreadableInput` when the
        bytes are not text."""
        return self._once("decoded", self._decode)

    @property
    def text(self) -> str:
        """The decoded text with newlines normalised; raises :class:`UnreadableInput` when not text."""
        decoded = self.decoded
        self._memo["text_read"] = True
        return decoded.text

    @property
    def lines(self) -> tuple[str, ...]:
        """The text's lines (see :attr:`text`): split once, and shared by the copies made after."""
        lines = self._once("lines", lambda: tuple(self.decoded.text.split("\n")))
        self._memo["text_read"] = True
        return lines

    @property
    def text_read(self) -> bool:
        """True once this copy's text was read (a text layout read the file as text)."""
        return bool(self._memo.get("text_read"))

    @property
    def encoding(self) -> str | None:
        """The encoding the text was decoded from, once it was decoded."""
        decoded = self._memo.get("decoded")
        return decoded.encoding if isinstance(decoded, Decoded) else None

    def _decode(self) -> Decoded:
        data = self.data
        if self.binary:
            raise UnreadableInput(f"{self.name}: binary data, not text")
        for bom, enc in _BOMS:
            if data.startswith(bom):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    raise UnreadableInput(f"{self.name}: invalid {enc} text after a byte-order mark") from None
                return Decoded(_normalise_newlines(text), enc, ())
        notes: tuple[tuple[str, str, str], ...] = ()
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as err:
            text, enc, notes = self._decode_fallback(data, err)
        if "\x00" in text:
            raise UnreadableInput(f"{self.name}: NUL bytes inside the text")
        text = _normalise_newlines(text)
        lines = text.count("\n") + 1
        if lines > MAX_LINES:
            raise UnreadableInput(f"{self.name}: {lines} lines is more than any report has ({MAX_LINES} limit)")
        return Decoded(text, enc, notes)

    def _decode_fallback(self, data: bytes, err: UnicodeDecodeError):
        # GB18030 is a superset of GBK/GB2312, the encodings Chinese government sites serve besides UTF-8.
        try:
            return data.decode("gb18030"), "gb18030", ()
        except UnicodeDecodeError:
            pass
        bad = data.decode("utf-8", errors="replace").count("\ufffd")
        if bad <= max(8, len(data) // 1000):
            note = (
                "warning",
                "invalid_utf8",
                f"{bad} invalid UTF-8 byte sequence(s) replaced by U+FFFD (first at byte {err.start})",
            )
            return data.decode("utf-8", errors="replace"), "utf-8", (note,)
        raise UnreadableInput(f"{self.name}: not UTF-8 or GB18030 text (undecodable at byte {err.start})")


@dataclass(frozen=True)
class Decoded:
    """A text input decoded: the text, the encoding it was read in, and (level, code, message) notes
    about the decoding (bytes replaced, for instance)."""

    text: str
    encoding: str
    notes: tuple[tuple[str, str, str], ...]


def _looks_binary(head: bytes) -> bool:
    if head.lstrip()[:8].startswith(_BINARY_SIGNATURES):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head) - len(head.translate(None, _CONTROL))
    return ctrl > len(head) * 0.05


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
