"""Synthetic 政府信息公开工作年度报告 with known truth, and an evaluator for the parser in ``pipelines.extract``.

- ``pipelines.corpus.generate``: ``generate_corpus(out_dir, n, seed)`` writes reports and ``truth.jsonl``.
- ``pipelines.corpus.families``: variations real conversions produce (``families`` in the truth record).
- ``pipelines.corpus.originals``: the reports published as a web page, a Word file, a PDF (renderings html_page,
  docx, pdf: ``generate_corpus(..., formats=ORIGINALS)``, ``xxgk generate DIR --formats all``).
- ``pipelines.corpus.marks``: the line each value stands on (``line`` on a truth cell, where it tells a row).
- ``pipelines.corpus.evaluate``: ``evaluate(corpus_dir)`` scores ``extract_report`` against the truth.
"""
