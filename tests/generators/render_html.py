"""Render an expected-values JSON as a saved government web page, in the styles real CMSs produce.

Styles:
- ``cms``: an HTML5 page; navigation, breadcrumb, a 索引号/发布机构 metadata table, share buttons,
  scripts and a footer around the article; section 二 as the template's single table.
- ``layout``: an old table-layout page (the article sits in nested layout tables); section 二 as one
  table per item; <th>/<thead>; numbers wrapped in <span>s; header cells broken with <br>.
- ``word``: an article pasted from Word: every cell holds <p class=MsoNormal><span>…</span></p>, header
  cells broken into several <p>s, headings in <b>, section 四's heading as the first row of its table.

usage: python -m tests.generators.render_html GOLD.json OUT.html [--style cms] [--encoding gbk] [--declare gb2312|none]
"""
from __future__ import annotations

import argparse
import html
import json

from tests.generators import Block, C, blocks_for, organ

STYLES = ("cms", "layout", "word")


def _esc(s: str) -> str:
    return html.escape(s, quote=False)


def _attrs(c: C) -> str:
    a = ""
    if c.rowspan > 1:
        a += f' rowspan="{c.rowspan}"'
    if c.colspan > 1:
        a += f' colspan="{c.colspan}"'
    return a


def _broken(text: str, sep: str) -> str:
    """A long header split in the middle, as narrow cells print it."""
    if len(text) < 6 or len(text) > 12:
        return _esc(text)
    mid = len(text) // 2
    return _esc(text[:mid]) + sep + _esc(text[mid:])


def _cell(c: C, style: str) -> str:
    if style == "cms":
        inner = _esc(c.text) if c.text else "&nbsp;"
        return f"<td{_attrs(c)}>{inner}</td>"
    if style == "layout":
        tag = "th" if c.header else "td"
        if not c.text:
            inner = "&nbsp;"
        elif c.header:
            inner = _broken(c.text, "<br/>\n")
        else:
            inner = f'<span style="font-size:14px;font-family:仿宋"> {_esc(c.text)} </span>'
        return f'<{tag}{_attrs(c)} align="center">{inner}</{tag}>'
    # word
    if not c.text:
        body = '<p class="MsoNormal" align="center"><span lang="EN-US">&nbsp;<o:p></o:p></span></p>'
    elif c.header:
        body = "\n".join(f'<p class="MsoNormal" align="center"><span style="font-size:10.5pt">{_esc(part)}'
                         f'</span></p>' for part in _halves(c.text))
    else:
        body = (f'<p class="MsoNormal" align="center"><span lang="EN-US" style="font-size:10.5pt">'
                f'{_esc(c.text)}<o:p></o:p></span></p>')
    return f'<td width="60" valign="center" style="border:solid windowtext 1.0pt"{_attrs(c)}>\n{body}\n</td>'


