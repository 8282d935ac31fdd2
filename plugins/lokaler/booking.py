"""Booking a resource: one time, or the same time every week through a
date. A series is always previewed first: every date is listed as free,
colliding or against the rules, and the person chooses "boka de lediga"
or "avbryt" before anything is saved. Whatever is wrong comes back in
Swedish with everything typed kept."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import N_, Forbidden, SelectChoice, Site, User, flash, ngettext, read_form, require_user, site_of, url_for
from core.api import gettext as _
from plugins.lokaler import days, store
from plugins.lokaler.access import my_associations
from plugins.lokaler.common import now_of, settings_of, zone_of
from plugins.lokaler.forms import REPEAT_LABELS, BookingForm
from plugins.lokaler.models import Approval, BookerKind, Booking, BookingStatus, Resource
from plugins.lokaler.slots import Slot, check_rules, make_slot, weekly

TAKEN = N_("Tiden är redan bokad. Välj en annan tid i veckovyn.")
GONE = N_("Det här går inte längre att boka: det togs bort medan du fyllde i formuläret. Ingenting är bokat.")


def _choices(site: Site, resource: Resource, mine: dict[str, str]) -> list[SelectChoice]:
    choices = []
    if resource.for_members:
        choices += [SelectChoice(f"member:{slug}", name) for slug, name in sorted(mine.items(), key=lambda i: i[1])]
    if resource.for_organisations:
        choices.append(SelectChoice(BookerKind.ORGANISATION.value, _("Annan organisation (skriv namnet nedan)")))
    if resource.for_residents:
        choices.append(SelectChoice(BookerKind.RESIDENT.value, _("Privatperson (skriv ditt namn nedan)")))
    return choices


def over_capacity(resource: Resource, attendees: int | None) -> str | None:
    """The Swedish sentence when more people are coming than the room holds."""
    if resource.capacity and attendees and attendees > resource.capacity:
        return _("%(name)s rymmer högst %(n)s personer.") % {"name": resource.name, "n": resource.capacity}
    return None


def _gone(site: Site, request: Request) -> Response:
    return site.render(request, "lokaler/gone.html", {"message": _(GONE)}, status_code=409)


def book_view(request: Request) -> Response:
    user = require_user(request)
    site = site_of(request)
    resource_id: int = request.path_params["resource_id"]
    with site.session() as db:
        resource = db.get(Resource, resource_id)
        mine = my_associations(site, db, user)
    if resource is None or not resource.is_active:
        if request.method == "POST":
            return _gone(site, request)
        return Response(status_code=404)
    choices = _choices(site, resource, mine)
    if not choices:
        raise Forbidden(
            _(
                "Du kan inte boka %(name)s: den kan bara bokas av medlemsföreningar och ditt konto är inte "
                "kopplat till någon. Be kansliet koppla ditt konto till din förening."
            )
            % {"name": resource.name}
        )
    form = BookingForm.bind(request)
    form.booker.choices = choices
    form.repeat.choices = [SelectChoice(k, _(v)) for k, v in REPEAT_LABELS.items()]
    if request.method == "GET":
        _prefill(form, request, user)
        return _render(site, request, resource, form)
    data = read_form(request)
    action = str(data.get("action", ""))
    if action == "avbryt":
        flash(request, _("Ingenting bokades."))
        return RedirectResponse(url_for(site, "lokaler:resource", resource_id=resource_id), status_code=303)
    valid = form.validate()
    booker = form.booker.data or ""
    if booker not in {c.value for c in choices}:
        form.booker.errors = [*form.booker.errors, _("Välj en förening som du får boka för.")]
        valid = False
    if booker in (BookerKind.ORGANISATION, BookerKind.RESIDENT) and not (form.organisation.data or "").strip():
        form.organisation.errors = [*form.organisation.errors, _("Skriv organisationens eller ditt namn.")]
        valid = False
    too_many = over_capacity(resource, form.attendees.data)
    if too_many:
        form.attendees.errors = [*form.attendees.errors, too_many]
        valid = False
    series = form.repeat.data == "weekly"
    if series and valid:
        valid = _check_until(site, form)
    if not valid:
        return _render(site, request, resource, form, status=400)
    assert form.day.data and form.start.data and form.end.data
    zone = zone_of(site)
    first = make_slot(form.day.data, form.start.data, form.end.data, zone, form.end_day.data)
    slots = weekly(first, form.until.data, zone) if series and form.until.data else [first]
    checked = _check(site, resource, slots)
    template = _template(site, resource, form, user, mine)
    if not series:
        slot, problems, taken = checked[0]
        if problems:
            return _render(site, request, resource, form, status=400, problems=problems)
        if taken:
            return _render(site, request, resource, form, status=409, problems=[_(TAKEN)])
        return _save(site, request, resource, [slot], template, form)
    free = [slot for slot, problems, taken in checked if not problems and not taken]
    if action == "boka_lediga" and free:
        return _save(site, request, resource, free, template, form, checked=checked)
    return _render(site, request, resource, form, preview=checked)


def _save(
    site: Site,
    request: Request,
    resource: Resource,
    slots: list[Slot],
    template: Booking,
    form: BookingForm,
    checked: list[tuple[Slot, list[str], bool]] | None = None,
) -> Response:
    assert resource.id is not None
    try:
        outcome = store.book(site, resource.id, slots, template)
    except store.ResourceGone:
        return _gone(site, request)
    if outcome.collided:
        if checked is None:
            return _render(site, request, resource, form, status=409, problems=[_(TAKEN)])
        again = _check(site, resource, [slot for slot, _p, _t in checked])
        note = _(
            "Någon annan hann boka några av tiderna just nu. Ingenting är bokat: se de nya krockarna och välj igen."
        )
        return _render(site, request, resource, form, status=409, preview=again, problems=[note])
    booked = outcome.saved
    waiting = booked[0].status == BookingStatus.REQUESTED
    if len(booked) == 1:
        flash(request, _("Förfrågan är skickad till kansliet.") if waiting else _("Bokningen är klar."))
        assert booked[0].id is not None
        return RedirectResponse(url_for(site, "lokaler:booking", booking_id=booked[0].id), status_code=303)
    flash(
        request,
        ngettext("%(n)s tid är bokad.", "%(n)s tider är bokade.", len(booked)) % {"n": len(booked)}
        + (" " + _("De väntar på kansliets godkännande.") if waiting else ""),
    )
    return RedirectResponse(url_for(site, "lokaler:mine"), status_code=303)


def _check_until(site: Site, form: BookingForm) -> bool:
    until, day = form.until.data, form.day.data
    if until is None:
        form.until.errors = [*form.until.errors, _("Skriv till och med vilket datum serien ska upprepas.")]
        return False
    if day is not None and until < day:
        form.until.errors = [*form.until.errors, _("Sista datumet måste vara samma dag som det första eller senare.")]
        return False
    weeks = settings_of(site).max_series_weeks
    if day is not None and until > day + timedelta(weeks=weeks):
        form.until.errors = [*form.until.errors, _("En serie kan vara högst %(n)s veckor.") % {"n": weeks}]
        return False
    return True


def _check(site: Site, resource: Resource, slots: list[Slot]) -> list[tuple[Slot, list[str], bool]]:
    """Each slot with its broken rules and whether another booking holds it."""
    assert resource.id is not None
    now = now_of(site)
    first, last = slots[0].day, slots[-1].end_local.date()
    checked = []
    with site.session() as db:
        hours = days.opening_hours(db, resource.id)
        closed = days.closed_days(db, resource.id, first, last)
        # One query for the whole series, then each date checked against it.
        window = store.active_in_window(db, resource, slots[0].start_utc, max(s.end_utc for s in slots))
        for slot in slots:
            problems = check_rules(slot, resource, hours, closed, now)
            taken = not problems and store.overlapping(window, resource, slot.start_utc, slot.end_utc)
            checked.append((slot, problems, taken))
    return checked


def _template(site: Site, resource: Resource, form: BookingForm, user: User, mine: dict[str, str]) -> Booking:
    booker = form.booker.data or ""
    status = BookingStatus.CONFIRMED
    if booker.startswith("member:"):
        slug = booker.removeprefix("member:")
        kind, name, organisation = BookerKind.MEMBER, mine.get(slug, slug), ""
        if resource.approval == Approval.MANUAL and not user.is_admin:
            status = BookingStatus.REQUESTED
    else:
        slug, name, kind = "", "", BookerKind(booker)
        organisation = (form.organisation.data or "").strip()
        if not user.is_admin:
            status = BookingStatus.REQUESTED
    now = site.clock.now()
    return Booking(
        uid="",
        resource_id=resource.id or 0,
        title=(form.title.data or "").strip(),
        attendees=form.attendees.data if resource.capacity else None,
        booker_kind=kind,
        association_slug=slug,
        association_name=name,
        organisation=organisation,
        contact_name=(form.contact_name.data or "").strip(),
        contact_email=(form.contact_email.data or "").strip(),
        contact_phone=(form.contact_phone.data or "").strip(),
        start_utc=now,
        end_utc=now,
        block_end_utc=now,
        status=status,
        is_public=bool(form.is_public.data),
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )


def _prefill(form: BookingForm, request: Request, user: User) -> None:
    from datetime import time

    query = request.query_params
    try:
        form.day.data = date.fromisoformat(query.get("datum", ""))
    except ValueError:
        pass
    for field, key in ((form.start, "fran"), (form.end, "till")):
        try:
            field.data = time.fromisoformat(query.get(key, ""))
        except ValueError:
            pass
    if form.start.data and not form.end.data:
        form.end.data = time(min(form.start.data.hour + 2, 23), form.start.data.minute)
    form.contact_name.data = user.name
    form.contact_email.data = user.email
    first = next(iter(form.booker.iter_choices()), None)
    if first is not None:
        form.booker.data = first[0]


def _render(
    site: Site,
    request: Request,
    resource: Resource,
    form: BookingForm,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    preview: list[tuple[Slot, list[str], bool]] | None = None,
) -> Response:
    with site.session() as db:
        assert resource.id is not None
        hours = days.opening_hours(db, resource.id)
    free = [s for s, p, t in preview if not p and not t] if preview is not None else []
    return site.render(
        request,
        "lokaler/book.html",
        {
            "resource": resource,
            "form": form,
            "problems": problems or [],
            "preview": preview,
            "free_count": len(free),
            "hours": hours,
            "posted": [(k, v) for k, v in read_form(request).multi_items() if k not in ("csrftoken", "action")]
            if request.method == "POST"
            else [],
        },
        status_code=status,
    )
