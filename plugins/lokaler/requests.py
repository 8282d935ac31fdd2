"""A booking request from someone without an account: another organisation
or a resident asks for a time on a resource that allows them. The time is
checked with the same rules as an editor's booking, the request is stored
as a booking waiting for staff (``REQUESTED``, in the approval queue), and
the requester is mailed on receipt and on the decision. A hidden field
robots fill in (as samverkan's public form) keeps spam out; the same
request sent twice (a double click) is stored once; and a visitor or an
e-mail address may send only so many an hour (core's ``within_limit``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import N_, SelectChoice, Site, read_form, site_of, throttle_key, url_for, within_limit
from core.api import gettext as _
from plugins.lokaler import days, store
from plugins.lokaler.booking import TAKEN, _check, _gone, over_capacity
from plugins.lokaler.common import settings_of, zone_of
from plugins.lokaler.forms import RequestForm
from plugins.lokaler.models import BookerKind, Booking, BookingStatus, Resource
from plugins.lokaler.slots import make_slot

#: The spam guard: a field people never see that robots fill in.
HONEYPOT = "webbadress"
#: The hourly limits per visitor (its ``throttle_key``: behind a proxy, the
#: address core took from a trusted proxy) and per e-mail address
#: (``requests_per_hour`` each): each request mails a receipt to an address
#: the visitor typed and lands in the staff's queue, so without a limit a
#: script could fill both. Counted by core's rate limit (``within_limit``).
REQUEST_LIMIT = "lokaler-request"
REQUEST_WINDOW = timedelta(hours=1)
#: Over the hourly limit per visitor or per e-mail address.
TOO_MANY = N_(
    "Det har kommit många förfrågningar härifrån eller från den e-postadressen på kort tid. "
    "Ingenting är sparat. Vänta en timme och försök igen, eller ring kansliet."
)


def _choices(resource: Resource) -> list[SelectChoice]:
    choices = []
    if resource.for_organisations:
        choices.append(SelectChoice(BookerKind.ORGANISATION.value, _("En organisation")))
    if resource.for_residents:
        choices.append(SelectChoice(BookerKind.RESIDENT.value, _("Privatperson")))
    return choices


def _thanks(site: Site, resource_id: int) -> Response:
    return RedirectResponse(url_for(site, "lokaler:request_thanks", resource_id=resource_id), status_code=303)


def request_view(request: Request) -> Response:
    site = site_of(request)
    resource_id: int = request.path_params["resource_id"]
    with site.session() as db:
        resource = db.get(Resource, resource_id)
    if resource is None or not resource.is_active:
        if request.method == "POST":
            return _gone(site, request)
        return Response(status_code=404)
    choices = _choices(resource)
    if not choices:
        return Response(status_code=404)
    form = RequestForm.bind(request)
    form.booker.choices = choices
    if request.method == "GET":
        form.booker.data = choices[0].value
        return _render(site, request, resource, form)
    if read_form(request).get(HONEYPOT):
        return _thanks(site, resource_id)  # a robot: answer as if all went well, keep nothing
    valid = form.validate()
    kind = form.booker.data or ""
    if kind not in {c.value for c in choices}:
        form.booker.errors = [*form.booker.errors, _("Välj om du frågar för en organisation eller som privatperson.")]
        valid = False
    if kind == BookerKind.ORGANISATION and not (form.organisation.data or "").strip():
        form.organisation.errors = [*form.organisation.errors, _("Skriv organisationens namn.")]
        valid = False
    too_many = over_capacity(resource, form.people.data)
    if too_many:
        form.people.errors = [*form.people.errors, too_many]
        valid = False
    if not valid:
        return _render(site, request, resource, form, status=400)
    assert form.day.data and form.start.data and form.end.data and form.people.data
    slot = make_slot(form.day.data, form.start.data, form.end.data, zone_of(site), form.end_day.data)
    email = (form.contact_email.data or "").strip()
    with site.session() as db:
        same = db.exec(
            select(Booking.id).where(
                Booking.resource_id == resource_id,
                Booking.start_utc == slot.start_utc,
                Booking.end_utc == slot.end_utc,
                Booking.contact_email == email,
                col(Booking.status) == BookingStatus.REQUESTED,
            )
        ).first()
    if same is not None:
        return _thanks(site, resource_id)  # sent twice: the first is kept
    _slot, problems, taken = _check(site, resource, [slot])[0]
    if problems:
        return _render(site, request, resource, form, status=400, problems=problems)
    if taken:
        return _render(site, request, resource, form, status=409, problems=[_(TAKEN)])
    # Counted only for requests that would be stored (and mailed); a refused one keeps nothing.
    client = throttle_key(request.client.host if request.client else "")
    keys = {"client": client, "email": email.lower()}
    if not within_limit(site, REQUEST_LIMIT, keys, settings_of(site).requests_per_hour, REQUEST_WINDOW):
        return _render(site, request, resource, form, status=429, problems=[_(TOO_MANY)])
    now = site.clock.now()
    organisation = (form.organisation.data or "").strip() if kind == BookerKind.ORGANISATION else ""
    contact = (form.contact_name.data or "").strip()
    template = Booking(
        uid="",
        resource_id=resource_id,
        title=(form.title.data or "").strip(),
        attendees=form.people.data,
        booker_kind=BookerKind(kind),
        organisation=organisation or contact,
        contact_name=contact,
        contact_email=email,
        contact_phone=(form.contact_phone.data or "").strip(),
        start_utc=now,
        end_utc=now,
        block_end_utc=now,
        status=BookingStatus.REQUESTED,
        created_at=now,
        updated_at=now,
    )
    try:
        outcome = store.book(site, resource_id, [slot], template)
    except store.ResourceGone:
        return _gone(site, request)
    if outcome.collided:
        return _render(site, request, resource, form, status=409, problems=[_(TAKEN)])
    return _thanks(site, resource_id)


def thanks(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        resource = db.get(Resource, request.path_params["resource_id"])
    if resource is None:
        return Response(status_code=404)
    return site.render(request, "lokaler/request_thanks.html", {"resource": resource})


def _render(
    site: Site,
    request: Request,
    resource: Resource,
    form: RequestForm,
    *,
    status: int = 200,
    problems: list[str] | None = None,
) -> Response:
    assert resource.id is not None
    with site.session() as db:
        hours = days.opening_hours(db, resource.id)
    return site.render(
        request,
        "lokaler/request.html",
        {
            "resource": resource,
            "form": form,
            "problems": problems or [],
            "hours": hours,
            "honeypot": HONEYPOT,
            "retention_days": settings_of(site).contact_retention_days,
        },
        status_code=status,
    )
