"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030 (a superset of GBK/GB2312)."""

from __future__ import annotations

import re
from dataclasses import dataclass


class UndecodableError(ValueError):
    """The bytes are not text in any encoding reports arrive in; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> Decoded:
    if not data.strip():
        raise UndecodableError("empty_file", "the file is empty (no text at all)")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom):].decode(enc.removesuffix("-sig")), enc)
            except UnicodeDecodeError as e:
                raise UndecodableError("bad_encoding", f"starts with a {enc} byte-order mark but is not {enc}: {e}") from e
    if b"\x00" in data[:4096]:
        raise UndecodableError("binary_file", "binary content (NUL bytes), not a text report")
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise UndecodableError("binary_file", "binary content (control characters), not a text report")
        return Decoded(text, enc)
    raise UndecodableError("bad_encoding", "neither UTF-8 nor GB18030 text")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 100)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # below 32 but for \t \n \v \f \r


_CUT_REASONS = ("unexpected end of data", "incomplete multibyte sequence")


def cut_off_tail(data: bytes) -> tuple[bytes, str | None]:
    """A file cut off inside its last character (an interrupted download or copy): the bytes before
    that character and why; else ``(data, None)``.

    The decoder would reject such a file as ``bad_encoding`` (no encoding fits the last bytes), losing
    every complete table before the cut; dropping the broken character lets the parser read what is
    there, and the report carries a ``truncated_file`` warning. UTF-16 (with its byte-order mark), UTF-8
    and GB18030/GBK, as the decoder tries them.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        order = "little" if data.startswith(b"\xff\xfe") else "big"
        keep = len(data) - len(data) % 2
        if keep >= 4 and 0xD800 <= int.from_bytes(data[keep - 2:keep], order) <= 0xDBFF:
            keep -= 2  # a lone high surrogate: the other half of the character was cut off
        if keep == len(data):
            return data, None
        return data[:keep], f"ends inside a UTF-16 character ({len(data) - keep} byte(s) dropped): it was cut off"
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return data, None
        except UnicodeDecodeError as exc:
            dropped = len(data) - exc.start
            if exc.reason in _CUT_REASONS and exc.end == len(data) and dropped < 4:
                name = "UTF-8" if encoding == "utf-8" else "GB18030/GBK"
                return data[:exc.start], f"ends inside a {name} character ({dropped} byte(s) dropped): it was cut off"
    return data, None
