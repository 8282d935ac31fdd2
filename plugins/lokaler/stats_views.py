"""The statistics page for staff: the period's figures and a bar chart of
hours per room and resource, drawn as SVG on the server (no JavaScript),
with the same numbers in a table for those who do not see the chart."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from core.api import require_admin, site_of
from plugins.lokaler import stats


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


def statistics(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    today = site.clock.today()
    # By default the current term (January-June or July-December), booked times ahead included:
    # a term's single bookings are mostly ahead of today (found in a new-user trial).
    term_start = today.replace(month=1 if today.month <= 6 else 7, day=1)
    term_end = today.replace(month=6, day=30) if today.month <= 6 else today.replace(month=12, day=31)
    start = _day(request.query_params.get("fran"), term_start)
    end = _day(request.query_params.get("till"), term_end)
    if end < start:
        start, end = end, start
    with site.session() as db:
        found = stats.compute(site, db, start, end)
    bars, height = stats.bars(found.hours_by_resource)
    return site.render(
        request,
        "lokaler/statistics.html",
        {"stats": found, "start": start, "end": end, "bars": bars, "height": height},
    )
