"""Tell a file's format from its first bytes, not its name: crawlers save web pages as .txt and PDFs as .html.

Cheap by design (the registry sniffs every file): only the first few KB are looked at, plus the tail of a zip
archive, where its central directory names the members.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Literal

Format = Literal["html", "pdf", "docx", "text"]

HEAD_BYTES = 8192
_ZIP_TAIL_BYTES = 65536

_BOM_UTF16 = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
# What may stand before the first tag of a page: an XML declaration, comments, a doctype of another spelling.
_PROLOGUE = re.compile(r"\A(?:\s+|<\?xml[^>]*>|<!--.*?-->)*", re.S)
_DOCUMENT = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]", re.I)
_ANY_TAG = re.compile(r"</?(?:p|div|table|tr|td|th|br|span|font|h[1-6]|li|ul|ol|strong|b|img|a|meta|title|body|head|"
                      r"section|article|center|o:p)[\s/>]", re.I)
_BLOCK_TAG = re.compile(r"<(?:table|p|div|tr|td|br|body|h[1-6])[\s/>]", re.I)

_BY_EXTENSION: dict[str, Format] = {
    **dict.fromkeys((".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php"), "html"),
    ".pdf": "pdf",
    ".docx": "docx",
    **dict.fromkeys((".txt", ".text", ".md", ".markdown", ".csv", ".tsv"), "text"),
}


def sniff(data: bytes) -> Format:
    head = data[:HEAD_BYTES]
    # The PDF standard lets readers accept junk before the header (mail gateways, crawlers prepend some).
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        # Members are named in their local headers (usually [Content_Types].xml, _rels/, then word/ within the
        # first KB) and again in the central directory at the end.
        return "docx" if b"word/" in head or b"word/" in data[-_ZIP_TAIL_BYTES:] else "text"
    return "html" if _is_markup(_head_text(head)) else "text"


def format_of_name(name: str) -> Format | None:
    """The format a file's extension promises; None when the name says nothing (no or an unknown extension)."""
    return _BY_EXTENSION.get(PurePath(name).suffix.lower())


def _head_text(head: bytes) -> str:
    for bom, encoding in _BOM_UTF16:
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    # Tags are ASCII in every encoding pages arrive in (UTF-8, GBK, GB2312, Big5); latin-1 never fails.
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _is_markup(text: str) -> bool:
    body = text[_PROLOGUE.match(text).end():]  # type: ignore[union-attr]  # \A(...)* always matches
    if _DOCUMENT.match(body):
        return True
    if not re.match(r"<[A-Za-z]", body):
        return False
    # A fragment (a CMS's article body): it opens with a tag and is made of tags, most lines carrying one. A
    # Markdown or text file that merely opens with a <div> has lines of bare text after it, and its tables are
    # in its text, not in markup.
    if len(_ANY_TAG.findall(body)) < 3 or _BLOCK_TAG.search(body) is None:
        return False
    lines = [ln for ln in body.splitlines()[:-1] or body.splitlines() if ln.strip()]  # the last may be cut off
    return sum(1 for ln in lines if "<" in ln) * 2 >= len(lines)
