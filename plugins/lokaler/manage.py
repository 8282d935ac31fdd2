"""A booking's own page and what can be done with it: the booker cancels
up to the resource's limit before the start; admins approve or decline a
request (with a reason), move or cancel with a message, and write the key
and access note. Every change mails the booker with the booking as .ics."""

from __future__ import annotations

from datetime import time, timedelta

from sqlmodel import Session, col, or_, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import Forbidden, Site, User, flash, read_form, require_admin, require_user, site_of, url_for
from core.api import gettext as _
from plugins.lokaler import mails, store
from plugins.lokaler.access import booking_or_404, may_manage, may_see_association, my_associations
from plugins.lokaler.common import times_of, when_text, zone_of
from plugins.lokaler.forms import AccessForm, DecisionForm, MoveForm
from plugins.lokaler.models import Booking, BookingStatus, Resource
from plugins.lokaler.slots import check_rules, make_slot


def _back(booking_id: int, request: Request) -> RedirectResponse:
    return RedirectResponse(url_for(site_of(request), "lokaler:booking", booking_id=booking_id), status_code=303)


def booking_page(request: Request) -> Response:
    user = require_user(request)
    site = site_of(request)
    with site.session() as db:
        booking = booking_or_404(db, request.path_params["booking_id"])
        if not may_manage(site, db, user, booking):
            raise HTTPException(404)
        resource = db.get(Resource, booking.resource_id)
        series = []
        if booking.series_id:
            series = list(
                db.exec(
                    select(Booking).where(Booking.series_id == booking.series_id).order_by(col(Booking.start_utc))
                ).all()
            )
        return site.render(
            request,
            "lokaler/booking.html",
            {
                "booking": booking,
                "resource": resource,
                "when": when_text(site, booking),
                "series": [(b, when_text(site, b)) for b in series],
                "may_cancel": _may_cancel(site, user.is_admin, booking, resource),
                "is_admin": user.is_admin,
                "decision_form": DecisionForm(),
                "access_form": AccessForm(data={"access_note": booking.access_note}),
                "cancel_hours": resource.cancel_hours if resource else 0,
                "back": _back_link(site, user, booking),
            },
        )


def _back_link(site: Site, user: User, booking: Booking) -> tuple[str, str]:
    """Where the booking page leads back to: the booker's own list, else the
    association's bookings, else (an admin with someone else's booking) the
    house's week of the booking."""
    if booking.created_by_id == user.id:
        return url_for(site, "lokaler:mine"), _("Mina bokningar")
    if booking.association_slug:
        return (
            url_for(site, "lokaler:association", slug=booking.association_slug),
            _("Bokningar för %(name)s") % {"name": booking.booker},
        )
    week = times_of(site, booking)[0].date().isoformat()
    return url_for(site, "lokaler:house_week") + f"?vecka={week}", _("Husets vecka")


def _may_cancel(site: Site, is_admin: bool, booking: Booking, resource: Resource | None) -> bool:
    if not booking.is_active:
        return False
    if is_admin:
        return True
    hours = resource.cancel_hours if resource else 0
    start, _end = times_of(site, booking)
    return site.clock.now() <= start - timedelta(hours=hours)


def cancel(request: Request) -> Response:
    user = require_user(request)
    site = site_of(request)
    booking_id = request.path_params["booking_id"]
    form = DecisionForm.bind(request)
    form.validate()
    with site.session() as db:
        booking = booking_or_404(db, booking_id)
        if not may_manage(site, db, user, booking):
            raise Forbidden(_("Du kan bara avboka din egen förenings bokningar."))
        resource = db.get(Resource, booking.resource_id)
        if not booking.is_active:
            flash(request, _("Bokningen var redan avbokad."), kind="error")
            return _back(booking_id, request)
        if not _may_cancel(site, user.is_admin, booking, resource):
            flash(
                request,
                _("Det är för sent att avboka själv: kontakta kansliet.")
                + " "
                + _("Avbokning går fram till %(n)s timmar före starten.")
                % {"n": resource.cancel_hours if resource else 0},
                kind="error",
            )
            return _back(booking_id, request)
        message = (form.message.data or "").strip() if user.is_admin else ""
        store.set_status(db, booking, BookingStatus.CANCELLED, message)
        if resource is not None:
            mails.queue_changed(site, db, resource, booking)
    flash(request, _("Bokningen är avbokad."))
    return _back(booking_id, request)