def _halves(text: str) -> list[str]:
    if 6 <= len(text) <= 12:
        return [text[: len(text) // 2], text[len(text) // 2:]]
    return [text]


def _table(blk: Block, style: str) -> str:
    rows = blk.rows
    width = sum(c.colspan for c in rows[0])
    out = []
    if style == "cms":
        out.append('<table border="1" cellspacing="0" cellpadding="0" style="width:100%">')
    elif style == "layout":
        out.append('<table class="MsoTableGrid" border="1" width="98%">')
    else:
        out.append('<table class="MsoNormalTable" border="1" cellspacing="0" style="border-collapse:collapse">')
    if blk.heading_in_table:
        out.append(f"<tr><td colspan=\"{width}\"><b>{_esc(blk.text)}</b></td></tr>")
    header_rows = 0
    if style == "layout":
        while header_rows < len(rows) and all(c.header for c in rows[header_rows]):
            header_rows += 1
        header_rows = min(header_rows, 3)
    for i, row in enumerate(rows):
        if style == "layout" and i == 0 and header_rows:
            out.append("<thead>")
        if style == "layout" and i == header_rows:
            out.append("</thead><tbody>" if header_rows else "<tbody>")
        out.append("<tr>" + "\n".join(_cell(c, style) for c in row) + "</tr>")
    if style == "layout":
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _block(blk: Block, style: str) -> str:
    if blk.kind == "table":
        return _table(blk, style)
    t = _esc(blk.text)
    if blk.kind == "title":
        return f'<h1 class="title">{t}</h1>' if style != "word" else \
            f'<p class="MsoNormal" align="center"><b><span style="font-size:22pt">{t}</span></b></p>'
    if blk.kind == "heading":
        if style == "cms":
            return f'<p style="text-indent:2em"><strong>{t}</strong></p>'
        if style == "layout":
            return f"<h3>{t}</h3>"
        return f'<p class="MsoNormal"><b><span style="font-family:黑体">{t}</span></b></p>'
    if blk.kind == "subheading":
        return f'<p style="text-indent:2em"><span style="font-family:楷体">{t}</span></p>'
    if style == "layout":
        return f"<p>\u3000\u3000{t}</p>"
    return f'<p style="text-indent:2em">{t}</p>'


def render_html(gold: dict, style: str = "cms", encoding: str = "utf-8", declare: str | None = "same",
                bom: bool = False) -> bytes:
    """The page as bytes. ``declare``: the charset named in <meta> ("same" for ``encoding``, None for none,
    or any name, to write a wrong declaration)."""
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}")
    blocks = blocks_for(gold, s2_one_table=(style != "layout"), s4_heading_in_table=(style == "word"))
    title = blocks[0].text
    charset = encoding if declare == "same" else declare
    meta = ""
    if charset:
        meta = (f'<meta charset="{charset}">' if style == "cms" else
                f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    article = "\n".join(_block(b, style) for b in blocks)
    year = gold["year"]
    metadata = (f'<table class="xxgk-meta" width="100%"><tr><td>索引号：</td><td>11330000002/{year + 1}-00012</td>'
                f'<td>发布机构：</td><td>{_esc(organ(gold))}</td></tr>'
                f'<tr><td>成文日期：</td><td>{year + 1}-01-20</td><td>公开方式：</td><td>主动公开</td></tr>'
                f'<tr><td>主题分类：</td><td>政务公开</td><td>发布日期：</td><td>{year + 1}-01-25</td></tr></table>')
    nav = ('<div class="nav"><ul><li><a href="#">首页</a></li><li><a href="#">政务公开</a></li>'
           '<li><a href="#">政府信息公开年报</a></li><li><a href="#">互动交流</a></li></ul></div>')
    share = ('<div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin">微信</a>'
             '<a class="bds_tsina">微博</a></div><div class="qrcode">扫一扫分享到手机端</div>')
    script = '<script type="text/javascript">var t = "<table><tr><td>1</td></tr></table>"; document.write("");</script>'
    footer = (f'<div class="footer">主办：{_esc(organ(gold))}办公室　网站标识码：3300000001　'
              f'浙ICP备00000000号</div>')
    if style == "cms":
        body = (f'{nav}\n<div class="crumbs">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>\n{metadata}\n'
                f'<div class="article">\n{article}\n</div>\n{share}\n{script}\n{footer}')
        page = (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{meta}\n<title>{_esc(title)}_{_esc(organ(gold))}门户网站'
                f'</title>\n{script}\n<style>td{{border:1px solid #000}}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n')
    elif style == "layout":
        body = (f'<table width="1000" align="center" border="0"><tr><td>{nav}</td></tr>\n'
                f'<tr><td><table width="100%"><tr><td class="weizhi">您现在的位置：首页 &gt; 信息公开</td></tr>'
                f'<tr><td>{metadata}</td></tr>\n<tr><td class="content">\n{article}\n</td></tr></table></td></tr>\n'
                f'<tr><td>{share}</td></tr><tr><td>{footer}</td></tr></table>\n{script}')
        page = (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                f'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                f'<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n{meta}\n<title>{_esc(title)}</title>\n'
                f'</head>\n<body>\n{body}\n</body>\n</html>\n')
    else:
        body = (f'{nav}\n{metadata}\n<div class="TRS_Editor"><div class="Section0">\n{article}\n</div></div>\n'
                f'{share}\n{footer}')
        page = (f'<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n{meta}\n'
                f'<title>{_esc(title)}</title>\n<style>p.MsoNormal{{margin:0}}</style>\n</head>\n'
                f'<body lang="ZH-CN">\n{body}\n</body>\n</html>\n')
    data = page.encode(encoding, errors="xmlcharrefreplace")
    if bom and encoding.replace("-", "").lower() == "utf8":
        data = b"\xef\xbb\xbf" + data
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gold")
    ap.add_argument("out")
    ap.add_argument("--style", choices=STYLES, default="cms")
    ap.add_argument("--encoding", default="utf-8")
    ap.add_argument("--declare", default="same", help="charset to declare; 'none' for no <meta>")
    ap.add_argument("--bom", action="store_true")
    a = ap.parse_args()
    with open(a.gold, encoding="utf-8") as f:
        gold = json.load(f)
    declare = None if a.declare == "none" else a.declare
    with open(a.out, "wb") as f:
        f.write(render_html(gold, a.style, a.encoding, declare, a.bom))


if __name__ == "__main__":
    main()
