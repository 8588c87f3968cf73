"""`xxgk extract PATH...`: the JSON export of the spec, one line per report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelines.extract import extract_report


def main_extract(paths: list[str]) -> int:
    status = 0
    for p in paths:
        path = Path(p)
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"xxgk extract: cannot read {p}: {e.strerror or e}", file=sys.stderr)
            status = 1
            continue
        report = extract_report(data, str(path))
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    return status