def decide(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    booking_id = request.path_params["booking_id"]
    data = read_form(request)
    form = DecisionForm.bind(request)
    form.validate()
    choice = str(data.get("beslut", ""))
    message = (form.message.data or "").strip()
    with site.session() as db:
        booking = booking_or_404(db, booking_id)
        resource = db.get(Resource, booking.resource_id)
        if booking.status != BookingStatus.REQUESTED or resource is None:
            flash(request, _("Bokningen väntar inte på beslut."), kind="error")
            return _back(booking_id, request)
        if choice == "avsla" and not message:
            flash(request, _("Skriv varför förfrågan avslås: det skickas till den som bokat."), kind="error")
            return _back(booking_id, request)
        if choice not in ("godkann", "avsla"):
            flash(request, _("Välj godkänn eller avslå."), kind="error")
            return _back(booking_id, request)
        status = BookingStatus.CONFIRMED if choice == "godkann" else BookingStatus.DECLINED
        store.set_status(db, booking, status, message)
        mails.queue_changed(site, db, resource, booking)
    flash(request, _("Bokningen är godkänd.") if choice == "godkann" else _("Förfrågan är avslagen."))
    return RedirectResponse(url_for(site, "lokaler:review"), status_code=303)


def set_access(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    booking_id = request.path_params["booking_id"]
    form = AccessForm.bind(request)
    if not form.validate():
        flash(request, _("Anteckningen är för lång: högst 1000 tecken."), kind="error")
        return _back(booking_id, request)
    with site.session() as db:
        booking = booking_or_404(db, booking_id)
        booking.access_note = (form.access_note.data or "").strip()
        db.add(booking)
    flash(request, _("Anteckningen om nyckel och tillträde är sparad."))
    return _back(booking_id, request)


def move(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    booking_id = request.path_params["booking_id"]
    with site.session() as db:
        booking = booking_or_404(db, booking_id)
        resource = db.get(Resource, booking.resource_id)
    if resource is None:
        raise HTTPException(404)
    form = MoveForm.bind(request)
    problems: list[str] = []
    if request.method == "GET":
        start, end = times_of(site, booking)
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        # A booking past midnight shows its end date (one ending at 00:00 reads as midnight without one).
        if end.date() != start.date() and not (end.time() == time(0, 0) and end.date() == start.date() + timedelta(1)):
            form.end_day.data = end.date()
    elif form.validate():
        assert form.day.data and form.start.data and form.end.data
        slot = make_slot(form.day.data, form.start.data, form.end.data, zone_of(site), form.end_day.data)
        from plugins.lokaler import days

        with site.session() as db:
            assert resource.id is not None
            hours = days.opening_hours(db, resource.id)
            closed = days.closed_days(db, resource.id, slot.day, slot.end_local.date())
        problems = check_rules(slot, resource, hours, closed, site.clock.now())
        if not problems:
            try:
                moved = store.move(site, booking_id, slot)
            except store.ResourceGone:
                raise HTTPException(404) from None
            if moved:
                with site.session() as db:
                    fresh = booking_or_404(db, booking_id)
                    fresh.admin_message = (form.message.data or "").strip()
                    db.add(fresh)
                    mails.queue_moved(site, db, resource, fresh)
                flash(request, _("Bokningen är flyttad och den som bokat har fått e-post."))
                return _back(booking_id, request)
            problems = [_("Den nya tiden krockar med en annan bokning. Välj en annan tid.")]
    status = 400 if request.method == "POST" else 200
    return site.render(
        request,
        "lokaler/move.html",
        {
            "booking": booking,
            "resource": resource,
            "form": form,
            "problems": problems,
            "when": when_text(site, booking),
        },
        status_code=status,
    )


def _rows(site: Site, db: Session, bookings: list[Booking]) -> list[tuple[Booking, Resource | None, str]]:
    resources = {r.id: r for r in db.exec(select(Resource)).all()}
    return [(b, resources.get(b.resource_id), when_text(site, b)) for b in bookings]


def mine(request: Request) -> Response:
    user = require_user(request)
    site = site_of(request)
    now = site.clock.now().replace(tzinfo=None) - timedelta(days=1)
    with site.session() as db:
        slugs = list(my_associations(site, db, user)) if not user.is_admin else []
        mine_filter = or_(col(Booking.created_by_id) == user.id, col(Booking.association_slug).in_(slugs))
        bookings = list(
            db.exec(
                select(Booking)
                .where(mine_filter, col(Booking.end_utc) >= now)
                .order_by(col(Booking.start_utc))
                .limit(300)
            ).all()
        )
        rows = _rows(site, db, bookings)
        associations = my_associations(site, db, user) if not user.is_admin else {}
    return site.render(
        request,
        "lokaler/list.html",
        {"title": _("Mina bokningar"), "rows": rows, "associations": associations, "show_booker": True},
    )


def association_bookings(request: Request) -> Response:
    user = require_user(request)
    site = site_of(request)
    slug = request.path_params["slug"]
    now = site.clock.now().replace(tzinfo=None) - timedelta(days=1)
    with site.session() as db:
        if not may_see_association(site, db, user, slug):
            raise Forbidden(_("Du kan bara se bokningar för föreningar du är redaktör för."))
        bookings = list(
            db.exec(
                select(Booking)
                .where(Booking.association_slug == slug, col(Booking.end_utc) >= now)
                .order_by(col(Booking.start_utc))
                .limit(500)
            ).all()
        )
        rows = _rows(site, db, bookings)
        name = my_associations(site, db, user).get(slug, slug)
    return site.render(
        request,
        "lokaler/list.html",
        {
            "title": _("Bokningar för %(name)s") % {"name": name},
            "rows": rows,
            "ics": url_for(site, "lokaler:association_ics", slug=slug),
            "show_booker": False,
        },
    )


def review(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        bookings = list(
            db.exec(
                select(Booking).where(Booking.status == BookingStatus.REQUESTED).order_by(col(Booking.start_utc))
            ).all()
        )
        rows = _rows(site, db, bookings)
    return site.render(
        request, "lokaler/list.html", {"title": _("Bokningar att granska"), "rows": rows, "show_booker": True}
    )
