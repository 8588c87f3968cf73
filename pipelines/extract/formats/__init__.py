"""Readers that turn a file's bytes into the line list the text path reads, one per format the content shows."""

from collections.abc import Callable

from pipelines.extract.formats.docx import read_docx
from pipelines.extract.formats.html import read_html
from pipelines.extract.formats.pdf import read_pdf
from pipelines.extract.formats.rendered import Rendered
from pipelines.extract.formats.sniff import Format, format_of_name, sniff

# The format sniffed from the content → its reader. Text (and anything unknown) takes the text path. A reader
# never raises but UndecodableError, which rejects the file with its code.
READERS: dict[str, Callable[[bytes], Rendered]] = {"html": read_html, "docx": read_docx, "pdf": read_pdf}

__all__ = ["READERS", "Format", "Rendered", "format_of_name", "read_docx", "read_html", "read_pdf", "sniff"]
