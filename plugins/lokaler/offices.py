"""Offices at Föreningsbyrån: vacancies listed publicly ("Lediga
kontorsplatser") with an interest form anyone may send; staff see every
office with its tenant, period and terms, and the interests received.
An interest is erased by the daily job after ``contact_retention_days``."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import Mail, SelectChoice, flash, member_associations, queue_mail, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.lokaler.common import settings_of
from plugins.lokaler.forms import InterestForm, OfficeForm
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


VACANT = ""


def office_edit(request: Request) -> Response:
    """``/lokaler/kontor/ny`` and ``/lokaler/kontor/{id}/redigera``: staff
    describe an office or desk and who rents it, for what period, on what
    terms. No tenant (or a period that has ended) lists it as vacant."""
    require_admin(request)
    site = site_of(request)
    office_id = request.path_params.get("office_id")
    with site.session() as db:
        office = db.get(Office, office_id) if office_id is not None else None
        if office_id is not None and office is None:
            raise HTTPException(404)
        tenants = {a.slug: a.name for a in member_associations(site, db)}
        if office is not None and office.tenant_slug:
            tenants.setdefault(office.tenant_slug, office.tenant_name)
        form = OfficeForm.bind(request, obj=office if request.method == "GET" else None)
        form.tenant.choices = [SelectChoice(VACANT, _("Ingen, platsen är ledig"))] + [
            SelectChoice(slug, name) for slug, name in sorted(tenants.items(), key=lambda t: t[1])
        ]
        if request.method == "GET" and office is not None:
            form.tenant.data = office.tenant_slug
        if request.method == "POST":
            valid = form.validate()
            tenant = form.tenant.data or VACANT
            if tenant != VACANT and tenant not in tenants:
                form.tenant.errors = [*form.tenant.errors, _("Välj en medlemsförening i listan, eller ingen.")]
                valid = False
            if tenant != VACANT and form.period_start.data is None:
                form.period_start.errors = [*form.period_start.errors, _("Skriv från vilket datum platsen hyrs.")]
                valid = False
            start, end = form.period_start.data, form.period_end.data
            if start is not None and end is not None and end < start:
                form.period_end.errors = [*form.period_end.errors, _("Slutdatumet är före startdatumet.")]
                valid = False
            if valid:
                row = office or Office(name="")
                row.name = (form.name.data or "").strip()
                row.size_text = (form.size_text.data or "").strip()
                row.description = (form.description.data or "").strip()
                row.rent_text = (form.rent_text.data or "").strip()
                row.terms = (form.terms.data or "").strip()
                row.tenant_slug = tenant
                row.tenant_name = tenants.get(tenant, "") if tenant else ""
                row.period_start, row.period_end = (start, end) if tenant else (None, None)
                db.add(row)
                db.commit()
                flash(request, _("%(name)s är sparad.") % {"name": row.name})
                return RedirectResponse(url_for(site, "lokaler:offices_admin"), status_code=303)
    return site.render(
        request,
        "lokaler/office_form.html",
        {"form": form, "office": office, "offices_name": settings_of(site).offices_name},
        status_code=400 if request.method == "POST" else 200,
    )
