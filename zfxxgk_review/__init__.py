"""Review: a local web app over a batch dataset (``python -m core review DATASET.db``) where every doubtful
cell is shown beside its source and a reviewer's corrections are kept, applied and exported.

One module per job: ``commands`` (the ``review`` subcommand), ``server`` (serving on the loopback only),
``app`` (the routes), ``views`` (what each page shows) with ``templates/`` and ``static/`` (the pages, their
CSS and keys; nothing from a network), ``labels`` (the template's tables and Chinese labels), ``dataset``
(reading the batch database), ``index`` (the reports list and its counts), ``corrections`` (the
``corrections`` table, stale corrections), ``corrected`` (a report with its corrections applied and its
checks evaluated again), ``source`` (the source around a cell: text lines, PDF pages), ``yoy`` (one organ's
years side by side), ``export`` (CSV with corrections), ``docx_export`` (the comparison as Word).

The batch uses (``zfxxgk_batch.corrections``, ``runner``, ``commands``; none of them needs Flask):
``zfxxgk_review.corrected.corrected_report(conn, report_id)``, ``zfxxgk_review.corrected.apply_for_file``,
``zfxxgk_review.export.value_overrides(conn)``, ``zfxxgk_review.corrections.stamp(conn)``,
``zfxxgk_review.corrections.batch_summary_lines(conn)`` and ``zfxxgk_review.yoy.mark_compare``. Nothing
heavy is imported here.
"""
