"""What every reader of an original gives the text path: lines, and for each line where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.extract.report import Origin


@dataclass(frozen=True)
class Rendered:
    lines: list[str]
    # Per line: the file's own line it comes from (HTML), or None where the format has no lines (Word, PDF):
    # then the value's line is the line of the rendering, and its origin says where it stands.
    source_lines: list[int | None]
    encoding: str | None
    origins: list[Origin | None] = field(default_factory=list)  # per line, where the format tells more

    def origin(self, line: int) -> Origin | None:
        return self.origins[line - 1] if 0 < line <= len(self.origins) else None

    def source_line(self, line: int) -> int:
        src = self.source_lines[line - 1] if 0 < line <= len(self.source_lines) else None
        return line if src is None else src
