"""Word files made in the tests with python-docx, from a small model of blocks (paragraphs, tables of spanning cells:
pipelines.corpus.originals_docx, which the corpus writes its Word files with too).

The samples' Word files are the very content of their web pages in test_formats_html.py (built there from the
hand-read tables, not from the parser's output), carried over block by block: a page's ``<p>`` becomes a
paragraph with the same runs, a ``<td rowspan colspan>`` a merged cell (``vMerge``, ``gridSpan``). So the label
texts and table shapes are written once, and a Word file and a page of the same report must give the same cells.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree
from test_formats_html import _sample_page

from pipelines.corpus.originals_docx import Block, Cell, Para, Table, build_docx, split_table

# ------------------------------------------------------------------------------------------ from a web page


def _runs(el: etree._Element) -> list[str]:
    """A Word-exported block's runs (its <span>/<font> children), blank ones (<o:p>&nbsp;</o:p>) left out."""
    texts = ("".join(child.itertext()) for p in el.iter("p") for child in p if child.tag in ("span", "font"))
    return [t for t in texts if t.strip(" \xa0\n")]


def blocks_from_html(page: bytes) -> list[Block]:
    """The article's paragraphs and tables (its <div id="zoomcon">), without the page's chrome."""
    body = etree.HTML(page).find(".//div[@id='zoomcon']")
    blocks: list[Block] = []
    for el in body:
        if el.tag == "p":
            blocks.append(Para(_runs(el)))
        elif el.tag == "table":
            blocks.append(Table([[Cell(_runs(td), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
                                  for td in tr.iter("td")] for tr in el.iter("tr")]))
    return blocks


# The applications table: 3 header rows, then 新收 and 结转; the cut falls before 三、本年度办理结果.
APPLICATIONS_HEADER_ROWS = 3
APPLICATIONS_CUT = 5


def sample_blocks(name: str, split: bool = True) -> list[Block]:
    blocks = blocks_from_html(_sample_page(name))
    if split and sum(isinstance(b, Table) for b in blocks) == 3:
        blocks = split_table(blocks, 1, APPLICATIONS_CUT, APPLICATIONS_HEADER_ROWS)
    return blocks


SAMPLE_HEADER = ["某市人民政府 政务公开 2024 首页"]
SAMPLE_FOOTER = ["主办：某市人民政府办公室 电话：0527-83593059", "第 1 页 共 3 页"]
SAMPLE_FOOTER_TABLE = [["网站标识码", "3213220037"], ["ICP备", "12345678号"]]


def sample_docx(name: str, split: bool = True) -> bytes:
    """Sample `name` (a file of ../shared/seeds/) as a Word file, with a header and footer full of figures."""
    return build_docx(sample_blocks(name, split), SAMPLE_HEADER, SAMPLE_FOOTER, SAMPLE_FOOTER_TABLE)


# ------------------------------------------------------------------------------------------ raw WordprocessingML

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>"""
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_of_body(body: str, ns: str = W_NS, main_type: str = MAIN_TYPE,
                 rel: str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships") -> bytes:
    """The smallest package Word's readers accept around `body` (the XML inside <w:body>, prefix w:), for the
    elements python-docx has no API to write: tracked changes, fields, content controls, legacy merges."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{ns}" '
                'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                'xmlns:v="urn:schemas-microsoft-com:vml" '
                'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
                f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(main=main_type))
        z.writestr("_rels/.rels", _RELS.format(rel=rel))
        z.writestr("word/document.xml", document)
    return out.getvalue()


def p(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs) + "</w:p>"


def tc(text: str = "", span: int = 1, v_merge: str | None = None) -> str:
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if v_merge is None else "<w:vMerge/>" if v_merge == "continue" else f'<w:vMerge w:val="{v_merge}"/>')
    return f"<w:tc>{f'<w:tcPr>{pr}</w:tcPr>' if pr else ''}{p(text) if text else '<w:p/>'}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"
