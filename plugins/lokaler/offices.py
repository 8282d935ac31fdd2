"""Offices at Föreningsbyrån: vacancies listed publicly ("Lediga
kontorsplatser") with an interest form anyone may send; staff see every
office with its tenant, period and terms, and the interests received.
An interest is erased by the daily job after ``contact_retention_days``."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import Mail, SelectChoice, flash, queue_mail, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.lokaler.common import settings_of
from plugins.lokaler.forms import InterestForm
from plugins.lokaler.models import Office, OfficeInterest


def is_vacant(office: Office, today: date) -> bool:
    return not office.tenant_name or (office.period_end is not None and office.period_end < today)


def _offices(db: Session) -> list[Office]:
    return list(db.exec(select(Office).order_by(col(Office.name))).all())


def vacancies(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        vacant = [o for o in _offices(db) if is_vacant(o, today)]
    return site.render(
        request, "lokaler/offices.html", {"vacant": vacant, "offices_name": settings_of(site).offices_name}
    )


def interest(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        vacant = [o for o in _offices(db) if is_vacant(o, today)]
    form = InterestForm.bind(request)
    choices = [SelectChoice("", _("Vilken som helst"))] + [SelectChoice(str(o.id), o.name) for o in vacant]
    office_field = request.query_params.get("kontor", "")
    if request.method == "POST" and form.validate():
        from core.api import read_form

        chosen = str(read_form(request).get("office", ""))
        office_id = int(chosen) if chosen.isdigit() and any(str(o.id) == chosen for o in vacant) else None
        with site.session() as db:
            row = OfficeInterest(
                office_id=office_id,
                organisation=(form.organisation.data or "").strip(),
                name=(form.name.data or "").strip(),
                email=(form.email.data or "").strip(),
                phone=(form.phone.data or "").strip(),
                message=(form.message.data or "").strip(),
            )
            db.add(row)
            staff = site.config.site.contact_email
            if staff:
                body = (
                    f"{row.organisation}: {row.name}, {row.email} {row.phone}\n\n{row.message}\n\n"
                    + site.absolute_url(url_for(site, "lokaler:offices_admin"))
                )
                queue_mail(site, Mail(staff, "Intresse för kontorsplats", body, site.locale), db, origin="lokaler")
        flash(request, _("Tack! Kansliet hör av sig."))
        return RedirectResponse(url_for(site, "lokaler:offices"), status_code=303)
    status = 400 if request.method == "POST" else 200
    return site.render(
        request,
        "lokaler/interest.html",
        {"form": form, "choices": choices, "chosen": office_field, "offices_name": settings_of(site).offices_name},
        status_code=status,
    )


def offices_admin(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        offices = _offices(db)
        interests = list(db.exec(select(OfficeInterest).order_by(col(OfficeInterest.created_at).desc())).all())
    names = {o.id: o.name for o in offices}
    return site.render(
        request,
        "lokaler/offices_admin.html",
        {
            "offices": [(o, is_vacant(o, today)) for o in offices],
            "interests": interests,
            "names": names,
            "offices_name": settings_of(site).offices_name,
        },
    )
