"""Layout plugin for saved web pages: the report's tables as TABLE rows and its prose as TEXT rows, in
reading order, with the site's navigation, scripts, share buttons and metadata boxes kept out of the tables."""

# A broken file or a library's bug must become a one-line refusal, never a traceback: hence the broad excepts.
from __future__ import annotations

import re

from lxml import etree

from core.sdk import (
    TEXT,
    Cell,
    Document,
    LayoutPlugin,
    Note,
    Row,
    Source,
    UnreadableInput,
    hookimpl,
)

from ._html_decode import decode
from ._html_grid import (
    Budget,
    Exceeded,
    Span,
    clean,
    join_pieces,
    span_counts,
    table_rows,
)

# Elements whose content is never part of the report.
_NEVER = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "applet",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "map",
        "link",
        "meta",
        "base",
    }
)
# Elements that start a new line of text (everything else is inline and joins its neighbours).
_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "td",
        "th",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "blockquote",
        "pre",
        "center",
        "address",
        "figure",
        "figcaption",
        "hr",
        "br",
        "body",
        "html",
        "form",
        "fieldset",
        "legend",
        "title",
        "details",
        "summary",
        "menu",
        "dir",
        "frameset",
        "noframes",
    }
)
# Page chrome, by tag or by a class/id word (English and the pinyin Chinese CMSs use).
_CHROME_TAGS = frozenset({"nav", "footer", "aside", "menu"})
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "submenu",
        "share",
        "bdshare",
        "bdsharebuttonbox",
        "sharebox",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "footer",
        "foot",
        "toolbar",
        "sidebar",
        "topbar",
        "print",
        "qrcode",
        "daohang",
        "fenxiang",
        "dibu",
        "weizhi",
        "banquan",
        "copyright",
    }
)
# Elements whose line breaks are part of the text.
_PREFORMATTED = frozenset({"pre", "xmp", "listing", "plaintext"})
_WORD = re.compile(r"[a-z]+")
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Chrome is short; an element this long that merely carries a chrome-like class is content, not chrome.
_CHROME_MAX_CHARS = 1500
_CHROME_MAX_CELLS = 40
# How deep cell text is followed element by element; below that (sloppy pages nest hundreds of unclosed
# <font>s) the text is kept but line breaks inside it are not.
_MAX_RECURSION = 150
# A table cell this long holds prose: the table is page layout, not data.
_PROSE_CELL_CHARS = 300
# Publication metadata a CMS prints in a small table above the report.
_METADATA_KEYS = (
    "索引号",
    "发布机构",
    "发文机关",
    "发文机构",
    "生成日期",
    "成文日期",
    "发布日期",
    "发布时间",
    "公开日期",
    "文号",
    "发文字号",
    "主题分类",
    "体裁分类",
    "主题词",
    "信息来源",
    "公开方式",
    "公开范围",
    "公开时限",
    "有效性",
    "信息名称",
    "所属机构",
    "组配分类",
    "服务对象",
)
_METADATA_KEY = re.compile("|".join(_METADATA_KEYS))

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _not_html(head: bytes) -> str | None:
    """What the bytes really are, when they are a binary format saved under an HTML name."""
    if b"%PDF-" in head[:1024]:
        return "PDF"
    if head.startswith(b"PK\x03\x04"):
        return "zip (an Office document?)"
    if head.startswith(_OLE2):
        return "Word 97/OLE2"
    return None


def detect(source: Source) -> float:
    try:
        head = source.head
        if _not_html(head):
            return 0.0
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        elif b"\x00" in head:
            return 0.0
        low = head.lower()
        start = low.lstrip(b"\xef\xbb\xbf").lstrip()
        if start.startswith((b"<!doctype html", b"<html")) or (start.startswith(b"<?xml") and b"<html" in low):
            return 0.95
        if any(t in low for t in (b"<!doctype html", b"<html", b"<body", b"<table")):
            return 0.9
        if start.startswith(b"<") and any(t in low for t in (b"<head", b"<meta", b"<div", b"<p>", b"<p ")):
            return 0.9
        if any(t in low for t in (b"<div", b"<p>", b"<br", b"<span")):
            return 0.3  # tags in some other text: readable as HTML, but probably not what it is
        return 0.0
    except Exception:
        return 0.0


