"""Staff add and change the house's rooms and resources, their opening
hours and rules. Taking one out of booking keeps its bookings (history and
the figures) but hides it; a booking form left open on it is then refused
with a message (``booking.GONE``)."""

from __future__ import annotations

from sqlmodel import col, delete
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import ImageError, delete_image, flash, require_admin, site_of, store_upload, url_for
from core.api import gettext as _
from plugins.lokaler import days
from plugins.lokaler.common import settings_of
from plugins.lokaler.models import OpeningHours, Resource
from plugins.lokaler.resource_forms import DAY_FIELDS, ResourceForm, parse_hours

FIELDS = [
    "name",
    "kind",
    "summary",
    "capacity",
    "equipment",
    "accessibility",
    "location",
    "house_rules",
    "min_minutes",
    "max_minutes",
    "max_days_ahead",
    "buffer_minutes",
    "cancel_hours",
    "overnight",
    "for_members",
    "for_organisations",
    "for_residents",
    "price_text",
    "approval",
]


def edit(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    resource_id = request.path_params.get("resource_id")
    with site.session() as db:
        resource = db.get(Resource, resource_id) if resource_id is not None else Resource(name="")
        if resource is None or (resource_id is not None and not resource.is_active):
            raise HTTPException(404)
        hours = days.opening_hours(db, resource_id) if resource_id is not None else {d: (480, 1320) for d in range(7)}
    form = ResourceForm.bind(request, obj=resource if request.method == "GET" else None)
    if request.method == "GET":
        for day, name in enumerate(DAY_FIELDS):
            opening = hours.get(day)
            getattr(form, name).data = f"{days.clock_text(opening[0])}–{days.clock_text(opening[1])}" if opening else ""
    parsed: dict[int, tuple[int, int]] = {}
    valid = request.method == "POST" and form.validate()
    if request.method == "POST":
        for day, name in enumerate(DAY_FIELDS):
            field = getattr(form, name)
            try:
                opening = parse_hours(field.data or "")
            except ValueError as exc:
                field.errors = [*field.errors, str(exc)]
                valid = False
                continue
            if opening is not None:
                parsed[day] = opening
        if (form.min_minutes.data or 0) > (form.max_minutes.data or 0):
            form.max_minutes.errors = [
                *form.max_minutes.errors,
                _("Längsta bokning kan inte vara kortare än kortaste."),
            ]
            valid = False
    current = resource if resource_id is not None else None
    upload = form.image_file.data if request.method == "POST" else None
    has_upload = isinstance(upload, UploadFile) and bool(upload.filename)
    if valid:
        keeps = bool(current and current.image) and not form.remove_image.data
        if (has_upload or keeps) and not (form.image_alt.data or "").strip():
            form.image_alt.errors = [_("Beskriv fotot med några ord, så att den som inte ser det vet vad det visar.")]
            valid = False
    new_image = ""
    if valid and has_upload:
        assert isinstance(upload, UploadFile)
        try:
            new_image = store_upload(upload, site.uploads_dir, settings_of(site).max_image_kb, stem_hint="lokaler")
        except ImageError as exc:
            form.image_file.errors = [str(exc)]
            valid = False
    if valid:
        old_image = ""
        with site.session() as db:
            row = db.get(Resource, resource_id) if resource_id is not None else Resource(name="")
            assert row is not None
            if new_image or form.remove_image.data:
                old_image, row.image = row.image, new_image
            row.image_alt = (form.image_alt.data or "").strip()[:300] if row.image else ""
            for name in FIELDS:
                value = getattr(form, name).data
                setattr(row, name, value.strip() if isinstance(value, str) else (value if value is not None else 0))
            db.add(row)
            db.flush()
            assert row.id is not None
            db.execute(delete(OpeningHours).where(col(OpeningHours.resource_id) == row.id))
            for day, (opens, closes) in parsed.items():
                db.add(OpeningHours(resource_id=row.id, weekday=day, opens=opens, closes=closes))
            saved_id = row.id
        if old_image:
            delete_image(site.uploads_dir, old_image)
        flash(request, _("%(name)s är sparad.") % {"name": (form.name.data or "").strip()})
        return RedirectResponse(url_for(site, "lokaler:resource", resource_id=saved_id), status_code=303)
    status = 400 if request.method == "POST" else 200
    return site.render(
        request,
        "lokaler/resource_form.html",
        {
            "form": form,
            "resource_id": resource_id,
            "day_fields": [getattr(form, n) for n in DAY_FIELDS],
            "image": current.image if current else "",
            "image_alt": current.image_alt if current else "",
            "max_image_kb": settings_of(site).max_image_kb,
        },
        status_code=status,
    )


def remove(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        resource = db.get(Resource, request.path_params["resource_id"])
        if resource is None or not resource.is_active:
            raise HTTPException(404)
        resource.is_active = False
        db.add(resource)
        name = resource.name
    flash(request, _("%(name)s går inte längre att boka. Bokningarna finns kvar.") % {"name": name})
    return RedirectResponse(url_for(site, "lokaler:index"), status_code=303)
