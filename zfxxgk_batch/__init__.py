"""Batch: many reports into one checked dataset (SQLite by default; CSV, XLSX, Parquet, JSONL on request).

    from zfxxgk_batch import run_batch
    summary = run_batch(["reports/"], "out.db", jobs=4)     # what ``python -m core batch`` does
    summary.failed, summary.parsed, summary.cross_breaks

One module per job: ``discover`` (inputs to files, with their stat), ``names`` (file names as stored and
shown), ``worker`` (parse one file into rows, in a worker process or on a Dask worker), ``pool`` (worker
processes seen from their parent: limits, kills), ``engine`` (the local engine and Dask), ``lock`` (one
writer per database), ``fields`` (the stable field IDs as columns), ``indicators`` (derived rates),
``organs`` (organ/year normalisation), ``store`` (the SQLite schema and writes), ``progress`` (the progress
bar), ``crossyear`` (checks across one organ's years, duplicates), ``labels`` (the template's Chinese labels
of every field, the meaning of each status, a label and description for every column), ``export``
(csv/xlsx/parquet/jsonl), ``corrections`` (the review's corrections as the exports apply them),
``datasette`` (the metadata written beside the database), ``table`` (the ``--summary`` view), ``compare``
(two reports year over year), ``runner`` (ties them together), ``commands`` (the ``batch`` and ``compare``
subcommands).

Nothing heavy is imported here: ``import zfxxgk_batch`` stays cheap.
"""

from __future__ import annotations

__all__ = ["compare_reports", "run_batch"]


def __getattr__(name: str):
    if name == "run_batch":
        from zfxxgk_batch.runner import run_batch

        return run_batch
    if name == "compare_reports":
        from zfxxgk_batch.compare import compare_reports

        return compare_reports
    raise AttributeError(f"module 'zfxxgk_batch' has no attribute {name!r}")