def parse(source: Source) -> Document:
    try:
        return _parse(source)
    except Exceeded as e:
        raise UnreadableInput(str(e)) from None


def _parse(source: Source) -> Document:
    what = _not_html(source.head)
    if what:
        raise UnreadableInput(f"{source.name}: {what} data, not an HTML page")
    text, encoding, notes = decode(source)
    budget = Budget(source.name)
    markup = text.encode("utf-8")
    budget.tags(markup)
    # Plain lxml elements, not lxml.html's element classes: the custom class lookup doubles the cost.
    # huge_tree lifts libxml2's nesting limit of 256, past which it silently drops the rest of the page
    # (sloppy CMS output nests hundreds of unclosed <font>s); the input size is already bounded.
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        root = etree.fromstring(markup, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        raise UnreadableInput(f"{source.name}: no HTML content ({e})") from None
    if root is None:
        raise UnreadableInput(f"{source.name}: no HTML content")
    limits = [e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"]
    if limits:
        notes.append(
            Note(
                "warning",
                "html_truncated",
                f"elements nested too deeply (or a text node too large) at line {limits[0].line}: "
                f"the page after that point was not read",
            )
        )
    return Document(_Page(root, budget).rows, notes, {"encoding": encoding})


class _Page:
    """One pass over the document tree in source order, collecting rows."""

    def __init__(self, root, budget: Budget):
        self.budget = budget
        self.rows: list[Row] = []
        self._buf: list[str] = []
        self._line: int | None = None
        # Tables that contain tables are page layout: their cells are read as prose, the inner ones as data.
        self._layout_tables = set()
        for table in root.iter("table"):
            up = table.getparent()
            while up is not None:
                if up.tag == "table":
                    self._layout_tables.add(up)
                    break
                up = up.getparent()
        self._walk(root)

    # -- prose -----------------------------------------------------------------------------------------
    def _add(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        if self._line is None and not text.isspace():
            self._line = _line_of(text, line)
        self._buf.append(text)

    def _flush(self) -> None:
        if self._buf:
            text = clean("".join(self._buf))
            if text:
                self.budget.add_rows()
                self.rows.append(Row((Cell(text, line=self._line),), TEXT))
            self._buf.clear()
        self._line = None

    def _walk(self, root) -> None:
        walker = etree.iterwalk(root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else None
            if event == "start":
                if tag is None or tag in _NEVER or _is_chrome(el, tag):
                    walker.skip_subtree()
                    continue
                if tag == "head":
                    self._flush()
                    title = el.find("title")
                    if title is not None:
                        self._add("".join(title.itertext()), title.sourceline)
                        self._flush()
                    walker.skip_subtree()
                    continue
                if tag in _PREFORMATTED:
                    self._flush()
                    self._preformatted(el)
                    walker.skip_subtree()
                    continue
                if tag == "table" and el not in self._layout_tables:
                    rows = self._table(el)
                    if rows is not None:
                        self._flush()
                        self.rows.extend(rows)
                        walker.skip_subtree()
                        continue
                if tag in _BLOCK:
                    self._flush()
                self._add(el.text, el.sourceline)
            else:
                if tag in _BLOCK:
                    self._flush()
                if el.tail:
                    self._add(el.tail, _tail_line(el) if self._line is None else None)
        self._flush()

    def _preformatted(self, el) -> None:
        """Text laid out with its own line breaks (a report pasted as plain text): one row per line."""
        first = el.sourceline
        for i, line in enumerate("".join(_visible_text(el)).split("\n")):
            line = clean(line)
            if line:
                self.budget.add_rows()
                self.rows.append(Row((Cell(line, line=None if first is None else first + i),), TEXT))

    # -- tables ----------------------------------------------------------------------------------------
    def _table(self, table) -> list[Row] | None:
        """The rows of a data table, or None when the table only lays out prose."""
        trs = [tr for tr in table.iter("tr")]
        spans: list[list[Span]] = []
        for i, tr in enumerate(trs):
            row = []
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                text = _cell_text(td)
                if len(text) > _PROSE_CELL_CHARS:
                    return None
                rowspan, colspan = td.get("rowspan"), td.get("colspan")
                if rowspan is None and colspan is None:
                    row.append(Span(text, td.sourceline))
                else:
                    rs, cs = span_counts(rowspan, colspan, len(trs) - i)
                    row.append(Span(text, td.sourceline, None, rs, cs))
            spans.append(row)
        out: list[Row] = []
        caption = table.find("caption")
        if caption is not None:
            text = clean("".join(caption.itertext()))
            if text:
                out.append(Row((Cell(text, line=caption.sourceline),), TEXT))
        if _is_metadata(spans):
            # Kept as prose: the organ's name is often only here, but these are not report tables.
            for tr, row in zip(trs, spans):
                text = " ".join(s.text for s in row if s.text)
                if text:
                    out.append(Row((Cell(text, line=tr.sourceline),), TEXT))
            return out
        rows = table_rows(spans, self.budget)
        self.budget.add_rows(len(rows))
        out.extend(rows)
        return out


def _visible_text(el, depth: int = 0):
    """Text of an element and its descendants, leaving out scripts and the like."""
    if depth >= _MAX_RECURSION:
        yield "".join(el.itertext())
        return
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _NEVER:
            if child.tag == "br":
                yield "\n"
            yield from _visible_text(child, depth + 1)
        if child.tail:
            yield child.tail


def _tail_line(el) -> int | None:
    """The line where the text after an element starts: lxml only knows where elements start."""
    nxt = el.getnext()
    if nxt is not None and nxt.sourceline:
        return nxt.sourceline - el.tail.count("\n")
    if len(el) == 0 and el.sourceline:
        return el.sourceline + (el.text or "").count("\n")
    return el.sourceline


def _line_of(text: str, line: int | None) -> int | None:
    """The line where the first visible character of ``text`` is, given the line where ``text`` starts."""
    if line is None:
        return None
    lead = len(text) - len(text.lstrip())
    return line + text.count("\n", 0, lead)


def _cell_text(td) -> str:
    """A cell's text, its lines (<br>, <p>, <div>) joined into one."""
    if len(td) == 0:
        return clean(td.text or "")
    pieces: list[str] = []
    cur: list[str] = [td.text or ""]
    _collect(td, cur, pieces, 0)
    pieces.append("".join(cur))
    return join_pieces(pieces)


def _collect(el, cur: list[str], pieces: list[str], depth: int) -> None:
    # Recursion, not iterwalk: cells are shallow, and an iterwalk per cell costs more than the cell.
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in _NEVER:
            block = tag in _BLOCK
            if block:
                pieces.append("".join(cur))
                cur.clear()
            if depth >= _MAX_RECURSION:
                cur.append("".join(child.itertext()))  # absurd nesting: keep the text, lose the breaks
            else:
                if child.text:
                    cur.append(child.text)
                if len(child):
                    _collect(child, cur, pieces, depth + 1)
            if block:
                pieces.append("".join(cur))
                cur.clear()
        if child.tail:
            cur.append(child.tail)


def _is_chrome(el, tag: str) -> bool:
    """Navigation, share buttons, footers and hidden boxes: short elements marked as such."""
    marked = tag in _CHROME_TAGS or el.get("hidden") is not None
    if not marked:
        names = (el.get("class") or "") + " " + (el.get("id") or "")
        if names.strip():
            marked = any(w in _CHROME_WORDS for w in _WORD.findall(names.lower()))
        if not marked:
            style = el.get("style")
            marked = bool(style) and _HIDDEN.search(style) is not None
    if not marked:
        return False
    n = 0
    for t in el.itertext():
        n += len(t.strip())
        if n > _CHROME_MAX_CHARS:
            return False
    # A report table is never chrome, whatever its wrapper is called; footers laid out in tables are small.
    return all(n < _CHROME_MAX_CELLS for n, _td in enumerate(el.iter("td", "th")))


def _is_metadata(spans: list[list[Span]]) -> bool:
    keys = {m.group() for row in spans for s in row if (m := _METADATA_KEY.match(s.text))}
    return len(keys) >= 2


@hookimpl
def core_layouts():
    return [
        LayoutPlugin(
            name="html",
            detect=detect,
            parse=parse,
            description="saved web pages (HTML tables and paragraphs; UTF-8 or GBK)",
        )
    ]
