"""The admin page for a service's special hours: dates on which it is closed
or open other hours than the week's ("stängt 24–26 december", "öppet
10–14 på nyårsafton"). The coming holidays are listed beside the form, so
staff see which days LISA already shows as closed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import Site, flash, require_admin, url_for
from core.api import gettext as _
from plugins.lisa import days, directory, editing
from plugins.lisa.directory import site_of
from plugins.lisa.forms import SpecialHoursForm, translate_choices
from plugins.lisa.models import Service, SpecialHours
from plugins.lisa.public import common


def _service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise HTTPException(404, _("Tjänsten finns inte."))
    return service


def _page_url(site: Site, service: Service) -> str:
    return url_for(site, "lisa:special_hours", service_id=service.id)


def special_hours_page(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        service = _service(session, request.path_params["service_id"])
        form = SpecialHoursForm.bind(request) if request.method == "POST" else SpecialHoursForm()
        translate_choices(form)
        if request.method == "POST" and form.validate():
            opens, closes = form.hours
            session.add(
                SpecialHours(
                    service_id=service.id,
                    starts_on=form.first,
                    ends_on=form.last,
                    opens_at=opens,
                    closes_at=closes,
                    note=(form.note.data or "").strip(),
                )
            )
            editing.touch(session, service, site.clock.now())
            session.commit()
            flash(request, _("Avvikande öppettider sparade för ”%(name)s”.") % {"name": service.name})
            return RedirectResponse(_page_url(site, service), status_code=303)
        today = site.clock.now().astimezone(directory.site_tz(site)).date()
        specials = days.specials_of(session, service)
        weekly = directory.schedules_of(session, service)
        holidays_ahead = [
            (d, days.day_line(days.hours_on(d, weekly, specials, service.open_on_holidays)))
            for d in (today + timedelta(days=i) for i in range(120))
            if days.holiday(d)
        ]
        rows = [(s, days.special_text(s), s.ends_on < today) for s in specials]
    return site.render(
        request,
        "lisa/admin_special_hours.html",
        {**common(site), "service": service, "form": form, "rows": rows, "holidays_ahead": holidays_ahead},
        status_code=400 if form.errors else 200,
    )


def special_hours_delete(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        service = _service(session, request.path_params["service_id"])
        row = session.get(SpecialHours, request.path_params["special_id"])
        if row is None or row.service_id != service.id:
            raise HTTPException(404, _("De avvikande öppettiderna finns inte längre."))
        text = days.special_text(row)
        session.delete(row)
        editing.touch(session, service, site.clock.now())
        session.commit()
    flash(request, _("Borttaget: %(what)s.") % {"what": text})
    return RedirectResponse(_page_url(site, service), status_code=303)
