"""Booking a room for an event of the events plugin (the ``book_place``
hook), by the same rules as the booking form: the editor must act for the
association, the room must take member bookings, every date must keep the
opening hours, closed days, length and how far ahead, and none may
collide. The dates are saved together or not at all (``store.book``), as
confirmed or as a request for staff (``Resource.approval``), and the
booker gets the usual confirmation mail with the .ics."""

from __future__ import annotations

from datetime import datetime

from core.api import AssociationRef, PlaceBookingOutcome, Site, User, url_for
from core.api import gettext as _
from plugins.lokaler import days, store
from plugins.lokaler.access import my_associations
from plugins.lokaler.booking import GONE, TAKEN
from plugins.lokaler.common import now_of, settings_of, zone_of
from plugins.lokaler.models import Approval, BookerKind, Booking, BookingStatus, Kind, Resource
from plugins.lokaler.slots import Slot, check_rules

#: How many of an event's broken dates are named before "and n more".
SHOWN = 5


def book_for_event(
    site: Site,
    resource_id: int,
    spans: list[tuple[datetime, datetime]],
    association: AssociationRef,
    title: str,
    user: User,
    *,
    dry_run: bool,
) -> PlaceBookingOutcome:
    zone = zone_of(site)
    slots = sorted(
        (Slot(start.astimezone(zone), end.astimezone(zone)) for start, end in spans), key=lambda s: s.start_utc
    )
    with site.session() as db:
        resource = db.get(Resource, resource_id)
        if resource is None or not resource.is_active or resource.kind != Kind.ROOM:
            return PlaceBookingOutcome(problems=(_(GONE),))
        if not slots:
            return PlaceBookingOutcome(problems=(_("Evenemanget har inga kommande tillfällen att boka lokalen för."),))
        if not user.is_admin and association.slug not in my_associations(site, db, user):
            return PlaceBookingOutcome(
                problems=(_("Du kan bara boka %(name)s för föreningar du är redaktör för.") % {"name": resource.name},)
            )
        if not resource.for_members:
            return PlaceBookingOutcome(
                problems=(_("%(name)s kan inte bokas av medlemsföreningar här.") % {"name": resource.name},)
            )
        most = settings_of(site).max_series_weeks
        if len(slots) > most:
            return PlaceBookingOutcome(
                problems=(
                    _(
                        "Lokalen kan bokas för högst %(n)s tillfällen i taget. Boka resten senare, "
                        "eller kontakta kansliet."
                    )
                    % {"n": most},
                )
            )
        assert resource.id is not None
        hours = days.opening_hours(db, resource.id)
        closed = days.closed_days(db, resource.id, slots[0].day, slots[-1].end_local.date())
        window = store.active_in_window(db, resource, slots[0].start_utc, max(s.end_utc for s in slots))
        now = now_of(site)
        problems: list[str] = []
        for slot in slots:
            broken = check_rules(slot, resource, hours, closed, now)
            if not broken and store.overlapping(window, resource, slot.start_utc, slot.end_utc):
                broken = [_(TAKEN)]
            problems += [f"{_when(slot)}: {problem}" for problem in broken]
        waiting = resource.approval == Approval.MANUAL and not user.is_admin
        status = BookingStatus.REQUESTED if waiting else BookingStatus.CONFIRMED
        if problems:
            return PlaceBookingOutcome(problems=_shortened(problems))
        if dry_run:
            return PlaceBookingOutcome(status=status.value)
    template = _template(site, resource, association, title, user, status)
    try:
        outcome = store.book(site, resource_id, slots, template)
    except store.ResourceGone:
        return PlaceBookingOutcome(problems=(_(GONE),))
    if outcome.collided:
        return PlaceBookingOutcome(
            problems=_shortened([f"{_when(slot)}: {_(TAKEN)}" for slot in outcome.collided]),
        )
    first = outcome.saved[0]
    assert first.id is not None
    return PlaceBookingOutcome(
        status=status.value, saved=True, url=url_for(site, "lokaler:booking", booking_id=first.id)
    )


def _when(slot: Slot) -> str:
    start, end = slot.start_local, slot.end_local
    if start.date() == end.date():
        return f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def _shortened(problems: list[str]) -> tuple[str, ...]:
    if len(problems) <= SHOWN:
        return tuple(problems)
    more = len(problems) - SHOWN
    return (*problems[:SHOWN], _("Och %(n)s problem till.") % {"n": more})


def _template(
    site: Site, resource: Resource, association: AssociationRef, title: str, user: User, status: BookingStatus
) -> Booking:
    now = site.clock.now()
    return Booking(
        uid="",
        resource_id=resource.id or 0,
        title=title.strip()[:200],
        booker_kind=BookerKind.MEMBER,
        association_slug=association.slug[:120],
        association_name=association.name[:200],
        contact_name=(user.name or user.email)[:120],
        contact_email=user.email,
        start_utc=now,
        end_utc=now,
        block_end_utc=now,
        status=status,
        is_public=True,  # the event is public: its room's calendar may say what it is
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
