"""The follow-up report (uppföljning): figures from every enabled plugin for a
period, for the municipality's reviews of the partnership. HTML and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from core.contributions import Figure
from core.i18n import gettext as _
from core.permissions import require_admin
from core.plugins import call_each
from core.site import Site


def _site(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


def _period(request: Request) -> tuple[date, date, str | None]:
    """The requested period, defaulting to this calendar year so far."""
    today = date.today()
    start, end = date(today.year, 1, 1), today
    error = None
    try:
        if request.query_params.get("fran"):
            start = date.fromisoformat(request.query_params["fran"])
        if request.query_params.get("till"):
            end = date.fromisoformat(request.query_params["till"])
    except ValueError:
        error = _("Datumen måste skrivas som ÅÅÅÅ-MM-DD, till exempel 2026-01-31. Visar i stället året hittills.")
        start, end = date(today.year, 1, 1), today
    if start > end:
        error = _("Startdatumet ligger efter slutdatumet; de har bytt plats.")
        start, end = end, start
    return start, end, error


def figures(site: Site, start: date, end: date) -> list[Figure]:
    """Every plugin's figures, each tagged with the plugin that gave it."""
    out: list[Figure] = []
    with site.session() as db:
        for plugin, result in call_each(site.pm, "report_figures", site=site, session=db, start=start, end=end):
            for fig in result or []:
                out.append(Figure(fig.label, fig.value, fig.unit, fig.plugin or plugin))
    return out


def report(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    start, end, error = _period(request)
    return site.render(
        request,
        "admin/report.html",
        {"figures": figures(site, start, end), "start": start, "end": end, "error": error},
        status_code=400 if error else 200,
    )


def report_csv(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    start, end, _error = _period(request)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")  # Swedish Excel opens ';' files directly
    # In the reader's language, like the figures' labels the plugins give.
    writer.writerow([_("tillägg"), _("mått"), _("värde"), _("enhet"), _("från"), _("till")])
    for fig in figures(site, start, end):
        writer.writerow([fig.plugin, fig.label, str(fig.value).replace(".", ","), fig.unit, start, end])
    filename = f"uppfoljning-{site.slug}-{start}-{end}.csv"
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
