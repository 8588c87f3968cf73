"""Extraction throughput and memory by format: the same N reports published as text, as a web page, as a Word file
and as a PDF (pipelines.corpus.originals), each extracted; figures printed beside the text path's, measured in the
same run, as ratios, so machines compare.

Per format: reports/s, MB/s, pages/s for PDF (the generator counts the pages it draws), peak traced memory
(tracemalloc, in a second pass: tracing slows Python down), and the time to draw the files.

usage: .venv/bin/python benchmarks/formats_throughput.py [--n 200] [--seed 4242]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc

from pipelines.corpus.generate import generate_report
from pipelines.corpus.originals import ORIGINALS
from pipelines.corpus.render import RENDERINGS
from pipelines.extract import extract_report

FORMATS = ("text", *ORIGINALS)


def _draw(n: int, seed: int) -> tuple[dict[str, list[tuple[str, bytes, dict]]], dict[str, float]]:
    """The same n reports in every format (one seed, layout and families stream per report; the text path takes
    the seven renderings in turn), and the seconds each format took to draw."""
    master = random.Random(seed)
    plan = [(master.choices(("2021", "2019", "narrative"), (0.45, 0.35, 0.2))[0], master.getrandbits(64),
             master.getrandbits(64), master.getrandbits(64)) for _ in range(n)]
    out: dict[str, list[tuple[str, bytes, dict]]] = {}
    seconds: dict[str, float] = {}
    for fmt in FORMATS:
        t0 = time.perf_counter()
        files = []
        for i, (layout, s1, s2, s3) in enumerate(plan):
            rendering = RENDERINGS[i % len(RENDERINGS)] if fmt == "text" else fmt
            data, record = generate_report(random.Random(s1), i, rendering, layout, 0.0, random.Random(s2),
                                           random.Random(s3))
            files.append((record["file"], data, record))
        out[fmt] = files
        seconds[fmt] = time.perf_counter() - t0
    return out, seconds


def _extract(files: list[tuple[str, bytes, dict]]) -> None:
    for name, data, _ in files:
        extract_report(data, name)


def _measure(files: list[tuple[str, bytes, dict]]) -> tuple[float, int]:
    t0 = time.perf_counter()
    _extract(files)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    _extract(files)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def _pdfium_floor(files: list[tuple[str, bytes, dict]]) -> float:
    """pypdfium2 alone: open each PDF and take every page's text, the least a PDF reader built on it must do."""
    import pypdfium2 as pdfium

    t0 = time.perf_counter()
    for _, data, _ in files:
        doc = pdfium.PdfDocument(data)
        for page in doc:
            page.get_textpage().get_text_bounded()
        doc.close()
    return time.perf_counter() - t0


def _docx_floor(files: list[tuple[str, bytes, dict]]) -> float:
    """python-docx alone: open each file and read every paragraph's and every table cell's text."""
    import io

    import docx

    t0 = time.perf_counter()
    for _, data, _ in files:
        d = docx.Document(io.BytesIO(data))
        [p.text for p in d.paragraphs]
        [c.text for t in d.tables for r in t.rows for c in r.cells]
    return time.perf_counter() - t0


FLOORS = {"pdf": ("pypdfium2 text of every page", _pdfium_floor), "docx": ("python-docx paragraphs and cells", _docx_floor)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200, help="reports per format")
    ap.add_argument("--seed", type=int, default=4242)
    args = ap.parse_args()
    drawn, drawing = _draw(args.n, args.seed)
    print(f"{args.n} reports per format; drawn in " + ", ".join(f"{f} {s:.1f} s" for f, s in drawing.items()))
    rows = []
    for fmt in FORMATS:
        files = drawn[fmt]
        seconds, peak = _measure(files)
        mb = sum(len(d) for _, d, _ in files) / 1e6
        pages = sum(rec.get("original", {}).get("pages", 0) for _, _, rec in files) if fmt == "pdf" else None
        rows.append((fmt, len(files), mb, seconds, peak, pages))
    _, _, _, text_s, text_peak, _ = rows[0]
    print(f"{'format':<10} {'reports':>7} {'MB':>6} {'seconds':>8} {'reports/s':>10} {'MB/s':>6} {'pages/s':>8} "
          f"{'peak MB':>8} {'time vs text':>13} {'peak vs text':>13}")
    for fmt, n, mb, seconds, peak, pages in rows:
        pages_s = f"{pages / seconds:8.1f}" if pages else f"{'':>8}"
        print(f"{fmt:<10} {n:>7} {mb:>6.1f} {seconds:>8.2f} {n / seconds:>10.1f} {mb / seconds:>6.2f} {pages_s} "
              f"{peak / 1e6:>8.1f} {seconds / text_s:>12.1f}x {peak / max(text_peak, 1):>12.1f}x")
    pdf = next(r for r in rows if r[0] == "pdf")
    if pdf[5]:
        print(f"pdf: {pdf[5]} pages, {pdf[5] / pdf[1]:.1f} pages per report")
    for fmt, (what, floor) in FLOORS.items():
        row = next(r for r in rows if r[0] == fmt)
        floor_s = floor(drawn[fmt])
        pages = row[5]
        per_page = (f"; per page {pages / row[3]:.1f} pages/s against the library's {pages / floor_s:.1f} pages/s"
                    if pages else "")
        print(f"{fmt} floor ({what}): {floor_s:.2f} s, {row[1] / floor_s:.1f} reports/s; extraction "
              f"{row[3] / floor_s:.1f}x the floor{per_page}")


if __name__ == "__main__":
    main()
