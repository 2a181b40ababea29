"""Deciding the text encoding of a saved web page from its bytes, and noting when the page declared
another one."""

from __future__ import annotations

import codecs
import re

from core.sdk import Note, Source, UnreadableInput

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# <meta charset=...>, <meta http-equiv content="...; charset=...">, <?xml ... encoding="..."?>
_DECLARED = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
    re.IGNORECASE,
)
# Where a declaration can be: browsers look at the first 1024 bytes; saved pages sometimes put a long
# <head> first, so look a little further.
_DECLARATION_WINDOW = 8192

# Encodings that are the same family as what the bytes turned out to be: no mismatch worth a note.
_FAMILY = {
    "utf-8": {"utf-8", "utf8", "unicode-1-1-utf-8", "utf-8-sig"},
    "gb18030": {
        "gb18030",
        "gbk",
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "x-gbk",
        "cp936",
        "ms936",
        "windows-936",
        "euc-cn",
        "csgb2312",
        "chinese",
        "hz-gb-2312",
        "iso-ir-58",
    },
}


def declared_charset(data: bytes) -> str | None:
    """The charset the page says it is in, lower-cased as written, or None."""
    m = _DECLARED.search(data[:_DECLARATION_WINDOW])
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii").lower()


def decode(source: Source) -> tuple[str, str, list[Note]]:
    """The page's text, its encoding and notes. Valid UTF-8 wins, then GB18030 (a superset of
    GBK/GB2312); a BOM is obeyed. A declaration that disagrees with the bytes is a ``charset_mismatch``
    note."""
    data = source.data
    declared = declared_charset(data)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(enc)
            except UnicodeDecodeError:
                raise UnreadableInput(f"{source.name}: invalid {enc} text after a byte-order mark") from None
            return _done(source, text, "utf-16" if enc.startswith("utf-16") else enc, declared, data)
    try:
        return _done(source, data.decode("utf-8"), "utf-8", declared, data)
    except UnicodeDecodeError as err:
        first_bad = err.start
    try:
        return _done(source, data.decode("gb18030"), "gb18030", declared, data)
    except UnicodeDecodeError:
        pass
    # A page that declares some other encoding (Big5 on a few traditional-script sites) and is valid in it.
    declared_codec = _codec(declared)
    if declared_codec and declared_codec not in ("utf-8", "gb18030"):
        try:
            return _done(source, data.decode(declared_codec), declared_codec, declared, data)
        except (UnicodeDecodeError, LookupError):
            pass
    # Mojibake pasted into an otherwise good page: keep the page, say how much was lost.
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if bad <= max(8, len(data) // 1000):
            lost = Note("warning", "invalid_bytes", f"{bad} byte sequence(s) invalid in {enc} replaced by U+FFFD")
            text, enc, notes = _done(source, text, enc, declared, data)
            return text, enc, [lost, *notes]
    raise UnreadableInput(f"{source.name}: not UTF-8 or GB18030 text (undecodable at byte {first_bad})")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    for family, names in _FAMILY.items():
        if name in names:
            return family
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _done(source: Source, text: str, actual: str, declared: str | None, data: bytes) -> tuple[str, str, list[Note]]:
    notes = []
    # Pure ASCII reads the same in every declared charset, so a declaration cannot be wrong about it.
    if declared and not data.isascii() and _codec(declared) != actual:
        notes.append(Note("info", "charset_mismatch", f"declared {declared}, bytes are {actual}"))
    if "\x00" in text:
        raise UnreadableInput(f"{source.name}: NUL bytes inside the text, not an HTML page")
    return text, actual, notes
