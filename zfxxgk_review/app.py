"""The review web app's routes (Flask): each route reads the batch database, asks ``views`` what to show,
and renders a template of ``templates/``; corrections are the only writes.

    /                                  reports: counts, sort, filter; failures; stale corrections
    /report/<id>?cell=PATH             one report: its tables, checks, the chosen cell beside its source
    /report/<id>/correct      (POST)   record a correction, a confirmation or a withdrawal
    /report/<id>/page/<n>.png          a PDF page as an image
    /report/<id>.json                  the report's JSON with its corrections applied
    /report/<id>/step?dir=1|-1         the next (previous) report in the list order
    /corrections                       every correction: kept or stale, with its history
    /organ/<key>                       one organ's years side by side; .csv and .docx beside it
    /compare?ids=1,2                   any reports side by side; .csv and .docx beside it
    /export/values.csv                 every cell of the dataset with corrections

Only requests addressed to the loopback host the server listens on are answered (a page elsewhere cannot
reach the app through a name that resolves to 127.0.0.1), and a correction needs the form's token, so
another site cannot post one.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from urllib.parse import quote

from flask import Flask, Response, abort, g, redirect, render_template, request, url_for

from zfxxgk_review import corrections, dataset, views, yoy
from zfxxgk_review import source as src
from zfxxgk_review.corrected import apply_corrections, get_value
from zfxxgk_review.index import SORT_KEYS, Index, filtered

HERE = Path(__file__).parent


def create_app(db_path: str | Path, *, port: int | None = None) -> Flask:
    """The app over the batch database at ``db_path`` (its ``corrections`` table is created if missing)."""
    db_path = str(db_path)
    conn = dataset.open_dataset(db_path)
    try:
        corrections.ensure(conn)
    finally:
        conn.close()
    app = Flask("zfxxgk_review", template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(
        DB_PATH=db_path, TOKEN=secrets.token_urlsafe(24), PORT=port, INDEX=Index(), SEND_FILE_MAX_AGE_DEFAULT=300
    )
    app.jinja_env.filters["fmt"] = views.fmt
    app.jinja_env.globals.update(STATUS_NAMES=views.STATUS_NAMES, label=views.label)

    @app.before_request
    def _loopback_only():
        host = (request.host or "").rsplit(":", 1)[0].strip("[]").lower()
        if host not in ("127.0.0.1", "localhost", "::1"):
            abort(403)

    @app.teardown_appcontext
    def _close(_exc):
        c = g.pop("conn", None)
        if c is not None:
            c.close()

    @app.after_request
    def _headers(resp: Response):
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; connect-src 'none'",
        )
        return resp

    register(app)
    return app


def db() -> sqlite3.Connection:
    from flask import current_app

    if "conn" not in g:
        g.conn = dataset.open_dataset(current_app.config["DB_PATH"])
    return g.conn


def _summaries() -> list[dict]:
    from flask import current_app

    return current_app.config["INDEX"].summaries(db())


def _report_or_404(rid: int) -> tuple[dict, dict, dict]:
    row = dataset.report(db(), rid)
    parsed = dataset.report_json(db(), rid)
    if row is None or parsed is None:
        abort(404)
    return row, parsed, apply_corrections(parsed, corrections.current(db(), row["sha256"]))


def register(app: Flask) -> None:
    @app.get("/")
    def reports_page():
        rows = _summaries()
        organs = dataset.organs(db())
        args = request.args.to_dict()
        sort = args.get("sort", "path")
        desc = args.get("desc") == "1"
        shown = filtered(
            rows,
            organ=args.get("organ", ""),
            year=args.get("year", ""),
            fmt=args.get("format", ""),
            layout=args.get("layout", ""),
            doubt=args.get("doubt", ""),
            sort=sort,
            desc=desc,
        )
        choices = {k: sorted({str(r[k]) for r in rows if r.get(k) is not None}) for k in ("year", "format", "layout")}
        totals = {k: sum(r[k] for r in shown) for k in ("conflict", "unconfirmed", "unread", "failed", "corrected")}
        return render_template(
            "reports.html",
            rows=shown,
            total=len(rows),
            choices=choices,
            args=args,
            sort=sort,
            desc=desc,
            sort_keys=SORT_KEYS,
            totals=totals,
            failures=dataset.failures(db()),
            stale=corrections.stale(db()),
            organs=organs,
            yoy_keys={o[0] for o in organs},
        )

    @app.get("/report/<int:rid>")
    def report_page(rid: int):
        return _render_report(rid, request.args.get("cell"))

    @app.get("/report/<int:rid>.json")
    def report_json(rid: int):
        import json

        _row, _parsed, report = _report_or_404(rid)
        return Response(json.dumps(report, ensure_ascii=False, indent=1), mimetype="application/json")

    @app.get("/report/<int:rid>/step")
    def step(rid: int):
        ids = [r["id"] for r in sorted(_summaries(), key=lambda r: r["path"] or "")]
        if rid not in ids:
            abort(404)
        d = -1 if request.args.get("dir") == "-1" else 1
        return redirect(url_for("report_page", rid=ids[(ids.index(rid) + d) % len(ids)]))

    @app.post("/report/<int:rid>/correct")
    def correct(rid: int):
        from flask import current_app

        form = request.form
        if not secrets.compare_digest(form.get("token", ""), current_app.config["TOKEN"]):
            abort(403)
        row, parsed, _report = _report_or_404(rid)
        cell = form.get("field", "")
        status = (parsed.get("status") or {}).get(cell)
        if status is None:
            abort(400)
        from core.fields import FieldPath

        action = form.get("action", "correct")
        kind = {
            "correct": corrections.CORRECTED,
            "confirm": corrections.CONFIRMED,
            "withdraw": corrections.WITHDRAWN,
        }.get(action)
        if kind is None:
            abort(400)
        try:
            value = None
            if kind == corrections.CORRECTED:
                value = corrections.parse_value(row.get("format"), cell, form.get("value", ""))
            corrections.add(
                db(),
                sha256=row["sha256"],
                field=cell,
                kind=kind,
                parsed_value=get_value(parsed, FieldPath.parse(cell)),
                parsed_status=status,
                corrected_value=value,
                note=form.get("note", ""),
                reviewer=form.get("reviewer") or None,
                path=row["path"],
                report_id=rid,
            )
        except corrections.InvalidCorrection as e:
            return _render_report(rid, cell, error=str(e), typed=form.get("value", ""), note=form.get("note", "")), 400
        return redirect(url_for("report_page", rid=rid, cell=cell) + "#cell-panel")

    @app.get("/report/<int:rid>/page/<int:page>.png")
    def page_png(rid: int, page: int):
        row = dataset.report(db(), rid)
        if row is None or not src.is_pdf(row.get("layout"), row["path"]):
            abort(404)
        state = src.file_state(row["path"], row["sha256"])
        if not state.readable:
            abort(404)
        try:
            data = src.page_png(row["path"], page)
        except (OSError, ValueError):
            abort(404)
        resp = Response(data, mimetype="image/png")
        resp.headers["Cache-Control"] = "private, max-age=300"
        return resp

    @app.get("/corrections")
    def corrections_page():
        return render_template("corrections.html", states=corrections.states(db()), history=corrections._rows(db()))

    @app.get("/organ/<path:key>")
    def organ_page(key: str):
        fmt = _ext(key)
        key = key.rsplit(".", 1)[0] if fmt else key
        ids, others = yoy.choose(db(), key)
        if request.args.get("ids"):
            ids = _ids()
        if not ids:
            abort(404)
        return _render_compare(yoy.compare(db(), ids, others), fmt, base=url_for("organ_page", key=key))

    @app.get("/compare")
    @app.get("/compare.<fmt>")
    def compare_page(fmt: str | None = None):
        ids = _ids()
        if not ids:
            abort(400)
        return _render_compare(yoy.compare(db(), ids), fmt, base=url_for("compare_page"))

    @app.get("/export/values.csv")
    def values_csv():
        from zfxxgk_review.export import values_csv as make

        return _download(make(db()), "text/csv; charset=utf-8", "values-corrected.csv")


def _ext(key: str) -> str | None:
    for ext in ("csv", "docx"):
        if key.endswith("." + ext):
            return ext
    return None


def _ids() -> list[int]:
    out = []
    for part in request.args.get("ids", "").split(","):
        if part.strip().isdigit():
            out.append(int(part))
    return out


def _download(data: bytes, mimetype: str, name: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


def _render_compare(cmp: yoy.Comparison, fmt: str | None, base: str):
    if not cmp.columns:
        abort(404)
    years = "-".join(str(c.year) for c in (cmp.columns[0], cmp.columns[-1]))
    name = f"{cmp.organ or 'comparison'}-{years}"
    if fmt == "csv":
        from zfxxgk_review.export import comparison_csv

        return _download(comparison_csv(cmp), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "docx":
        from zfxxgk_review.docx_export import comparison_docx

        return _download(
            comparison_docx(cmp),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            f"{name}.docx",
        )
    if fmt is not None:
        abort(404)
    ids = ",".join(str(c.row["id"]) for c in cmp.columns)
    return render_template("compare.html", cmp=cmp, ids=ids, base=base, change=yoy.change)


def _render_report(rid: int, cell: str | None, *, error: str = "", typed: str = "", note: str = ""):
    from flask import current_app

    row, parsed, report = _report_or_404(rid)
    view = views.report_view(row, report)
    if cell not in view.order:
        cell = None
    detail = None
    if cell:
        detail = views.cell_detail(row, report, parsed, cell, corrections.history(db(), row["sha256"], cell))
    file_state = src.file_state(row["path"], row["sha256"])
    return render_template(
        "report.html",
        view=view,
        row=row,
        report=report,
        cell=cell,
        detail=detail,
        jumps=views.jumps(view, cell),
        token=current_app.config["TOKEN"],
        error=error,
        typed=typed,
        note=note,
        file_state=file_state,
        stored_cross=dataset.stored_cross_checks(db(), rid) if "cross_checks" in _tables() else [],
    )


def _tables() -> set[str]:
    return {r[0] for r in db().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
