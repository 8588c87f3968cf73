"""A generated report as a government site's web page (rendering ``html_page``).

What the pages of /work/shared/corpus/real/ are made of: a charset declared in ``<meta>`` (UTF-8, or GBK labelled
gb2312/gbk), site chrome around the article (header, menu, breadcrumb, share buttons, footer with phone numbers
and the site's codes; a script and a style full of figures), the article's title and its 发布时间 line, then the
body as a word processor exports it: ``<p class="MsoNormal">`` paragraphs whose words are cut over ``<span>`` and
``<font>`` runs, tables with ``rowspan``/``colspan`` and blank cells written ``<o:p>&nbsp;</o:p>``; or the same
body as plain markup (``<td>``/``<th>``, ``&nbsp;`` in a blank cell).
"""

from __future__ import annotations

import random
from html import escape

from .noise import Style
from .originals import Block, Spec, TableSpec, blocks_of
from .render import Doc

_FONTS = ("仿宋_GB2312", "仿宋", "宋体", "方正仿宋_GBK")


def _esc(text: str) -> str:
    return escape(text, quote=False)


class _Writer:
    def __init__(self, rng: random.Random, word: bool):
        self.rng = rng
        self.word = word
        self.font = rng.choice(_FONTS)
        self.one_line_cells = rng.random() < 0.3  # a CMS that writes each row on one line

    def runs(self, text: str) -> str:
        """Word-exported runs: the text cut into pieces, alternately <span> and <font>, figures in lang=EN-US."""
        if not self.word:
            return _esc(text)
        out, i, k = [], 0, 0
        while i < len(text):
            n = self.rng.randint(1, 6)
            piece = _esc(text[i:i + n])
            if piece.strip().isascii():
                out.append(f'<span lang="EN-US" style="font-family:&quot;Times New Roman&quot;">{piece}</span>')
            elif k % 2 == 0:
                out.append(f'<span style="font-family:{self.font};font-size:12.0pt">{piece}</span>')
            else:
                out.append(f'<font face="{self.font}">{piece}</font>')
            i += n
            k += 1
        return "".join(out)

    def para(self, text: str, style: str = "text-indent:2em", bold: bool = False) -> str:
        inner = self.runs(text)
        if bold:
            inner = f"<b>{inner}</b>" if self.word else f"<strong>{inner}</strong>"
        if self.word:
            return f'<p class="MsoNormal" style="{style};line-height:28.0pt">{inner}<span><o:p></o:p></span></p>\n'
        return f'<p style="{style}">{inner}</p>\n'

    def cell(self, s: Spec, header: bool) -> str:
        spans = (f' rowspan="{s.rowspan}"' if s.rowspan > 1 else "") + (f' colspan="{s.colspan}"' if s.colspan > 1 else "")
        tag = "th" if header and not self.word and self.rng.random() < 0.5 else "td"
        if self.word:
            align = ' align="center" style="text-align:center"' if s.align == "center" else ""
            inner = self.runs(s.text) if s.text else "<span><o:p>&nbsp;</o:p></span>"
            body = f'<p class="MsoNormal"{align}>{inner}<o:p></o:p></p>'
            width = self.rng.choice((48, 64, 96, 136))
            attrs = f'{spans} width="{width}" valign="center" style="border:solid windowtext 1.0pt"'
        else:
            body = _esc(s.text) if s.text else self.rng.choice(("", "&nbsp;"))
            attrs = spans
        sep = "" if self.one_line_cells else "\n  "
        return f"{sep}<{tag}{attrs}>{body}</{tag}>"

    def table(self, spec: TableSpec) -> str:
        rows = []
        for r, row in enumerate(spec.rows):
            header = r < spec.header_rows and spec.name != "proactive"
            height = ' style="height:20.0pt"' if self.word else ""
            rows.append(f"<tr{height}>" + "".join(self.cell(s, header) for s in row) + ("" if self.one_line_cells else "\n")
                        + "</tr>")
        body = "\n".join(rows)
        if self.rng.random() < 0.6:
            body = f"<tbody>\n{body}\n</tbody>"
        if self.word:
            return (f'<div align="center"><table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                    f'width="600" style="border-collapse:collapse;border:none">\n{body}\n</table></div>\n')
        return f'<table border="1" cellspacing="0" cellpadding="0" width="100%">\n{body}\n</table>\n'

    def block(self, b: Block) -> str:
        if b.kind == "table":
            assert b.table is not None
            return self.table(b.table)
        if b.kind == "title":
            return self.para(b.text, "text-align:center", bold=True)
        if b.kind == "heading":
            return self.para(b.text, "text-indent:2em", bold=self.rng.random() < 0.7)
        if b.kind == "signature":
            return self.para(b.text, "text-align:right")
        return self.para(b.text)


def _charset(style: Style, rng: random.Random) -> tuple[str, str]:
    """(codec, label) of the page."""
    if style.encoding == "gbk":
        return "gbk", rng.choice(("gb2312", "gbk", "GB2312"))
    if style.encoding == "gb18030":
        return "gb18030", rng.choice(("gb18030", "gbk"))
    return "utf-8", rng.choice(("utf-8", "UTF-8"))


def render_page(doc: Doc, style: Style, rng: random.Random, published_on: str | None) -> tuple[bytes, str, dict]:
    word = rng.random() < 0.7
    w = _Writer(rng, word)
    codec, label = _charset(style, rng)
    meta = (f'<meta charset="{label}">' if rng.random() < 0.5
            else f'<meta http-equiv="Content-Type" content="text/html; charset={label}">')
    title = "".join(doc.title)
    site = doc.agency
    crumb = doc.pre_title[0] if doc.pre_title else rng.choice((
        "当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报", "您当前的位置：首页 &gt; 信息公开 &gt; 年度报告"))
    stamp = f"{published_on} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}" if published_on else None
    info = [f"发布时间：{stamp}"] if stamp else []
    info += [f"来源：{rng.choice((site, '本站', '政务公开办'))}", f"浏览次数：{rng.randint(10, 9999)}"]
    topbar = rng.choice(("繁體版", "无障碍浏览", "长者模式"))
    title_again = rng.random() < 0.5  # the body opens with the title the page's <h1> already shows
    body = "".join(w.block(b) for b in blocks_of(doc) if b.kind != "title" or title_again)
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}
<title>{_esc(title)}_{_esc(site)}</title>
<meta name="ArticleTitle" content="{escape(title)}">
<script type="text/javascript">var siteId = {rng.randint(1000, 9999)}, colspan = 3, width = 136;</script>
<style type="text/css">.main {{ width: 1200px; }} td {{ padding: 2px 4px; }}</style>
</head>
<body>
<div class="header"><div class="logo">{_esc(site)}</div>
<div class="topbar">{topbar} | 设为首页 | 加入收藏 | 2024年{rng.randint(1, 12)}月{rng.randint(1, 28)}日</div></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">{crumb}</div>
<div class="main">
<div class="article-title"><h1>{_esc(title)}</h1></div>
<div class="article-info">{"&nbsp;&nbsp;".join(info)}</div>
<div class="article-font">【字体：大 中 小】</div>
<div id="zoom" class="TRS_Editor">
{body}</div>
<div class="bdsharebuttonbox">分享到：微信 微博 QQ空间</div>
<div class="article-print">【打印本页】【关闭窗口】</div>
</div>
<div class="footer">主办单位：{_esc(site)}&nbsp;&nbsp;电话：0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}<br>
网站标识码：{rng.randint(1000000000, 9999999999)}&nbsp;&nbsp;ICP备{rng.randint(10000000, 99999999)}号</div>
</body>
</html>
"""
    if style.crlf:
        page = page.replace("\n", "\r\n")
    return page.encode(codec, errors="xmlcharrefreplace"), codec, {"markup": "word" if word else "plain", "charset": label}
