"""Readers that turn a file's bytes into the line list the text path reads, one per format the content shows."""

from pipelines.extract.formats.html import read_html
from pipelines.extract.formats.rendered import Rendered
from pipelines.extract.formats.sniff import Format, format_of_name, sniff

__all__ = ["Format", "Rendered", "format_of_name", "read_html", "sniff"]
