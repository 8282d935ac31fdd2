"""Staff write the house's extra closed days (a cleaning day, a staff
training), for the whole house or one resource, beside the Swedish public
holidays the plugin knows itself. A closed day shows in the week views and
refuses bookings on it (``days.closed_days``)."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import SelectChoice, flash, page_link, page_number, paged, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.lokaler.models import ClosedDay, Resource
from plugins.lokaler.resource_forms import ClosedDayForm

WHOLE_HOUSE = "huset"


def closed_days(request: Request) -> Response:
    """``/lokaler/stangt``: the coming closed days, and the form that adds one."""
    require_admin(request)
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        resources = list(
            db.exec(select(Resource).where(col(Resource.is_active).is_(True)).order_by(col(Resource.sort_order))).all()
        )
        form = ClosedDayForm.bind(request)
        form.resource.choices = [SelectChoice(WHOLE_HOUSE, _("Hela huset"))] + [
            SelectChoice(str(r.id), r.name) for r in resources
        ]
        if request.method == "POST":
            chosen = form.resource.data or WHOLE_HOUSE
            by_id = {str(r.id): r for r in resources}
            valid = form.validate()
            if chosen != WHOLE_HOUSE and chosen not in by_id:
                form.resource.errors = [*form.resource.errors, _("Välj hela huset eller ett av rummen i listan.")]
                valid = False
            if valid and form.day.data is not None and form.day.data < today:
                form.day.errors = [*form.day.errors, _("Dagen har redan varit. Välj en dag från och med i dag.")]
                valid = False
            if valid and form.day.data is not None:
                resource_id = by_id[chosen].id if chosen != WHOLE_HOUSE else None
                db.add(ClosedDay(day=form.day.data, reason=(form.reason.data or "").strip(), resource_id=resource_id))
                db.commit()
                flash(
                    request,
                    _("%(day)s är stängt: %(reason)s.")
                    % {"day": form.day.data.isoformat(), "reason": (form.reason.data or "").strip()},
                )
                return RedirectResponse(url_for(site, "lokaler:closed_days"), status_code=303)
        rows = list(db.exec(select(ClosedDay).where(col(ClosedDay.day) >= today).order_by(col(ClosedDay.day))).all())
        names = {r.id: r.name for r in db.exec(select(Resource)).all()}
    page_rows, page, pages = paged(rows, page_number(request), 50)
    return site.render(
        request,
        "lokaler/closed_days.html",
        {
            "form": form,
            "rows": page_rows,
            "names": names,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "lokaler:closed_days"), {}),
        },
        status_code=400 if request.method == "POST" else 200,
    )


def remove_closed_day(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        row = db.get(ClosedDay, request.path_params["closed_id"])
        if row is None:
            raise HTTPException(404)
        day = row.day
        db.delete(row)
        db.commit()
    flash(request, _("%(day)s är inte längre stängt.") % {"day": day.isoformat()})
    return RedirectResponse(url_for(site, "lokaler:closed_days"), status_code=303)
