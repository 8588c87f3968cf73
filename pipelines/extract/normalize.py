"""Text normalization that keeps line numbers: full-width to half-width, stray marks, page furniture."""

from __future__ import annotations

import re
import unicodedata

_EXTRA = str.maketrans({
    "\u3000": " ", "\xa0": " ", "\u2002": " ", "\u2003": " ", "\u200b": "", "\ufeff": "",
    "、": "、", "〔": "(", "〕": ")", "【": "(", "】": ")", "﹝": "(", "﹞": ")",
    "－": "-", "—": "—", "–": "-", "−": "-",
})

# A page number line of a converted PDF or Word file: "-3-", "— 3 —", "第 3 页", "3/6".
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]+\s*\d{1,3}\s*[-—–]+|第\s*\d{1,3}\s*页(?:\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


def normalize_line(line: str) -> str:
    """NFKC folds full-width digits, letters and punctuation (１２ → 12, （ → (, ， → ,)."""
    return unicodedata.normalize("NFKC", line.translate(_EXTRA)).replace("\r", "")


def is_page_furniture(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def compact(text: str) -> str:
    """A label as the vocabulary patterns see it: no white space at all."""
    return _WHITE_SPACE.sub("", text)


_WHITE_SPACE = re.compile(r"\s+")
