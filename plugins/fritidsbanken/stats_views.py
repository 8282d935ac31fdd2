"""The statistics page (charts and tables) and its CSV, for any period.
Staff and admins; the numbers are aggregates with no names. The page follows
the visitor's language; the CSV is a data format and stays Swedish (column
and section names that spreadsheets and scripts rely on)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import Response

from core.api import gettext as _
from plugins.fritidsbanken import charts, stats
from plugins.fritidsbanken.access import require_staff
from plugins.fritidsbanken.web import render, site_of


def period(request: Request, today: date) -> tuple[date, date, str | None]:
    """``?fran=&till=`` as ISO dates; by default the twelve months up to today."""
    start, end = _first_of_next_month(date(today.year - 1, today.month, 1)), today
    error = None
    try:
        if request.query_params.get("fran"):
            start = date.fromisoformat(request.query_params["fran"])
        if request.query_params.get("till"):
            end = date.fromisoformat(request.query_params["till"])
    except ValueError:
        error = _("Skriv datumen som ÅÅÅÅ-MM-DD, till exempel 2026-01-31. Visar de senaste tolv månaderna i stället.")
        start, end = _first_of_next_month(date(today.year - 1, today.month, 1)), today
    if start > end:
        error = _("Startdatumet låg efter slutdatumet, så de har bytt plats.")
        start, end = end, start
    if (end - start).days > 366 * 10:
        error = _("Välj en period på högst tio år.")
        start = end - timedelta(days=366 * 10)
    return start, end, error


def _first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def statistics(request: Request) -> Response:
    site = site_of(request)
    start, end, error = period(request, site.clock.today())
    with site.session() as db:
        require_staff(request, db)
        s = stats.compute(db, site, start, end)
    rows = stats.shown(s)
    chart = {
        "month": charts.columns(_("Lån per månad"), rows["month"], "c-month"),
        "category": charts.bars(_("Lån per kategori"), rows["category"], "c-cat"),
        "branch": charts.bars(_("Lån per utlåningsställe"), rows["branch"], "c-branch"),
        "age": charts.bars(_("Unika låntagare per åldersgrupp"), rows["age"], "c-age"),
        "top": charts.bars(_("Mest utlånade saker"), rows["top"], "c-top"),
    }
    return render(
        request,
        "fritidsbanken/statistics.html",
        {"s": s, "rows": rows, "chart": chart, "error": error},
        status_code=400 if error else 200,
    )


def statistics_csv(request: Request) -> Response:
    site = site_of(request)
    start, end, _error = period(request, site.clock.today())
    with site.session() as db:
        require_staff(request, db)
        s = stats.compute(db, site, start, end)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")  # Swedish Excel opens ';' files directly
    writer.writerow(["avsnitt", "mått", "värde", "från", "till"])
    for section, key, value in stats.csv_rows(s):
        writer.writerow([section, key, value, start.isoformat(), end.isoformat()])
    filename = f"fritidsbanken-{site.slug}-{start}-{end}.csv"
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
